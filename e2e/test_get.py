"""`kubectl get` in its output formats, with selectors, and `-w`."""

from __future__ import annotations

from typing import Callable

import pytest
import yaml

import support
from support import Kubectl


@pytest.fixture
def pods(kubectl: Kubectl, ns: str) -> tuple[str, list[str]]:
    names = ["web-1", "web-2", "db-1"]
    for name in names:
        app = name.split("-")[0]
        kubectl.create_raw(
            f"/api/v1/namespaces/{ns}/pods", support.pod(name, ns, {"app": app, "tier": "e2e"})
        )
    return ns, names


def test_get_pods_all_namespaces(kubectl: Kubectl, pods) -> None:
    ns, names = pods
    out = kubectl.run("get", "pods", "-A").stdout
    header, rows = support.table_rows(out)
    assert header == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], out
    mine = sorted(r[1] for r in rows if r[0] == ns)
    assert mine == sorted(names), out
    row = next(r for r in rows if r[0] == ns)
    assert row[2] == "0/1", f"READY of a pod with one container: {out}"


def test_get_pods_wide(kubectl: Kubectl, pods) -> None:
    ns, names = pods
    out = kubectl.run("get", "pods", "-n", ns, "-o", "wide").stdout
    header, rows = support.table_rows(out)
    assert header == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"
    ], out
    assert sorted(r[0] for r in rows) == sorted(names), out


def test_get_pods_json(kubectl: Kubectl, pods) -> None:
    ns, names = pods
    doc = kubectl.run("get", "pods", "-n", ns, "-o", "json").json()
    assert doc["kind"] == "List" and doc["apiVersion"] == "v1", doc.keys()
    assert sorted(i["metadata"]["name"] for i in doc["items"]) == sorted(names)
    for item in doc["items"]:
        assert item["kind"] == "Pod" and item["apiVersion"] == "v1"
        assert item["metadata"]["uid"] and item["metadata"]["resourceVersion"]
        assert item["metadata"]["creationTimestamp"]
    one = kubectl.run("get", "pod", "web-1", "-n", ns, "-o", "json").json()
    assert one["kind"] == "Pod" and one["metadata"]["labels"] == {"app": "web", "tier": "e2e"}


def test_get_pods_yaml(kubectl: Kubectl, pods) -> None:
    ns, _ = pods
    doc = yaml.safe_load(kubectl.run("get", "pod", "db-1", "-n", ns, "-o", "yaml").stdout)
    assert doc["kind"] == "Pod" and doc["metadata"]["name"] == "db-1"
    assert doc["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_get_pods_name(kubectl: Kubectl, pods) -> None:
    ns, names = pods
    out = kubectl.run("get", "pods", "-n", ns, "-o", "name").stdout.split()
    assert sorted(out) == sorted(f"pod/{n}" for n in names)


def test_get_custom_columns_and_jsonpath(kubectl: Kubectl, pods) -> None:
    ns, names = pods
    out = kubectl.run(
        "get", "pods", "-n", ns, "-o", "custom-columns=NAME:.metadata.name,APP:.metadata.labels.app",
        "--sort-by=.metadata.name",
    ).stdout
    _, rows = support.table_rows(out)
    assert rows == [["db-1", "db"], ["web-1", "web"], ["web-2", "web"]], out
    jp = kubectl.run("get", "pods", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}").stdout
    assert sorted(jp.split()) == sorted(names)


def test_get_label_selector(kubectl: Kubectl, pods) -> None:
    ns, _ = pods
    out = kubectl.run("get", "pods", "-n", ns, "-l", "app=web", "-o", "name").stdout.split()
    assert sorted(out) == ["pod/web-1", "pod/web-2"]
    out = kubectl.run("get", "pods", "-n", ns, "-l", "app in (db),tier=e2e", "-o", "name").stdout.split()
    assert out == ["pod/db-1"]
    out = kubectl.run("get", "pods", "-n", ns, "-l", "app!=web", "-o", "name").stdout.split()
    assert out == ["pod/db-1"]
    r = kubectl.run("get", "pods", "-n", ns, "-l", "app=nothing")
    assert r.stdout.strip() == "" and f"No resources found in {ns} namespace." in r.stderr, r.describe()
    out = kubectl.run("get", "pods", "-n", ns, "-L", "app").stdout
    header, rows = support.table_rows(out)
    assert header[-1] == "APP" and {r[-1] for r in rows} == {"web", "db"}, out


def test_get_field_selector(kubectl: Kubectl, pods) -> None:
    ns, _ = pods
    out = kubectl.run("get", "pods", "-n", ns, "--field-selector", "metadata.name=web-2", "-o", "name").stdout
    assert out.split() == ["pod/web-2"]
    out = kubectl.run("get", "pods", "-A", "--field-selector", f"metadata.namespace={ns},metadata.name!=web-2",
                      "-o", "name").stdout
    assert sorted(out.split()) == ["pod/db-1", "pod/web-1"]
    # A field the pods resource does not support is a 400 with kube-apiserver's message.
    r = kubectl.run("get", "pods", "-n", ns, "--field-selector", "spec.nope=x", check=False)
    assert r.returncode == 1
    assert 'field label not supported: spec.nope' in r.stderr, r.describe()


def test_get_not_found_message(kubectl: Kubectl, ns: str) -> None:
    r = kubectl.run("get", "pod", "missing", "-n", ns, check=False)
    assert r.returncode == 1
    assert r.stderr.strip() == 'Error from server (NotFound): pods "missing" not found', r.describe()


def test_get_watch_sees_a_new_configmap(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("before", ns, {"a": "1"}))
    watch = kubectl.background("get", "cm", "-n", ns, "-w")
    try:
        # The initial list is printed first: the watch is established once `before` is shown.
        watch.wait_for_line(lambda line: line.split()[:1] == ["before"], "the initial list")
        kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("after", ns, {"b": "2"}))
        line = watch.wait_for_line(lambda line: line.split()[:1] == ["after"], "the new configmap's line")
        assert line.split()[1] == "1", f"DATA column of the new configmap: {line!r}"
    finally:
        watch.stop()


def test_get_watch_output_watch_events(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("before", ns, {}))
    watch = kubectl.background("get", "cm", "-n", ns, "-w", "--output-watch-events")

    def event(kind: str, name: str) -> Callable[[str], bool]:
        return lambda line: line.split()[:2] == [kind, name]

    try:
        watch.wait_for_line(event("ADDED", "before"), "the initial list")
        kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("w1", ns, {}))
        watch.wait_for_line(event("ADDED", "w1"), "ADDED w1")
        kubectl.run("label", "cm", "w1", "-n", ns, "touched=yes")
        watch.wait_for_line(event("MODIFIED", "w1"), "MODIFIED w1")
        kubectl.run("delete", "cm", "w1", "-n", ns)
        watch.wait_for_line(event("DELETED", "w1"), "DELETED w1")
        assert watch.stdout[0].split() == ["EVENT", "NAME", "DATA", "AGE"], watch.output()
    finally:
        watch.stop()
