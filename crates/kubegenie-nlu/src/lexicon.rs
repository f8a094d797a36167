//! Word lists: filler words that never name anything, and the vocabularies of the smaller slots
//! (RBAC verbs, providers, engines, time units). Kept in one place so the typo corrector and
//! the extractors agree on what a known word is.

/// Words that carry no slot value; never taken as object, namespace or cluster names.
pub const FILLER: &[&str] = &[
    "a",
    "about",
    "across",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anything",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "current",
    "currently",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "each",
    "every",
    "everything",
    "everywhere",
    "few",
    "for",
    "from",
    "get",
    "give",
    "go",
    "going",
    "got",
    "had",
    "has",
    "have",
    "having",
    "hey",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "kindly",
    "know",
    "let",
    "lets",
    "like",
    "look",
    "make",
    "me",
    "mine",
    "more",
    "most",
    "much",
    "my",
    "need",
    "new",
    "no",
    "not",
    "now",
    "of",
    "off",
    "ok",
    "okay",
    "on",
    "one",
    "only",
    "or",
    "our",
    "ours",
    "out",
    "over",
    "per",
    "please",
    "pls",
    "plz",
    "quick",
    "quickly",
    "really",
    "right",
    "same",
    "see",
    "should",
    "show",
    "so",
    "some",
    "something",
    "somewhere",
    "maybe",
    "perhaps",
    "stuff",
    "than",
    "thanks",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "those",
    "to",
    "too",
    "up",
    "us",
    "via",
    "want",
    "was",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "while",
    "without",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "would",
    "yes",
    "you",
    "your",
    "yours",
    "kubectl",
    "k",
    "kube",
    "kubernetes",
    "k8s",
    "kubegenie",
    "genie",
    "cluster",
    "clusters",
    "namespace",
    "namespaces",
    "ns",
    "named",
    "called",
    "container",
    "containers",
    "replica",
    "replicas",
    "instance",
    "instances",
    "copies",
    "bare",
    "metal",
    "remote",
    "local",
    "workload",
    "workloads",
    "object",
    "objects",
    "resource",
    "resources",
    "app",
    "apps",
    "application",
    "applications",
    "service",
    "currently",
    "again",
    "still",
    "already",
    "ever",
    "fleet",
    "prod",
    "production",
    "env",
    "environment",
    "today",
    "yesterday",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "month",
    "months",
    "last",
    "past",
    "since",
    "lines",
    "line",
    "previous",
    "version",
    "revision",
    "everyone",
    "somebody",
    "someone",
    "anyone",
    "user",
    "users",
    "team",
    "teams",
    "cpu",
    "cpus",
    "memory",
    "mem",
    "ram",
    "core",
    "cores",
    "limit",
    "limits",
    "request",
    "requests",
    "node",
    "nodes",
    "state",
    "desired",
    "status",
    "here",
    "tell",
];

/// Maps a word to the RBAC verb it means.
pub fn rbac_verb(word: &str) -> Option<&'static str> {
    Some(match word {
        "get" | "read" | "view" | "see" => "get",
        "list" => "list",
        "watch" => "watch",
        "create" | "exec" | "make" => "create",
        "update" | "edit" | "modify" | "change" | "write" => "update",
        "patch" => "patch",
        "delete" | "remove" | "kill" => "delete",
        "escalate" => "escalate",
        "impersonate" => "impersonate",
        "bind" => "bind",
        _ => return None,
    })
}

/// Maps a word to a cloud provider.
pub fn provider(word: &str) -> Option<&'static str> {
    Some(match word {
        "aws" | "eks" | "amazon" => "aws",
        "gcp" | "gke" | "google" => "gcp",
        "azure" | "aks" => "azure",
        _ => return None,
    })
}

/// Maps a word to a resource engine and the type of resource it implies.
pub fn engine(word: &str) -> Option<(&'static str, &'static str)> {
    Some(match word {
        "postgres" | "postgresql" | "pg" => ("postgres", "database"),
        "mysql" => ("mysql", "database"),
        "mariadb" => ("mariadb", "database"),
        "mongodb" | "mongo" => ("mongodb", "database"),
        "redis" => ("redis", "cache"),
        "memcached" => ("memcached", "cache"),
        "kafka" => ("kafka", "queue"),
        "rabbitmq" => ("rabbitmq", "queue"),
        "sqs" => ("sqs", "queue"),
        "s3" => ("s3", "bucket"),
        "gcs" => ("gcs", "bucket"),
        _ => return None,
    })
}

/// Maps a word to a kind of provisionable resource.
pub fn resource_type(word: &str) -> Option<&'static str> {
    Some(match word {
        "database" | "databases" | "db" | "dbs" => "database",
        "bucket" | "buckets" => "bucket",
        "cache" | "caches" => "cache",
        "queue" | "queues" | "topic" => "queue",
        _ => return None,
    })
}

/// Seconds in a time unit word.
pub fn time_unit(word: &str) -> Option<u64> {
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        "month" | "months" => 2_592_000,
        _ => return None,
    })
}

/// Whether a word is a cloud region name (`us-west-2`, `eu-west-1`, `us-central1`).
pub fn is_region(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    let alpha = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase());
    match parts.as_slice() {
        [geo, dir, n] => geo.len() == 2 && alpha(geo) && alpha(dir) && n.parse::<u8>().is_ok(),
        [geo, rest] => {
            let digits = rest.trim_start_matches(|c: char| c.is_ascii_lowercase());
            geo.len() == 2
                && alpha(geo)
                && digits.len() == 1
                && digits.parse::<u8>().is_ok()
                && rest.len() > 3
        }
        _ => false,
    }
}

/// Synonyms of cluster label values users say instead of the value itself.
pub fn label_value_synonym(word: &str) -> &str {
    match word {
        "production" => "prod",
        "stage" | "stg" => "staging",
        "development" | "develop" => "dev",
        _ => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        assert!(is_region("us-west-2") && is_region("eu-west-1") && is_region("us-central1"));
        assert!(!is_region("prod-us") && !is_region("payments-api") && !is_region("team-x"));
    }
}
