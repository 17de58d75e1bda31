"""Benchmark (not a test): a large class roster validated, then `kubelab hub provision --dry-run` streamed.

Reports the seconds to validate the roster, to the first YAML document out (what the instructor waits
for before seeing anything) and to the whole output. The output streams one document at a time, so the
time to the first document stays flat whatever the class size.

    .venv/bin/python -m tests.benchmarks.roster_dry_run [--students 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from checkers import hub
from checkers.grading.roster import read_roster

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "bench-roster-dry-run.json"


def measure(students: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kubelab-bench-") as tmp:
        roster = Path(tmp) / "roster.csv"
        roster.write_text("id,name,email,lang\n" + "".join(
            f"s{n},Étudiant\u2028{n},s{n}@example.org,fr\n" for n in range(students)), encoding="utf-8")
        began = time.perf_counter()
        ids = [s.id for s in read_roster(roster)]
        validated = time.perf_counter()
        documents, first, size = 0, None, 0
        with open(os.devnull, "w") as sink:
            for document in hub.dump(hub.manifests(ids, hub.Classroom(), {i: "fr" for i in ids})):
                first = first or time.perf_counter()
                documents += 1
                size += sink.write(document)
        done = time.perf_counter()
    return {"students": students, "validate_s": round(validated - began, 2),
            "first_document_s": round(first - validated, 3), "dry_run_s": round(done - validated, 2),
            "documents": documents, "bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    args = parser.parse_args()
    report = measure(args.students)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
