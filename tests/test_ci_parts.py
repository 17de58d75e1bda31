"""`.ci/parts`, which runs `make test`'s KWOK and real-node parts at the same time: every command of every part
runs, even after one fails; any failure fails the whole; each part's output stays in its own log, printed whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PARTS = Path(__file__).resolve().parents[1] / ".ci" / "parts"


def parts(tmp_path: Path, *specs: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PARTS), str(tmp_path / "logs"), *specs], capture_output=True,
                          text=True, timeout=60)


def test_every_command_runs_and_a_failure_fails_the_whole(tmp_path):
    done = parts(tmp_path, "a=echo a1; false;;echo a2", "b=echo b1;;echo b2")
    assert done.returncode == 1
    assert (tmp_path / "logs" / "a.log").read_text() == "a1\na2\n"
    assert (tmp_path / "logs" / "b.log").read_text() == "b1\nb2\n"
    assert "part a: FAILED" in done.stdout and "part b: passed" in done.stdout
    assert done.stdout.index("a1\na2") < done.stdout.index("b1\nb2")  # each log whole, not interleaved


def test_parts_run_at_the_same_time(tmp_path):
    """b waits for a file a makes after it saw b's: only parts running together finish."""
    flag = tmp_path / "flag"
    done = parts(tmp_path, f"a=while [ ! -e {flag}.b ]; do sleep 0.1; done; touch {flag}.a",
                 f"b=touch {flag}.b; while [ ! -e {flag}.a ]; do sleep 0.1; done")
    assert done.returncode == 0, done.stdout


def test_bad_arguments_print_the_usage(tmp_path):
    done = parts(tmp_path, "no-equals-sign")
    assert done.returncode == 2 and "NAME=COMMAND" in done.stderr
