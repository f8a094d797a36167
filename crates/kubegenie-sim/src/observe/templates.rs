//! Log line templates: what a typical web service writes (HTTP access lines, database queries,
//! cache lookups, background jobs), its warnings and errors, its start-up banner, and its last
//! words before a crash or an OOM kill. Variables are drawn from the caller's seeded stream.

use super::logs::Line;
use crate::behaviour::Fault;
use crate::clock::SimRng;

/// Log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Debug.
    Debug,
    /// Info.
    Info,
    /// Warning.
    Warn,
    /// Error.
    Error,
}

impl Level {
    /// As written in a plain line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }
}

/// What the templates know about the container.
pub struct Context<'a> {
    /// Application name (from the image).
    pub app: &'a str,
    /// Its fault, if any.
    pub fault: Option<&'a Fault>,
}

/// How an instance ends.
pub enum End {
    /// It does not (yet).
    None,
    /// Clean stop.
    Completed,
    /// OOM kill (the process writes nothing at the kill itself).
    Oom,
    /// Exit with an error.
    Crash {
        /// Exit code.
        exit_code: i64,
        /// Scripted last message.
        message: Option<String>,
    },
}

fn pick<'a>(rng: &mut SimRng, items: &[&'a str]) -> &'a str {
    items[(rng.next_u64() % items.len() as u64) as usize]
}

fn int(rng: &mut SimRng, lo: u64, hi: u64) -> u64 {
    lo + rng.next_u64() % (hi - lo + 1).max(1)
}

fn line(at: jiff::Timestamp, level: Level, text: String) -> Line {
    Line { at, level, text }
}

fn after_ms(t: jiff::Timestamp, ms: i64) -> jiff::Timestamp {
    t.checked_add(jiff::SignedDuration::from_millis(ms)).unwrap_or(t)
}

fn before_ms(t: jiff::Timestamp, ms: i64) -> jiff::Timestamp {
    t.checked_sub(jiff::SignedDuration::from_millis(ms)).unwrap_or(t)
}

/// The banner a service writes as it starts.
pub fn startup(ctx: &Context<'_>, at: jiff::Timestamp, rng: &mut SimRng) -> Vec<Line> {
    let version = format!("1.{}.{}", int(rng, 2, 9), int(rng, 0, 20));
    let app = ctx.app;
    let mut out = vec![
        line(
            at,
            Level::Info,
            format!("starting {app} version={version} pid=1 go=go1.22.5"),
        ),
        line(
            after_ms(at, 12),
            Level::Info,
            format!("loading configuration from /etc/{app}/config.yaml"),
        ),
    ];
    if matches!(ctx.fault, Some(Fault::CrashOnStart { .. })) {
        return out;
    }
    out.push(line(
        after_ms(at, 85),
        Level::Info,
        format!("connected to database host=postgres.{app}.svc:5432 pool_size=20"),
    ));
    out.push(line(after_ms(at, 140), Level::Info, "listening on :8080".into()));
    out
}

const PATHS: &[&str] = &[
    "/api/v1/orders",
    "/api/v1/orders/{id}",
    "/api/v1/users/{id}",
    "/api/v1/cart",
    "/api/v1/products",
    "/api/v1/products/{id}",
    "/healthz",
    "/metrics",
];
const TABLES: &[&str] = &["orders", "users", "products", "inventory", "sessions"];
const JOBS: &[&str] = &[
    "sync-inventory",
    "send-emails",
    "expire-sessions",
    "rebuild-search-index",
];

fn path(rng: &mut SimRng) -> String {
    let id = int(rng, 1000, 99_999).to_string();
    pick(rng, PATHS).replace("{id}", &id)
}

fn ip(rng: &mut SimRng) -> String {
    format!("10.244.{}.{}", int(rng, 0, 3), int(rng, 2, 254))
}

