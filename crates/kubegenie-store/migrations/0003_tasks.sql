-- Task history: every task the orchestrator ran or runs, for `kubegenie tasks` and audits.
-- Same conventions as 0001: timestamps are RFC 3339 UTC TEXT.
CREATE TABLE tasks (
    id           TEXT PRIMARY KEY NOT NULL,
    agent        TEXT NOT NULL,
    operation    TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    error        TEXT,
    summary      TEXT
);

CREATE INDEX tasks_submitted ON tasks (submitted_at);
