-- Optional HMAC-SHA256 verification of a script's webhook calls.
CREATE TABLE webhook_signatures (
    script_id  UUID PRIMARY KEY REFERENCES scripts (id) ON DELETE CASCADE,
    header     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
