//! Turning a failure to reach or use a cluster into an [`ErrorClass`] a user can act on: DNS,
//! TLS, connection refused, timeout, 401, 403 and so on.

use kubegenie_core::outcome::{ClusterError, ErrorClass};
use std::error::Error as _;

/// The class of a kube client error.
pub fn classify(err: &kube::Error) -> ErrorClass {
    match err {
        kube::Error::Api(status) => ErrorClass::from_status(status.code),
        kube::Error::Auth(_) => ErrorClass::Credentials,
        kube::Error::InferConfig(_) => ErrorClass::Credentials,
        _ => classify_chain(err),
    }
}

/// Classifies by walking the error's sources: transport errors carry their cause as text.
fn classify_chain(err: &(dyn std::error::Error + 'static)) -> ErrorClass {
    let mut text = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        text.push_str(&e.to_string().to_ascii_lowercase());
        text.push('\n');
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::ConnectionReset => {
                    return ErrorClass::Unreachable;
                }
                std::io::ErrorKind::TimedOut => return ErrorClass::Timeout,
                _ => {}
            }
        }
        cur = e.source();
    }
    if text.contains("dns error")
        || text.contains("failed to lookup address")
        || text.contains("name or service not known")
    {
        ErrorClass::Dns
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        ErrorClass::Tls
    } else if text.contains("timed out") || text.contains("timeout") || text.contains("elapsed") {
        ErrorClass::Timeout
    } else if text.contains("connection refused")
        || text.contains("connect error")
        || text.contains("connection reset")
    {
        ErrorClass::Unreachable
    } else {
        ErrorClass::Other
    }
}

/// A [`ClusterError`] row for `cluster` from a kube error; API errors keep the server's message.
pub fn cluster_error(cluster: &str, err: &kube::Error) -> ClusterError {
    let message = match err {
        kube::Error::Api(status) => status.message.clone(),
        other => {
            let mut parts = vec![other.to_string()];
            let mut src = other.source();
            while let Some(s) = src {
                let t = s.to_string();
                if !parts.iter().any(|p| p.contains(&t)) {
                    parts.push(t);
                }
                src = s.source();
            }
            parts.join(": ")
        }
    };
    ClusterError {
        cluster: cluster.to_string(),
        reason: classify(err),
        message,
    }
}

/// The error row for a cluster that did not answer within `timeout`.
pub fn timeout_error(cluster: &str, timeout: std::time::Duration) -> ClusterError {
    ClusterError {
        cluster: cluster.to_string(),
        reason: ErrorClass::Timeout,
        message: format!("no answer within {}s", timeout.as_secs_f64()),
    }
}
