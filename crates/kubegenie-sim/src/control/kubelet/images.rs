//! What containerd reports about images and containers: normalised image names, digests,
//! sizes, container ids and pull errors, all derived deterministically from names so a rerun
//! with the same seed shows the same ids.

use crate::clock::SimRng;

/// The fully qualified reference containerd reports (`nginx:1.27` →
/// `docker.io/library/nginx:1.27`, a missing tag is `latest`).
pub fn normalise(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let first = name.split('/').next().unwrap_or_default();
    let has_host = name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut full = match (has_host, name.contains('/')) {
        (true, _) => name.to_string(),
        (false, true) => format!("docker.io/{name}"),
        (false, false) => format!("docker.io/library/{name}"),
    };
    let last = full.rsplit('/').next().unwrap_or_default();
    if !last.contains(':') && digest.is_none() {
        full.push_str(":latest");
    }
    match digest {
        Some(d) => format!("{full}@{d}"),
        None => full,
    }
}

/// The repository part of a normalised reference (without tag or digest).
fn repository(normalised: &str) -> &str {
    let no_digest = normalised.split('@').next().unwrap_or(normalised);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[slash..].rfind(':') {
        Some(i) => &no_digest[..slash + i],
        None => no_digest,
    }
}

fn hex64(rng: &mut SimRng) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

/// `docker.io/library/nginx@sha256:<hex>`, stable for one image reference.
pub fn image_id(normalised: &str) -> String {
    if let Some((repo, digest)) = normalised.split_once('@') {
        return format!("{}@{digest}", repository(repo));
    }
    let mut rng = SimRng::derived(0, normalised);
    format!("{}@sha256:{}", repository(normalised), hex64(&mut rng))
}

/// Unpacked size of an image in bytes (20-200 MB), stable for one reference.
pub fn image_size(normalised: &str) -> u64 {
    let mut rng = SimRng::derived(1, normalised);
    20_000_000 + rng.next_u64() % 180_000_000
}

/// `containerd://<64 hex>` for one run of a container.
pub fn container_id(seed: u64, pod_uid: &str, container: &str, run: u32) -> String {
    let mut rng = SimRng::derived(seed, &format!("{pod_uid}/{container}/{run}"));
    format!("containerd://{}", hex64(&mut rng))
}

/// The error containerd's CRI returns for an image that cannot be pulled.
pub fn pull_error(image: &str) -> String {
    let full = normalise(image);
    let host = full.split('/').next().unwrap_or_default();
    if host == "invalid.example" || host.starts_with("invalid.example:") {
        let repo = repository(&full);
        let path = repo.split_once('/').map_or("", |(_, p)| p);
        let reference = full.rsplit(['/', ':', '@']).next().unwrap_or("latest");
        return format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": failed to do request: Head \"https://{host}/v2/{path}/manifests/{reference}\": dial tcp: lookup {host} on 10.96.0.10:53: no such host"
        );
    }
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
    )
}

/// A duration as Go's `time.Duration.String()` prints whole seconds (`10s`, `1m20s`, `5m0s`).
pub fn go_duration(secs: u64) -> String {
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

/// A pull duration as the kubelet prints it (`1.234s`, `512ms`).
pub fn go_millis(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        let s = format!("{}.{:03}", ms / 1000, ms % 1000);
        format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_normalised_as_containerd_reports_them() {
        assert_eq!(normalise("nginx:1.27"), "docker.io/library/nginx:1.27");
        assert_eq!(normalise("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(normalise("shop/api:crash"), "docker.io/shop/api:crash");
        assert_eq!(
            normalise("registry.local:5000/worker"),
            "registry.local:5000/worker:latest"
        );
        assert_eq!(normalise("ghcr.io/a/b:1"), "ghcr.io/a/b:1");
        assert!(image_id("docker.io/library/nginx:1.27").starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(
            image_id("docker.io/library/nginx:1.27").len(),
            "docker.io/library/nginx@sha256:".len() + 64
        );
    }

    #[test]
    fn pull_errors_name_the_reference() {
        assert!(pull_error("nginx:bad").ends_with("docker.io/library/nginx:bad: not found"));
        let e = pull_error("invalid.example/app:1.0");
        assert!(
            e.contains("Head \"https://invalid.example/v2/app/manifests/1.0\""),
            "{e}"
        );
    }

    #[test]
    fn go_formatting() {
        assert_eq!(go_duration(10), "10s");
        assert_eq!(go_duration(80), "1m20s");
        assert_eq!(go_duration(300), "5m0s");
        assert_eq!(go_millis(1234), "1.234s");
        assert_eq!(go_millis(1200), "1.2s");
        assert_eq!(go_millis(512), "512ms");
    }
}
