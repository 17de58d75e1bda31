"""Benchmark: grade a class of 100 on the embedded cluster, kubelab's engine beside a Killercoda-style verifier.

    .venv/bin/python tests/benchmarks/grade_class.py [--students 100] [--solved 10] [--workers 8]

Not a test. A fresh embedded cluster (tmp state folder) gets a provisioned class;
``--solved`` students get each lab's solution, as many get one of its faults, the
rest stay empty. Then, in the same run: ``grade_class`` with the read-only grader,
and a verifier in the style of Killercoda/Educates — one bash script per check
calling kubectl, exit 0 = pass — over the same student × lab × check, with the
same parallelism. Reports wall times, API requests per student-lab, and any
check where the two verdicts differ. Targets: ≥ 20× faster than the scripts;
100 students × the API-level labs in ≤ 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from checkers import actions, hub  # noqa: E402
from checkers.grading.grade import Options, grade_class  # noqa: E402
from checkers.grading.roster import read_roster  # noqa: E402
from checkers.lab import all_labs  # noqa: E402
from clusters.base import Connection  # noqa: E402
from clusters.embedded import EmbeddedBackend  # noqa: E402

K = 'kubectl -n "$NS"'
POD_RUNNING = K + """ get pod "$1" -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="Ready")].status}' \
  | grep -qx 'Running True'"""
SELECTS_READY = K + """ get svc "$1" >/dev/null || exit 1
sel=$(""" + K + """ get svc "$1" -o jsonpath='{range .spec.selector.*}{@}{end}')
[ -n "$sel" ] || exit 1
selector=$(""" + K + """ get svc "$1" -o go-template='{{range $k, $v := .spec.selector}}{{$k}}={{$v}},{{end}}')
[ -n "$(""" + K + """ get pods -l "${selector%,}" -o name)" ] || exit 1
""" + K + """ get endpointslices -l kubernetes.io/service-name="$1" \
  -o jsonpath='{.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}' | grep -q ."""

