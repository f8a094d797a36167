-- The audit log of writes: who did what, where, and what came of it. Object references and
-- results only, never object contents. `at_ms` (Unix milliseconds) orders and filters; `at`
-- keeps the RFC 3339 text for reading.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms     BIGINT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    operation TEXT NOT NULL,
    clusters  TEXT NOT NULL,
    objects   TEXT NOT NULL,
    dry_run   TEXT NOT NULL,
    outcome   TEXT NOT NULL
);

CREATE INDEX audit_at ON audit (at_ms);
