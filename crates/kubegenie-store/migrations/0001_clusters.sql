-- The cluster registry and user settings. Written in the SQL subset SQLite and PostgreSQL share:
-- JSON and timestamps (RFC 3339, UTC) are TEXT so one schema serves both.
CREATE TABLE clusters (
    name        TEXT PRIMARY KEY NOT NULL,
    source      TEXT NOT NULL,
    labels      TEXT NOT NULL DEFAULT '{}',
    added_at    TEXT NOT NULL,
    seen_at     TEXT,
    last_health TEXT
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
