-- an admin can disable a user: they cannot sign in, and their sessions and API tokens stop working
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
