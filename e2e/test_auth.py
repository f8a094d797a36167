"""`kubectl auth`: the admin may do anything; a read-only user may only read."""

from __future__ import annotations

import pytest

import support
from support import Kubectl, Sim


def test_can_i_as_admin(kubectl: Kubectl) -> None:
    for args in (["create", "pods"], ["delete", "deployments.apps", "-n", "kube-system"], ["*", "*"],
                 ["get", "/healthz"], ["create", "namespaces"]):
        r = kubectl.run("auth", "can-i", *args)
        assert r.stdout.strip() == "yes", r.describe()


def test_whoami_as_admin(kubectl: Kubectl) -> None:
    who = kubectl.run("auth", "whoami", "-o", "json").json()
    assert who["kind"] == "SelfSubjectReview", who
    assert who["status"]["userInfo"]["username"] == "kubernetes-admin", who
    assert "system:masters" in who["status"]["userInfo"]["groups"], who


def test_can_i_list(kubectl: Kubectl, ns: str) -> None:
    out = kubectl.run("auth", "can-i", "--list", "-n", ns).stdout
    header, rows = support.table_rows(out)
    assert header[:2] == ["Resources", "Non-Resource URLs"], out
    assert any(r[0] == "*.*" and r[-1] == "[*]" for r in rows), out


def test_can_i_as_read_only_user(sim: Sim, kubectl: Kubectl) -> None:
    """`kubegenie sim` writes a read-only context `sim-N-viewer` (a user bound to `view`)."""
    contexts = kubectl.run("config", "get-contexts", "-o", "name").stdout.split()
    if "sim-1-viewer" not in contexts:
        pytest.xfail(f"`kubegenie sim` wrote no read-only context sim-1-viewer (contexts: {contexts})")
    if sim.http:
        pytest.skip("plain HTTP (KUBEGENIE_E2E_HTTP=1): client-go sends no bearer token, so every request is the admin")
    ro = kubectl.with_context("sim-1-viewer")
    who = ro.run("auth", "whoami", "-o", "json").json()
    assert who["status"]["userInfo"]["username"] == "viewer", who
    assert ro.run("auth", "can-i", "get", "pods").stdout.strip() == "yes"
    assert ro.run("auth", "can-i", "list", "deployments.apps", "-A").stdout.strip() == "yes"
    assert ro.run("auth", "can-i", "watch", "configmaps", "-n", "kube-system").stdout.strip() == "yes"
    for verb, resource in [("create", "pods"), ("delete", "deployments.apps"), ("patch", "nodes"), ("get", "secrets")]:
        r = ro.run("auth", "can-i", verb, resource, check=False)
        assert r.returncode == 1 and r.stdout.strip() == "no", r.describe()
    ro.run("get", "pods", "-A")
    r = ro.run("create", "configmap", "nope", "--from-literal=a=b", check=False)
    assert r.returncode == 1, r.describe()
    # kubectl create configmap prints "error: failed to create configmap: <the Status message>".
    assert (
        'configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" '
        'in the namespace "default"'
    ) in r.stderr, r.describe()
    r = ro.run("delete", "node", "sim-1-node-3", check=False)
    assert r.returncode == 1, r.describe()
    assert (
        'Error from server (Forbidden): nodes "sim-1-node-3" is forbidden: User "viewer" cannot delete '
        'resource "nodes" in API group "" at the cluster scope'
    ) in r.stderr, r.describe()
