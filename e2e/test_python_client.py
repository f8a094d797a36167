"""The official Kubernetes Python client against the simulator: list and watch."""

from __future__ import annotations

import queue
import threading

import pytest
from kubernetes import client, config, watch

import support
from support import Kubectl, Sim


@pytest.fixture(scope="module")
def api(sim: Sim) -> client.ApiClient:
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(sim.kubeconfig), context="sim-1", client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        yield api_client


def test_list_pods_in_namespace(api: client.ApiClient, kubectl: Kubectl, ns: str) -> None:
    for name in ["a", "b"]:
        kubectl.create_raw(f"/api/v1/namespaces/{ns}/pods", support.pod(name, ns, {"app": "py"}))
    v1 = client.CoreV1Api(api)
    pods = v1.list_namespaced_pod(ns, _request_timeout=60)
    assert sorted(p.metadata.name for p in pods.items) == ["a", "b"]
    assert pods.metadata.resource_version
    assert all(p.spec.containers[0].image == "nginx:1.27" for p in pods.items)
    selected = v1.list_namespaced_pod(ns, label_selector="app=py", field_selector="metadata.name=b", _request_timeout=60)
    assert [p.metadata.name for p in selected.items] == ["b"]
    nodes = v1.list_node(_request_timeout=60)
    assert len(nodes.items) == 3


def test_create_read_delete_through_the_client(api: client.ApiClient, ns: str) -> None:
    v1 = client.CoreV1Api(api)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm"), data={"k": "v"})
    created = v1.create_namespaced_config_map(ns, body, _request_timeout=60)
    assert created.metadata.uid
    assert v1.read_namespaced_config_map("py-cm", ns, _request_timeout=60).data == {"k": "v"}
    with pytest.raises(client.ApiException) as e:
        v1.create_namespaced_config_map(ns, body, _request_timeout=60)
    assert e.value.status == 409
    v1.delete_namespaced_config_map("py-cm", ns, _request_timeout=60)
    with pytest.raises(client.ApiException) as e:
        v1.read_namespaced_config_map("py-cm", ns, _request_timeout=60)
    assert e.value.status == 404


def test_watch_pods_added_and_deleted(api: client.ApiClient, ns: str) -> None:
    v1 = client.CoreV1Api(api)
    # Watch from the list's resourceVersion: nothing created after the list can be missed.
    rv = v1.list_namespaced_pod(ns, _request_timeout=60).metadata.resource_version
    events: queue.Queue = queue.Queue()
    w = watch.Watch()
    timeout = int(support.POLL_TIMEOUT * 2)

    def stream() -> None:
        try:
            for ev in w.stream(v1.list_namespaced_pod, ns, resource_version=rv, timeout_seconds=timeout,
                               _request_timeout=timeout + 30):
                events.put((ev["type"], ev["object"].metadata.name))
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            events.put(("ERROR", repr(e)))
        finally:
            events.put(("END", None))

    t = threading.Thread(target=stream, daemon=True)
    t.start()
    seen: list[tuple[str, str | None]] = []

    def expect(kind: str, name: str) -> None:
        def got() -> bool:
            while True:
                try:
                    ev = events.get_nowait()
                except queue.Empty:
                    return False
                seen.append(ev)
                if ev[0] in ("ERROR", "END"):
                    raise AssertionError(f"watch ended before {kind} {name}: {seen}")
                if ev == (kind, name):
                    return True

        support.wait_until(got, f"{kind} {name} on the watch (seen {seen})")

    try:
        creator = threading.Thread(
            target=lambda: v1.create_namespaced_pod(ns, support.pod("watched", ns), _request_timeout=60)
        )
        creator.start()
        expect("ADDED", "watched")
        creator.join(timeout=60)
        v1.delete_namespaced_pod("watched", ns, grace_period_seconds=0, _request_timeout=60)
        expect("DELETED", "watched")
    finally:
        w.stop()
