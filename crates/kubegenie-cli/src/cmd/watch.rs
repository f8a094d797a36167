//! `kubegenie get --watch`: kubectl's `get -w` over the selected clusters — the initial rows,
//! then each change, under a CLUSTER column; a failing cluster prints an error line and is
//! retried; Ctrl-C stops.

use anyhow::Result;
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::ops::get::{Connected, GetQuery};
use kubegenie_kube::ops::watch::{WatchEvent, WatchOptions, watch};
use std::io::Write;

/// Column widths that only grow, so rows printed one at a time still line up.
struct Printer {
    widths: Vec<usize>,
    header_done: bool,
    headers: bool,
    all_namespaces: bool,
    events: bool,
}

impl Printer {
    fn line(&mut self, cells: &[String]) -> String {
        if self.widths.len() < cells.len() {
            self.widths.resize(cells.len(), 0);
        }
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            self.widths[i] = self.widths[i].max(c.chars().count());
            if i + 1 == cells.len() {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}   ", w = self.widths[i]));
            }
        }
        out
    }

    fn header(&mut self, columns: Vec<String>) -> Option<String> {
        if self.header_done {
            return None;
        }
        self.header_done = true;
        let mut h = vec!["CLUSTER".to_string()];
        if self.events {
            h.push("EVENT".into());
        }
        if self.all_namespaces {
            h.push("NAMESPACE".into());
        }
        h.extend(columns);
        let line = self.line(&h);
        self.headers.then_some(line)
    }

    fn row(&mut self, cluster: String, event: String, namespace: String, cells: Vec<String>) -> String {
        let mut r = vec![cluster];
        if self.events {
            r.push(event);
        }
        if self.all_namespaces {
            r.push(namespace);
        }
        r.extend(cells);
        self.line(&r)
    }
}

fn error_line(e: &ClusterError) -> String {
    format!(
        "error: cluster {}: {:?}: {} ({})",
        e.cluster,
        e.reason,
        e.message,
        e.reason.hint()
    )
}

/// Streams rows until Ctrl-C. `failed` are clusters that could not even be connected.
pub async fn run(
    clusters: Vec<Connected>,
    failed: Vec<ClusterError>,
    query: GetQuery,
    wide: bool,
    headers: bool,
    events: bool,
) -> Result<()> {
    for e in &failed {
        eprintln!("{}", error_line(e));
    }
    if clusters.is_empty() {
        anyhow::bail!("no selected cluster could be connected");
    }
    let mut printer = Printer {
        widths: Vec::new(),
        header_done: false,
        headers,
        all_namespaces: query.all_namespaces,
        events,
    };
    let opts = WatchOptions {
        wide,
        ..Default::default()
    };
    let mut rx = watch(clusters, query, opts);
    let stdout = std::io::stdout();
    // One listener for the whole run: a fresh one per event would miss a Ctrl-C pressed
    // while a row is being printed (and the default handler is gone once one exists).
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let ev = tokio::select! {
            ev = rx.recv() => ev,
            _ = &mut ctrl_c => return Err(super::Interrupted.into()),
        };
        let Some(ev) = ev else { return Ok(()) };
        let text = match ev {
            WatchEvent::Columns(c) => printer.header(c),
            WatchEvent::Row {
                cluster,
                event,
                namespace,
                cells,
            } => Some(printer.row(cluster, event, namespace, cells)),
            WatchEvent::Error { error, retry_in } => {
                eprintln!("{}; retrying in {}s", error_line(&error), retry_in.as_secs_f64());
                None
            }
        };
        if let Some(t) = text {
            let mut out = stdout.lock();
            writeln!(out, "{t}")?;
            out.flush()?;
        }
    }
}
