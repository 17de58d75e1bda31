"""Benchmark: the embedded cluster with a real node (issue #12). Not a test; run it by hand (as root).

    .venv/bin/python tests/benchmarks/real_node.py [--pods 10] [--out test-artifacts/bench-real-node.json]
    .venv/bin/python tests/benchmarks/real_node.py --quick      # one pod: what tests/test_real_node.py runs

Starts a fresh cluster (warm caches) with one real node in a tmp state folder, measures the seconds from
``start()`` until every node, the real one included, is Ready (the issue's measure) and until ``start()``
returns (by then it has also measured what the cluster can do and started Traefik), then the create → Ready
time of nginx pods on the real node (median), sums the RSS of every cluster process (control plane, node,
container shims), and stops it. Targets: all nodes Ready ≤ 12 s, pod create → Ready median ≤ 2 s, RSS ≤ 1.5 GiB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from clusters.api import get, request  # noqa: E402
from clusters.base import condition  # noqa: E402
from clusters.embedded import EmbeddedBackend, images, realnode  # noqa: E402

TARGET_UP_S = 12.0
TARGET_POD_S = 2.0
TARGET_RSS_BYTES = 3 << 29
MIB = 1 << 20
NODES = 4


def pod_manifest(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeSelector": {realnode.LABEL: "true"}, "terminationGracePeriodSeconds": 0,
                     "tolerations": [{"key": realnode.LABEL, "operator": "Exists", "effect": "NoSchedule"}],
                     "containers": [{"name": "web", "image": images.NGINX.names[0]}]}}


def pod_latencies(backend: EmbeddedBackend, count: int, namespace: str = "default") -> list[float]:
    """Seconds from POST to Ready for ``count`` nginx pods on the real node, one after the other."""
    api = backend.connection().api_client()
    times = []
    try:
        for index in range(count):
            name = f"bench-{index}-{int(time.time() * 1000) % 100000}"
            began = time.perf_counter()
            request(api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=pod_manifest(name))
            while condition(get(api, f"/api/v1/namespaces/{namespace}/pods/{name}"), "Ready") != "True":
                if time.perf_counter() - began > 60:
                    raise RuntimeError(f"pod {name} not Ready after 60 s")
                time.sleep(0.02)
            times.append(round(time.perf_counter() - began, 3))
            request(api, "DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}")
    finally:
        api.close()
    return times


def cluster_rss(backend: EmbeddedBackend) -> dict[str, int]:
    """RSS per process name: the control plane, the node's processes and every container shim below them."""
    state = json.loads(backend.state_file.read_text())
    recorded = state["processes"] + realnode.record(backend.home).get("processes", [])
    rss: dict[str, int] = {}
    for entry in recorded:
        try:
            proc = psutil.Process(entry["pid"])
        except psutil.Error:
            continue
        rss[entry["name"]] = proc.memory_info().rss
    socket = realnode.record(backend.home).get("socket", "")
    for proc in psutil.process_iter(["name", "cmdline"]):
        if socket and socket in (proc.info.get("cmdline") or []):
            try:
                tree = [proc, *proc.children(recursive=True)]
                rss["shims+containers"] = rss.get("shims+containers", 0) + sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                pass
    return rss


def all_nodes_ready(backend: EmbeddedBackend, began: float, done: threading.Event, seen: list[float]) -> None:
    """Append to ``seen`` the second (from ``began``) when all NODES + 1 nodes are first Ready, polling the API
    every 0.1 s while ``start()`` runs (its API server and kubeconfig appear during it)."""
    api = None
    while not done.is_set() and not seen:
        try:
            api = api or backend.connection().api_client()
            nodes = get(api, "/api/v1/nodes")["items"]
            if len(nodes) == NODES + 1 and all(condition(n, "Ready") == "True" for n in nodes):
                seen.append(round(time.perf_counter() - began, 3))
        except Exception:  # not there yet: no state, no kubeconfig, no API server
            api = None
        time.sleep(0.1)
    if api is not None:
        api.close()


def run(pods: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kubelab-bench-") as tmp:
        backend = EmbeddedBackend(home=Path(tmp) / "embedded", merge_kubeconfig=False, real_nodes=1)
        done, ready = threading.Event(), []
        try:
            began = time.perf_counter()
            watcher = threading.Thread(target=all_nodes_ready, args=(backend, began, done, ready))
            watcher.start()
            phases: list[tuple[float, str]] = []  # the profile: when each progress line of `up` came
            backend.start(nodes=NODES, progress=lambda line: phases.append(
                (round(time.perf_counter() - began, 2), str(line).splitlines()[0][:90])))
            up = round(time.perf_counter() - began, 3)
            done.set()
            watcher.join()
            if not backend.status().details.get("real_node"):
                raise RuntimeError("the real node did not start; see the logs in the state folder")
            times = pod_latencies(backend, pods)
            rss = cluster_rss(backend)
        finally:
            backend.stop()
    result = {"nodes_ready_s": ready[0] if ready else None, "up_s": up, "phases": phases, "pod_ready_s": times,
              "pod_ready_median_s": statistics.median(times), "rss_bytes": rss, "rss_total_bytes": sum(rss.values())}
    result["meets_targets"] = {"nodes_ready": bool(ready) and ready[0] <= TARGET_UP_S,
                               "pod": result["pod_ready_median_s"] <= TARGET_POD_S,
                               "rss": result["rss_total_bytes"] <= TARGET_RSS_BYTES}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="one pod only")
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "bench-real-node.json")
    args = parser.parse_args(argv)
    reasons = realnode.unavailable()
    if reasons:
        print("\n".join(reasons))
        return 2
    result = run(1 if args.quick else args.pods)
    for at, line in result["phases"]:
        print(f"  {at:6.2f} s  {line}")
    print(f"all {NODES + 1} nodes Ready: {result['nodes_ready_s']} s   target ≤ {TARGET_UP_S:.0f} s")
    print(f"up returned (capabilities measured, Traefik started): {result['up_s']:.2f} s")
    print(f"pod create → Ready median: {result['pod_ready_median_s']:.2f} s   target ≤ {TARGET_POD_S:.0f} s")
    print(f"RSS total: {result['rss_total_bytes'] / MIB:.0f} MiB   target ≤ {TARGET_RSS_BYTES / MIB:.0f} MiB")
    for name, value in result["rss_bytes"].items():
        print(f"  {name:<26}{value / MIB:>8.0f} MiB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return 0 if all(result["meets_targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
