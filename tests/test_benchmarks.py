"""Every benchmark script runs here in a small size, so none can break unseen.

The figures they print are benchmark output, never asserted: these tests only prove that each script runs to
its end and writes its report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkers import hub
from clusters.embedded.components import COMPONENTS

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not all(c.cached() for c in COMPONENTS),
                                reason="the embedded cluster's binaries are not cached (make cluster-binaries)")


def run_benchmark(module: str, *args: str, ok_codes=(0,)) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", f"tests.benchmarks.{module}", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in ok_codes, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_check_labs_benchmark_runs(tmp_path):
    out = tmp_path / "check.json"
    run_benchmark("check_labs", "--runs", "2", "--labs", "02-pods", "--out", str(out))
    rows = json.loads(out.read_text())
    assert [row["lab"] for row in rows] == ["02-pods"] and rows[0]["passed"] > 0  # data-plane checks skip here


def test_embedded_start_benchmark_runs(tmp_path):
    out = tmp_path / "start.json"
    # exit 1 means "a target was missed": a figure, not a failure of the script
    run_benchmark("embedded_start", "--runs", "1", "--settle", "0", "--out", str(out), ok_codes=(0, 1))
    assert json.loads(out.read_text())["runs"]


def test_grade_class_benchmark_runs(tmp_path):
    out = tmp_path / "grade.json"
    run_benchmark("grade_class", "--students", "4", "--solved", "1", "--workers", "2", "--out", str(out))
    report = json.loads(out.read_text())
    assert report["students"] == 4 and report["verdicts_differ"] == []


def test_roster_dry_run_benchmark_runs(tmp_path):
    out = tmp_path / "roster.json"
    run_benchmark("roster_dry_run", "--students", "200", "--out", str(out))
    report = json.loads(out.read_text())
    one, two = (len(hub.manifests([f"s{n}" for n in range(size)], hub.Classroom())) for size in (1, 2))
    assert report["documents"] == one + (two - one) * 199 and report["first_document_s"] <= report["dry_run_s"]
