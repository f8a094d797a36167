//! History exporter: N days of the `/metrics` series of one or more clusters as OpenMetrics
//! text, which `promtool tsdb create-blocks-from openmetrics FILE DIR` turns into TSDB blocks, so
//! a real Prometheus can hold a week of scripted history for the agents.
//!
//! The past is replayed from the behaviour models: every pod is taken to run from the start of
//! the range, except that faults recur on their own schedule (an OOM-killed container grows,
//! dies and restarts after a back-off; a crash-on-start container never runs), and pods that
//! are unschedulable or finished contribute no usage. Samples are a pure function of (seed, object,
//! time), so the export agrees with the live endpoint and with a rerun.
//!
//! Series are written family by family and, inside a family, one series at a time in time
//! order: OpenMetrics requires families to be contiguous, and streaming that way keeps memory
//! flat whatever the range.

use super::prometheus::{CpuIntegral, Family, Kind, Snapshot, Source, families};
use super::usage::{self, OOM_RAMP, Replicas};
use crate::behaviour::{Behaviour, Fault};
use serde_json::Value;
use std::io::{self, Write};
use std::time::Duration;

/// Largest CrashLoopBackOff delay, between the restarts of a container that keeps failing.
const MAX_BACKOFF: f64 = 300.0;

/// A time range sampled every `step`.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    /// First sample.
    pub start: jiff::Timestamp,
    /// Last sample (inclusive when it falls on a step).
    pub end: jiff::Timestamp,
    /// Distance between samples.
    pub step: Duration,
}

impl Range {
    /// The `days` before `end`, every `step`.
    pub fn last_days(end: jiff::Timestamp, days: u32, step: Duration) -> Self {
        let secs = i64::from(days) * 86_400;
        let start = jiff::Timestamp::from_second(end.as_second() - secs).unwrap_or(end);
        Self { start, end, step }
    }

    fn steps(&self) -> impl Iterator<Item = jiff::Timestamp> + '_ {
        let step = self.step.as_secs_f64().max(1.0);
        let total = self.end.duration_since(self.start).as_secs_f64();
        let n = if total >= 0.0 {
            (total / step) as u64 + 1
        } else {
            0
        };
        let start = self.start;
        (0..n).filter_map(move |i| {
            let d = jiff::SignedDuration::from_secs_f64(i as f64 * step);
            start.checked_add(d).ok()
        })
    }
}

/// Parses a Prometheus-style duration (`30s`, `5m`, `1h`, `7d`, `1h30m`).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0.0;
    let mut num = String::new();
    for ch in s.trim().chars() {
        if ch.is_ascii_digit() || ch == '.' {
            num.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86_400.0,
            'w' => 604_800.0,
            _ => return None,
        };
        total += num.parse::<f64>().ok()? * unit;
        num.clear();
    }
    if !num.is_empty() {
        total += num.parse::<f64>().ok()?;
    }
    (total > 0.0).then(|| Duration::from_secs_f64(total))
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportStats {
    /// Distinct series.
    pub series: u64,
    /// Samples.
    pub samples: u64,
}

/// How a container lives through the range.
enum Life {
    /// Never runs (image pull failure, crash on start, pod not running); restarts every
    /// `restart_every` seconds when set.
    Never { restart_every: Option<f64> },
    /// Runs `run` seconds of every `cycle`, restarting at each cycle.
    Cycles { run: f64, cycle: f64 },
    /// Runs throughout.
    Always,
}

fn life_of(pod: &Value, b: &Behaviour) -> Life {
    let phase = pod.pointer("/status/phase").and_then(Value::as_str);
    // A bound pod still pulling or starting has, looking back over days, been running: only
    // unschedulable and finished pods never use anything.
    let bound = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    if matches!(phase, Some("Succeeded" | "Failed")) || (phase == Some("Pending") && !bound) {
        return Life::Never { restart_every: None };
    }
    match &b.fault {
        Some(Fault::ImagePull) => Life::Never { restart_every: None },
        Some(Fault::CrashOnStart { after_seconds, .. }) => Life::Never {
            restart_every: Some(MAX_BACKOFF + after_seconds),
        },
        Some(Fault::Oom) => Life::Cycles {
            run: OOM_RAMP.as_secs_f64(),
            cycle: OOM_RAMP.as_secs_f64() + MAX_BACKOFF,
        },
        // The back-off resets after 10 minutes of running; shorter runs hit the cap.
        Some(Fault::CrashAfter { minutes, .. }) => {
            let run = (minutes * 60.0).max(1.0);
            let pause = if run >= 600.0 { 10.0 } else { MAX_BACKOFF };
            Life::Cycles {
                run,
                cycle: run + pause,
            }
        }
        _ => Life::Always,
    }
}

