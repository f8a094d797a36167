"""kubectl's writes: create, apply (client- and server-side), diff, edit, label, annotate, patch,
scale, delete with garbage collection, wait."""

from __future__ import annotations

import json
import stat
import textwrap
from pathlib import Path

import pytest

import support
from support import Kubectl

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {ns}
data:
  mode: {mode}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
  labels:
    app: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: {image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {ns}
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"""


def manifest(tmp_path: Path, ns: str, mode: str = "one", replicas: int = 1, image: str = "nginx:1.27") -> Path:
    p = tmp_path / f"app-{mode}-{replicas}.yaml"
    p.write_text(MANIFEST.format(ns=ns, mode=mode, replicas=replicas, image=image))
    return p


def test_create_namespace(kubectl: Kubectl) -> None:
    name = support.unique("e2e-created")
    r = kubectl.run("create", "ns", name)
    assert r.stdout.strip() == f"namespace/{name} created", r.describe()
    got = kubectl.json("get", "ns", name)
    assert got["status"]["phase"] == "Active", got
    r = kubectl.run("create", "ns", name, check=False)
    assert r.returncode == 1
    assert f'Error from server (AlreadyExists): namespaces "{name}" already exists' in r.stderr, r.describe()


def test_create_configmap_and_dry_run(kubectl: Kubectl, ns: str) -> None:
    r = kubectl.run("create", "configmap", "made", "-n", ns, "--from-literal=a=1")
    assert r.stdout.strip() == "configmap/made created", r.describe()
    r = kubectl.run("create", "configmap", "dry", "-n", ns, "--from-literal=a=1", "--dry-run=server")
    assert r.stdout.strip() == "configmap/dry created (server dry run)", r.describe()
    assert not kubectl.exists("cm", "dry", "-n", ns)


def test_apply_client_side_then_server_side(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    r = kubectl.run("apply", "-f", manifest(tmp_path, ns))
    assert r.lines == ["configmap/settings created", "deployment.apps/web created", "service/web created"], r.describe()
    cm = kubectl.json("get", "cm", "settings", "-n", ns)
    last = json.loads(cm["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["data"] == {"mode": "one"}, last

    # Unchanged: nothing to do.
    r = kubectl.run("apply", "-f", manifest(tmp_path, ns))
    assert r.lines == ["configmap/settings unchanged", "deployment.apps/web unchanged", "service/web unchanged"], r.describe()

    # Changed: a three-way merge patch per object.
    r = kubectl.run("apply", "-f", manifest(tmp_path, ns, mode="two", replicas=2))
    assert r.lines == ["configmap/settings configured", "deployment.apps/web configured", "service/web unchanged"], r.describe()
    assert kubectl.json("get", "cm", "settings", "-n", ns)["data"] == {"mode": "two"}
    assert kubectl.json("get", "deploy", "web", "-n", ns)["spec"]["replicas"] == 2

    # Server-side apply takes the objects over from client-side apply without conflicts:
    # kube-apiserver's lastAppliedManager forces an apply by the manager "kubectl" when every
    # conflict is with a field of the last-applied-configuration annotation, and kubectl then
    # migrates the managed fields of kubectl-client-side-apply to "kubectl".
    r = kubectl.run("apply", "--server-side", "-f", manifest(tmp_path, ns, mode="three", replicas=3, image="nginx:1.28"))
    assert r.lines == [
        "configmap/settings serverside-applied",
        "deployment.apps/web serverside-applied",
        "service/web serverside-applied",
    ], r.describe()
    assert kubectl.json("get", "cm", "settings", "-n", ns)["data"] == {"mode": "three"}
    d = kubectl.json("get", "deploy", "web", "-n", ns, "--show-managed-fields")
    assert d["spec"]["replicas"] == 3
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    managers = {(m["manager"], m["operation"]) for m in d["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers, d["metadata"]["managedFields"]


def test_server_side_apply_conflict_and_force(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    kubectl.run("apply", "--server-side", "-f", manifest(tmp_path, ns))
    kubectl.run("apply", "--server-side", "--field-manager=other", "-f", manifest(tmp_path, ns, mode="theirs"),
                check=False)
    r = kubectl.run("apply", "--server-side", "--field-manager=other", "-f", manifest(tmp_path, ns, mode="theirs"),
                    check=False)
    assert r.returncode == 1, r.describe()
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .data.mode' in r.stderr, r.describe()
    r = kubectl.run("apply", "--server-side", "--force-conflicts", "--field-manager=other",
                    "-f", manifest(tmp_path, ns, mode="theirs"))
    assert "configmap/settings serverside-applied" in r.lines, r.describe()
    assert kubectl.json("get", "cm", "settings", "-n", ns)["data"] == {"mode": "theirs"}


def test_diff_exit_codes(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    kubectl.run("apply", "-f", manifest(tmp_path, ns))
    same = kubectl.run("diff", "-f", manifest(tmp_path, ns), check=False)
    assert same.returncode == 0 and same.stdout == "", same.describe()
    changed = kubectl.run("diff", "-f", manifest(tmp_path, ns, mode="two", replicas=4), check=False)
    assert changed.returncode == 1, changed.describe()
    assert "-  mode: one" in changed.stdout and "+  mode: two" in changed.stdout, changed.describe()
    assert "-  replicas: 1" in changed.stdout and "+  replicas: 4" in changed.stdout, changed.describe()
    # diff is a dry run: nothing changed on the server.
    assert kubectl.json("get", "cm", "settings", "-n", ns)["data"] == {"mode": "one"}


def test_diff_server_side(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    kubectl.run("apply", "--server-side", "-f", manifest(tmp_path, ns))
    same = kubectl.run("diff", "--server-side", "-f", manifest(tmp_path, ns), check=False)
    assert same.returncode == 0 and same.stdout == "", same.describe()
    ssa = kubectl.run("diff", "--server-side", "-f", manifest(tmp_path, ns, mode="two"), check=False)
    assert ssa.returncode == 1 and "+  mode: two" in ssa.stdout, ssa.describe()
    # After a client-side apply, a server-side diff (manager "kubectl") must not report
    # conflicts with kubectl-client-side-apply either (see test_apply_client_side_then_server_side).
    kubectl.run("apply", "-f", manifest(tmp_path, ns, mode="csa"))
    mixed = kubectl.run("diff", "--server-side", "-f", manifest(tmp_path, ns, mode="two"), check=False)
    assert mixed.returncode == 1 and "+  mode: two" in mixed.stdout, mixed.describe()
    assert kubectl.json("get", "cm", "settings", "-n", ns)["data"] == {"mode": "csa"}


def test_edit_with_kube_editor(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("editme", ns, {"color": "red"}))
    editor = tmp_path / "editor.sh"
    editor.write_text(textwrap.dedent("""\
        #!/bin/sh
        # kubectl runs: $KUBE_EDITOR <file>
        sed -i 's/color: red/color: blue/' "$1"
        """))
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    r = kubectl.run("edit", "cm", "editme", "-n", ns, env={"KUBE_EDITOR": str(editor)})
    assert r.stdout.strip() == "configmap/editme edited", r.describe()
    assert kubectl.json("get", "cm", "editme", "-n", ns)["data"] == {"color": "blue"}
    # No change: kubectl says so and sends nothing.
    r = kubectl.run("edit", "cm", "editme", "-n", ns, env={"KUBE_EDITOR": "true"})
    assert "Edit cancelled, no changes made." in r.stdout + r.stderr, r.describe()


def test_label_and_annotate(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/pods", support.pod("tagged", ns, {"app": "x"}))
    assert kubectl.run("label", "pod", "tagged", "-n", ns, "env=prod").stdout.strip() == "pod/tagged labeled"
    r = kubectl.run("label", "pod", "tagged", "-n", ns, "env=dev", check=False)
    assert r.returncode == 1 and "'env' already has a value (prod), and --overwrite is false" in r.stderr, r.describe()
    kubectl.run("label", "pod", "tagged", "-n", ns, "env=dev", "--overwrite")
    assert kubectl.json("get", "pod", "tagged", "-n", ns)["metadata"]["labels"] == {"app": "x", "env": "dev"}
    kubectl.run("label", "pod", "tagged", "-n", ns, "env-")
    assert kubectl.json("get", "pod", "tagged", "-n", ns)["metadata"]["labels"] == {"app": "x"}

    r = kubectl.run("annotate", "pod", "tagged", "-n", ns, "owner=sre team")
    assert r.stdout.strip() == "pod/tagged annotated", r.describe()
    assert kubectl.json("get", "pod", "tagged", "-n", ns)["metadata"]["annotations"]["owner"] == "sre team"
    kubectl.run("annotate", "pod", "tagged", "-n", ns, "owner-")
    assert "owner" not in kubectl.json("get", "pod", "tagged", "-n", ns)["metadata"].get("annotations", {})
    # Label by selector over several objects.
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/pods", support.pod("tagged-2", ns, {"app": "x"}))
    r = kubectl.run("label", "pods", "-n", ns, "-l", "app=x", "batch=1")
    assert sorted(r.lines) == ["pod/tagged labeled", "pod/tagged-2 labeled"], r.describe()


def test_patch_json_merge_strategic(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("patched", ns, {"a": "1"}))
    r = kubectl.run("patch", "cm", "patched", "-n", ns, "--type=json",
                    "-p", '[{"op":"add","path":"/data/b","value":"2"},{"op":"replace","path":"/data/a","value":"10"}]')
    assert r.stdout.strip() == "configmap/patched patched", r.describe()
    r = kubectl.run("patch", "cm", "patched", "-n", ns, "--type=merge", "-p", '{"data":{"c":"3","b":null}}')
    assert r.stdout.strip() == "configmap/patched patched", r.describe()
    assert kubectl.json("get", "cm", "patched", "-n", ns)["data"] == {"a": "10", "c": "3"}
    r = kubectl.run("patch", "cm", "patched", "-n", ns, "--type=merge", "-p", '{"data":{"c":"3"}}')
    assert r.stdout.strip() == "configmap/patched patched (no change)", r.describe()

    # Strategic merge: containers merge by name, so the sidecar survives an image change of app.
    d = support.deployment("two", ns, containers=[
        {"name": "app", "image": "nginx:1.27"},
        {"name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "infinity"]},
    ])
    kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/deployments", d)
    r = kubectl.run("patch", "deploy", "two", "-n", ns, "--type=strategic",
                    "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}')
    assert r.stdout.strip() == "deployment.apps/two patched", r.describe()
    containers = kubectl.json("get", "deploy", "two", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("app", "nginx:1.28"), ("sidecar", "busybox:1.36")], containers
    # $patch: delete removes one list element by its merge key.
    kubectl.run("patch", "deploy", "two", "-n", ns,
                "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}')
    containers = kubectl.json("get", "deploy", "two", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["app"], containers


def test_patch_json_failed_test_operation(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("tested", ns, {"a": "1"}))
    r = kubectl.run("patch", "cm", "tested", "-n", ns, "--type=json",
                    "-p", '[{"op":"test","path":"/data/a","value":"nope"}]', check=False)
    assert r.returncode == 1, r.describe()
    # kube-apiserver applies JSON patches with evanphx/json-patch and returns its error text.
    assert "testing value /data/a failed: test failed" in r.stderr, r.describe()
    assert kubectl.json("get", "cm", "tested", "-n", ns)["data"] == {"a": "1"}


def test_scale_deployment(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/deployments", support.deployment("scaled", ns))
    r = kubectl.run("scale", "deploy", "scaled", "-n", ns, "--replicas=3")
    assert r.stdout.strip() == "deployment.apps/scaled scaled", r.describe()
    assert kubectl.json("get", "deploy", "scaled", "-n", ns)["spec"]["replicas"] == 3
    scale = kubectl.run("get", "--raw", f"/apis/apps/v1/namespaces/{ns}/deployments/scaled/scale").json()
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 3, scale
    r = kubectl.run("scale", "deploy", "scaled", "-n", ns, "--replicas=1", "--current-replicas=2", check=False)
    assert r.returncode == 1 and "Expected replicas to be 2, was 3" in r.stderr, r.describe()


def test_delete_deployment_cascades_to_owned_replicaset(kubectl: Kubectl, ns: str) -> None:
    d = kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/deployments", support.deployment("owner", ns))
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": "owner-5d8f9c7b6",
            "namespace": ns,
            "labels": {"app": "owner", "pod-template-hash": "5d8f9c7b6"},
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "Deployment", "name": "owner", "uid": d["metadata"]["uid"],
                "controller": True, "blockOwnerDeletion": True,
            }],
        },
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "owner", "pod-template-hash": "5d8f9c7b6"}},
            "template": {
                "metadata": {"labels": {"app": "owner", "pod-template-hash": "5d8f9c7b6"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
        },
    }
    kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/replicasets", rs)
    # An unrelated ReplicaSet stays.
    other = json.loads(json.dumps(rs))
    other["metadata"]["name"] = "unowned"
    del other["metadata"]["ownerReferences"]
    kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/replicasets", other)

    r = kubectl.run("delete", "deploy", "owner", "-n", ns)
    assert r.stdout.strip() == 'deployment.apps "owner" deleted', r.describe()
    r = kubectl.run("wait", "--for=delete", "rs/owner-5d8f9c7b6", "-n", ns, f"--timeout={int(support.POLL_TIMEOUT)}s",
                    check=False)
    assert r.returncode == 0, f"the owned ReplicaSet was not garbage-collected:\n{r.describe()}"
    assert kubectl.exists("rs", "unowned", "-n", ns)


def test_delete_orphan_keeps_dependents(kubectl: Kubectl, ns: str) -> None:
    d = kubectl.create_raw(f"/apis/apps/v1/namespaces/{ns}/deployments", support.deployment("parent", ns))
    cm = support.configmap("child", ns, {})
    cm["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "parent",
                                          "uid": d["metadata"]["uid"]}]
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", cm)
    kubectl.run("delete", "deploy", "parent", "-n", ns, "--cascade=orphan")
    child = support.wait_until(
        lambda: (c := kubectl.json("get", "cm", "child", "-n", ns)) and not c["metadata"].get("ownerReferences") and c,
        "the orphaned configmap to lose its ownerReference",
    )
    assert child["metadata"]["name"] == "child"


def test_wait_for_delete(kubectl: Kubectl, ns: str) -> None:
    kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps", support.configmap("doomed", ns, {}))
    # -v=6 logs each request: once the watch request is logged, kubectl has seen the object.
    waiter = kubectl.background("wait", "--for=delete", "cm/doomed", "-n", ns, f"--timeout={int(support.POLL_TIMEOUT)}s",
                                "-v=6")
    try:
        waiter.wait_for_line(lambda line: "watch=true" in line, "kubectl wait's watch request", stderr=True)
        kubectl.run("delete", "cm", "doomed", "-n", ns, "--wait=false")
        rc = waiter.wait()
        assert rc == 0, waiter.output()
        assert "configmap/doomed condition met" in waiter.stdout, waiter.output()
    finally:
        waiter.stop()
    r = kubectl.run("wait", "--for=delete", "cm/never-existed", "-n", ns, "--timeout=5s", check=False)
    assert r.returncode == 0, r.describe()


def test_delete_by_label_and_not_found(kubectl: Kubectl, ns: str) -> None:
    for i in range(3):
        kubectl.create_raw(f"/api/v1/namespaces/{ns}/configmaps",
                           {**support.configmap(f"bulk-{i}", ns, {}), "metadata": {"name": f"bulk-{i}", "labels": {"bulk": "yes"}}})
    r = kubectl.run("delete", "cm", "-n", ns, "-l", "bulk=yes")
    assert sorted(r.lines) == [f'configmap "bulk-{i}" deleted' for i in range(3)], r.describe()
    r = kubectl.run("delete", "cm", "bulk-0", "-n", ns, check=False)
    assert r.returncode == 1
    assert 'Error from server (NotFound): configmaps "bulk-0" not found' in r.stderr, r.describe()
    r = kubectl.run("delete", "cm", "bulk-0", "-n", ns, "--ignore-not-found")
    assert r.returncode == 0 and r.stdout.strip() == ""


def test_delete_namespace_empties_it(kubectl: Kubectl) -> None:
    name = support.unique("e2e-doomed-ns")
    kubectl.create_raw("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    kubectl.create_raw(f"/api/v1/namespaces/{name}/configmaps", support.configmap("inside", name, {}))
    r = kubectl.run("delete", "ns", name, f"--timeout={int(support.POLL_TIMEOUT)}s")
    assert r.stdout.strip() == f'namespace "{name}" deleted', r.describe()
    assert not kubectl.exists("ns", name)
