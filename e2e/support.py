"""Helpers of the end-to-end suite: running `kubegenie sim`, the installed `kubectl`, polling.

Everything here drives real programs as a user would: the simulator binary as a child process,
and the machine's `kubectl` through subprocess with KUBECONFIG set. Nothing of kubectl's code is
copied or imported.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent

# Scale every timeout of the suite, for very slow machines (e.g. KUBEGENIE_E2E_TIMEOUT_SCALE=2).
SCALE = float(os.environ.get("KUBEGENIE_E2E_TIMEOUT_SCALE", "1") or "1")
# How long to poll for something that should happen "soon" (a watch event, a GC deletion).
POLL_TIMEOUT = 60.0 * SCALE
# Upper bound of one kubectl invocation; a hung kubectl fails its test instead of the run.
CMD_TIMEOUT = 120.0 * SCALE
# How long the simulator may take to answer /readyz after it was started.
START_TIMEOUT = 120.0 * SCALE
# How long the simulator may take to exit after SIGTERM/SIGINT.
STOP_TIMEOUT = 15.0 * SCALE


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def peers_required() -> bool:
    """With KUBEGENIE_E2E=1 (the default under CI=true) a missing peer fails, never skips."""
    if "KUBEGENIE_E2E" in os.environ:
        return truthy(os.environ["KUBEGENIE_E2E"])
    return truthy(os.environ.get("CI"))


def use_http() -> bool:
    """KUBEGENIE_E2E_HTTP=1 runs the simulator with --http (for debugging); HTTPS otherwise."""
    return truthy(os.environ.get("KUBEGENIE_E2E_HTTP"))


def kubegenie_bin() -> Path:
    p = Path(os.environ.get("KUBEGENIE_BIN") or "target/debug/kubegenie")
    return p if p.is_absolute() else REPO_ROOT / p


def kubectl_bin() -> str:
    return os.environ.get("KUBECTL") or "kubectl"


def unique(prefix: str) -> str:
    """A DNS-1123 name with a random suffix, at most 63 characters."""
    base = re.sub(r"[^a-z0-9-]+", "-", prefix.lower()).strip("-")[:50].strip("-")
    return f"{base}-{uuid.uuid4().hex[:6]}"


def wait_until(
    predicate: Callable[[], Any],
    what: str,
    timeout: float = POLL_TIMEOUT,
    interval: float = 0.1,
) -> Any:
    """Polls `predicate` until it returns something truthy (which is returned).

    Exceptions raised by the predicate count as "not yet"; the last one is reported on timeout.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            result = predicate()
            if result:
                return result
            last = result
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}")
        time.sleep(interval)
        interval = min(interval * 1.5, 1.0)


@dataclass
class Result:
    """What one command did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.args)}\nexit code {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as e:
            raise AssertionError(f"output is not JSON ({e}):\n{self.describe()}") from None

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]


class CommandFailed(AssertionError):
    def __init__(self, result: Result):
        super().__init__(result.describe())
        self.result = result


class LineReader:
    """A background process whose output lines are collected by threads, for `-w` and `wait`."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.args = args
        self.proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._new = queue.Queue()
        self._lock = threading.RLock()
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for t in self._threads:
            t.start()

    def _pump(self, stream, sink: list[str]) -> None:
        for line in iter(stream.readline, ""):
            with self._lock:
                sink.append(line.rstrip("\n"))
            self._new.put(None)
        stream.close()

    def output(self) -> str:
        with self._lock:
            return "\n".join(self.stdout) + "\n--- stderr ---\n" + "\n".join(self.stderr)

    def wait_for_line(
        self, predicate: Callable[[str], bool], what: str, timeout: float = POLL_TIMEOUT, stderr: bool = False
    ) -> str:
        """Waits for a line of stdout (or stderr) that satisfies `predicate`."""
        source = self.stderr if stderr else self.stdout
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            with self._lock:
                lines = list(source)
            for line in lines[seen:]:
                if predicate(line):
                    return line
            seen = len(lines)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout:.0f}s waiting for {what} in the output of "
                    f"`{' '.join(self.args)}` (exit code {self.proc.poll()}):\n{self.output()}"
                )
            if self.proc.poll() is not None and self._new.empty():
                # The process is gone: give the pumps a moment to drain, then decide.
                for t in self._threads:
                    t.join(timeout=2)
                with self._lock:
                    if len(source) == seen:
                        raise AssertionError(
                            f"`{' '.join(self.args)}` exited with {self.proc.returncode} before "
                            f"{what}:\n{self.output()}"
                        )
                continue
            try:
                self._new.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                pass

    def wait(self, timeout: float = CMD_TIMEOUT) -> int:
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"`{' '.join(self.args)}` still running after {timeout:.0f}s:\n{self.output()}"
            ) from None
        for t in self._threads:
            t.join(timeout=5)
        return rc

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for t in self._threads:
            t.join(timeout=5)


