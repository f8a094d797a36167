//! Persistence: SQLite by default and PostgreSQL by URL, with migrations; the cluster registry, the append-only audit log, task history, metrics history and API tokens.
//!
//! It holds no business rules.
