"""Benchmark (not a test): cold start of the `kubelab` command, as whole processes, against kubectl.

Times ``kubelab --help`` and ``kubelab check LAB`` (each a fresh process, as a learner runs them) and
``kubectl get`` of the kinds that lab's checks read, in the same namespace, interleaved so that load
on the machine hits all three alike. Reports min and median wall time and the ratios to kubectl.
Targets: ``check`` ≤ 0.5 s and ``--help`` ≤ 0.3 s.

Starts a private embedded cluster and makes the check find it the way a learner's does (the running
embedded cluster is the active backend), unless ``--state`` names the ``KUBELAB_STATE`` of a running
embedded cluster or ``--kubeconfig`` any running cluster (then the kubeconfig backend is the active one).
``--quick`` is the small run a test does so that this script cannot rot.

    .venv/bin/python -m tests.benchmarks.cli_start [--runs 20] [--lab 02-pods] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "bench-cli-start.json"
KUBELAB = Path(sys.executable).parent / "kubelab"


def kinds_read(lab_id: str, connection, namespace: str) -> list[str]:
    """The kinds the lab's checks list (so kubectl is asked for the same objects), once the objects have settled
    (a check of objects still starting waits for them, which would time the cluster, not the command)."""
    from checkers.lab import find_lab
    from checkers.runner import Context, run_live
    from checkers.view import ClusterView
    from clusters.base import detect_capabilities

    lab = find_lab(lab_id)
    run_live(lab, connection, namespace)
    api = connection.api_client()
    try:
        view = ClusterView(api, namespace)
        ctx = Context(view, namespace, lab, detect_capabilities(api))
        for item in lab.checks:
            try:
                item.fn(ctx)
            except Exception:  # noqa: BLE001 - only the kinds it read matter here
                pass
        return sorted(kind for kind in view._lists if kind != "namespace")
    finally:
        api.close()


def timed(argv: list[str], env: dict, expect: set[int]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run: on a shared machine, CPU shows the cost without the wait."""
    before, begin = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    seconds, after = time.perf_counter() - begin, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in expect:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(commands: dict[str, tuple[list[str], set[int]]], env: dict, runs: int) -> dict:
    for argv, expect in commands.values():  # warm the file cache and .pyc files: a cold start, not a cold disk
        timed(argv, env, expect)
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, expect) in commands.items():
            times[name].append(timed(argv, env, expect))
    return {name: {"min_s": round(min(w for w, _c in t), 3), "median_s": round(statistics.median(w for w, _c in t), 3),
                   "cpu_min_s": round(min(c for _w, c in t), 3)} for name, t in times.items()}


def report(rows: dict) -> dict:
    base = rows["kubectl get"]
    for name, row in rows.items():
        row["ratio_min"] = round(row["min_s"] / base["min_s"], 1)
        row["ratio_median"] = round(row["median_s"] / base["median_s"], 1)
        print(f"{name:24} min {row['min_s']:6.3f} s  median {row['median_s']:6.3f} s  cpu min {row['cpu_min_s']:6.3f} s"
              f"   ×{row['ratio_min']:<5} ×{row['ratio_median']} of kubectl (min, median)")
    return rows


def run(lab: str, runs: int, kubeconfig: Path | None, namespace: str, kubelab: str = str(KUBELAB),
        state: Path | None = None) -> dict:
    from checkers import actions
    from checkers.lab import find_lab
    from clusters.base import Connection
    from clusters.embedded import EmbeddedBackend

    scratch = Path(tempfile.mkdtemp(prefix="kubelab-bench-cli-"))
    env = {**os.environ, "XDG_STATE_HOME": str(scratch / "xdg"), "KUBELAB_LANG": "en"}  # results stay in scratch
    backend = connection = None
    try:
        if kubeconfig:
            connection = Connection(kubeconfig=kubeconfig)
            env.update(KUBELAB_BACKEND="kubeconfig", KUBECONFIG=str(kubeconfig))
        else:
            embedded = EmbeddedBackend(home=(state or scratch) / "embedded", merge_kubeconfig=False, real_nodes=0)
            if not state:
                backend = embedded
                backend.start()
            connection = embedded.connection()
            env.update(KUBELAB_STATE=str(state or scratch), KUBECONFIG=str(scratch / "no-kubeconfig"))
            env.pop("KUBELAB_BACKEND", None)
        actions.solve(find_lab(lab), connection, namespace)
        kinds = kinds_read(lab, connection, namespace)
        kubectl = actions.kubectl_binary()  # the one kubelab ships and uses
        commands = {
            "kubectl get": ([kubectl, "--kubeconfig", str(connection.kubeconfig), "get", ",".join(kinds), "-n",
                             namespace, "-o", "json"], {0}),
            "kubelab --help": ([kubelab, "--help"], {0}),
            f"kubelab check {lab}": ([kubelab, "check", lab, "-n", namespace], {0, 1}),
        }
        print(f"{lab}: kubectl get {','.join(kinds)} -n {namespace}; {runs} runs each")
        rows = report(measure(commands, env, runs))
        return {"lab": lab, "kinds": kinds, "runs": runs, "rows": rows}
    finally:
        if backend:
            backend.stop()
        elif connection:
            _delete_namespace(connection, namespace)
        shutil.rmtree(scratch, ignore_errors=True)


def _delete_namespace(connection, namespace: str) -> None:
    from clusters.api import ApiNotFound, request

    api = connection.api_client()
    try:
        request(api, "DELETE", f"/api/v1/namespaces/{namespace}")
    except ApiNotFound:
        pass
    finally:
        api.close()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lab", default="02-pods")
    parser.add_argument("--namespace", default="bench-cli-start")
    parser.add_argument("--state", type=Path, help="the KUBELAB_STATE of a running embedded cluster to use")
    parser.add_argument("--kubeconfig", type=Path, help="a running cluster to use instead of a private one")
    parser.add_argument("--kubelab", default=str(KUBELAB), help="the kubelab executable to time (another build)")
    parser.add_argument("--quick", action="store_true", help="2 runs: proves the script works, measures little")
    args = parser.parse_args(argv)
    result = run(args.lab, 2 if args.quick else args.runs, args.kubeconfig, args.namespace, args.kubelab, args.state)
    if not args.quick:
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