class Kubectl:
    """The installed kubectl, run with KUBECONFIG pointing at a simulator's kubeconfig."""

    def __init__(self, kubeconfig: Path, home: Path, context: str | None = None):
        self.kubeconfig = kubeconfig
        self.home = home
        self.context = context
        home.mkdir(parents=True, exist_ok=True)

    def with_context(self, context: str) -> "Kubectl":
        return Kubectl(self.kubeconfig, self.home, context)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["KUBECONFIG"] = str(self.kubeconfig)
        # A HOME of our own: kubectl's discovery cache and config never mix with the user's.
        env["HOME"] = str(self.home)
        env.pop("KUBECTL_EXTERNAL_DIFF", None)
        env.pop("KUBE_EDITOR", None)
        env.pop("EDITOR", None)
        if extra:
            env.update(extra)
        return env

    def argv(self, args: Iterable[str]) -> list[str]:
        argv = [kubectl_bin()]
        if self.context:
            argv += ["--context", self.context]
        return argv + [str(a) for a in args]

    def run(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        timeout: float = CMD_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> Result:
        argv = self.argv(args)
        try:
            p = subprocess.run(
                argv,
                input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env=self.env(env),
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as e:
            raise AssertionError(
                f"$ {' '.join(argv)}\ntimed out after {timeout:.0f}s\n"
                f"--- stdout ---\n{e.stdout}\n--- stderr ---\n{e.stderr}"
            ) from None
        r = Result(argv, p.returncode, p.stdout, p.stderr)
        if check and r.returncode != 0:
            raise CommandFailed(r)
        return r

    def json(self, *args: str) -> Any:
        return self.run(*args, "-o", "json").json()

    def background(self, *args: str, env: dict[str, str] | None = None) -> LineReader:
        return LineReader(self.argv(args), self.env(env))

    def create_raw(self, path: str, obj: dict) -> dict:
        """POSTs `obj` to `path` with `kubectl create --raw`: the plainest JSON write there is,
        used to set up fixtures without depending on kubectl's typed clients or validation."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(obj, f)
            name = f.name
        try:
            out = self.run("create", "--raw", path, "-f", name)
        finally:
            os.unlink(name)
        return out.json()

    def exists(self, *args: str) -> bool:
        r = self.run("get", *args, "-o", "name", check=False)
        if r.returncode == 0:
            return bool(r.stdout.strip())
        if "NotFound" in r.stderr or "not found" in r.stderr:
            return False
        raise CommandFailed(r)


class Sim:
    """`kubegenie sim` as a child process with its own KUBEGENIE_HOME and kubeconfig."""

    def __init__(
        self,
        workdir: Path,
        clusters: int = 1,
        http: bool | None = None,
        kubernetes_version: str | None = None,
        extra_args: Iterable[str] = (),
        kubeconfig: Path | None = None,
    ):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.clusters = clusters
        self.http = use_http() if http is None else http
        self.kubeconfig = kubeconfig or workdir / "kubeconfig"
        self.home = workdir / "kubegenie-home"
        self.stdout_path = workdir / "sim.stdout"
        self.stderr_path = workdir / "sim.stderr"
        self.args = [str(kubegenie_bin()), "sim", "--clusters", str(clusters), "--kubeconfig", str(self.kubeconfig)]
        if self.http:
            self.args.append("--http")
        if kubernetes_version:
            self.args += ["--kubernetes-version", kubernetes_version]
        self.args += list(extra_args)
        self.proc: subprocess.Popen | None = None
        self.kubectl = Kubectl(self.kubeconfig, workdir / "home")

    def logs(self) -> str:
        def read(p: Path) -> str:
            try:
                return p.read_text(errors="replace")[-6000:]
            except OSError:
                return ""

        return f"--- sim stdout ---\n{read(self.stdout_path)}\n--- sim stderr ---\n{read(self.stderr_path)}"

    def start(self) -> "Sim":
        env = dict(os.environ)
        env["KUBEGENIE_HOME"] = str(self.home)
        env.pop("KUBECONFIG_OUT", None)
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(
                self.args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self.workdir
            )
        return self

    def contexts(self) -> list[str]:
        return [f"sim-{i}" for i in range(1, self.clusters + 1)]

    def wait_ready(self, timeout: float = START_TIMEOUT) -> "Sim":
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        pending = self.contexts()
        last = ""
        while pending:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"`{' '.join(self.args)}` exited with {self.proc.returncode} before it was ready\n"
                    f"{self.logs()}"
                )
            if self.kubeconfig.exists():
                ctx = pending[0]
                r = self.kubectl.with_context(ctx).run("get", "--raw", "/readyz", check=False, timeout=30)
                if r.returncode == 0 and r.stdout.strip() == "ok":
                    pending.pop(0)
                    continue
                last = r.describe()
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"the simulator did not answer `kubectl get --raw /readyz` within {timeout:.0f}s\n"
                    f"last attempt:\n{last}\n{self.logs()}"
                )
            time.sleep(0.2)
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Sends `sig` and returns the exit code; kills it (and fails) if it does not exit."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(
                f"the simulator did not exit within {timeout:.0f}s of {signal.Signals(sig).name}\n{self.logs()}"
            ) from None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


# ----- manifests -------------------------------------------------------------------------------


def pod(name: str, namespace: str, labels: dict[str, str] | None = None, image: str = "nginx:1.27") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"containers": [{"name": "app", "image": image}]},
    }


def deployment(name: str, namespace: str, replicas: int = 1, containers: list[dict] | None = None) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": containers or [{"name": "app", "image": "nginx:1.27"}]},
            },
        },
    }


def configmap(name: str, namespace: str, data: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": data}


def event_for(obj: dict, reason: str, message: str, namespace: str | None = None) -> dict:
    """A core/v1 Event about `obj`, as a controller or kubelet would record it."""
    meta = obj["metadata"]
    ns = namespace or meta.get("namespace") or "default"
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    ref = {
        "apiVersion": obj.get("apiVersion", "v1"),
        "kind": obj["kind"],
        "name": meta["name"],
        "uid": meta.get("uid", ""),
    }
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{meta['name']}.{uuid.uuid4().hex[:16]}", "namespace": ns},
        "involvedObject": ref,
        "reason": reason,
        "message": message,
        "type": "Normal",
        "source": {"component": "kubegenie-e2e"},
        "reportingComponent": "kubegenie-e2e",
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
    }


def table_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Splits kubectl's human-readable table into header columns and rows (by 2+ spaces)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return [], []
    split = lambda line: re.split(r"\s{2,}", line.strip())  # noqa: E731
    return split(lines[0]), [split(line) for line in lines[1:]]


def section(text: str, title: str) -> str:
    """The lines of a `kubectl describe` section, e.g. everything after `Events:`."""
    idx = text.find(f"\n{title}:")
    if idx < 0:
        raise AssertionError(f"no `{title}:` section in:\n{text}")
    return text[idx + 1 :]
