-- A script's optional Infisical binding; the machine identity's client secret is stored encrypted.
CREATE TABLE infisical_bindings (
    script_id            UUID PRIMARY KEY REFERENCES scripts (id) ON DELETE CASCADE,
    site_url             TEXT NOT NULL,
    project_id           TEXT NOT NULL,
    environment          TEXT NOT NULL,
    secret_path          TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    client_secret_nonce  BYTEA NOT NULL,
    client_secret        BYTEA NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
