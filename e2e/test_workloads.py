"""Workloads that behave (simulator part 2), judged by the installed kubectl.

One simulated cluster with an accelerated clock (20 simulated seconds per real second), so
rollouts, crash-loop back-offs, OOM kills and HPA windows happen within a test's patience.
Images follow the simulator's conventions: tag `crash` crash-loops, tag `oom` is OOM-killed.
"""

from __future__ import annotations

import json
import re
import signal

import pytest

import support
from support import Kubectl, Sim

SPEED = 20
BEHAVIOUR = "sim.kubegenie.io/behaviour"


@pytest.fixture(scope="module")
def fast(peers, tmp_path_factory) -> Sim:
    s = Sim(tmp_path_factory.mktemp("fast-sim"), clusters=1, extra_args=["--clock-speed", str(SPEED)]).start()
    try:
        s.wait_ready()
    except BaseException:
        s.kill()
        raise
    yield s
    rc = s.stop(signal.SIGTERM)
    assert rc == 0, f"`kubegenie sim` exited with {rc} after SIGTERM\n{s.logs()}"


@pytest.fixture(scope="module")
def kc(fast: Sim) -> Kubectl:
    return fast.kubectl


@pytest.fixture
def wns(kc: Kubectl, request) -> str:
    name = support.unique(f"wl-{request.node.name}")
    kc.run("create", "namespace", name)
    return name


def pods_of(kc: Kubectl, ns: str, selector: str) -> list[dict]:
    return kc.json("get", "pods", "-n", ns, "-l", selector)["items"]


def restarts(pod: dict) -> int:
    return sum(c.get("restartCount", 0) for c in pod.get("status", {}).get("containerStatuses", []))


def test_rollout_status_waits_for_a_rollout(kc: Kubectl, wns: str) -> None:
    kc.run("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "-n", wns)
    out = kc.run("rollout", "status", "deployment/web", "-n", wns, "--timeout=90s").stdout
    assert 'deployment "web" successfully rolled out' in out, out
    table = kc.run("get", "deployment", "web", "-n", wns).stdout
    assert re.search(r"^web\s+3/3\s+3\s+3\s+", table, re.M), table
    pods = pods_of(kc, wns, "app=web")
    assert len(pods) == 3
    assert all(p["status"]["phase"] == "Running" and p["spec"].get("nodeName") for p in pods), pods


def test_bad_image_crash_loops_then_rollout_undo_restores(kc: Kubectl, wns: str) -> None:
    kc.run("create", "deployment", "api", "--image=nginx:1.27", "--replicas=2", "-n", wns)
    kc.run("rollout", "status", "deployment/api", "-n", wns, "--timeout=90s")
    kc.run("set", "image", "deployment/api", "nginx=shop/api:crash", "-n", wns)

    def crash_looping() -> list[str]:
        out = kc.run("get", "pods", "-n", wns, "-l", "app=api").stdout
        return [l for l in out.splitlines() if "CrashLoopBackOff" in l]

    rows = support.wait_until(crash_looping, "a pod in CrashLoopBackOff", timeout=90)
    first = support.wait_until(
        lambda: max((restarts(p) for p in pods_of(kc, wns, "app=api") if "crash" in p["spec"]["containers"][0]["image"]), default=0),
        "a restart of the crashing pod",
    )
    later = support.wait_until(
        lambda: (n := max(restarts(p) for p in pods_of(kc, wns, "app=api") if "crash" in p["spec"]["containers"][0]["image"])) > first and n,
        "RESTARTS to grow",
        timeout=120,
    )
    assert later > first, rows
    events = kc.run("get", "events", "-n", wns, "--field-selector", "reason=BackOff").stdout
    assert "Back-off restarting failed container" in events, events
    # The old ReplicaSet keeps serving while the new one crash-loops, so the rollout is stuck.
    stuck = kc.run("rollout", "status", "deployment/api", "-n", wns, "--timeout=2s", check=False)
    assert stuck.returncode != 0, stuck.describe()
    history = kc.run("rollout", "history", "deployment/api", "-n", wns).stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M), history

    out = kc.run("rollout", "undo", "deployment/api", "-n", wns).stdout
    assert "rolled back" in out, out
    kc.run("rollout", "status", "deployment/api", "-n", wns, "--timeout=120s")

    def healthy() -> bool:
        pods = [p for p in pods_of(kc, wns, "app=api") if not p["metadata"].get("deletionTimestamp")]
        return len(pods) == 2 and all(
            p["spec"]["containers"][0]["image"] == "nginx:1.27" and p["status"]["phase"] == "Running" for p in pods
        )

    support.wait_until(healthy, "two healthy pods of revision 1's template after the undo", timeout=120)
    d = kc.json("get", "deployment", "api", "-n", wns)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3", d["metadata"]


