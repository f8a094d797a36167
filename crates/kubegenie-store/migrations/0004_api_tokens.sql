-- API tokens of the server. Only a SHA-256 digest of each token is kept: the token itself is
-- shown once at creation. Lists are JSON text, timestamps RFC 3339 UTC text.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    digest      TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    clusters    TEXT NOT NULL DEFAULT '["*"]',
    namespaces  TEXT NOT NULL DEFAULT '["*"]',
    scopes      TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
);
