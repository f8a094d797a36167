"""`kubegenie demo` serving the REST API: schemathesis against its /openapi.json.

The demo runs with its own KUBEGENIE_HOME, a fixed KUBEGENIE_ADMIN_TOKEN, --no-open and a free
port. schemathesis generates requests from the OpenAPI document and checks that no response is
a 5xx, every response matches the documented status codes, content types and schemas, and that
secured operations refuse requests without credentials (its `ignored_auth` check).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import support

TOKEN = "e2e-admin-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str | None = None) -> tuple[int, object, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    binary = support.kubegenie_bin()
    if not binary.is_file():
        if support.peers_required():
            pytest.fail(f"kubegenie binary {binary} missing", pytrace=False)
        pytest.skip(f"kubegenie binary {binary} missing")
    home = tmp_path_factory.mktemp("demo-home")
    port = free_port()
    env = dict(os.environ, KUBEGENIE_HOME=str(home), KUBEGENIE_ADMIN_TOKEN=TOKEN, RUST_LOG="warn")
    env.pop("KUBECONFIG", None)
    log = open(home / "demo.log", "w")
    proc = subprocess.Popen(
        [str(binary), "demo", "--no-open", "--addr", f"127.0.0.1:{port}", "--rate-limit", "0"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + support.START_TIMEOUT
    try:
        while True:
            assert proc.poll() is None, f"demo exited with {proc.returncode}:\n{(home / 'demo.log').read_text()}"
            try:
                if get(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "demo did not become ready"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=support.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        log.close()
    assert rc == 0, f"demo exited with {rc} after SIGTERM:\n{(home / 'demo.log').read_text()}"


def test_demo_serves_its_fleet(demo: str) -> None:
    status, _, body = get(f"{demo}/api/v1/health", TOKEN)
    assert status == 200, body
    health = json.loads(body)
    names = sorted(r["cluster"] for r in health["items"])
    assert names == ["hub", "prod-eu", "prod-us", "staging"]
    assert all(r["reachable"] for r in health["items"]), health
    status, _, body = get(f"{demo}/api/v1/resources/deploy?clusters=prod-*&allNamespaces=true", TOKEN)
    assert status == 200, body
    listed = json.loads(body)
    assert listed["kind"] == "MultiClusterList"
    assert {i["cluster"] for i in listed["items"]} == {"prod-us", "prod-eu"}
    status, headers, page = get(f"{demo}/")
    assert status == 200 and b"KubeGenie" in page
    assert "default-src 'self'" in headers.get("Content-Security-Policy", "")


def test_every_secured_operation_refuses_anonymous_requests(demo: str) -> None:
    doc = json.loads(get(f"{demo}/openapi.json")[2])
    secured = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not op.get("security"):
                continue
            url = demo + path.replace("{name}", "prod-us").replace("{kind}", "pods")
            req = urllib.request.Request(url, method=method.upper(), data=b"{}" if method == "post" else None)
            req.add_header("Content-Type", "application/json")
            try:
                urllib.request.urlopen(req, timeout=30)
                pytest.fail(f"{method.upper()} {path} answered without credentials")
            except urllib.error.HTTPError as e:
                assert e.code == 401, f"{method.upper()} {path}: {e.code}"
                assert e.headers["Content-Type"] == "application/problem+json"
                assert json.loads(e.read())["type"].endswith("/unauthorized")
            secured += 1
    assert secured >= 7


def test_schemathesis_finds_no_server_errors_schema_violations_or_auth_bypass(demo: str, tmp_path: Path) -> None:
    cli = Path(sys.executable).parent / "schemathesis"
    checks = ",".join(
        [
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_schema_conformance",
            "response_headers_conformance",
            "ignored_auth",
        ]
    )
    report = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            str(cli),
            "run",
            f"{demo}/openapi.json",
            "--checks",
            checks,
            "--header",
            f"Authorization: Bearer {TOKEN}",
            "--max-examples",
            os.environ.get("KUBEGENIE_E2E_SCHEMATHESIS_EXAMPLES", "40"),
            "--seed",
            "1",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=support.CMD_TIMEOUT * 5,
    )
    assert run.returncode == 0, f"schemathesis failed:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
