"""The embedded cluster's real node: it runs containers, and `down` leaves the host as it found it.

One private cluster with a real node for the module (its own state folder,
never the user's); skipped with the reason where a real node cannot run here
(not root, not Linux, a runtime package missing) or its binaries are not built.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from clusters.api import ApiError, get, request
from clusters.embedded import EmbeddedBackend, images, nodehost, realnode
from clusters.embedded.components import NODE_COMPONENTS
from tests.helpers import create_namespace, wait_for


def _why_not() -> str:
    reasons = realnode.unavailable()
    if reasons:
        return " ".join(reasons)
    missing = [c.name for c in NODE_COMPONENTS if not c.cached()]
    if missing:
        return f"node binaries not built ({', '.join(missing)}): run `python -m clusters.embedded.binaries --node`"
    if not images.cached(images.RECIPES["nginx"]):
        return "the nginx image is not built: run `kubelab images build nginx`"
    return ""


pytestmark = pytest.mark.skipif(bool(_why_not()), reason=_why_not() or "runs")


def host_snapshot() -> dict:
    """What `down` must leave unchanged: processes, mounts, links, nft tables, KUBE-* chains, sysctls."""
    return {"links": sorted(n.name for n in Path("/sys/class/net").iterdir()),
            "mounts": sorted(line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()),
            "nft": sorted(nodehost.nft_tables()), "chains": nodehost.kube_chains(),
            "sysctls": nodehost.read_sysctls(),
            "paths": {p: Path(p).exists() for p in nodehost.SHARED_PATHS},
            "processes": sorted(p.info["name"] for p in psutil.process_iter(["name"])
                                if p.info["name"] in ("containerd", "kubelet", "kube-proxy", "coredns", "pause",
                                                      "containerd-shim-runc-v2", "nginx"))}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    before = host_snapshot()
    backend = EmbeddedBackend(home=tmp_path_factory.mktemp("real") / "embedded", merge_kubeconfig=False,
                              real_nodes=1)
    lines: list[str] = []
    backend.start(nodes=2, progress=lines.append)
    try:
        assert backend.status().details.get("real_node"), "\n".join(lines)
        yield backend
    finally:
        backend.stop()
        after = host_snapshot()
        assert after == before


@pytest.fixture
def api(real):
    api = real.connection().api_client()
    yield api
    api.close()


@pytest.fixture
def ns(api, request):
    name = create_namespace(api, request.node.name)
    yield name
    request_delete(api, f"/api/v1/namespaces/{name}")


def request_delete(api, path: str) -> None:
    try:
        request(api, "DELETE", path)
    except ApiError:
        pass


def pod(name: str, image: str = "nginx:1.27", **spec) -> dict:
    container = {"name": "main", "image": image, **spec.pop("container", {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"nodeSelector": {realnode.LABEL: "true"},
                     "tolerations": [{"key": realnode.LABEL, "operator": "Exists", "effect": "NoSchedule"}],
                     "containers": [container], **spec}}


def create_ready(api, ns: str, manifest: dict, timeout: float = 60) -> dict:
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods", body=manifest)
    name = manifest["metadata"]["name"]

    def ready():
        obj = get(api, f"/api/v1/namespaces/{ns}/pods/{name}")
        return obj if any(c["type"] == "Ready" and c["status"] == "True"
                          for c in obj["status"].get("conditions", [])) else None

    return wait_for(ready, timeout=timeout, what=f"pod {name} Ready")


def kubectl(real, *args: str) -> subprocess.CompletedProcess:
    from clusters.embedded.components import KUBERNETES

    return subprocess.run([str(KUBERNETES.bin_dir() / "kubectl"), f"--kubeconfig={real.admin_kubeconfig}", *args],
                          capture_output=True, text=True, timeout=60)


def test_real_node_ready_beside_kwok(real, api):
    nodes = {n["metadata"]["name"]: n for n in get(api, "/api/v1/nodes")["items"]}
    node = nodes[realnode.NODE_NAME]
    assert realnode.TAINT in [{k: t.get(k) for k in ("key", "value", "effect")} for t in node["spec"]["taints"]]
    assert node["metadata"]["labels"][realnode.LABEL] == "true"
    assert {"type": "InternalIP", "address": nodehost.NODE_IP} in node["status"]["addresses"]
    assert len(nodes) == 3
    caps = real.capabilities(api)
    assert caps.data_plane


def test_ordinary_pods_stay_on_kwok_nodes(api, ns):
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods",
            body={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "plain"},
                  "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
    placed = wait_for(lambda: get(api, f"/api/v1/namespaces/{ns}/pods/plain")["spec"].get("nodeName"))
    assert placed != realnode.NODE_NAME


def test_nginx_pod_serves_http_exec_and_logs(real, api, ns):
    obj = create_ready(api, ns, pod("web"))
    ip = obj["status"]["podIP"]
    assert ip.startswith("10.244.255.")
    with urllib.request.urlopen(f"http://{ip}/", timeout=10) as response:
        assert b"Welcome to nginx!" in response.read()
    out = kubectl(real, "-n", ns, "exec", "web", "--", "cat", "/etc/nginx/conf.d/default.conf")
    assert "listen" in out.stdout, out.stderr
    logs = kubectl(real, "-n", ns, "logs", "web")
    assert "GET / HTTP/1.1" in logs.stdout, logs.stderr


def test_memory_limit_oom_kills(api, ns):
    hog = pod("hog", container={"command": ["sh", "-c", "x=a; while true; do x=$x$x; done"],
                                "resources": {"limits": {"memory": "64Mi"}}}, restartPolicy="Never")
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods", body=hog)

    def terminated():
        statuses = get(api, f"/api/v1/namespaces/{ns}/pods/hog")["status"].get("containerStatuses") or []
        state = statuses[0]["state"].get("terminated") if statuses else None
        return state

    state = wait_for(terminated, timeout=90, what="the hog to be killed")
    assert state["reason"] == "OOMKilled" and state["exitCode"] == 137


def test_status_and_doctor_show_the_node(real):
    from checkers.cli import main

    details = real.status().details["real_node"]
    assert details["name"] == realnode.NODE_NAME and details["running"]
    ids = [f.id for f in real.findings(None)]
    assert ids == ["real-node"]
    del main


def test_quick_benchmark_runs(real):
    from tests.benchmarks import real_node as bench

    result = bench.pod_latencies(real, count=1)
    assert len(result) == 1
    json.dumps(result)
    time.sleep(0)
