//! Writing and merging kubeconfig contexts for simulated clusters.
