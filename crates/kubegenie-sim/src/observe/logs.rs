//! `pods/{name}/log`: application log lines generated from the container's [`LogProfile`],
//! its fault and its usage, as a pure function of (seed, pod, container, restart, minute).
//! Nothing is stored: a request regenerates the minutes it covers, so memory stays flat.
//!
//! Query parameters are honoured as by the kubelet: `container`, `previous`, `tailLines`,
//! `sinceSeconds`/`sinceTime`, `timestamps` (RFC3339Nano prefix), `limitBytes` and `follow`
//! (new lines stream as simulated time passes, until the client leaves or the container stops).

use super::templates::{self, Level};
use super::usage;
use crate::behaviour::{Behaviour, Fault, LogFormat, LogProfile};
use crate::clock::SimRng;
use crate::error::{ApiError, Result};
use crate::object;
use crate::request::Query;
use crate::state::ClusterState;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Real time between polls of a followed log.
const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// How one container instance ended (or is about to).
#[derive(Debug, Clone, PartialEq)]
enum Ending {
    /// Still running, no end in sight.
    Running,
    /// Exited with an error.
    Crash { exit_code: i64, message: Option<String> },
    /// Killed for memory.
    Oom,
    /// Stopped cleanly.
    Completed,
}

/// One run of a container, between a start and (perhaps) an end.
#[derive(Debug, Clone)]
struct Instance {
    restart: u32,
    start: jiff::Timestamp,
    end: Option<jiff::Timestamp>,
    ending: Ending,
}

fn ts(v: Option<&Value>) -> Option<jiff::Timestamp> {
    v?.as_str()?.parse().ok()
}

fn terminated_instance(t: &Value, restart: u32, b: &Behaviour) -> Option<Instance> {
    let start = ts(t.get("startedAt"))?;
    let end = ts(t.get("finishedAt")).unwrap_or(start);
    let ending = match t["reason"].as_str() {
        Some("OOMKilled") => Ending::Oom,
        Some("Completed") => Ending::Completed,
        _ => Ending::Crash {
            exit_code: t["exitCode"].as_i64().unwrap_or(1),
            message: match &b.fault {
                Some(Fault::CrashOnStart { message, .. }) => message.clone(),
                _ => None,
            },
        },
    };
    Some(Instance {
        restart,
        start,
        end: Some(end),
        ending,
    })
}

/// The instance `kubectl logs` shows: the running one, or else the last one that ran.
fn current_instance(pod: &Value, c: &str, b: &Behaviour) -> Option<Instance> {
    let s = usage::container_status(pod, c)?;
    let restarts = usage::restart_count(pod, c);
    if let Some(start) = ts(s.pointer("/state/running/startedAt")) {
        // A scripted exit that is due is where the lines stop, even before the kubelet
        // notices it.
        let (end, ending) = match &b.fault {
            Some(Fault::CrashOnStart {
                exit_code,
                after_seconds,
                message,
            }) => (
                Some(after(start, *after_seconds)),
                Ending::Crash {
                    exit_code: i64::from(*exit_code),
                    message: message.clone(),
                },
            ),
            Some(Fault::CrashAfter { minutes, exit_code }) => (
                Some(after(start, minutes * 60.0)),
                Ending::Crash {
                    exit_code: i64::from(*exit_code),
                    message: None,
                },
            ),
            _ => (None, Ending::Running),
        };
        return Some(Instance {
            restart: restarts,
            start,
            end,
            ending,
        });
    }
    if let Some(t) = s.pointer("/state/terminated") {
        return terminated_instance(t, restarts, b);
    }
    // Waiting (e.g. CrashLoopBackOff): the kubelet serves the last run's log.
    terminated_instance(s.pointer("/lastState/terminated")?, restarts.saturating_sub(1), b)
}

/// The instance before the current one (`previous=true`).
fn previous_instance(pod: &Value, c: &str, b: &Behaviour) -> Option<Instance> {
    let s = usage::container_status(pod, c)?;
    let restarts = usage::restart_count(pod, c);
    terminated_instance(s.pointer("/lastState/terminated")?, restarts.saturating_sub(1), b)
}

fn after(t: jiff::Timestamp, secs: f64) -> jiff::Timestamp {
    t.checked_add(jiff::SignedDuration::from_secs_f64(secs.max(0.0)))
        .unwrap_or(t)
}

/// One generated line.
#[derive(Debug, Clone)]
pub struct Line {
    /// When the container wrote it.
    pub at: jiff::Timestamp,
    /// Level.
    pub level: Level,
    /// Message (with its key=value fields).
    pub text: String,
}

/// Generates the lines of one container instance.
struct Generator {
    seed: u64,
    key: String,
    app: String,
    pod: Value,
    container: String,
    behaviour: Behaviour,
    profile: LogProfile,
    inst: Instance,
}

