-- Environments (issue 22): a script exists per environment of its owner, with its own webhook token, schedule,
-- secrets and active version. Every user has dev and prod without a row; a row names another environment or
-- records that one is protected (only a promotion changes its scripts). Scripts and user secrets made before this
-- are in dev.
CREATE TABLE environments (
    owner_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    protected  BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, name)
);

ALTER TABLE scripts ADD COLUMN environment TEXT NOT NULL DEFAULT 'dev';
-- CockroachDB drops a unique constraint this way too (it removes the index behind it).
ALTER TABLE scripts DROP CONSTRAINT scripts_owner_id_name_key;
CREATE UNIQUE INDEX scripts_owner_environment_name ON scripts (owner_id, environment, name);

ALTER TABLE secrets ADD COLUMN environment TEXT NOT NULL DEFAULT 'dev';
DROP INDEX secrets_user_name;
CREATE UNIQUE INDEX secrets_user_environment_name ON secrets (owner_id, environment, name) WHERE script_id IS NULL;

-- Multi-file scripts: the files of a version besides its entry (which stays in code), path to UTF-8 text; NULL
-- for a one-file script.
ALTER TABLE script_versions ADD COLUMN files JSONB;
