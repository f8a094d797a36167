//! `kubegenie token create|list|revoke`: API tokens of the server, kept in the store under the
//! KubeGenie home (only their digests; a token is shown once, at creation).

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use jiff::{SignedDuration, Timestamp};
use kubegenie_server::auth::token::{self, TokenSpec};
use kubegenie_server::rbac::{Role, Verb};
use kubegenie_store::Store;
use serde_json::json;

/// `kubegenie token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it once.
    Create(CreateArgs),
    /// List tokens (never the tokens themselves).
    #[command(alias = "ls")]
    List(ListArgs),
    /// Revoke a token by id or name.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// Unique name.
    name: String,
    /// Role: viewer, operator or admin.
    #[arg(long, default_value = "viewer", value_parser = |s: &str| s.parse::<Role>())]
    role: Role,
    /// Cluster globs the role is bound to, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "*")]
    clusters: Vec<String>,
    /// Namespaces the role is bound to, comma-separated (`*`: all).
    #[arg(long, value_delimiter = ',', default_value = "*")]
    namespaces: Vec<String>,
    /// Scopes narrowing the role (read, operate, admin), comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<Verb>())]
    scopes: Vec<Verb>,
    /// Lifetime (`90d`, `12h`, `30m`) or `never`.
    #[arg(long, default_value = "90d")]
    expires_in: String,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Print JSON.
    #[arg(short, long, value_parser = ["table", "json"], default_value = "table")]
    output: String,
}

#[derive(Debug, Args)]
struct RevokeArgs {
    /// Token id or name.
    token: String,
}

/// Parses `90d`, `12h`, `30m`, `45s`, or `never` (`None`).
fn lifetime(s: &str) -> Result<Option<SignedDuration>> {
    if s == "never" {
        return Ok(None);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| anyhow::anyhow!("invalid lifetime {s:?} (use 90d, 12h, 30m or never)"))?;
    let secs = match unit {
        "d" => n * 86_400,
        "h" => n * 3_600,
        "m" => n * 60,
        "s" => n,
        _ => bail!("invalid lifetime {s:?} (use 90d, 12h, 30m or never)"),
    };
    if secs <= 0 {
        bail!("the lifetime must be positive");
    }
    Ok(Some(SignedDuration::from_secs(secs)))
}

/// Runs `kubegenie token …`.
pub async fn run(args: TokenArgs) -> Result<()> {
    let store = Store::open(&crate::home::dir().join("kubegenie.db")).await?;
    let res = match args.command {
        TokenCommand::Create(a) => {
            let spec = TokenSpec {
                name: a.name,
                role: a.role,
                clusters: a.clusters,
                namespaces: a.namespaces,
                scopes: a.scopes,
                expires_at: lifetime(&a.expires_in)?.map(|d| Timestamp::now() + d),
            };
            let (secret, record) = token::create(&store, &spec).await?;
            eprintln!(
                "token {} ({}) created, role {}{}; it is shown once:",
                record.name,
                record.id,
                record.role,
                record
                    .expires_at
                    .map(|e| format!(", expires {e}"))
                    .unwrap_or_default()
            );
            println!("{secret}");
            Ok(())
        }
        TokenCommand::List(a) => list(&store, &a.output).await,
        TokenCommand::Revoke(a) => {
            let r = store.revoke_token(&a.token, Timestamp::now()).await?;
            println!("token {} ({}) revoked", r.name, r.id);
            Ok(())
        }
    };
    store.close().await;
    res
}

async fn list(store: &Store, output: &str) -> Result<()> {
    let tokens = store.list_tokens().await?;
    let now = Timestamp::now();
    let state = |t: &kubegenie_store::TokenRecord| {
        if t.revoked_at.is_some() {
            "revoked"
        } else if t.expires_at.is_some_and(|e| e <= now) {
            "expired"
        } else {
            "active"
        }
    };
    if output == "json" {
        let items: Vec<_> = tokens
            .iter()
            .map(|t| {
                json!({"id": t.id, "name": t.name, "role": t.role, "clusters": t.clusters,
                "namespaces": t.namespaces, "scopes": t.scopes, "createdAt": t.created_at.to_string(),
                "expiresAt": t.expires_at.map(|e| e.to_string()), "state": state(t)})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json!({"items": items}))?);
        return Ok(());
    }
    println!(
        "{:<13} {:<16} {:<9} {:<8} {:<20} {:<14} EXPIRES",
        "ID", "NAME", "ROLE", "STATE", "CLUSTERS", "NAMESPACES"
    );
    for t in &tokens {
        println!(
            "{:<13} {:<16} {:<9} {:<8} {:<20} {:<14} {}",
            t.id,
            t.name,
            t.role,
            state(t),
            t.clusters.join(","),
            t.namespaces.join(","),
            t.expires_at
                .map_or_else(|| "never".to_string(), |e| e.to_string())
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        assert_eq!(lifetime("2h").unwrap(), Some(SignedDuration::from_secs(7200)));
        assert_eq!(lifetime("never").unwrap(), None);
        assert!(lifetime("0d").is_err());
        assert!(lifetime("3w").is_err());
        assert!(lifetime("x").is_err());
    }
}
