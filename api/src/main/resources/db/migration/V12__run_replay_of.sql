-- A replayed run names the run it replays (the run page links to it); NULL for every other run.
ALTER TABLE runs ADD COLUMN replay_of UUID;
