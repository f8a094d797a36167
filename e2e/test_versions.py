"""A smoke subset per kubectl minor version: the simulator reports --kubernetes-version and the
kubectl dispatcher runs the matching client (kubectl.1.27 … kubectl.1.33)."""

from __future__ import annotations

from pathlib import Path

import pytest

import support
from support import Sim

VERSIONS = ["v1.27.16", "v1.30.14", "v1.33.1"]


@pytest.fixture(scope="module", params=VERSIONS)
def versioned(request, peers, tmp_path_factory) -> tuple[str, Sim]:
    version = request.param
    s = Sim(tmp_path_factory.mktemp(f"sim-{version}"), kubernetes_version=version).start()
    try:
        s.wait_ready()
    except BaseException:
        s.kill()
        raise
    yield version, s
    assert s.stop() == 0, s.logs()


def minor(version: str) -> str:
    return version.lstrip("v").split(".")[1]


def test_dispatcher_picks_matching_kubectl(versioned) -> None:
    version, s = versioned
    v = s.kubectl.run("version", "-o", "json").json()
    assert v["serverVersion"]["gitVersion"] == version, v
    client_minor = v["clientVersion"]["minor"].rstrip("+")
    if client_minor != minor(version):
        msg = f"no kubectl 1.{minor(version)} client: the dispatcher ran {v['clientVersion']['gitVersion']}"
        if support.peers_required():
            pytest.fail(msg)
        pytest.skip(msg)


def test_smoke_get(versioned) -> None:
    _, s = versioned
    out = s.kubectl.run("get", "nodes").stdout
    header, rows = support.table_rows(out)
    assert header[:2] == ["NAME", "STATUS"] and len(rows) == 3, out
    s.kubectl.run("get", "pods", "-A")
    assert "deployments" in s.kubectl.run("api-resources").stdout


def test_smoke_create_ns_and_apply(versioned, tmp_path: Path) -> None:
    _, s = versioned
    name = support.unique("smoke")
    assert s.kubectl.run("create", "ns", name).stdout.strip() == f"namespace/{name} created"
    m = tmp_path / "cm.yaml"
    m.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: smoke\n  namespace: {name}\ndata:\n  a: '1'\n")
    assert s.kubectl.run("apply", "-f", m).stdout.strip() == "configmap/smoke created"
    m.write_text(m.read_text().replace("a: '1'", "a: '2'"))
    assert s.kubectl.run("apply", "-f", m).stdout.strip() == "configmap/smoke configured"
    assert s.kubectl.json("get", "cm", "smoke", "-n", name)["data"] == {"a": "2"}


def test_smoke_auth_can_i(versioned) -> None:
    _, s = versioned
    assert s.kubectl.run("auth", "can-i", "create", "pods").stdout.strip() == "yes"
