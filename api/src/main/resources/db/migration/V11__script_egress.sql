-- Where a script's code may connect: its egress allow-list, normalized entries as a JSON array of strings
-- (host, *.domain or *, optionally :port or :*). Empty means no network at all, which every existing script keeps.
ALTER TABLE scripts ADD COLUMN egress_allow JSONB NOT NULL DEFAULT '[]'::JSONB;
