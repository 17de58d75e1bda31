"""The real `kubelab` entry point (a subprocess of the installed script) on bad input: every usage error of
every command exits 2 with a message and no traceback; a bug exits 3 with one line and a log; no cluster,
a broken kubeconfig and markup in an argument each get a plain message. No cluster is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkers.cli import COMMANDS
from clusters.errors import ExitCode

KUBELAB = Path(sys.executable).parent / "kubelab"

USAGE_ERRORS = {
    "unknown command": ["bogus"],
    "unknown global option": ["--bogus", "labs"],
    "bad --lang before": ["--lang", "xx", "labs"],
    "bad --lang after": ["labs", "--lang", "xx"],
    "--lang without a value": ["labs", "--lang"],
    "up: unknown option": ["up", "--bogus"],
    "up: bad --nodes": ["up", "--nodes", "0"],
    "up: --nodes not a number": ["up", "--nodes", "many"],
    "up: bad --backend": ["up", "--backend", "nope"],
    "down: extra argument": ["down", "extra"],
    "down: bad --backend": ["down", "--backend", "nope"],
    "status: unknown option": ["status", "--bogus"],
    "status: bad --backend": ["status", "--backend", "nope"],
    "doctor: unknown option": ["doctor", "--bogus"],
    "doctor: bad --backend": ["doctor", "--backend", "nope"],
    "labs: extra argument": ["labs", "extra"],
    "start: missing lab": ["start"],
    "start: unknown lab": ["start", "99-nope"],
    "check: missing lab": ["check"],
    "check: unknown option": ["check", "02-pods", "--bogus"],
    "check: bad --hints": ["check", "02-pods", "--hints", "9"],
    "check: unknown lab": ["check", "99-nope"],
    "check: unknown check": ["check", "02-pods", "no-such-check"],
    "solve: missing lab": ["solve"],
    "solve: unknown option": ["solve", "02-pods", "--bogus"],
    "reset: missing lab": ["reset"],
    "reset: -n without a value": ["reset", "02-pods", "-n"],
    "grade: missing --roster": ["grade"],
    "grade: bad --workers": ["grade", "--roster", "r.csv", "--workers", "0"],
    "grade: roster that does not exist": ["grade", "--roster", "/nonexistent/roster.csv"],
    "grade: bad --canvas-id": ["grade", "--roster", "/nonexistent/roster.csv", "--canvas-id", "x"],
    "hub: no subcommand": ["hub"],
    "hub: unknown subcommand": ["hub", "bogus"],
    "hub provision: missing --roster": ["hub", "provision"],
    "hub provision: bad --token-hours": ["hub", "provision", "--roster", "r.csv", "--token-hours", "0"],
    "hub deprovision: unknown option": ["hub", "deprovision", "--bogus"],
    "images: no subcommand": ["images"],
    "images: unknown subcommand": ["images", "bogus"],
    "images build: unknown image": ["images", "build", "no-such-image"],
    "images list: unknown option": ["images", "list", "--bogus"],
    "build: unknown option": ["build", "--bogus"],
    "build: extra argument": ["build", "extra"],
    "notebooks: unknown option": ["notebooks", "--bogus"],
    "notebooks: a file as the workspace": ["notebooks", "/dev/null"],
}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-usage")


def kubelab(home: Path, *args: str, python: str | None = None, kubeconfig: str = "") -> subprocess.CompletedProcess:
    """Run the installed `kubelab` (or ``python -c`` code that ends in its entry point) with no cluster anywhere."""
    env = {**os.environ, "HOME": str(home), "KUBELAB_STATE": str(home / "state"), "XDG_STATE_HOME": str(home / "xdg"),
           "KUBECONFIG": kubeconfig or str(home / "no-kubeconfig"), "KUBELAB_LANG": "en", "COLUMNS": "200"}
    env.pop("KUBELAB_BACKEND", None)
    argv = [sys.executable, "-c", python, *args] if python else [str(KUBELAB), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, cwd=home)


def assert_clean(done: subprocess.CompletedProcess, code: int) -> str:
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == code, output
    return output


@pytest.mark.parametrize("args", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_error_exits_2_without_traceback(home, args):
    output = assert_clean(kubelab(home, *args), ExitCode.CANNOT_RUN)
    assert output.strip(), "no message at all"


def test_every_command_is_covered():
    named = {args[0] for args in USAGE_ERRORS.values()}
    assert set(COMMANDS) <= named


@pytest.mark.parametrize("name", [*COMMANDS, "hub provision"])
def test_every_command_takes_lang_after_it(home, name):
    """A bad language after the command is refused by name (were `--lang` unknown there: "No such option");
    before the command, the group takes it (the `bad --lang before` usage error)."""
    output = assert_clean(kubelab(home, *name.split(), "--lang=xx"), ExitCode.CANNOT_RUN)
    assert "--lang xx: choose one of" in output


def test_lang_before_and_after_the_command_translates(home):
    english = json.loads(assert_clean(kubelab(home, "labs", "--json"), ExitCode.OK))
    before = json.loads(assert_clean(kubelab(home, "--lang", "fr", "labs", "--json"), ExitCode.OK))
    after = json.loads(assert_clean(kubelab(home, "labs", "--json", "--lang", "fr"), ExitCode.OK))
    assert before == after
    assert [row["title"] for row in before] != [row["title"] for row in english]


def test_help_lists_every_command_and_exits_0(home):
    output = assert_clean(kubelab(home, "--help"), ExitCode.OK)
    assert all(f"  {name} " in output for name in COMMANDS)


def test_an_internal_error_exits_3_with_one_line_and_the_log(home):
    crash = "import checkers.cli.labs as m; m.find_lab = None; from checkers.cli import run; run()"
    done = kubelab(home, "check", "02-pods", python=crash)
    assert_clean(done, ExitCode.INTERNAL)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bug in kubelab" in lines[0] and "TypeError" in lines[0], done.stderr
    log = Path(lines[0].rsplit(" ", 1)[-1].rstrip("."))
    assert log.is_relative_to(home / "state" / "log") and "Traceback" in log.read_text()


def test_ctrl_c_exits_130_without_traceback(home):
    interrupt = ("import checkers.cli.labs as m\ndef find_lab(name): raise KeyboardInterrupt\nm.find_lab = find_lab\n"
                 "from checkers.cli import run; run()")
    assert_clean(kubelab(home, "check", "02-pods", python=interrupt), ExitCode.INTERRUPTED)


def test_markup_in_an_argument_is_shown_as_text(home):
    output = assert_clean(kubelab(home, "check", "[/x]"), ExitCode.CANNOT_RUN)
    assert "[/x]" in output


def test_no_cluster_says_run_kubelab_up(home):
    empty = home / "empty-kubeconfig"
    empty.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    for args in (["check", "02-pods"], ["status"]):
        output = assert_clean(kubelab(home, *args, kubeconfig=str(empty)), ExitCode.CANNOT_RUN)
        assert "No cluster: run `kubelab up`" in output
    for _ in range(2):
        output = assert_clean(kubelab(home, "down", kubeconfig=str(empty)), ExitCode.OK)
        assert "Nothing to stop: no cluster started by kubelab is running." in output


@pytest.mark.parametrize("command", [["check", "02-pods"], ["status"], ["doctor"]])
def test_a_kubeconfig_with_a_yaml_error_is_named_with_its_line(home, command):
    broken = home / "broken-kubeconfig"
    broken.write_text("apiVersion: v1\nclusters: [\n")
    done = kubelab(home, *command, kubeconfig=str(broken))
    output = assert_clean(done, ExitCode.PROBLEM if command == ["doctor"] else ExitCode.CANNOT_RUN)
    assert f"{broken}:" in output and "not valid YAML" in output


@pytest.mark.cluster
def test_the_cold_start_benchmark_runs(cluster):
    """tests/benchmarks/cli_start.py in its small size, so that it cannot rot (the numbers are its own output)."""
    from tests.benchmarks import cli_start

    result = cli_start.main(["--quick", "--kubeconfig", str(cluster.kubeconfig), "--namespace", "test-cli-start"])
    assert "pods" in result["kinds"]
    assert {"kubectl get", "kubelab --help", "kubelab check 02-pods"} == set(result["rows"])
