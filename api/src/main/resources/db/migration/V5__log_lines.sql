-- The log store when CloudWatch is not configured: one row per line, in order within a log.
CREATE TABLE log_lines (
    log_id TEXT NOT NULL,
    seq    INT8 NOT NULL,
    time   TIMESTAMPTZ NOT NULL,
    stream TEXT NOT NULL,
    text   TEXT NOT NULL,
    PRIMARY KEY (log_id, seq)
);
CREATE INDEX log_lines_by_time ON log_lines (time);