impl Generator {
    fn new(seed: u64, pod: &Value, container: &str, b: Behaviour, inst: Instance) -> Self {
        let image = usage::container_spec(pod, container)
            .and_then(|c| c["image"].as_str())
            .unwrap_or(container);
        let app = image
            .rsplit('/')
            .next()
            .and_then(|s| s.split([':', '@']).next())
            .filter(|s| !s.is_empty())
            .unwrap_or(container)
            .to_string();
        let profile = b.logs.clone().unwrap_or(LogProfile {
            lines_per_minute: 6.0,
            error_ratio: 0.01,
            format: LogFormat::Plain,
        });
        Self {
            seed,
            key: format!(
                "log/{}/{}/{container}/{}",
                object::namespace(pod),
                object::name(pod),
                inst.restart
            ),
            app,
            pod: pod.clone(),
            container: container.to_string(),
            behaviour: b,
            profile,
            inst,
        }
    }

    /// Lines written during minute `m` (seconds since the epoch / 60), in time order.
    fn minute(&self, m: i64) -> Vec<Line> {
        let lo = jiff::Timestamp::from_second(m * 60).unwrap_or(self.inst.start);
        let mut out = Vec::new();
        let mut rng = SimRng::derived(self.seed, &format!("{}@{m}", self.key));
        let ctx = templates::Context {
            app: &self.app,
            fault: self.behaviour.fault.as_ref(),
        };
        if lo <= self.inst.start && self.inst.start.as_second().div_euclid(60) == m {
            out.extend(templates::startup(&ctx, self.inst.start, &mut rng));
        }
        let burst = self.in_burst(m);
        let rate = self.profile.lines_per_minute.max(0.0) * if burst { 3.0 } else { 1.0 };
        let n = (rate + rate.sqrt() * rng.normal()).round().max(0.0) as u32;
        let error_ratio = if burst {
            0.4
        } else {
            self.profile.error_ratio.clamp(0.0, 1.0)
        };
        let mut times: Vec<f64> = (0..n).map(|_| rng.next_f64() * 60.0).collect();
        times.sort_by(f64::total_cmp);
        for off in times {
            let at = after(lo, off);
            out.push(templates::steady(&ctx, at, error_ratio, &mut rng));
        }
        if self.behaviour.fault == Some(Fault::Oom) {
            out.extend(self.memory_lines(lo));
        }
        if let Some(end) = self.inst.end
            && end.as_second().div_euclid(60) == m
        {
            out.extend(templates::ending(&ctx, &self.inst_ending(), end, &mut rng));
        }
        out.retain(|l| l.at >= self.inst.start && self.inst.end.is_none_or(|e| l.at <= e));
        out.sort_by_key(|l| l.at);
        out
    }

    fn inst_ending(&self) -> templates::End {
        match &self.inst.ending {
            Ending::Running => templates::End::None,
            Ending::Completed => templates::End::Completed,
            Ending::Oom => templates::End::Oom,
            Ending::Crash { exit_code, message } => templates::End::Crash {
                exit_code: *exit_code,
                message: message.clone(),
            },
        }
    }

    /// Error bursts: a few minutes every hour or so, and always in the minutes before a
    /// scripted crash.
    fn in_burst(&self, m: i64) -> bool {
        if let (Some(end), Ending::Crash { .. }) = (self.inst.end, &self.inst.ending)
            && end.as_second().div_euclid(60) - m <= 2
            && end.duration_since(self.inst.start).as_secs_f64() > 300.0
        {
            return true;
        }
        let window = m.div_euclid(5);
        let p = if self.behaviour.fault.is_some() {
            0.15
        } else {
            0.03
        };
        SimRng::derived(self.seed, &format!("{}/burst@{window}", self.key)).next_f64() < p
    }

    /// Every 10 s while memory is above 70 % of the limit: the growth an OOM kill ends.
    fn memory_lines(&self, lo: jiff::Timestamp) -> Vec<Line> {
        let limit = usage::resources(&self.pod, &self.container).memory_limit;
        let Some(limit) = limit else { return Vec::new() };
        (0..6)
            .filter_map(|i| {
                let at = after(lo, f64::from(i) * 10.0 + 5.0);
                let running = Duration::try_from(at.duration_since(self.inst.start)).ok()?;
                let mem = usage::container_memory(
                    self.seed,
                    &self.pod,
                    &self.container,
                    &self.behaviour,
                    at,
                    running,
                    1,
                );
                (mem > 0.7 * limit).then(|| templates::memory_warning(at, mem, limit))
            })
            .collect()
    }

    /// Lines in [from, to).
    fn range(&self, from: jiff::Timestamp, to: jiff::Timestamp) -> Vec<Line> {
        let mut out = Vec::new();
        let (a, b) = (from.as_second().div_euclid(60), to.as_second().div_euclid(60));
        for m in a..=b {
            out.extend(self.minute(m).into_iter().filter(|l| l.at >= from && l.at < to));
        }
        out
    }

