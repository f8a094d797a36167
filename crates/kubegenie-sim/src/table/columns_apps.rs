//! Printers of workload kinds (apps, batch, autoscaling, policy), after kube-apiserver's
//! `printDeployment`, `printJob`, `printHorizontalPodAutoscaler` and friends.

use super::age::{age, human_duration, parse_time, since, since_value};
use super::format::{bool_ptr, containers, int, items, label_selector, labels, s, scalar, selector_string};
use super::{AGE, Col, NAME, Printer, Row, col};
use jiff::Timestamp;
use serde_json::{Value, json};

const CONTAINERS: Col = col("Containers", "string", "Names of each container in the template.").wide();
const IMAGES: Col = col(
    "Images",
    "string",
    "Images referenced by each container in the template.",
)
.wide();
const SELECTOR: Col = col(
    "Selector",
    "string",
    "A label query over pods that should match the replica count.",
)
.wide();

/// The printer of a workload resource.
pub(crate) fn printer(group: &str, plural: &str) -> Option<Printer> {
    Some(match (group, plural) {
        ("apps", "deployments") => (DEPLOYMENT, print_deployment),
        ("apps", "replicasets") => (REPLICASET, print_replicaset),
        ("apps", "statefulsets") => (STATEFULSET, print_statefulset),
        ("apps", "daemonsets") => (DAEMONSET, print_daemonset),
        ("apps", "controllerrevisions") => (CONTROLLERREVISION, print_controllerrevision),
        ("batch", "jobs") => (JOB, print_job),
        ("batch", "cronjobs") => (CRONJOB, print_cronjob),
        ("autoscaling", "horizontalpodautoscalers") => (HPA, print_hpa),
        ("policy", "poddisruptionbudgets") => (PDB, print_pdb),
        _ => return None,
    })
}

/// `spec.replicas`, defaulted to 1 by the API server when absent.
fn replicas(obj: &Value) -> i64 {
    obj["spec"]["replicas"].as_i64().unwrap_or(1)
}

