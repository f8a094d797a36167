//! A progress bar on stderr for work over many clusters. Shown only when stderr is a terminal
//! and the run covers enough clusters to take a while; otherwise nothing is drawn, so pipes,
//! logs and tests see clean output.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Fewer clusters than this answer too fast for a bar to help.
const MIN_CLUSTERS: usize = 8;

/// Progress over a number of clusters.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `total` clusters doing `what`, hidden unless stderr is a terminal.
    pub fn new(total: usize, what: &str) -> Self {
        if total < MIN_CLUSTERS || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} clusters ({elapsed})")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        Self(Some(bar))
    }

    /// One more cluster finished.
    pub fn done(&self, _cluster: &str) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    /// Removes the bar before results are printed.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
