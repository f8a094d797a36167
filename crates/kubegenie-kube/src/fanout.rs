//! Running one piece of work on many clusters at once: bounded concurrency, a timeout per
//! cluster, results in the order clusters answer, and one error row per failed cluster instead
//! of a failed command.

use crate::classify;
use futures::StreamExt;
use futures::stream::{self, Stream};
use kubegenie_core::outcome::ClusterError;
use std::future::Future;
use std::time::Duration;

/// Fan-out settings.
#[derive(Debug, Clone, Copy)]
pub struct FanOut {
    /// Clusters worked on at the same time.
    pub concurrency: usize,
    /// Time allowed per cluster.
    pub timeout: Duration,
}

impl Default for FanOut {
    fn default() -> Self {
        Self {
            concurrency: 16,
            timeout: Duration::from_secs(10),
        }
    }
}

/// One cluster's answer.
pub type ClusterResult<T> = (String, Result<T, ClusterError>);

impl FanOut {
    /// Runs `work` for every cluster and streams `(cluster, result)` as clusters answer; only
    /// the timeout is turned into an error row. Dropping the stream cancels the work.
    pub fn stream_with<'a, C, T, F, Fut>(
        self,
        clusters: Vec<C>,
        work: F,
    ) -> impl Stream<Item = (String, Result<T, ClusterError>)> + 'a
    where
        C: AsRef<str> + 'a,
        F: Fn(C) -> Fut + 'a,
        Fut: Future<Output = T> + 'a,
        T: 'a,
    {
        let timeout = self.timeout;
        stream::iter(clusters)
            .map(move |c| {
                let name = c.as_ref().to_string();
                let fut = work(c);
                async move {
                    let res = tokio::time::timeout(timeout, fut)
                        .await
                        .map_err(|_| classify::timeout_error(&name, timeout));
                    (name, res)
                }
            })
            .buffer_unordered(self.concurrency.max(1))
    }

    /// [`FanOut::stream_with`] for kube calls: API and transport errors become error rows too.
    pub fn stream<'a, C, T, F, Fut>(
        self,
        clusters: Vec<C>,
        work: F,
    ) -> impl Stream<Item = ClusterResult<T>> + 'a
    where
        C: AsRef<str> + 'a,
        F: Fn(C) -> Fut + 'a,
        Fut: Future<Output = Result<T, kube::Error>> + 'a,
        T: 'a,
    {
        self.stream_with(clusters, work).map(|(name, res)| {
            let res = res.and_then(|r| r.map_err(|e| classify::cluster_error(&name, &e)));
            (name, res)
        })
    }

    /// [`FanOut::stream_with`], collected in the order the clusters were given.
    pub async fn collect_with<C, T, F, Fut>(
        self,
        clusters: Vec<C>,
        work: F,
    ) -> Vec<(String, Result<T, ClusterError>)>
    where
        C: AsRef<str>,
        F: Fn(C) -> Fut,
        Fut: Future<Output = T>,
    {
        self.collect_observed(clusters, work, |_| {}).await
    }

    /// [`FanOut::collect_with`], calling `done` with each cluster's name as it finishes (for
    /// progress bars).
    pub async fn collect_observed<C, T, F, Fut>(
        self,
        clusters: Vec<C>,
        work: F,
        done: impl Fn(&str),
    ) -> Vec<(String, Result<T, ClusterError>)>
    where
        C: AsRef<str>,
        F: Fn(C) -> Fut,
        Fut: Future<Output = T>,
    {
        let order: Vec<String> = clusters.iter().map(|c| c.as_ref().to_string()).collect();
        let mut out: Vec<_> = self
            .stream_with(clusters, work)
            .inspect(|(name, _)| done(name))
            .collect()
            .await;
        out.sort_by_key(|(name, _)| order.iter().position(|n| n == name).unwrap_or(usize::MAX));
        out
    }

    /// [`FanOut::stream`], collected in the order the clusters were given.
    pub async fn collect<C, T, F, Fut>(self, clusters: Vec<C>, work: F) -> Vec<ClusterResult<T>>
    where
        C: AsRef<str>,
        F: Fn(C) -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let order: Vec<String> = clusters.iter().map(|c| c.as_ref().to_string()).collect();
        let mut out: Vec<ClusterResult<T>> = self.stream(clusters, work).collect().await;
        out.sort_by_key(|(name, _)| order.iter().position(|n| n == name).unwrap_or(usize::MAX));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegenie_core::outcome::ErrorClass;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn slow_clusters_time_out_and_others_answer() {
        let f = FanOut {
            concurrency: 2,
            timeout: Duration::from_secs(1),
        };
        let res = f
            .collect(vec!["fast", "slow", "fast2"], |c| async move {
                if c == "slow" {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                Ok::<_, kube::Error>(c.len())
            })
            .await;
        assert_eq!(res.len(), 3);
        assert_eq!(res[0].1.as_ref().unwrap(), &4);
        assert_eq!(res[1].1.as_ref().unwrap_err().reason, ErrorClass::Timeout);
        assert_eq!(res[2].1.as_ref().unwrap(), &5);
    }

    #[tokio::test]
    async fn concurrency_is_bounded() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let f = FanOut {
            concurrency: 3,
            timeout: Duration::from_secs(5),
        };
        let names: Vec<String> = (0..12).map(|i| format!("c{i}")).collect();
        f.collect(names, |_| {
            let (running, peak) = (running.clone(), peak.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, kube::Error>(())
            }
        })
        .await;
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }
}
