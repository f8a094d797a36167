//! Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController,
//! Job, CronJob and HorizontalPodAutoscaler.

use super::field::{Bad, FieldErrors, go_quote, go_string_map, go_string_slice};
use super::meta::validate_labels;
use super::names::{is_qualified_name, is_valid_label_value};
use super::pod::{restart_policy, validate_template};
use super::{arr_at, int_at, obj_at, str_at};
use crate::selector::LabelSelector;
use serde_json::{Map, Value};

const SELECTOR_MISMATCH: &str = "`selector` does not match template `labels`";

/// `ValidateNonnegativeField`.
pub(super) fn non_negative(obj: &Value, ptr: &str, path: &str, errs: &mut FieldErrors) {
    if let Some(v) = int_at(obj, ptr)
        && v < 0
    {
        errs.invalid(path, Bad::Int(v), "must be greater than or equal to 0");
    }
}

/// `%#v` of a `metav1.LabelSelector` value, as kube prints it in selector errors.
fn go_selector(sel: &Value) -> String {
    let labels = go_string_map(obj_at(sel, "/matchLabels"));
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(list) => {
            let items: Vec<String> = list
                .iter()
                .map(|e| {
                    let values = match e.get("values").and_then(Value::as_array) {
                        None => "[]string(nil)".to_string(),
                        Some(v) => go_string_slice(
                            &v.iter()
                                .map(|x| x.as_str().unwrap_or_default().to_string())
                                .collect::<Vec<_>>(),
                        ),
                    };
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{values}}}",
                        go_quote(str_at(e, "/key").unwrap_or_default()),
                        go_quote(str_at(e, "/operator").unwrap_or_default())
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
}

/// `metav1validation.ValidateLabelSelector`.
fn validate_selector(sel: &Value, path: &str, errs: &mut FieldErrors) {
    validate_labels(obj_at(sel, "/matchLabels"), &format!("{path}.matchLabels"), errs);
    for (i, e) in arr_at(sel, "/matchExpressions").iter().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let values = arr_at(e, "/values");
        match str_at(e, "/operator").unwrap_or_default() {
            "In" | "NotIn" if values.is_empty() => errs.required(
                &format!("{p}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            ),
            "Exists" | "DoesNotExist" if !values.is_empty() => errs.forbidden(
                &format!("{p}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.invalid(
                &format!("{p}.operator"),
                Bad::Str(other),
                "not a valid selector operator",
            ),
        }
        let key = str_at(e, "/key").unwrap_or_default();
        for msg in is_qualified_name(key) {
            errs.invalid(&format!("{p}.key"), Bad::Str(key), &msg);
        }
        for (j, v) in values.iter().enumerate() {
            let v = v.as_str().unwrap_or_default();
            for msg in is_valid_label_value(v) {
                errs.invalid(&format!("{p}.values[{j}]"), Bad::Str(v), &msg);
            }
        }
    }
}

/// Selector rules shared by the apps controllers: required, valid, non-empty, matching the
/// template labels. `what` names the kind in the empty-selector message.
fn validate_controller_selector(spec: &Value, what: &str, required: bool, errs: &mut FieldErrors) {
    let sel = spec.get("selector").unwrap_or(&Value::Null);
    if sel.is_null() {
        if required {
            errs.required("spec.selector", "");
        }
    } else {
        validate_selector(sel, "spec.selector", errs);
        let n = obj_at(sel, "/matchLabels").map_or(0, Map::len) + arr_at(sel, "/matchExpressions").len();
        if n == 0 {
            errs.invalid(
                "spec.selector",
                Bad::Raw(go_selector(sel)),
                &format!("empty selector is invalid for {what}"),
            );
        }
    }
    match LabelSelector::from_object(sel) {
        Ok(selector) => {
            let labels = spec
                .pointer("/template/metadata/labels")
                .and_then(Value::as_object);
            // An empty selector matches everything; only a non-empty one must match the labels.
            if !selector.is_empty() && !selector.matches(labels) {
                errs.invalid(
                    "spec.template.metadata.labels",
                    Bad::Raw(go_string_map(labels)),
                    SELECTOR_MISMATCH,
                );
            }
        }
        Err(_) => errs.invalid(
            "spec.selector",
            Bad::Raw(go_selector(sel)),
            "invalid label selector",
        ),
    }
}

fn require_always(spec: &Value, errs: &mut FieldErrors) {
    let policy = restart_policy(spec.pointer("/template/spec"));
    if policy != "Always" {
        errs.not_supported("spec.template.spec.restartPolicy", policy, &["Always"]);
    }
}

/// Deployment, ReplicaSet, StatefulSet, DaemonSet (`apps/v1`).
pub(super) fn validate_apps(kind: &str, obj: &Value, errs: &mut FieldErrors) {
    let empty = Value::Null;
    let spec = obj.get("spec").unwrap_or(&empty);
    non_negative(spec, "/replicas", "spec.replicas", errs);
    non_negative(spec, "/minReadySeconds", "spec.minReadySeconds", errs);
    non_negative(spec, "/revisionHistoryLimit", "spec.revisionHistoryLimit", errs);
    match kind {
        // kube's ReplicaSet validation reuses the Deployment wording.
        "Deployment" | "ReplicaSet" => validate_controller_selector(spec, "deployment", true, errs),
        "StatefulSet" => {
            validate_controller_selector(spec, "statefulset", true, errs);
            if let Some(p) = str_at(spec, "/podManagementPolicy").filter(|p| !p.is_empty())
                && p != "OrderedReady"
                && p != "Parallel"
            {
                errs.invalid(
                    "spec.podManagementPolicy",
                    Bad::Str(p),
                    "must be 'OrderedReady' or 'Parallel'",
                );
            }
        }
        _ => validate_controller_selector(spec, "daemonset", false, errs),
    }
    if kind == "Deployment"
        && str_at(spec, "/strategy/type") == Some("Recreate")
        && spec
            .pointer("/strategy/rollingUpdate")
            .is_some_and(|v| !v.is_null())
    {
        errs.forbidden(
            "spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'",
        );
    }
    validate_template(spec.get("template"), "spec.template", errs);
    require_always(spec, errs);
}

/// ReplicationController: a plain map selector, defaulted from the template labels.
pub(super) fn validate_replication_controller(obj: &Value, errs: &mut FieldErrors) {
    let empty = Value::Null;
    let spec = obj.get("spec").unwrap_or(&empty);
    non_negative(spec, "/replicas", "spec.replicas", errs);
    non_negative(spec, "/minReadySeconds", "spec.minReadySeconds", errs);
    let labels = spec
        .pointer("/template/metadata/labels")
        .and_then(Value::as_object);
    let selector = obj_at(spec, "/selector").filter(|s| !s.is_empty()).or(labels);
    validate_labels(selector, "spec.selector", errs);
    match selector {
        None => errs.required("spec.selector", ""),
        Some(sel) => {
            let matches = sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
            if !matches {
                errs.invalid(
                    "spec.template.metadata.labels",
                    Bad::Raw(go_string_map(labels)),
                    SELECTOR_MISMATCH,
                );
            }
        }
    }
    validate_template(spec.get("template"), "spec.template", errs);
    require_always(spec, errs);
}

/// `validateJobSpec` at `path` (`spec` or `spec.jobTemplate.spec`).
fn validate_job_spec(spec: &Value, path: &str, errs: &mut FieldErrors) {
    for f in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
    ] {
        non_negative(spec, &format!("/{f}"), &format!("{path}.{f}"), errs);
    }
    if let Some(m) = str_at(spec, "/completionMode").filter(|m| !m.is_empty())
        && m != "NonIndexed"
        && m != "Indexed"
    {
        errs.not_supported(&format!("{path}.completionMode"), m, &["NonIndexed", "Indexed"]);
    }
    // Without manualSelector the selector and labels are generated, so they always match.
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        let sel = spec.get("selector").unwrap_or(&Value::Null);
        if sel.is_null() {
            errs.required(&format!("{path}.selector"), "");
        } else {
            validate_selector(sel, &format!("{path}.selector"), errs);
            if let Ok(s) = LabelSelector::from_object(sel) {
                let labels = spec
                    .pointer("/template/metadata/labels")
                    .and_then(Value::as_object);
                if !s.matches(labels) {
                    let p = format!("{path}.template.metadata.labels");
                    errs.invalid(&p, Bad::Raw(go_string_map(labels)), SELECTOR_MISMATCH);
                }
            }
        }
    }
    validate_template(spec.get("template"), &format!("{path}.template"), errs);
    let policy = restart_policy(spec.pointer("/template/spec"));
    if policy != "OnFailure" && policy != "Never" {
        errs.not_supported(
            &format!("{path}.template.spec.restartPolicy"),
            policy,
            &["OnFailure", "Never"],
        );
    }
}

/// `batch/v1` Job.
pub(super) fn validate_job(obj: &Value, errs: &mut FieldErrors) {
    validate_job_spec(obj.get("spec").unwrap_or(&Value::Null), "spec", errs);
}

/// `batch/v1` CronJob.
pub(super) fn validate_cronjob(obj: &Value, errs: &mut FieldErrors) {
    let name = str_at(obj, "/metadata/name").unwrap_or_default();
    // The generated Job names append 11 characters; kube caps CronJob names at 52.
    if name.len() > 52 {
        errs.invalid(
            "metadata.name",
            Bad::Str(name),
            "must be no more than 52 characters",
        );
    }
    let empty = Value::Null;
    let spec = obj.get("spec").unwrap_or(&empty);
    let schedule = str_at(spec, "/schedule").unwrap_or_default();
    if schedule.is_empty() {
        errs.required("spec.schedule", "");
    } else if let Some(msg) = cron_error(schedule) {
        errs.invalid("spec.schedule", Bad::Str(schedule), &msg);
    }
    if let Some(p) = str_at(spec, "/concurrencyPolicy").filter(|p| !p.is_empty())
        && !["Allow", "Forbid", "Replace"].contains(&p)
    {
        errs.not_supported("spec.concurrencyPolicy", p, &["Allow", "Forbid", "Replace"]);
    }
    for f in [
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ] {
        non_negative(spec, &format!("/{f}"), &format!("spec.{f}"), errs);
    }
    validate_job_spec(
        spec.pointer("/jobTemplate/spec").unwrap_or(&empty),
        "spec.jobTemplate.spec",
        errs,
    );
}

/// The error robfig/cron's standard parser gives for the shape of a schedule, if any.
fn cron_error(schedule: &str) -> Option<String> {
    if let Some(d) = schedule.strip_prefix('@') {
        let known = [
            "yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly",
        ];
        return (!known.contains(&d) && !d.starts_with("every "))
            .then(|| format!("unrecognized descriptor: {schedule}"));
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    // A leading TZ=/CRON_TZ= is accepted by the parser (kube rejects it separately).
    let fields: Vec<&str> = match fields.first() {
        Some(f) if f.starts_with("TZ=") || f.starts_with("CRON_TZ=") => {
            fields.get(1..).unwrap_or_default().to_vec()
        }
        _ => fields,
    };
    (fields.len() != 5).then(|| {
        format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        )
    })
}

/// `autoscaling` HorizontalPodAutoscaler (v1 and v2).
pub(super) fn validate_hpa(obj: &Value, errs: &mut FieldErrors) {
    let empty = Value::Null;
    let spec = obj.get("spec").unwrap_or(&empty);
    let min = int_at(spec, "/minReplicas");
    let max = int_at(spec, "/maxReplicas").unwrap_or(0);
    if let Some(m) = min
        && m < 1
    {
        errs.invalid(
            "spec.minReplicas",
            Bad::Int(m),
            "must be greater than or equal to 1",
        );
    }
    if max < 1 {
        errs.invalid("spec.maxReplicas", Bad::Int(max), "must be greater than 0");
    }
    if let Some(m) = min
        && max < m
    {
        errs.invalid(
            "spec.maxReplicas",
            Bad::Int(max),
            "must be greater than or equal to `minReplicas`",
        );
    }
    for f in ["kind", "name"] {
        if str_at(spec, &format!("/scaleTargetRef/{f}"))
            .unwrap_or_default()
            .is_empty()
        {
            errs.required(&format!("spec.scaleTargetRef.{f}"), "");
        }
    }
}