SCRIPTS = {  # lab → check → bash (a Killercoda verify script: exit 0 means done)
    "02-pods": {
        "web-pod-running": f"set -- pods-web\n{POD_RUNNING}",
        "web-pod-image-pinned": K + """ get pod pods-web >/dev/null || exit 1
image=$(""" + K + """ get pod pods-web -o jsonpath='{.spec.containers[0].image}')
repo=${image%%:*}; tag=${image#*:}
[ "${repo##*/}" = nginx ] && [ "$tag" != "$image" ] && [ "$tag" != latest ]""",
        "web-pod-labelled": "[ \"$(" + K + " get pod pods-web -o jsonpath='{.metadata.labels.app}')\" = pods-web ]",
        "web-pod-port": K + " get pod pods-web -o jsonpath='{.spec.containers[*].ports[*].containerPort}' "
                            "| tr ' ' '\\n' | grep -qx 80",
        "sidecar-shares-volume": f"set -- pods-sidecar\n{POD_RUNNING} || exit 1\n" + K + """ get pod pods-sidecar \
  -o jsonpath='{range .spec.volumes[?(@.emptyDir)]}{.name}{"\\n"}{end}' > /tmp/v.$$
mounts=$(""" + K + """ get pod pods-sidecar -o jsonpath='{range .spec.containers[*]}{range .volumeMounts[*]}{.name} {end}{"\\n"}{end}')
ok=1
while read -r vol; do
  [ "$(printf '%s\\n' "$mounts" | grep -cw -- "$vol")" -ge 2 ] && ok=0
done < /tmp/v.$$
rm -f /tmp/v.$$; exit $ok""",
    },
    "03-deployments": {
        "deployment-ready": "read -r want ready gen obs <<< \"$(" + K + " get deploy deploy-web -o jsonpath="
                            "'{.spec.replicas} {.status.readyReplicas} {.metadata.generation} "
                            "{.status.observedGeneration}')\"\n[ -n \"$want\" ] && [ \"$want\" = \"$ready\" ] "
                            "&& [ \"$gen\" = \"$obs\" ]",
        "replicaset-owned": K + """ get deploy deploy-web >/dev/null || exit 1
rs=$(""" + K + """ get rs -o jsonpath='{range .items[?(@.spec.replicas>0)]}{.metadata.ownerReferences[0].name} {.metadata.name} {.spec.replicas}{"\\n"}{end}' | awk '$1=="deploy-web"{print $2, $3}' | tail -1)
[ -n "$rs" ] || exit 1
set -- $rs
count=$(""" + K + """ get pods -o jsonpath='{range .items[*]}{.metadata.ownerReferences[0].name}{"\\n"}{end}' | grep -cx "$1")
[ "$count" = "$2" ]""",
        "self-healing": K + """ get deploy deploy-web >/dev/null || exit 1
set -- $(""" + K + """ get rs -o jsonpath='{range .items[?(@.spec.replicas>0)]}{.metadata.ownerReferences[0].name} {.metadata.name} {.spec.replicas}{"\\n"}{end}' | awk '$1=="deploy-web"{print $2, $3}' | tail -1)
[ -n "${1:-}" ] || exit 1
events=$(""" + K + """ get events --field-selector involvedObject.kind=ReplicaSet,involvedObject.name="$1" -o jsonpath='{range .items[*]}{.message}{"\\n"}{end}')
current=$(""" + K + """ get pods -o jsonpath='{range .items[*]}{.metadata.ownerReferences[0].name} {.metadata.name}{"\\n"}{end}' | awk -v rs="$1" '$1==rs{print $2}')
[ "$(printf '%s\\n' "$current" | grep -c .)" -ge "$2" ] || exit 1
for pod in $(printf '%s\\n' "$events" | sed -n 's/^Created pod: //p'); do
  printf '%s\\n' "$current" | grep -qx "$pod" && continue
  printf '%s\\n' "$events" | grep -qx "Deleted pod: $pod" && continue
  exit 0
done
exit 1""",
        "scaled-to-five": "[ \"$(" + K + " get deploy deploy-web -o jsonpath='{.spec.replicas} {.status.replicas}')\" "
                          "= '5 5' ]",
    },
    "05-services": {
        "clusterip-selects-pods": "[ \"$(" + K + " get svc svc-web -o jsonpath='{.spec.type}')\" = ClusterIP ] "
                                  f"|| exit 1\nset -- svc-web\n{SELECTS_READY}",
        "clusterip-target-port": K + """ get svc svc-web >/dev/null || exit 1
declared=$(""" + K + """ get deploy svc-web -o jsonpath='{.spec.template.spec.containers[*].ports[*].containerPort} {.spec.template.spec.containers[*].ports[*].name}')
for target in $(""" + K + """ get svc svc-web -o jsonpath='{.spec.ports[*].targetPort}'); do
  printf '%s\\n' $declared | grep -qx "$target" && exit 0
done
exit 1""",
        "nodeport-in-range": "[ \"$(" + K + " get svc svc-web-nodeport -o jsonpath='{.spec.type}')\" = NodePort ] "
                             "|| exit 1\nport=$(" + K + " get svc svc-web-nodeport -o jsonpath='{.spec.ports[0].nodePort}')"
                             "\n[ \"$port\" -ge 30000 ] && [ \"$port\" -le 32767 ] || exit 1"
                             f"\nset -- svc-web-nodeport\n{SELECTS_READY}",
    },
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--solved", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "bench-grade-class.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubelab-bench-") as tmp:
        home = Path(tmp)
        backend = EmbeddedBackend(home=home / "cluster", merge_kubeconfig=False, real_nodes=0)
        backend.start()
        try:
            report = run(backend.connection(), home, args)
        finally:
            backend.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


def run(admin_connection: Connection, home: Path, args) -> dict:
    labs = [lab for lab in all_labs() if lab.id in SCRIPTS]
    every_lab = _loadable_labs()
    ids = [f"s{n:03d}" for n in range(args.students)]
    room = hub.Classroom(hub_namespace="jhub")
    admin = admin_connection.api_client()
    hub.provision(admin, ids, room)
    hub.write_kubeconfigs(admin, ids, room, home / "kubeconfigs", hours=2)
    admin.close()
    began = time.monotonic()
    jobs = []
    for index, sid in enumerate(ids[: 2 * args.solved]):
        for lab in labs:
            fault = None if index < args.solved else lab.faults[index % len(lab.faults)]
            jobs.append((sid, lab, fault))
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda j: _prepare(admin_connection, room, *j), jobs))
    setup = time.monotonic() - began
    roster = home / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"{sid},Student {sid}\n" for sid in ids))
    students = read_roster(roster)
    grader = Connection(kubeconfig=home / "kubeconfigs" / "grader.kubeconfig")

    began = time.monotonic()
    records = grade_class(students, labs, home / "grades", grader, Options(workers=args.workers, settle=False))
    engine = time.monotonic() - began
    began = time.monotonic()
    all_records = grade_class(students, every_lab, home / "grades-all", grader,
                              Options(workers=args.workers, settle=False))
    engine_all = time.monotonic() - began

    tasks = [(s.id, lab.id, check) for s in students for lab in labs for check in SCRIPTS[lab.id]]
    began = time.monotonic()
    with ThreadPoolExecutor(args.workers) as pool:
        verdicts = dict(zip(tasks, pool.map(lambda t: _script(grader, room, *t), tasks)))
    scripts = time.monotonic() - began

    engine_verdicts = {(sid, lab_id, c["id"]): c["status"] == "pass"
                       for (sid, lab_id), r in records.items() for c in r["document"]["checks"]}
    differ = [list(t) for t in tasks if verdicts[t] != engine_verdicts[t]]
    requests = [r["document"]["api_requests"] for r in records.values()]
    return {
        "students": len(students), "labs": [lab.id for lab in labs], "setup_seconds": round(setup, 1),
        "engine_seconds": round(engine, 2), "script_seconds": round(scripts, 2),
        "speedup": round(scripts / engine, 1), "api_requests_per_student_lab": round(sum(requests) / len(requests), 2),
        "every_lab": [lab.id for lab in every_lab], "engine_seconds_every_lab": round(engine_all, 2),
        "api_requests_per_student_lab_every_lab": round(
            sum(r["document"]["api_requests"] for r in all_records.values()) / max(len(all_records), 1), 2),
        "checks_compared": len(tasks), "verdicts_differ": differ, "workers": args.workers,
        "passes": sum(engine_verdicts.values()),
    }


def _loadable_labs():
    labs = []
    for lab in all_labs():
        try:
            lab.checks  # noqa: B018  (a lab still being written may not load)
            labs.append(lab)
        except Exception:  # noqa: BLE001
            continue
    return labs


def _prepare(connection, room, sid, lab, fault):
    ns = room.namespace(sid)
    if fault is None:
        actions.solve(lab, connection, ns)
    else:
        actions.apply_fault(lab, fault, connection, ns)


def _script(grader: Connection, room, sid: str, lab_id: str, check: str) -> bool:
    env = {"NS": room.namespace(sid), "KUBECONFIG": str(grader.kubeconfig), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", SCRIPTS[lab_id][check]], env=env, capture_output=True, timeout=60)
    return done.returncode == 0


if __name__ == "__main__":
    sys.exit(main())
