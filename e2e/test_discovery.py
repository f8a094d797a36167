"""Discovery as kubectl sees it: version, api-resources, short names, nodes."""

from __future__ import annotations

import support
from support import Kubectl


def test_readyz_livez_and_version(kubectl: Kubectl) -> None:
    assert kubectl.run("get", "--raw", "/readyz").stdout.strip() == "ok"
    assert kubectl.run("get", "--raw", "/livez").stdout.strip() == "ok"
    v = kubectl.run("version", "-o", "json").json()
    assert v["serverVersion"]["gitVersion"] == "v1.33.1", v
    assert (v["serverVersion"]["major"], v["serverVersion"]["minor"]) == ("1", "33"), v


def test_api_resources_lists_core_apps_and_crds_with_short_names(kubectl: Kubectl) -> None:
    out = kubectl.run("api-resources").stdout
    header, rows = support.table_rows(out)
    assert header[:2] == ["NAME", "SHORTNAMES"], out
    by_name: dict[str, list[str]] = {}
    for row in rows:
        by_name.setdefault(row[0], row)
    assert by_name["pods"][1:] == ["po", "v1", "true", "Pod"], out
    assert by_name["deployments"][1:] == ["deploy", "apps/v1", "true", "Deployment"], out
    assert by_name["customresourcedefinitions"][1:] == [
        "crd,crds",
        "apiextensions.k8s.io/v1",
        "false",
        "CustomResourceDefinition",
    ], out
    for name in ["namespaces", "nodes", "services", "configmaps", "events", "replicasets", "roles"]:
        assert name in by_name, f"{name} missing from api-resources:\n{out}"

    names = kubectl.run("api-resources", "-o", "name").stdout.split()
    for name in ["pods", "deployments.apps", "customresourcedefinitions.apiextensions.k8s.io"]:
        assert name in names, names
    apps = kubectl.run("api-resources", "--api-group=apps", "-o", "name").stdout.split()
    assert "deployments.apps" in apps and "pods" not in apps, apps


def test_api_versions(kubectl: Kubectl) -> None:
    versions = kubectl.run("api-versions").stdout.split()
    for gv in ["v1", "apps/v1", "apiextensions.k8s.io/v1", "rbac.authorization.k8s.io/v1"]:
        assert gv in versions, versions


def test_short_names_resolve(kubectl: Kubectl) -> None:
    # `po`, `deploy`, `no`, `ns` come from discovery, not from kubectl's own tables.
    kubectl.run("get", "po", "-A")
    kubectl.run("get", "deploy", "-A")
    kubectl.run("get", "crd")
    out = kubectl.run("get", "ns").stdout
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"]:
        assert ns in out, out


def test_get_nodes_are_ready(kubectl: Kubectl) -> None:
    out = kubectl.run("get", "nodes").stdout
    header, rows = support.table_rows(out)
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"], out
    assert len(rows) == 3, out
    assert all(r[1] == "Ready" for r in rows), out
    assert rows[0][0] == "sim-1-node-1" and rows[0][2] == "control-plane", out
    assert all(r[4] == "v1.33.1" for r in rows), out
    kubectl.run("wait", "--for=condition=Ready", "node", "--all", "--timeout=60s")