    /// The last `n` lines before `to`, not before `from`.
    fn tail(&self, from: jiff::Timestamp, to: jiff::Timestamp, n: usize) -> Vec<Line> {
        let mut out: Vec<Line> = Vec::new();
        let first = from.as_second().div_euclid(60);
        let mut m = to.as_second().div_euclid(60);
        while out.len() < n && m >= first {
            let mut lines: Vec<Line> = self
                .minute(m)
                .into_iter()
                .filter(|l| l.at >= from && l.at < to)
                .collect();
            lines.append(&mut out);
            out = lines;
            m -= 1;
        }
        let skip = out.len().saturating_sub(n);
        out.split_off(skip)
    }

    fn render(&self, l: &Line, timestamps: bool) -> String {
        let body = match self.profile.format {
            LogFormat::Plain => format!("{} {} {}", app_time(l.at), l.level.as_str(), l.text),
            LogFormat::Json => {
                serde_json::json!({"time": app_time(l.at), "level": l.level.as_str().to_ascii_lowercase(),
                "msg": l.text, "app": self.app})
                .to_string()
            }
        };
        if timestamps {
            format!("{} {body}\n", kubelet_time(l.at))
        } else {
            format!("{body}\n")
        }
    }
}

/// The application's own timestamp: RFC3339 with milliseconds.
fn app_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The kubelet's `timestamps=true` prefix: Go's RFC3339Nano (trailing zeros trimmed).
pub fn kubelet_time(t: jiff::Timestamp) -> String {
    let base = t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.subsec_nanosecond();
    if nanos == 0 {
        return format!("{base}Z");
    }
    let frac = format!("{nanos:09}");
    format!("{base}.{}Z", frac.trim_end_matches('0'))
}

/// What a request asks for.
struct Request {
    timestamps: bool,
    tail: Option<usize>,
    since: Option<jiff::Timestamp>,
    limit_bytes: Option<usize>,
    follow: bool,
}

fn parse_request(q: &Query, now: jiff::Timestamp) -> Result<Request> {
    let flag = |k: &str| q.get(k).is_some_and(|v| v == "true" || v == "1");
    let num = |k: &str| -> Result<Option<i64>> {
        q.get(k)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("invalid value for {k}: {v}")))
            })
            .transpose()
    };
    let since_seconds = num("sinceSeconds")?;
    if since_seconds.is_some_and(|s| s < 1) {
        return Err(ApiError::bad_request(
            "sinceSeconds: Invalid value: must be greater than 0",
        ));
    }
    let since_time = q
        .get("sinceTime")
        .map(|v| {
            v.parse::<jiff::Timestamp>()
                .map_err(|_| ApiError::bad_request(format!("invalid value for sinceTime: {v}")))
        })
        .transpose()?;
    if since_seconds.is_some() && since_time.is_some() {
        return Err(ApiError::bad_request(
            "at most one of sinceTime or sinceSeconds may be specified",
        ));
    }
    let since = since_time
        .or_else(|| since_seconds.and_then(|s| now.checked_sub(jiff::SignedDuration::from_secs(s)).ok()));
    Ok(Request {
        timestamps: flag("timestamps"),
        tail: num("tailLines")?.filter(|n| *n >= 0).map(|n| n as usize),
        since,
        limit_bytes: num("limitBytes")?.filter(|n| *n > 0).map(|n| n as usize),
        follow: flag("follow"),
    })
}

/// Caps output at `limitBytes`.
struct Budget(Option<usize>);

impl Budget {
    /// The part of `s` that fits; `None` once the budget is spent.
    fn take(&mut self, s: String) -> Option<String> {
        match &mut self.0 {
            None => Some(s),
            Some(0) => None,
            Some(left) => {
                let n = s.len().min(*left);
                *left -= n;
                Some(String::from_utf8_lossy(&s.as_bytes()[..n]).into_owned())
            }
        }
    }
}

fn text_response(body: Body) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

