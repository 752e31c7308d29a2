-- Alerts: channels (per user, or a script's own), rules per script, incidents (one unresolved per script) with
-- their runs, and a durable outbox of deliveries with every attempt.
CREATE TABLE alert_channels (
    id           UUID PRIMARY KEY,
    owner_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    script_id    UUID REFERENCES scripts (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'slack', 'webhook', 'script')),
    config       JSONB NOT NULL,
    -- the channel's secret (SMTP password, Slack URL, signing secret), AES-GCM like the secrets table
    secret_nonce BYTEA,
    secret       BYTEA,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alert_channels_by_owner ON alert_channels (owner_id);

CREATE TABLE alert_rules (
    script_id  UUID PRIMARY KEY REFERENCES scripts (id) ON DELETE CASCADE,
    rules      JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
    id              UUID PRIMARY KEY,
    script_id       UUID NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    owner_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    reason          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    failures        INT NOT NULL DEFAULT 0,
    signals         INT NOT NULL DEFAULT 0,
    alerted         BOOLEAN NOT NULL DEFAULT false,
    opened_at       TIMESTAMPTZ NOT NULL,
    last_signal_at  TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    resolved_at     TIMESTAMPTZ,
    resolved_by     TEXT
);
CREATE UNIQUE INDEX incidents_one_unresolved_per_script ON incidents (script_id) WHERE status <> 'resolved';
CREATE INDEX incidents_by_owner ON incidents (owner_id, opened_at DESC);

-- the failed runs of an incident; the primary key counts a run once however often its end is reported
CREATE TABLE incident_runs (
    run_id      UUID PRIMARY KEY,
    incident_id UUID NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX incident_runs_by_incident ON incident_runs (incident_id, at);

CREATE TABLE alert_deliveries (
    id              UUID PRIMARY KEY,
    incident_id     UUID REFERENCES incidents (id) ON DELETE CASCADE,
    -- a deleted channel leaves its deliveries on the incident (those still pending are given up)
    channel_id      UUID REFERENCES alert_channels (id) ON DELETE SET NULL,
    owner_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         JSONB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at);
CREATE INDEX alert_deliveries_by_incident ON alert_deliveries (incident_id);

CREATE TABLE alert_attempts (
    delivery_id   UUID NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
    attempt       INT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    response_code INT,
    error         TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