const DEPLOYMENT: &[Col] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    col(
        "Up-to-date",
        "string",
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
    ),
    col(
        "Available",
        "string",
        "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

fn print_deployment(d: &Value, now: Timestamp) -> Row {
    let st = &d["status"];
    let (names, images) = containers(&d["spec"]["template"]["spec"]["containers"]);
    let selector = selector_string(&d["spec"]["selector"]).unwrap_or_else(|()| "<invalid>".to_string());
    Row::new(vec![
        d["metadata"]["name"].clone(),
        json!(format!("{}/{}", int(&st["readyReplicas"]), replicas(d))),
        json!(int(&st["updatedReplicas"])),
        json!(int(&st["availableReplicas"])),
        json!(age(d, now)),
        json!(names),
        json!(images),
        json!(selector),
    ])
}

const REPLICASET: &[Col] = &[
    NAME,
    col("Desired", "integer", "Replicas is the number of desired pods."),
    col(
        "Current",
        "integer",
        "Replicas is the most recently observed number of non-terminating pods.",
    ),
    col(
        "Ready",
        "integer",
        "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

fn print_replicaset(rs: &Value, now: Timestamp) -> Row {
    let (names, images) = containers(&rs["spec"]["template"]["spec"]["containers"]);
    Row::new(vec![
        rs["metadata"]["name"].clone(),
        json!(replicas(rs)),
        json!(int(&rs["status"]["replicas"])),
        json!(int(&rs["status"]["readyReplicas"])),
        json!(age(rs, now)),
        json!(names),
        json!(images),
        json!(label_selector(&rs["spec"]["selector"])),
    ])
}

const STATEFULSET: &[Col] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
];

fn print_statefulset(sts: &Value, now: Timestamp) -> Row {
    let (names, images) = containers(&sts["spec"]["template"]["spec"]["containers"]);
    Row::new(vec![
        sts["metadata"]["name"].clone(),
        json!(format!(
            "{}/{}",
            int(&sts["status"]["readyReplicas"]),
            replicas(sts)
        )),
        json!(age(sts, now)),
        json!(names),
        json!(images),
    ])
}

const DAEMONSET: &[Col] = &[
    NAME,
    col(
        "Desired",
        "integer",
        "The total number of nodes that should be running the daemon pod.",
    ),
    col(
        "Current",
        "integer",
        "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
    ),
    col(
        "Ready",
        "integer",
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
    ),
    col(
        "Up-to-date",
        "integer",
        "The total number of nodes that are running updated daemon pod",
    ),
    col(
        "Available",
        "integer",
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.",
    ),
    col(
        "Node Selector",
        "string",
        "NodeSelector is a selector which must be true for the pod to fit on a node.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

fn print_daemonset(ds: &Value, now: Timestamp) -> Row {
    let st = &ds["status"];
    let (names, images) = containers(&ds["spec"]["template"]["spec"]["containers"]);
    Row::new(vec![
        ds["metadata"]["name"].clone(),
        json!(int(&st["desiredNumberScheduled"])),
        json!(int(&st["currentNumberScheduled"])),
        json!(int(&st["numberReady"])),
        json!(int(&st["updatedNumberScheduled"])),
        json!(int(&st["numberAvailable"])),
        json!(labels(&ds["spec"]["template"]["spec"]["nodeSelector"])),
        json!(age(ds, now)),
        json!(names),
        json!(images),
        json!(label_selector(&ds["spec"]["selector"])),
    ])
}

const CONTROLLERREVISION: &[Col] = &[
    NAME,
    col("Controller", "string", "Controller of the object"),
    col(
        "Revision",
        "string",
        "Revision indicates the revision of the state represented by Data.",
    ),
    AGE,
];

/// `printControllerRevision`: the controlling owner as `kind.group/name`.
fn print_controllerrevision(cr: &Value, now: Timestamp) -> Row {
    let owner = items(&cr["metadata"]["ownerReferences"])
        .iter()
        .find(|o| o["controller"] == true);
    let controller = match owner {
        Some(o) => {
            let group = s(&o["apiVersion"]).split_once('/').map(|(g, _)| g).unwrap_or("");
            let kind = s(&o["kind"]);
            let gk = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            if gk.is_empty() {
                s(&o["name"]).to_string()
            } else {
                format!("{}/{}", gk.to_lowercase(), s(&o["name"]))
            }
        }
        None => "<none>".to_string(),
    };
    Row::new(vec![
        cr["metadata"]["name"].clone(),
        json!(controller),
        json!(int(&cr["revision"])),
        json!(age(cr, now)),
    ])
}

const JOB: &[Col] = &[
    NAME,
    col("Status", "string", "Status of the job."),
    col(
        "Completions",
        "string",
        "The number of pods which reached phase Succeeded.",
    ),
    col("Duration", "string", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

fn job_condition(job: &Value, type_: &str) -> bool {
    // The first condition of the type decides, as in the printer.
    items(&job["status"]["conditions"])
        .iter()
        .find(|c| c["type"] == type_)
        .is_some_and(|c| c["status"] == "True")
}

/// `printJob`: STATUS from conditions, COMPLETIONS `succeeded/completions`, DURATION from
/// start to completion (or to now while running).
fn print_job(job: &Value, now: Timestamp) -> Row {
    let st = &job["status"];
    let succeeded = int(&st["succeeded"]);
    let completions = match job["spec"]["completions"].as_i64() {
        Some(c) => format!("{succeeded}/{c}"),
        None => {
            let parallelism = int(&job["spec"]["parallelism"]);
            if parallelism > 1 {
                format!("{succeeded}/1 of {parallelism}")
            } else {
                format!("{succeeded}/1")
            }
        }
    };
    let duration = match (parse_time(&st["startTime"]), parse_time(&st["completionTime"])) {
        (None, _) => String::new(),
        (Some(start), None) => since(Some(start), now),
        (Some(start), Some(end)) => human_duration(end.duration_since(start)),
    };
    let status = if job_condition(job, "Complete") {
        "Complete"
    } else if job_condition(job, "Failed") {
        "Failed"
    } else if !job["metadata"]["deletionTimestamp"].is_null() {
        "Terminating"
    } else if job_condition(job, "Suspended") {
        "Suspended"
    } else if job_condition(job, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (names, images) = containers(&job["spec"]["template"]["spec"]["containers"]);
    Row::new(vec![
        job["metadata"]["name"].clone(),
        json!(status),
        json!(completions),
        json!(duration),
        json!(age(job, now)),
        json!(names),
        json!(images),
        json!(label_selector(&job["spec"]["selector"])),
    ])
}

const CRONJOB: &[Col] = &[
    NAME,
    col(
        "Schedule",
        "string",
        "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
    ),
    col(
        "Timezone",
        "string",
        "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
    ),
    col(
        "Suspend",
        "boolean",
        "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.",
    ),
    col(
        "Active",
        "integer",
        "A list of pointers to currently running jobs.",
    ),
    col(
        "Last Schedule",
        "string",
        "Information when was the last time the job was successfully scheduled.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
];

fn print_cronjob(cj: &Value, now: Timestamp) -> Row {
    let spec = &cj["spec"];
    let last = if cj["status"]["lastScheduleTime"].is_null() {
        "<none>".to_string()
    } else {
        since_value(&cj["status"]["lastScheduleTime"], now)
    };
    let tz = if spec["timeZone"].is_string() {
        s(&spec["timeZone"]).to_string()
    } else {
        "<none>".to_string()
    };
    // The API server defaults suspend to false.
    let suspend = if spec["suspend"].is_null() {
        "False".to_string()
    } else {
        bool_ptr(&spec["suspend"])
    };
    let job_spec = &spec["jobTemplate"]["spec"];
    let (names, images) = containers(&job_spec["template"]["spec"]["containers"]);
    Row::new(vec![
        cj["metadata"]["name"].clone(),
        json!(s(&spec["schedule"])),
        json!(tz),
        json!(suspend),
        json!(items(&cj["status"]["active"]).len()),
        json!(last),
        json!(age(cj, now)),
        json!(names),
        json!(images),
        json!(label_selector(&job_spec["selector"])),
    ])
}

const HPA: &[Col] = &[
    NAME,
    col(
        "Reference",
        "string",
        "scaleTargetRef points to the target resource to scale.",
    ),
    col(
        "Targets",
        "string",
        "metrics contains the specifications for which to use to calculate the desired replica count.",
    ),
    col(
        "MinPods",
        "string",
        "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.",
    ),
    col(
        "MaxPods",
        "string",
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.",
    ),
    col(
        "Replicas",
        "string",
        "currentReplicas is current number of replicas of pods managed by this autoscaler.",
    ),
    AGE,
];

fn quantity(v: &Value) -> String {
    let q = scalar(v);
    if q.is_empty() { "0".to_string() } else { q }
}

/// `formatHPAMetrics`: `cpu: 40%/50%`, `<unknown>` before the first measurement, at most two
/// metrics then ` + N more...`.
fn hpa_metrics(hpa: &Value) -> String {
    let specs = items(&hpa["spec"]["metrics"]);
    if specs.is_empty() {
        return "<none>".to_string();
    }
    let statuses = items(&hpa["status"]["currentMetrics"]);
    let unknown = || "<unknown>".to_string();
    let mut list = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i).unwrap_or(&Value::Null);
        let entry = match s(&spec["type"]) {
            t @ ("External" | "Object") => {
                let key = if t == "External" { "external" } else { "object" };
                let target = &spec[key]["target"];
                let cur = &status[key];
                if !target["averageValue"].is_null() {
                    let c = if cur["current"]["averageValue"].is_null() {
                        unknown()
                    } else {
                        quantity(&cur["current"]["averageValue"])
                    };
                    format!("{c}/{} (avg)", quantity(&target["averageValue"]))
                } else {
                    let c = if cur.is_object() {
                        quantity(&cur["current"]["value"])
                    } else {
                        unknown()
                    };
                    format!("{c}/{}", quantity(&target["value"]))
                }
            }
            "Pods" => {
                let c = if status["pods"].is_object() {
                    quantity(&status["pods"]["current"]["averageValue"])
                } else {
                    unknown()
                };
                format!("{c}/{}", quantity(&spec["pods"]["target"]["averageValue"]))
            }
            t @ ("Resource" | "ContainerResource") => {
                let key = if t == "Resource" {
                    "resource"
                } else {
                    "containerResource"
                };
                let target = &spec[key]["target"];
                let cur = &status[key];
                let name = s(&spec[key]["name"]);
                if !target["averageValue"].is_null() {
                    let c = if cur.is_object() {
                        quantity(&cur["current"]["averageValue"])
                    } else {
                        unknown()
                    };
                    format!("{name}: {c}/{}", quantity(&target["averageValue"]))
                } else {
                    let c = match cur["current"]["averageUtilization"].as_i64() {
                        Some(u) if cur.is_object() => format!("{u}%"),
                        _ => unknown(),
                    };
                    let t = match target["averageUtilization"].as_i64() {
                        Some(u) => format!("{u}%"),
                        None => "<auto>".to_string(),
                    };
                    format!("{name}: {c}/{t}")
                }
            }
            _ => "<unknown type>".to_string(),
        };
        list.push(entry);
    }
    let count = list.len();
    if count > 2 {
        format!("{} + {} more...", list[..2].join(", "), count - 2)
    } else {
        list.join(", ")
    }
}

fn print_hpa(hpa: &Value, now: Timestamp) -> Row {
    let target = &hpa["spec"]["scaleTargetRef"];
    let min = match hpa["spec"]["minReplicas"].as_i64() {
        Some(m) => m.to_string(),
        None => "<unset>".to_string(),
    };
    Row::new(vec![
        hpa["metadata"]["name"].clone(),
        json!(format!("{}/{}", s(&target["kind"]), s(&target["name"]))),
        json!(hpa_metrics(hpa)),
        json!(min),
        json!(int(&hpa["spec"]["maxReplicas"])),
        json!(int(&hpa["status"]["currentReplicas"])),
        json!(age(hpa, now)),
    ])
}

const PDB: &[Col] = &[
    NAME,
    col(
        "Min Available",
        "string",
        "The minimum number of pods that must be available.",
    ),
    col(
        "Max Unavailable",
        "string",
        "The maximum number of pods that may be unavailable.",
    ),
    col(
        "Allowed Disruptions",
        "integer",
        "Calculated number of pods that may be disrupted at this time.",
    ),
    AGE,
];

fn print_pdb(pdb: &Value, now: Timestamp) -> Row {
    let int_or_str = |v: &Value| if v.is_null() { "N/A".to_string() } else { scalar(v) };
    Row::new(vec![
        pdb["metadata"]["name"].clone(),
        json!(int_or_str(&pdb["spec"]["minAvailable"])),
        json!(int_or_str(&pdb["spec"]["maxUnavailable"])),
        json!(int(&pdb["status"]["disruptionsAllowed"])),
        json!(age(pdb, now)),
    ])
}
