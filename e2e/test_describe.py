"""`kubectl describe` of pods, deployments and nodes, with the objects' events."""

from __future__ import annotations

import re

import support
from support import Kubectl


def assert_event_listed(out: str, reason: str, message: str) -> None:
    events = support.section(out, "Events")
    assert "<none>" not in events.splitlines()[0], f"no events listed:\n{out}"
    header = events.splitlines()[1].split()
    assert header == ["Type", "Reason", "Age", "From", "Message"], out
    row = next((line for line in events.splitlines() if reason in line), None)
    assert row is not None, f"event {reason} not under Events:\n{out}"
    assert re.search(rf"Normal\s+{reason}\s+\S+\s+kubegenie-e2e\s+{re.escape(message)}", row), row


def test_describe_pod_with_events(kubectl: Kubectl, ns: str) -> None:
    p = kubectl.create_raw(f"/api/v1/namespaces/{ns}/pods", support.pod("described", ns, {"app": "d"}))
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/events", support.event_for(p, "E2eChecked", "checked by the e2e suite"))
    out = kubectl.run("describe", "pod", "described", "-n", ns).stdout
    assert re.search(r"^Name:\s+described$", out, re.M), out
    assert re.search(rf"^Namespace:\s+{ns}$", out, re.M), out
    assert re.search(r"^Labels:\s+app=d$", out, re.M), out
    assert re.search(r"^Containers:\n\s+app:\n", out, re.M), out
    assert re.search(r"^\s+Image:\s+nginx:1.27$", out, re.M), out
    assert_event_listed(out, "E2eChecked", "checked by the e2e suite")


def test_describe_deployment_with_events(kubectl: Kubectl, ns: str) -> None:
    d = kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/deployments", support.deployment("web", ns, replicas=2))
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/events", support.event_for(d, "ScalingReplicaSet", "Scaled up replica set web-abc to 2"))
    out = kubectl.run("describe", "deployment", "web", "-n", ns).stdout
    assert re.search(r"^Name:\s+web$", out, re.M), out
    assert re.search(r"^Selector:\s+app=web$", out, re.M), out
    assert re.search(r"^Replicas:\s+2 desired \|", out, re.M), out
    assert re.search(r"^StrategyType:\s+RollingUpdate$", out, re.M), f"defaulted strategy:\n{out}"
    assert_event_listed(out, "ScalingReplicaSet", "Scaled up replica set web-abc to 2")


def test_describe_node_with_events(kubectl: Kubectl) -> None:
    node = kubectl.json("get", "node", "sim-1-node-2")
    # Kubelets record node events in `default` with the node's name as the involved UID.
    ev = support.event_for(node, "E2eNodeChecked", "node checked by the e2e suite", namespace="default")
    ev["involvedObject"]["uid"] = node["metadata"]["name"]
    kubectl.create_raw("/api/v1/namespaces/default/events", ev)
    out = kubectl.run("describe", "node", "sim-1-node-2").stdout
    assert re.search(r"^Name:\s+sim-1-node-2$", out, re.M), out
    assert re.search(r"^Roles:\s+<none>$", out, re.M), out
    conditions = support.section(out, "Conditions")
    assert re.search(r"^\s+Ready\s+True\s", conditions, re.M), out
    assert re.search(r"^Capacity:\n\s+cpu:\s+4$", out, re.M), out
    assert re.search(r"^\s+Kubelet Version:\s+v1.33.1$", out, re.M), out
    assert_event_listed(out, "E2eNodeChecked", "node checked by the e2e suite")
