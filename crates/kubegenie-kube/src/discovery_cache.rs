//! What each cluster serves, remembered on disk between commands, as kubectl keeps its
//! discovery cache under `~/.kube/cache`: without it every `get` pays two discovery round
//! trips (and their parsing) per cluster before the one request it is about. An entry is
//! used while it is fresh and knows the kind asked for; a kind it does not know (a CRD
//! installed since) refreshes it from the server, so a stale cache never hides a resource.

use crate::discovery::{KindIndex, ResourceInfo};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long an entry is trusted without asking the server.
pub const TTL: Duration = Duration::from_secs(600);

#[derive(Serialize, Deserialize)]
struct Entry {
    resources: Vec<ResourceInfo>,
}

/// A directory of per-cluster discovery entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryCache {
    dir: PathBuf,
    ttl: Duration,
}

impl DiscoveryCache {
    /// A cache in `dir` (created on first write) with the default [`TTL`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            ttl: TTL,
        }
    }

    fn file(&self, cluster: &str) -> PathBuf {
        // Cluster names exclude glob characters and commas but may hold '/' or '.'.
        let safe: String = cluster
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{safe}-{:016x}.json", fnv(cluster)))
    }

    fn load(&self, cluster: &str) -> Option<KindIndex> {
        let path = self.file(cluster);
        let age = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())?;
        if age > self.ttl {
            return None;
        }
        let entry: Entry = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        Some(KindIndex::new(entry.resources))
    }

    fn store(&self, cluster: &str, index: &KindIndex) {
        let entry = Entry {
            resources: index.resources().to_vec(),
        };
        // A cache that cannot be written only costs the next command a discovery.
        let _ = write_atomic(&self.dir, &self.file(cluster), &entry);
    }

    /// The index of `cluster`: from the cache when fresh and it knows `kind`, else from the
    /// server (and then remembered).
    pub async fn index(
        &self,
        cluster: &str,
        client: &kube::Client,
        kind: &str,
    ) -> Result<KindIndex, kube::Error> {
        if let Some(idx) = self.load(cluster)
            && idx.resolve(kind).is_ok()
        {
            return Ok(idx);
        }
        let idx = KindIndex::discover(client).await?;
        self.store(cluster, &idx);
        Ok(idx)
    }

    /// Forgets a cluster's entry.
    pub fn invalidate(&self, cluster: &str) {
        let _ = std::fs::remove_file(self.file(cluster));
    }
}

fn write_atomic(dir: &Path, path: &Path, entry: &Entry) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(entry).map_err(std::io::Error::other)?)?;
    std::fs::rename(tmp, path)
}

/// A stable 64-bit hash of the name (FNV-1a), so names that sanitise alike stay apart.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
