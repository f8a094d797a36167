//! CronJobs: schedules that cannot run (unparsable, negative starting deadline) and suspended
//! CronJobs (k8sgpt reports these too: a forgotten suspend is a silent outage).

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// The schedule is not a valid cron expression.
pub const BAD_SCHEDULE: Check = Check {
    id: "CRON-SCHEDULE-001",
    severity: Severity::High,
    title: "CronJob schedule is invalid",
};
/// `startingDeadlineSeconds` is negative: no run can ever start.
pub const BAD_DEADLINE: Check = Check {
    id: "CRON-DEADLINE-001",
    severity: Severity::High,
    title: "CronJob starting deadline is negative",
};
/// Suspended: no run is scheduled.
pub const SUSPENDED: Check = Check {
    id: "CRON-SUSPENDED-001",
    severity: Severity::Info,
    title: "CronJob is suspended",
};

/// The CronJob analyzer.
pub struct CronJobs;

const MACROS: [&str; 8] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@every",
];

/// Whether `field` is a valid cron field for values in `lo..=hi` (names allowed for months and
/// days of the week).
fn field_ok(field: &str, lo: u32, hi: u32, names: bool) -> bool {
    field.split(',').all(|part| {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if step.is_some_and(|s| s.parse::<u32>().map_or(true, |n| n == 0)) {
            return false;
        }
        let value = |v: &str| {
            v.parse::<u32>().map_or(
                names && v.len() == 3 && v.chars().all(|c| c.is_ascii_alphabetic()),
                |n| (lo..=hi).contains(&n),
            )
        };
        match range {
            "*" | "?" => true,
            r => match r.split_once('-') {
                Some((a, b)) => value(a) && value(b),
                None => value(r),
            },
        }
    })
}

/// Whether `schedule` is a cron schedule the CronJob controller accepts.
pub fn valid_schedule(schedule: &str) -> bool {
    let s = schedule.trim();
    let s = s
        .strip_prefix("CRON_TZ=")
        .or_else(|| s.strip_prefix("TZ="))
        .and_then(|rest| rest.split_once(' ').map(|(_, r)| r.trim()))
        .unwrap_or(s);
    if s.starts_with('@') {
        return MACROS
            .iter()
            .any(|m| s == *m || (s.starts_with("@every ") && *m == "@every"));
    }
    let f: Vec<&str> = s.split_whitespace().collect();
    f.len() == 5
        && field_ok(f[0], 0, 59, false)
        && field_ok(f[1], 0, 23, false)
        && field_ok(f[2], 1, 31, false)
        && field_ok(f[3], 1, 12, true)
        && field_ok(f[4], 0, 7, true)
}

impl Analyzer for CronJobs {
    fn name(&self) -> &'static str {
        "cronjobs"
    }

    fn checks(&self) -> &'static [Check] {
        &[BAD_SCHEDULE, BAD_DEADLINE, SUSPENDED]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for c in &snap.cron_jobs {
            let ns = c.metadata.namespace.as_deref().unwrap_or_default();
            let name = c.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("CronJob", ns, name);
            let Some(spec) = &c.spec else { continue };
            if !valid_schedule(&spec.schedule) {
                out.push(finding(
                    &BAD_SCHEDULE,
                    snap,
                    t,
                    format!("cronjob {name} has schedule {:?}, which is not a valid cron expression", spec.schedule),
                    Recommendation::new(
                        "Use five fields (minute hour day-of-month month day-of-week) or a macro like @hourly.",
                        [format!("kubectl patch cronjob -n {ns} {name} -p '{{\"spec\":{{\"schedule\":\"0 * * * *\"}}}}'")],
                    ),
                    vec![format!("spec.schedule={:?}", spec.schedule)],
                ));
            }
            if let Some(d) = spec.starting_deadline_seconds.filter(|d| *d < 0) {
                out.push(finding(
                    &BAD_DEADLINE,
                    snap,
                    t,
                    format!("cronjob {name} has startingDeadlineSeconds={d}: no run can start"),
                    Recommendation::new(
                        "Set a positive starting deadline, or remove it.",
                        [format!("kubectl patch cronjob -n {ns} {name} --type json -p '[{{\"op\":\"remove\",\"path\":\"/spec/startingDeadlineSeconds\"}}]'")],
                    ),
                    vec![format!("spec.startingDeadlineSeconds={d}")],
                ));
            }
            if spec.suspend == Some(true) {
                out.push(finding(
                    &SUSPENDED,
                    snap,
                    t,
                    format!(
                        "cronjob {name} is suspended: its schedule {} does not run",
                        spec.schedule
                    ),
                    Recommendation::new(
                        "Resume it if the suspension was temporary.",
                        [format!(
                            "kubectl patch cronjob -n {ns} {name} -p '{{\"spec\":{{\"suspend\":false}}}}'"
                        )],
                    ),
                    vec!["spec.suspend=true".into()],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, object, snapshot};
    use serde_json::json;

    #[test]
    fn schedules_are_validated() {
        for ok in [
            "0 2 * * *",
            "*/5 * * * *",
            "0 9-17 * * mon-fri",
            "@hourly",
            "CRON_TZ=UTC 0 0 1 * *",
        ] {
            assert!(valid_schedule(ok), "{ok}");
        }
        for bad in ["0 2 * *", "61 * * * *", "*/0 * * * *", "@sometimes", "every day"] {
            assert!(!valid_schedule(bad), "{bad}");
        }
    }

    #[test]
    fn broken_and_suspended_cronjobs() {
        let cj = |name: &str, spec: serde_json::Value| {
            let mut s = json!({"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}});
            crate::health::fixtures::merge(&mut s, spec);
            object(json!({"metadata": {"name": name, "namespace": "data"}, "spec": s}))
        };
        let mut snap = snapshot();
        snap.cron_jobs = vec![
            cj("ok", json!({})),
            cj("typo", json!({"schedule": "0 25 * * *"})),
            cj("never", json!({"startingDeadlineSeconds": -1})),
            cj("paused", json!({"suspend": true})),
        ];
        assert_eq!(
            ids(&CronJobs, &snap),
            [
                "CRON-SCHEDULE-001 typo",
                "CRON-DEADLINE-001 never",
                "CRON-SUSPENDED-001 paused"
            ]
        );
    }
}
