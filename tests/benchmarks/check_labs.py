"""Benchmark (not a test): API requests and wall time of one `check` of each lab, in process, warm.

Starts a private embedded cluster, applies each lab's reference solution in its own namespace,
then runs the lab's checks ``--runs`` times and reports the median wall time and the requests
per run (LISTs per kind per namespace, plus the namespace lookup). Targets: at most one LIST per
kind per namespace, at most 50 ms per lab.

    .venv/bin/python -m tests.benchmarks.check_labs [--runs 20] [--labs 02-pods 05-services] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from checkers import actions
from checkers.lab import all_labs
from checkers.runner import run_lab
from clusters.base import detect_capabilities
from clusters.embedded import EmbeddedBackend

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "bench-check-labs.json"


def measure(lab, api, namespace: str, capabilities, runs: int) -> dict:
    run_lab(lab, api, namespace, capabilities)  # warm: connections, imports, the lab's module
    times, requests = [], []
    for _ in range(runs):
        begin = time.perf_counter()
        result = run_lab(lab, api, namespace, capabilities, settle=False)
        times.append((time.perf_counter() - begin) * 1000)
        requests.append(result.requests)
    statuses = [r.outcome.status for r in result.results]
    return {"lab": lab.id, "checks": len(statuses), "passed": statuses.count("pass"),
            "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "requests_per_run": max(requests)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--labs", nargs="*")
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    args = parser.parse_args()
    labs = [lab for lab in all_labs() if not args.labs or lab.id in args.labs]
    backend = EmbeddedBackend(home=Path(tempfile.mkdtemp(prefix="kubelab-bench-")), merge_kubeconfig=False,
                              real_nodes=0)
    backend.start()
    try:
        connection = backend.connection()
        api = connection.api_client()
        capabilities = detect_capabilities(api)
        rows = []
        for lab in labs:
            namespace = f"bench-{lab.id}"
            actions.solve(lab, connection, namespace)
            rows.append(measure(lab, api, namespace, capabilities, args.runs))
            print(f"{lab.id:20} {rows[-1]['median_ms']:7.1f} ms median  {rows[-1]['max_ms']:7.1f} ms max  "
                  f"{rows[-1]['requests_per_run']:3} requests  {rows[-1]['passed']}/{rows[-1]['checks']} passed")
        api.close()
    finally:
        backend.purge()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
