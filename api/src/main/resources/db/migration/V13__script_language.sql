-- A version's language (issue 25): node (all versions before this) or python. Its dependencies column holds npm
-- dependencies or Python requirements accordingly, and its lockfile a package-lock.json or a pip lock.
ALTER TABLE script_versions ADD COLUMN language TEXT NOT NULL DEFAULT 'node';
