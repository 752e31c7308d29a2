-- Cronhook schema. CockroachDB-compatible: UUID keys, TIMESTAMPTZ, JSONB, no SERIAL, no advisory locks.

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    admin         BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE scripts (
    id              UUID PRIMARY KEY,
    owner_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    webhook_enabled BOOLEAN NOT NULL DEFAULT true,
    webhook_token   TEXT NOT NULL UNIQUE,
    timeout_seconds INT NOT NULL,
    memory_mb       INT NOT NULL,
    latest_version  INT NOT NULL,
    active_version  INT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (owner_id, name)
);

-- A version is immutable once written, except for what its build reports.
CREATE TABLE script_versions (
    script_id    UUID NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    version      INT NOT NULL,
    code         TEXT NOT NULL,
    dependencies JSONB NOT NULL,
    lockfile     TEXT,
    build_state  TEXT NOT NULL DEFAULT 'QUEUED'
                 CHECK (build_state IN ('QUEUED', 'BUILDING', 'READY', 'FAILED')),
    build_error  TEXT,
    build_log    TEXT,
    image_ref    TEXT,
    image_digest TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    built_at     TIMESTAMPTZ,
    PRIMARY KEY (script_id, version)
);

CREATE TABLE schedules (
    script_id      UUID PRIMARY KEY REFERENCES scripts (id) ON DELETE CASCADE,
    expression     TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    overlap_policy TEXT NOT NULL DEFAULT 'skip' CHECK (overlap_policy IN ('allow', 'skip', 'queue')),
    catchup_policy TEXT NOT NULL DEFAULT 'run-once' CHECK (catchup_policy IN ('skip', 'run-once')),
    next_fire_at   TIMESTAMPTZ,
    last_fired_at  TIMESTAMPTZ,
    missed_ticks   INT NOT NULL DEFAULT 0,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX schedules_by_next_fire ON schedules (next_fire_at);

CREATE TABLE runs (
    id           UUID PRIMARY KEY,
    script_id    UUID NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    owner_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version      INT NOT NULL,
    trigger      TEXT NOT NULL CHECK (trigger IN ('webhook', 'cron', 'manual', 'try-out')),
    event        JSONB,
    status       TEXT NOT NULL
                 CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED')),
    result       JSONB,
    reply        JSONB,
    error        TEXT,
    attempt      INT NOT NULL DEFAULT 1,
    scheduled_at TIMESTAMPTZ,
    queued_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX runs_by_script ON runs (script_id, queued_at DESC);
CREATE INDEX runs_by_owner ON runs (owner_id, queued_at DESC);
CREATE INDEX runs_by_status ON runs (status, queued_at);

-- Secrets: per user (script_id NULL) or per script; values only as AES-GCM ciphertext.
CREATE TABLE secrets (
    id         UUID PRIMARY KEY,
    owner_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    script_id  UUID REFERENCES scripts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    nonce      BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX secrets_user_name ON secrets (owner_id, name) WHERE script_id IS NULL;
CREATE UNIQUE INDEX secrets_script_name ON secrets (script_id, name) WHERE script_id IS NOT NULL;
