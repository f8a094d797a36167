//! Migrations embedded in the binary, so an installed `kubegenie` needs no SQL files at
//! runtime and no `sqlx::migrate!` macro (which would pull in sqlx's compile-time machinery).

use futures::future::BoxFuture;
use sqlx::SqlSafeStr;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};
use std::borrow::Cow;

/// `(version, description, sql)`; versions only ever grow, applied files are never edited.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "clusters", include_str!("../migrations/0001_clusters.sql")),
    (2, "audit", include_str!("../migrations/0002_audit.sql")),
    (3, "tasks", include_str!("../migrations/0003_tasks.sql")),
    (4, "api_tokens", include_str!("../migrations/0004_api_tokens.sql")),
];

/// The embedded migrations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, desc, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*desc),
                        MigrationType::Simple,
                        sql.into_sql_str(),
                        false,
                    )
                })
                .collect())
        })
    }
}