/// Serves the log of `container` of `pod` (the container choice is already validated).
pub fn respond(st: &Arc<ClusterState>, pod: &Value, container: &str, q: &Query) -> Result<Response> {
    let now = st.clock.now();
    let req = parse_request(q, now)?;
    let b = usage::behaviour_of(pod, container);
    let previous = q.get("previous").is_some_and(|v| v == "true" || v == "1");
    let name = object::name(pod);
    let inst = if previous {
        previous_instance(pod, container, &b).ok_or_else(|| {
            ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            ))
        })?
    } else {
        match current_instance(pod, container, &b) {
            Some(i) => i,
            None => {
                let reason = usage::container_status(pod, container)
                    .and_then(|s| s.pointer("/state/waiting/reason"))
                    .and_then(Value::as_str)
                    .unwrap_or("ContainerCreating");
                return Err(ApiError::bad_request(format!(
                    "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
                )));
            }
        }
    };
    let generator = Generator::new(st.config.seed, pod, container, b, inst);
    let end = generator.inst.end.map_or(now, |e| e.min(now));
    // Lines at the end instant itself belong to the log (the crash line is written then).
    let end_excl = after(end, 0.000_001);
    let from = req
        .since
        .unwrap_or(generator.inst.start)
        .max(generator.inst.start);
    let mut budget = Budget(req.limit_bytes);
    let follow = req.follow && !previous && generator.inst.end.is_none_or(|e| e > now);
    let head: Vec<Line> = match req.tail {
        Some(n) => generator.tail(from, end_excl, n),
        None if !follow && end_excl.duration_since(from).as_secs_f64() > 3600.0 => {
            // A long log streams an hour at a time rather than being held whole.
            return Ok(text_response(Body::from_stream(long_log(
                generator, from, end_excl, req, budget,
            ))));
        }
        None => generator.range(from, end_excl),
    };
    let text: String = head.iter().map(|l| generator.render(l, req.timestamps)).collect();
    let first = budget.take(text).unwrap_or_default();
    if !follow {
        return Ok(text_response(Body::from(first)));
    }
    let state = Follow {
        st: st.clone(),
        generator,
        cursor: end_excl,
        budget,
        timestamps: req.timestamps,
        pending: Some(first),
        done: false,
    };
    Ok(text_response(Body::from_stream(futures::stream::unfold(
        state,
        follow_step,
    ))))
}

fn long_log(
    generator: Generator,
    from: jiff::Timestamp,
    to: jiff::Timestamp,
    req: Request,
    mut budget: Budget,
) -> impl futures::Stream<Item = std::result::Result<Bytes, std::convert::Infallible>> {
    let hours = to.duration_since(from).as_secs_f64() / 3600.0;
    let chunks = (0..=hours.ceil() as i64).map_while(move |h| {
        let a = after(from, h as f64 * 3600.0);
        let b = after(a, 3600.0).min(to);
        if a >= to {
            return None;
        }
        let text: String = generator
            .range(a, b)
            .iter()
            .map(|l| generator.render(l, req.timestamps))
            .collect();
        budget.take(text).map(|t| Ok(Bytes::from(t)))
    });
    futures::stream::iter(chunks)
}

/// State of a followed log.
struct Follow {
    st: Arc<ClusterState>,
    generator: Generator,
    cursor: jiff::Timestamp,
    budget: Budget,
    timestamps: bool,
    pending: Option<String>,
    done: bool,
}

/// Yields the next chunk of a followed log: waits for simulated time to pass, then sends the
/// lines written meanwhile; ends once the followed instance has stopped.
async fn follow_step(
    mut f: Follow,
) -> Option<(std::result::Result<Bytes, std::convert::Infallible>, Follow)> {
    if let Some(first) = f.pending.take() {
        return Some((Ok(Bytes::from(first)), f));
    }
    loop {
        if f.done {
            return None;
        }
        tokio::time::sleep(FOLLOW_POLL).await;
        let now = f.st.clock.now();
        let (ns, name) = (
            object::namespace(&f.generator.pod),
            object::name(&f.generator.pod),
        );
        let pod =
            f.st.store
                .get(&crate::catalog::StorageKey::new("", "pods"), ns, name);
        let still = pod.as_ref().is_some_and(|p| {
            usage::running_since(&p.value, &f.generator.container) == Some(f.generator.inst.start)
                && object::uid(&p.value) == object::uid(&f.generator.pod)
        });
        let mut to = now;
        if let Some(e) = f.generator.inst.end {
            to = to.min(after(e, 0.000_001));
            f.done |= e <= now;
        }
        if !still {
            f.done = true;
            // The kubelet recorded when the instance ended: nothing was written after that.
            let finished = pod.as_ref().and_then(|p| {
                let t = usage::container_status(&p.value, &f.generator.container)?
                    .pointer("/lastState/terminated")?;
                (ts(t.get("startedAt")) == Some(f.generator.inst.start)).then(|| ts(t.get("finishedAt")))?
            });
            if let Some(fin) = finished {
                to = to.min(after(fin, 0.000_001));
            }
        }
        let lines = f.generator.range(f.cursor, to);
        f.cursor = f.cursor.max(to);
        if lines.is_empty() {
            continue;
        }
        let text: String = lines
            .iter()
            .map(|l| f.generator.render(l, f.timestamps))
            .collect();
        match f.budget.take(text) {
            Some(t) => return Some((Ok(Bytes::from(t)), f)),
            None => return None,
        }
    }
}