impl Life {
    /// (start of the running instance, if any; restarts so far) at `t`.
    fn at(&self, start: jiff::Timestamp, t: jiff::Timestamp) -> (Option<jiff::Timestamp>, u64) {
        let elapsed = t.duration_since(start).as_secs_f64().max(0.0);
        match self {
            Self::Never { restart_every } => (None, restart_every.map_or(0, |e| (elapsed / e) as u64)),
            Self::Cycles { run, cycle } => {
                let k = (elapsed / cycle).floor();
                let inst = start
                    .checked_add(jiff::SignedDuration::from_secs_f64(k * cycle))
                    .ok();
                let running = elapsed - k * cycle < *run;
                (inst.filter(|_| running), k as u64)
            }
            Self::Always => (Some(start), 0),
        }
    }
}

fn running_for(inst: jiff::Timestamp, t: jiff::Timestamp) -> Duration {
    Duration::try_from(t.duration_since(inst)).unwrap_or(Duration::ZERO)
}

/// Writes one series over the range; returns its sample count.
#[allow(clippy::too_many_arguments)]
fn write_series(
    out: &mut impl Write,
    name: &str,
    labels: &str,
    source: &Source,
    snap: &Snapshot,
    replicas: &Replicas,
    range: &Range,
    line: &mut String,
) -> io::Result<u64> {
    use std::fmt::Write as _;
    let mut n = 0;
    let mut emit = |t: jiff::Timestamp, v: f64, out: &mut dyn Write| -> io::Result<()> {
        line.clear();
        // Millisecond-core and whole-byte precision is all a query needs, and halves the file.
        if v.fract() == 0.0 {
            let _ = writeln!(line, "{name}{labels} {v} {}", t.as_second());
        } else {
            let _ = writeln!(line, "{name}{labels} {v:.4} {}", t.as_second());
        }
        n += 1;
        out.write_all(line.as_bytes())
    };
    let (pod, container) = match source {
        Source::Const(v) => {
            for t in range.steps() {
                emit(t, *v, out)?;
            }
            return Ok(n);
        }
        Source::Cpu { pod, container }
        | Source::Memory { pod, container }
        | Source::Restarts { pod, container } => (&snap.pods[*pod], container.as_str()),
    };
    let b = usage::behaviour_of(pod, container);
    let life = life_of(pod, &b);
    let seed = snap.seed;
    let reps = replicas.of(pod);
    let mut integral: Option<CpuIntegral> = None;
    // The usage model draws one value per minute; remember it across the steps of a minute.
    let mut memo: (i64, f64) = (i64::MIN, 0.0);
    for t in range.steps() {
        let (inst, restarts) = life.at(range.start, t);
        match source {
            Source::Restarts { .. } => emit(t, restarts as f64, out)?,
            Source::Memory { .. } => {
                if let Some(i) = inst {
                    let v =
                        usage::container_memory(seed, pod, container, &b, t, running_for(i, t), reps).round();
                    emit(t, v, out)?;
                }
            }
            Source::Cpu { .. } => {
                let Some(i) = inst else { continue };
                let acc = match &mut integral {
                    Some(acc) if acc.start == i => acc,
                    slot => slot.insert(CpuIntegral::new(i)),
                };
                acc.advance(t, |m| {
                    if memo.0 != m.as_second() {
                        memo = (
                            m.as_second(),
                            usage::container_cpu(seed, pod, container, &b, m, running_for(i, m), reps),
                        );
                    }
                    memo.1
                });
                emit(t, acc.seconds, out)?;
            }
            Source::Const(_) => {}
        }
    }
    Ok(n)
}

/// OpenMetrics names a counter family without its `_total` suffix.
fn family_name(f: &Family) -> &str {
    match f.kind {
        Kind::Counter => f.name.strip_suffix("_total").unwrap_or(f.name),
        Kind::Gauge => f.name,
    }
}

/// Writes the history of `clusters` over `range` as OpenMetrics, ending with `# EOF`.
pub fn export(clusters: &[Snapshot], range: &Range, out: impl Write) -> io::Result<ExportStats> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    let fams: Vec<Vec<Family>> = clusters.iter().map(|s| families(s, true)).collect();
    let replicas: Vec<Replicas> = clusters
        .iter()
        .map(|s| Replicas::count_all(s.pods.iter()))
        .collect();
    let mut stats = ExportStats::default();
    let mut line = String::with_capacity(512);
    let count = fams.first().map_or(0, Vec::len);
    for fi in 0..count {
        let Some(head) = fams.first().and_then(|f| f.get(fi)) else {
            continue;
        };
        let kind = match head.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        writeln!(out, "# TYPE {} {kind}", family_name(head))?;
        writeln!(out, "# HELP {} {}", family_name(head), head.help)?;
        for (ci, snap) in clusters.iter().enumerate() {
            let Some(f) = fams[ci].get(fi) else { continue };
            for s in &f.series {
                let n = write_series(
                    &mut out,
                    f.name,
                    &s.labels,
                    &s.source,
                    snap,
                    &replicas[ci],
                    range,
                    &mut line,
                )?;
                if n > 0 {
                    stats.series += 1;
                    stats.samples += n;
                }
            }
        }
    }
    writeln!(out, "# EOF")?;
    out.flush()?;
    Ok(stats)
}
