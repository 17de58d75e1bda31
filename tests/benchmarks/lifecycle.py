"""Benchmark (not a test): whole-process times of `kubelab down`, `up` (a restart) and `reset LAB`.

Each run, in a private KUBELAB_STATE folder (never the user's): `kubelab up` brings the stopped cluster
back, each lab is solved and then timed through `kubelab reset LAB`, and `kubelab down` is timed. The
first `up` makes the cluster and is not counted; the cluster is purged at the end. Reports the median
and max of each. Targets: `down` ≤ 4 s, `reset` ≤ 5 s (labs without cluster-scoped objects).

    .venv/bin/python -m tests.benchmarks.lifecycle [--runs 5] [--labs 02-pods 05-services] [--quick]

``--quick`` (one run, one lab) is what the test suite runs to keep this script working.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KUBELAB = Path(sys.executable).parent / "kubelab"
ARTIFACT = REPO / "test-artifacts" / "bench-lifecycle.json"
TARGETS = {"down": 4.0, "reset": 5.0}
LABS = ("02-pods", "03-deployments", "05-services", "08-config-secrets")


def kubelab(env: dict, *args: str) -> float:
    """Run `kubelab args…` as a new process; its wall time in seconds (fails loudly on a non-zero exit)."""
    began = time.perf_counter()
    done = subprocess.run([str(KUBELAB), *args], env=env, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"kubelab {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return seconds


def stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 2), "max": round(max(values), 2), "runs": len(values)}


def measure(runs: int, labs: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="kubelab-bench-lifecycle-") as tmp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("KUBELAB_")},
               "KUBELAB_STATE": tmp, "KUBELAB_BACKEND": "embedded", "KUBECONFIG": str(Path(tmp) / "kubeconfig"),
               "KUBELAB_REAL_NODES": "0"}  # the KWOK-only lifecycle; tests/benchmarks/real_node.py times the real node
        times: dict[str, list[float]] = {"up": [], "down": [], **{f"reset {lab}": [] for lab in labs}}
        try:
            kubelab(env, "up")  # makes the cluster: not what is measured
            for run in range(runs):
                if run:
                    times["up"].append(kubelab(env, "up"))
                for lab in labs:
                    kubelab(env, "solve", lab)
                    times[f"reset {lab}"].append(kubelab(env, "reset", lab))
                times["down"].append(kubelab(env, "down"))
                print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items() if v), flush=True)
        finally:
            subprocess.run([str(KUBELAB), "down", "--purge"], env=env, capture_output=True, timeout=120)
    summary = {name: stats(values) for name, values in times.items() if values}
    resets = [v for k, v in times.items() if k.startswith("reset ")]
    summary["meets_targets"] = {"down": max(times["down"]) <= TARGETS["down"],
                                "reset": all(max(v) <= TARGETS["reset"] for v in resets)}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--labs", nargs="*", default=list(LABS))
    parser.add_argument("--quick", action="store_true", help="one run, one lab: proves the script works")
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    args = parser.parse_args(argv)
    runs, labs = (1, args.labs[:1]) if args.quick else (args.runs, args.labs)
    summary = measure(runs, labs)
    print(json.dumps(summary, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"targets_s": TARGETS, "summary": summary}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
