"""Fixtures of the end-to-end suite.

Environment:
  KUBEGENIE_BIN        the kubegenie binary (default: target/debug/kubegenie under the repo root)
  KUBECTL              the kubectl to run (default: `kubectl` on PATH, the version dispatcher)
  KUBEGENIE_E2E=1      a missing peer (kubectl, the binary, a kubectl version) fails instead of
                       skipping; the default when CI=true
  KUBEGENIE_E2E_HTTP=1 run the simulator with --http (debugging); HTTPS otherwise
  KUBEGENIE_E2E_TIMEOUT_SCALE  multiply every timeout (slow machines)
"""

from __future__ import annotations

import shutil
import signal
import subprocess

import pytest

import support
from support import Kubectl, Sim


def missing_peer(what: str) -> None:
    """Fails under KUBEGENIE_E2E=1 (CI), skips otherwise."""
    if support.peers_required():
        pytest.fail(f"required peer missing: {what}", pytrace=False)
    pytest.skip(f"peer missing: {what} (set KUBEGENIE_E2E=1 to make this a failure)")


@pytest.fixture(scope="session")
def peers() -> None:
    kubectl = support.kubectl_bin()
    if shutil.which(kubectl) is None:
        missing_peer(f"`{kubectl}` is not on PATH")
    try:
        subprocess.run([kubectl, "version", "--client"], capture_output=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as e:
        missing_peer(f"`{kubectl} version --client` does not run: {e}")
    binary = support.kubegenie_bin()
    if not binary.is_file():
        missing_peer(f"kubegenie binary {binary} (build it with `cargo build -p kubegenie` or set KUBEGENIE_BIN)")


@pytest.fixture(scope="session")
def sim(peers, tmp_path_factory) -> Sim:
    """One simulated cluster (context sim-1) for the whole session, stopped with SIGTERM."""
    s = Sim(tmp_path_factory.mktemp("sim"), clusters=1).start()
    try:
        s.wait_ready()
    except BaseException:
        s.kill()
        raise
    yield s
    rc = s.stop(signal.SIGTERM)
    assert rc == 0, f"`kubegenie sim` exited with {rc} after SIGTERM (want 0)\n{s.logs()}"


@pytest.fixture(scope="session")
def kubectl(sim: Sim) -> Kubectl:
    return sim.kubectl


@pytest.fixture
def ns(kubectl: Kubectl, request) -> str:
    """A fresh namespace for one test, created with a raw JSON POST (no protobuf, no validation)."""
    name = support.unique(f"e2e-{request.node.name}")
    kubectl.create_raw("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name