def test_top_shows_scripted_usage(kc: Kubectl, wns: str) -> None:
    behaviour = "cpu: {base: 250m, noise: 0}\nmemory: {base: 100Mi, noise: 0}"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "busy", "namespace": wns, "annotations": {BEHAVIOUR: behaviour}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }
    kc.run("apply", "-f", "-", input=json.dumps(pod))
    support.wait_until(lambda: kc.json("get", "pod", "busy", "-n", wns)["status"]["phase"] == "Running", "busy Running")
    out = support.wait_until(
        lambda: (r := kc.run("top", "pod", "busy", "-n", wns, "--containers", check=False)).returncode == 0 and r.stdout,
        "metrics for the pod",
    )
    assert re.search(r"^busy\s+app\s+250m\s+100Mi\s*$", out, re.M), out
    nodes = kc.run("top", "nodes").stdout
    rows = [l for l in nodes.splitlines()[1:] if l.strip()]
    assert rows and all(re.match(r"^\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$", l) for l in rows), nodes


def test_logs_previous_and_follow(kc: Kubectl, wns: str) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "flaky", "namespace": wns},
        "spec": {"containers": [{"name": "app", "image": "shop/worker:crash"}]},
    }
    kc.run("apply", "-f", "-", input=json.dumps(pod))
    support.wait_until(
        lambda: restarts(kc.json("get", "pod", "flaky", "-n", wns)) >= 1, "a restart of the crashing pod", timeout=90
    )
    prev = kc.run("logs", "flaky", "-n", wns, "--previous").stdout.splitlines()
    assert prev, "no previous logs"
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+ (INFO|WARN|ERROR|DEBUG|FATAL) ", prev[0]), prev[:3]
    assert "exit" in prev[-1].lower() or "panic" in prev[-1].lower(), prev[-3:]

    kc.run("create", "deployment", "chatty", "--image=nginx:1.27", "-n", wns)
    kc.run("rollout", "status", "deployment/chatty", "-n", wns, "--timeout=90s")
    follow = kc.background("logs", "-f", "deployment/chatty", "-n", wns, "--tail=1")
    try:
        first = follow.wait_for_line(lambda l: bool(l.strip()), "a first log line")
        later = follow.wait_for_line(lambda l: bool(l.strip()) and l != first, "a new line while following", timeout=60)
        assert later != first
    finally:
        follow.stop()


def test_describe_pod_shows_oomkilled_last_state(kc: Kubectl, wns: str) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "hungry", "namespace": wns},
        "spec": {"containers": [{"name": "app", "image": "shop/worker:oom", "resources": {"limits": {"memory": "128Mi"}}}]},
    }
    kc.run("apply", "-f", "-", input=json.dumps(pod))

    def oom_killed() -> dict | None:
        p = kc.json("get", "pod", "hungry", "-n", wns)
        cs = p["status"].get("containerStatuses", [{}])[0]
        return p if cs.get("lastState", {}).get("terminated", {}).get("reason") == "OOMKilled" else None

    support.wait_until(oom_killed, "an OOMKilled last state", timeout=120)
    out = kc.run("describe", "pod", "hungry", "-n", wns).stdout
    assert re.search(r"Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137", out), out
    assert re.search(r"^\s+Restart Count:\s+[1-9]", out, re.M), out
    events = support.section(out, "Events")
    for reason in ("Scheduled", "Pulled", "Created", "Started"):
        assert re.search(rf"Normal\s+{reason}\s", events), f"{reason} missing:\n{events}"


def test_hpa_scales_a_deployment_when_load_rises(kc: Kubectl, wns: str) -> None:
    def load(m: int) -> str:
        return f"cpu: {{base: {m}m, noise: 0, sharedByReplicas: true}}"

    d = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "shop", "namespace": wns},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "shop"}},
            "template": {
                "metadata": {"labels": {"app": "shop"}, "annotations": {BEHAVIOUR: load(100)}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": "100m"}}}]},
            },
        },
    }
    kc.run("apply", "-f", "-", input=json.dumps(d))
    kc.run("rollout", "status", "deployment/shop", "-n", wns, "--timeout=90s")
    kc.run("autoscale", "deployment", "shop", "--cpu-percent=50", "--min=2", "--max=10", "-n", wns)
    support.wait_until(
        lambda: re.search(r"cpu: \d+%/50%", kc.run("get", "hpa", "shop", "-n", wns).stdout),
        "the HPA to report utilisation",
        timeout=90,
    )
    patch = {"spec": {"template": {"metadata": {"annotations": {BEHAVIOUR: load(800)}}}}}
    kc.run("patch", "deployment", "shop", "-n", wns, "--type=merge", "-p", json.dumps(patch))
    support.wait_until(
        lambda: kc.json("get", "deployment", "shop", "-n", wns)["spec"]["replicas"] > 2,
        "the HPA to scale the deployment up",
        timeout=120,
    )
    events = kc.run("get", "events", "-n", wns, "--field-selector", "reason=SuccessfulRescale").stdout
    assert re.search(r"New size: \d+; reason: cpu resource utilization \(percentage of request\) above target", events), events
    hpa = kc.run("get", "hpa", "shop", "-n", wns).stdout
    assert re.search(r"^shop\s+Deployment/shop\s+cpu: \d+%/50%\s+2\s+10\s+\d+", hpa, re.M), hpa