/// One steady-state line; `error_ratio` is the share of ERROR lines (WARN is three times as
/// frequent, DEBUG about one in six).
pub fn steady(ctx: &Context<'_>, at: jiff::Timestamp, error_ratio: f64, rng: &mut SimRng) -> Line {
    let r = rng.next_f64();
    if r < error_ratio {
        return line(at, Level::Error, error(rng));
    }
    if r < error_ratio + (3.0 * error_ratio).max(0.03) {
        let text = match ctx.fault {
            Some(Fault::FailingReadiness) => {
                "readiness check failed: dependency \"postgres\" unreachable: dial tcp 10.96.12.7:5432: i/o timeout"
                    .to_string()
            }
            _ => warning(rng),
        };
        return line(at, Level::Warn, text);
    }
    let kind = rng.next_f64();
    if kind < 0.15 {
        let table = pick(rng, TABLES);
        let text = if rng.next_f64() < 0.5 {
            format!(
                "db query table={table} rows={} duration={:.1}ms sql=\"SELECT * FROM {table} WHERE id = $1\"",
                int(rng, 0, 50),
                0.4 + rng.next_f64() * 8.0
            )
        } else {
            let key = format!("{}:{}", &table[..table.len() - 1], int(rng, 1000, 9999));
            let hit = if rng.next_f64() < 0.85 { "hit" } else { "miss" };
            format!("cache {hit} key={key} ttl=300s")
        };
        return line(at, Level::Debug, text);
    }
    if kind < 0.22 {
        return line(
            at,
            Level::Info,
            format!(
                "job completed name={} id={:08x} duration={:.2}s items={}",
                pick(rng, JOBS),
                rng.next_u64() as u32,
                0.2 + rng.next_f64() * 4.0,
                int(rng, 1, 500)
            ),
        );
    }
    let method = pick(rng, &["GET", "GET", "GET", "POST", "PUT", "DELETE"]);
    let status = pick(rng, &["200", "200", "200", "200", "201", "204", "304", "404"]);
    line(
        at,
        Level::Info,
        format!(
            "http request method={method} path={} status={status} duration={:.1}ms bytes={} remote={}",
            path(rng),
            2.0 + rng.next_f64().powi(3) * 300.0,
            int(rng, 90, 24_000),
            ip(rng)
        ),
    )
}

fn warning(rng: &mut SimRng) -> String {
    match int(rng, 0, 3) {
        0 => format!(
            "slow request method=POST path={} duration={}ms threshold=1000ms",
            path(rng),
            int(rng, 1001, 4800)
        ),
        1 => format!(
            "retrying request to upstream service=payments attempt={} error=\"context deadline exceeded\"",
            int(rng, 1, 3)
        ),
        2 => format!(
            "connection pool nearly exhausted in_use={} max=50",
            int(rng, 42, 50)
        ),
        _ => format!(
            "cache eviction rate high evicted={} window=60s",
            int(rng, 500, 5000)
        ),
    }
}

fn error(rng: &mut SimRng) -> String {
    match int(rng, 0, 3) {
        0 => format!(
            "request failed method=POST path={} status=503 error=\"upstream connect error: connection refused\"",
            path(rng)
        ),
        1 => format!(
            "db query failed table={} error=\"pq: canceling statement due to statement timeout\"",
            pick(rng, TABLES)
        ),
        2 => format!(
            "job failed name={} attempt={} error=\"smtp: 421 service not available\"",
            pick(rng, JOBS),
            int(rng, 1, 5)
        ),
        _ => format!(
            "request failed method=GET path={} status=500 error=\"runtime error: invalid memory address or nil pointer dereference\"",
            path(rng)
        ),
    }
}

/// Memory growth before an OOM kill.
pub fn memory_warning(at: jiff::Timestamp, bytes: f64, limit: f64) -> Line {
    let mi = |b: f64| (b / (1024.0 * 1024.0)).round() as u64;
    line(
        at,
        Level::Warn,
        format!(
            "memory usage high heap_inuse={}Mi limit={}Mi usage={:.0}% gc_pause=38ms",
            mi(bytes),
            mi(limit),
            100.0 * bytes / limit
        ),
    )
}

/// The last lines of an instance ending at `at`.
pub fn ending(ctx: &Context<'_>, end: &End, at: jiff::Timestamp, rng: &mut SimRng) -> Vec<Line> {
    match end {
        End::None | End::Oom => Vec::new(),
        End::Completed => vec![
            line(
                before_ms(at, 40),
                Level::Info,
                "received SIGTERM, shutting down gracefully".into(),
            ),
            line(at, Level::Info, "server stopped".into()),
        ],
        End::Crash { exit_code, message } => {
            let msg = message.clone().unwrap_or_else(|| match ctx.fault {
                Some(Fault::CrashOnStart { .. }) => {
                    "invalid configuration: missing required key \"database.url\"".to_string()
                }
                _ => format!(
                    "unrecoverable error: lost connection to postgres.{}.svc:5432 after {} retries",
                    ctx.app,
                    int(rng, 3, 10)
                ),
            });
            vec![
                line(before_ms(at, 3), Level::Error, msg.clone()),
                line(
                    before_ms(at, 2),
                    Level::Error,
                    format!(
                        "panic: {msg}: goroutine 1 [running]: main.main() /src/{}/cmd/server/main.go:{} +0x1c5",
                        ctx.app,
                        int(rng, 30, 120)
                    ),
                ),
                line(
                    before_ms(at, 1),
                    Level::Error,
                    format!("exiting with code {exit_code}"),
                ),
            ]
        }
    }
}
