"""Benchmark: warm starts of the embedded cluster (issue #2). Not a test; run it by hand.

    .venv/bin/python tests/benchmarks/embedded_start.py [--runs 3] [--settle 5] [--out test-artifacts/bench-embedded.json]

Each run starts a fresh cluster from the warm binary cache in a tmp state
folder (never the user's), measures the seconds from the ``start()`` call until
every node is Ready, lets it settle, sums the RSS of the processes recorded in
its state, and stops it. Targets: warm start ≤ 10 s, total RSS ≤ 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from clusters.api import get  # noqa: E402
from clusters.base import condition  # noqa: E402
from clusters.embedded import EmbeddedBackend  # noqa: E402
from clusters.embedded.backend import DEFAULT_NODES  # noqa: E402
from clusters.embedded.components import COMPONENTS, K8S_VERSION  # noqa: E402

TARGET_START_S = 10.0
TARGET_RSS_BYTES = 1 << 30
MIB = 1 << 20


def ready_nodes(backend: EmbeddedBackend) -> int:
    api = backend.connection().api_client()
    try:
        return sum(condition(n, "Ready") == "True" for n in get(api, "/api/v1/nodes")["items"])
    finally:
        api.close()


def one_run(index: int, settle: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="kubelab-bench-") as tmp:
        backend = EmbeddedBackend(home=Path(tmp) / "embedded", merge_kubeconfig=False, real_nodes=0)
        try:
            began = time.perf_counter()
            backend.start()
            while ready_nodes(backend) < DEFAULT_NODES:  # start() waits already; confirm from outside
                if time.perf_counter() - began > 120:
                    raise RuntimeError("nodes not Ready after 120 s")
                time.sleep(0.05)
            ready = time.perf_counter() - began
            time.sleep(settle)  # let informers and caches settle before measuring memory
            state = json.loads(backend.state_file.read_text())
            rss = {}
            for proc in state["processes"]:
                rss[proc["name"]] = psutil.Process(proc["pid"]).memory_info().rss
        finally:
            stopping = time.perf_counter()
            backend.stop()
            stopped = time.perf_counter() - stopping
    result = {"run": index, "ready_s": round(ready, 3), "stop_s": round(stopped, 3), "rss_bytes": rss,
              "rss_total_bytes": sum(rss.values())}
    print(f"run {index}: ready in {ready:.2f} s, RSS {sum(rss.values()) / MIB:.0f} MiB, stop {stopped:.2f} s",
          flush=True)
    return result


def summary(runs: list[dict]) -> dict:
    times = [r["ready_s"] for r in runs]
    totals = [r["rss_total_bytes"] for r in runs]
    names = list(runs[0]["rss_bytes"])
    return {
        "ready_s": {"min": min(times), "median": statistics.median(times), "max": max(times)},
        "rss_total_bytes": {"min": min(totals), "median": statistics.median(totals), "max": max(totals)},
        "rss_median_bytes_by_component": {n: statistics.median(r["rss_bytes"][n] for r in runs) for n in names},
        "meets_targets": {"start": max(times) <= TARGET_START_S, "rss": max(totals) <= TARGET_RSS_BYTES},
    }


def print_table(summ: dict) -> None:
    t = summ["ready_s"]
    print()
    print(f"{'warm start → nodes Ready':<28}{'min':>9}{'median':>9}{'max':>9}")
    print(f"{'seconds':<28}{t['min']:>9.2f}{t['median']:>9.2f}{t['max']:>9.2f}   target ≤ {TARGET_START_S:.0f} s")
    r = summ["rss_total_bytes"]
    print(f"{'total RSS (MiB)':<28}{r['min'] / MIB:>9.0f}{r['median'] / MIB:>9.0f}{r['max'] / MIB:>9.0f}"
          f"   target ≤ {TARGET_RSS_BYTES / MIB:.0f} MiB")
    print()
    print(f"{'component':<28}{'median RSS (MiB)':>18}")
    for name, value in summ["rss_median_bytes_by_component"].items():
        print(f"{name:<28}{value / MIB:>18.0f}")
    print()
    ok = summ["meets_targets"]
    print(f"targets met: start {'yes' if ok['start'] else 'NO'}, RSS {'yes' if ok['rss'] else 'NO'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait before reading RSS")
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "bench-embedded.json")
    args = parser.parse_args(argv)
    if not all(c.cached() for c in COMPONENTS):
        print("The binaries are not cached: run `kubelab up` once first (this benchmark measures warm starts).")
        return 2
    runs = [one_run(i + 1, args.settle) for i in range(args.runs)]
    summ = summary(runs)
    print_table(summ)
    report = {"version": K8S_VERSION, "nodes": DEFAULT_NODES, "settle_s": args.settle, "machine": {
        "cpus": psutil.cpu_count(), "memory_bytes": psutil.virtual_memory().total, "python": platform.python_version(),
        "platform": platform.platform()}, "runs": runs, "summary": summ}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0 if all(summ["meets_targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
