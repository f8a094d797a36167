//! Where KubeGenie keeps its state: `$KUBEGENIE_HOME` when set, else the XDG data directory.

use std::path::PathBuf;

/// The KubeGenie home directory (not created).
pub fn dir() -> PathBuf {
    if let Some(h) = std::env::var_os("KUBEGENIE_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("kubegenie");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/kubegenie"),
        None => PathBuf::from(".kubegenie"),
    }
}
