"""`kubegenie sim` as a process: several clusters, kubeconfig merging, TLS, clean shutdown."""

from __future__ import annotations

import json
import signal

import pytest
import yaml

import support
from support import Sim


def test_two_clusters_merge_into_existing_kubeconfig_and_stop_on_sigint(peers, tmp_path) -> None:
    kubeconfig = tmp_path / "config"
    # A kubeconfig the user already has: its context must survive.
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "keep-me", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "keep-me", "user": {"token": "keep"}}],
        "contexts": [{"name": "keep-me", "context": {"cluster": "keep-me", "user": "keep-me"}}],
        "current-context": "keep-me",
    }))
    s = Sim(tmp_path / "sim", clusters=2, kubeconfig=kubeconfig).start()
    try:
        s.wait_ready()
        contexts = s.kubectl.run("config", "get-contexts", "-o", "name").stdout.split()
        assert {"keep-me", "sim-1", "sim-2"} <= set(contexts), contexts
        for ctx in ["sim-1", "sim-2"]:
            nodes = s.kubectl.with_context(ctx).run("get", "nodes", "-o", "name").stdout.split()
            assert nodes == [f"node/{ctx}-node-{i}" for i in (1, 2, 3)], (ctx, nodes)
        # Clusters are independent.
        s.kubectl.with_context("sim-1").create_raw(
            "/api/v1/namespaces/default/configmaps", support.configmap("only-on-1", "default", {})
        )
        assert not s.kubectl.with_context("sim-2").exists("cm", "only-on-1", "-n", "default")
    finally:
        rc = s.stop(signal.SIGINT)
    assert rc == 0, f"exit code {rc} after SIGINT\n{s.logs()}"


def test_kubeconfig_is_https_with_ca(sim: Sim) -> None:
    if sim.http:
        pytest.skip("running with KUBEGENIE_E2E_HTTP=1")
    cfg = yaml.safe_load(sim.kubeconfig.read_text())
    cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == "sim-1")
    assert cluster["server"].startswith("https://127.0.0.1:"), cluster
    assert cluster.get("certificate-authority-data"), f"no CA in the kubeconfig: {json.dumps(cluster)}"
    assert not cluster.get("insecure-skip-tls-verify"), cluster


def test_sigterm_exits_cleanly(peers, tmp_path) -> None:
    s = Sim(tmp_path / "sim").start()
    try:
        s.wait_ready()
    finally:
        rc = s.stop(signal.SIGTERM)
    assert rc == 0, f"exit code {rc} after SIGTERM\n{s.logs()}"
