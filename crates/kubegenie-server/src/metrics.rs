//! Prometheus metrics of the server: request counts and latency histograms by method, route
//! and status, rendered in the text exposition format. Cluster reachability is added at scrape
//! time from the registry's last health checks.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    // (method, route, status) -> histogram; a BTreeMap keeps the output stable.
    requests: Mutex<BTreeMap<(String, String, u16), Histogram>>,
}

impl Metrics {
    /// Records one request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let h = map
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// The exposition text; `clusters` are `(name, reachable)` from the last health checks.
    pub fn render(&self, clusters: &[(String, Option<bool>)]) -> String {
        let mut out = String::new();
        let map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str(
            "# HELP kubegenie_http_requests_total HTTP requests served, by method, route and status.\n",
        );
        out.push_str("# TYPE kubegenie_http_requests_total counter\n");
        for ((m, r, s), h) in map.iter() {
            let _ = writeln!(
                out,
                "kubegenie_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {}",
                escape(r),
                h.count
            );
        }
        out.push_str("# HELP kubegenie_http_request_duration_seconds Time to answer HTTP requests.\n");
        out.push_str("# TYPE kubegenie_http_request_duration_seconds histogram\n");
        for ((m, r, s), h) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{}\",status=\"{s}\"", escape(r));
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "kubegenie_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "kubegenie_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "kubegenie_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "kubegenie_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out.push_str("# HELP kubegenie_clusters_registered Clusters in the registry.\n");
        out.push_str("# TYPE kubegenie_clusters_registered gauge\n");
        let _ = writeln!(out, "kubegenie_clusters_registered {}", clusters.len());
        out.push_str(
            "# HELP kubegenie_cluster_reachable Whether the cluster answered its last health check (absent: never checked).\n",
        );
        out.push_str("# TYPE kubegenie_cluster_reachable gauge\n");
        for (name, reachable) in clusters {
            if let Some(r) = reachable {
                let _ = writeln!(
                    out,
                    "kubegenie_cluster_reachable{{cluster=\"{}\"}} {}",
                    escape(name),
                    u8::from(*r)
                );
            }
        }
        out
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/clusters", 200, Duration::from_millis(3));
        m.observe("GET", "/api/v1/clusters", 200, Duration::from_millis(30));
        let text = m.render(&[("prod".into(), Some(true)), ("new".into(), None)]);
        assert!(text.contains(
            "kubegenie_http_requests_total{method=\"GET\",route=\"/api/v1/clusters\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("kubegenie_cluster_reachable{cluster=\"prod\"} 1"));
        assert!(!text.contains("cluster=\"new\""));
        assert!(text.contains("kubegenie_clusters_registered 2"));
    }
}
