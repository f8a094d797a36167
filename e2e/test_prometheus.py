"""A real Prometheus (Debian's package) against the simulator: a live scrape of `/metrics`, and a
week of exported history backfilled with promtool whose daily peak PromQL finds at the
scripted hour."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

import support
from conftest import missing_peer
from support import Kubectl, Sim

SCENARIO = Path(__file__).resolve().parent / "data" / "daily-peak.yaml"
BEHAVIOUR = "sim.kubegenie.io/behaviour"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prometheus_bin() -> tuple[str, str]:
    prom, tool = shutil.which("prometheus"), shutil.which("promtool")
    if not prom or not tool:
        missing_peer("Debian's `prometheus` package (prometheus and promtool)")
    return prom, tool


class Prometheus:
    """`prometheus` as a child process on a free port."""

    def __init__(self, binary: str, workdir: Path, config: dict, storage: Path):
        self.port = free_port()
        self.workdir = workdir
        cfg = workdir / "prometheus.yml"
        cfg.write_text(json.dumps(config))  # JSON is YAML
        self.log = open(workdir / "prometheus.log", "w")
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={cfg}",
                f"--storage.tsdb.path={storage}",
                "--storage.tsdb.retention.time=30d",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        support.wait_until(self.ready, "Prometheus to be ready", timeout=60 * support.SCALE)

    def ready(self) -> bool:
        assert self.proc.poll() is None, f"prometheus exited:\n{self.logs()}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, path: str, **params: str) -> list:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as r:
            body = json.load(r)
        assert body["status"] == "success", body
        return body["data"]["result"]

    def logs(self) -> str:
        self.log.flush()
        return (self.workdir / "prometheus.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def cluster_access(kubectl: Kubectl, workdir: Path) -> tuple[str, Path, str]:
    """Server URL, CA file and bearer token of the session cluster, from its kubeconfig."""
    cfg = kubectl.run("config", "view", "--raw", "--minify", "--context", "sim-1", "-o", "json").json()
    cluster = cfg["clusters"][0]["cluster"]
    user = cfg["users"][0]["user"]
    ca = workdir / "ca.crt"
    ca.write_bytes(base64.b64decode(cluster.get("certificate-authority-data", "")))
    return cluster["server"], ca, user.get("token", "")


def test_prometheus_scrapes_a_simulated_cluster(sim: Sim, kubectl: Kubectl, ns: str, prometheus_bin, tmp_path) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "steady", "namespace": ns, "annotations": {BEHAVIOUR: "cpu: {base: 250m, noise: 0}"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }
    kubectl.run("apply", "-f", "-", input=json.dumps(pod))
    support.wait_until(lambda: kubectl.json("get", "pod", "steady", "-n", ns)["status"]["phase"] == "Running", "steady Running")
    server, ca, token = cluster_access(kubectl, tmp_path)
    url = urllib.parse.urlparse(server)
    job = {"job_name": "kubegenie-sim", "metrics_path": "/metrics", "scheme": url.scheme,
           "static_configs": [{"targets": [url.netloc]}]}
    if url.scheme == "https":
        job["tls_config"] = {"ca_file": str(ca)}
        job["authorization"] = {"credentials": token}
    prom = Prometheus(prometheus_bin[0], tmp_path, {"global": {"scrape_interval": "1s"}, "scrape_configs": [job]},
                      tmp_path / "data")
    try:
        up = support.wait_until(lambda: prom.api("query", query='up{job="kubegenie-sim"} == 1'), "up == 1")
        assert up[0]["metric"]["job"] == "kubegenie-sim"
        q = f'rate(container_cpu_usage_seconds_total{{namespace="{ns}",pod="steady"}}[5s])'

        def steady_rate() -> float | None:
            # The first windows can straddle the container's start; the steady rate is 250m.
            result = prom.api("query", query=q)
            cores = float(result[0]["value"][1]) if result else None
            assert cores is None or cores < 0.3, f"scripted 250m, Prometheus computes {cores} cores"
            return cores if cores is not None and cores > 0.2 else None

        support.wait_until(steady_rate, "a CPU rate of about 0.25 cores for the pod", timeout=90)
    finally:
        prom.stop()


def test_backfilled_week_shows_the_scripted_daily_peak(peers, prometheus_bin, tmp_path) -> None:
    history = tmp_path / "history.om"
    out = subprocess.run(
        [str(support.kubegenie_bin()), "sim", "export-history", "--scenario", str(SCENARIO),
         "--days", "7", "--step", "30s", "--out", str(history)],
        capture_output=True, text=True, timeout=300 * support.SCALE,
    )
    assert out.returncode == 0, out.stderr
    assert "series" in out.stdout, out.stdout
    blocks = tmp_path / "blocks"
    made = subprocess.run(
        [prometheus_bin[1], "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h",
         str(history), str(blocks)],
        capture_output=True, text=True, timeout=600 * support.SCALE,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    listed = subprocess.run([prometheus_bin[1], "tsdb", "list", str(blocks)], capture_output=True, text=True)
    assert len(listed.stdout.strip().splitlines()) >= 8, listed.stdout  # header + a block per day or more

    prom = Prometheus(prometheus_bin[0], tmp_path, {"global": {"scrape_interval": "1m"}, "scrape_configs": []}, blocks)
    try:
        end = int(time.time())
        q = 'sum(rate(container_cpu_usage_seconds_total{namespace="shop"}[5m]))'
        series = prom.api("query_range", query=q, start=str(end - 7 * 86400), end=str(end), step="300")
        assert series, "no backfilled samples"
        # Average each hour of the day over the week, hours centred on the full hour (14 covers
        # 13:30-14:29): the scripted sinusoid peaks at 14:00, the noise averages out.
        profile: dict[int, list[float]] = {}
        days: dict[str, tuple[float, datetime]] = {}
        for ts, value in series[0]["values"]:
            t = datetime.fromtimestamp(float(ts), tz=timezone.utc)
            profile.setdefault(round((t.hour * 60 + t.minute) / 60) % 24, []).append(float(value))
            best = days.get(t.date().isoformat())
            if best is None or float(value) > best[0]:
                days[t.date().isoformat()] = (float(value), t)
        means = {h: sum(v) / len(v) for h, v in profile.items()}
        peak_hour = max(means, key=means.get)
        assert peak_hour == 14, f"weekly profile peaks at {peak_hour}:00 UTC, scripted 14:00: {means}"
        trough = min(means.values())
        assert means[14] > 1.5 * trough, f"no daily swing (dailyAmplitude 0.8): {means}"
        full = sorted(days)[1:-1]  # the first and last days are partial
        assert len(full) >= 5, days
        for day in full:
            peak = days[day][1]
            assert abs(peak.hour * 60 + peak.minute - 14 * 60) <= 120, f"{day}: peak at {peak:%H:%M} UTC"
    finally:
        prom.stop()
