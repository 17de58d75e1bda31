"""The real `kubelab` entry point (a subprocess of the installed script) on bad input: every usage error of
every command exits 2 with a message and no traceback; a bug exits 3 with one line and a log; no cluster,
a broken kubeconfig and markup in an argument each get a plain message; a malformed lab.yaml is one message.
Then `labs`, `check`, `start` and `grade` against the stub API server (tests/stub_apiserver.py): their exit
codes and `--json` documents. No cluster is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from checkers.cli import COMMANDS
from clusters.errors import ExitCode
from tests.stub_apiserver import StubApiServer

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
    "images build-context: no tag": ["images", "build-context", "."],
    "images build-context: bad tag": ["images", "build-context", ".", "-t", "Hello"],
    "images build-context: no Dockerfile": ["images", "build-context", ".", "-t", "kubelab.local/hello:1.0"],
    "node: no subcommand": ["node"],
    "node nft: unknown option": ["node", "nft", "--bogus"],
    "build: unknown option": ["build", "--bogus"],
    "build: extra argument": ["build", "extra"],
    "notebooks: unknown option": ["notebooks", "--bogus"],
    "notebooks: a file as the workspace": ["notebooks", "/dev/null"],
    "new-lab: missing id": ["new-lab"],
    "new-lab: not NN-slug": ["new-lab", "4-probes"],
    "new-lab: folder exists": ["new-lab", "02-pods"],
    "new-lab: number taken": ["new-lab", "02-pods-again"],
}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-usage")


def kubelab(home: Path, *args: str, python: str | None = None, kubeconfig: str = "",
            **extra: str) -> subprocess.CompletedProcess:
    """Run the installed `kubelab` (or ``python -c`` code that ends in its entry point) with no cluster anywhere
    but ``kubeconfig``'s, and the ``extra`` environment variables."""
    env = {**os.environ, "HOME": str(home), "KUBELAB_STATE": str(home / "state"), "XDG_STATE_HOME": str(home / "xdg"),
           "KUBECONFIG": kubeconfig or str(home / "no-kubeconfig"), "KUBELAB_LANG": "en", "COLUMNS": "200"}
    for name in ("KUBELAB_BACKEND", "KUBELAB_LABS", "KUBELAB_NAMESPACE"):
        env.pop(name, None)
    env.update(extra)
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


@pytest.mark.parametrize(("secrets", "field"), [
    ([{"nmae": "db-credentials", "generate": ["password"]}], "secrets[0].nmae"),
    ([{"name": "db-credentials", "genrate": ["password"]}], "secrets[0].genrate"),
    ([{"name": "db-credentials", "generate": "password"}], "secrets[0].generate"),
    (["db-credentials"], "secrets"),
])
@pytest.mark.parametrize("command", [["start", "01"], ["check", "01-demo"], ["labs"], ["solve", "demo"]])
def test_a_typo_in_lab_yaml_is_one_message_naming_file_and_field(home, tmp_path, command, secrets, field):
    folder = tmp_path / "labs" / "01-demo"
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(yaml.safe_dump({"title": "Demo", "minutes": 5, "namespace": "demo",
                                                     "secrets": secrets}))
    output = assert_clean(kubelab(home, *command, KUBELAB_LABS=str(tmp_path / "labs")), ExitCode.CANNOT_RUN)
    assert f'{folder / "lab.yaml"}: ' in output and f'"{field}"' in output, output


def test_new_lab_writes_a_lab_that_loads_and_never_overwrites(home, tmp_path):
    from checkers.l10n import lab_messages
    from checkers.lab import all_labs

    labs = tmp_path / "labs"
    labs.mkdir()
    assert "Wrote" in assert_clean(kubelab(home, "new-lab", "04a-probes", "--labs", str(labs)), ExitCode.OK)
    (lab,) = all_labs(labs)
    def written():  # what new-lab wrote (Python's own bytecode cache aside)
        return {p: p.read_bytes() for p in lab.path.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    before = written()
    assert {f.trips for f in lab.faults} == {c.id for c in lab.checks} and lab_messages(lab)
    output = assert_clean(kubelab(home, "new-lab", "04a-probes", KUBELAB_LABS=str(labs)), ExitCode.CANNOT_RUN)
    assert "already exists" in output
    assert written() == before
    assert [p.name for p in labs.iterdir()] == ["04a-probes"]  # no draft left behind


# --- against the stub API server --------------------------------------------------------------------------


@pytest.fixture(params=["empty", "forbidden"])
def stub(request, home):
    """A stub API server in ``request.param`` mode, and a kubeconfig for it."""
    with StubApiServer(request.param, ["pods-web", "pods-sidecar"]) as server:
        kubeconfig = home / f"stub-{request.param}.kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "stub",
            "clusters": [{"name": "stub", "cluster": {"server": f"http://127.0.0.1:{server.server.server_port}"}}],
            "users": [{"name": "stub", "user": {"token": "x"}}],
            "contexts": [{"name": "stub", "context": {"cluster": "stub", "user": "stub"}}]}))
        yield SimpleNamespace(mode=request.param, kubeconfig=str(kubeconfig))


def on_stub(home: Path, stub, *args: str) -> subprocess.CompletedProcess:
    return kubelab(home, *args, kubeconfig=stub.kubeconfig, KUBELAB_BACKEND="kubeconfig")


def test_check_exit_code_and_json_against_the_stub(home, stub):
    done = on_stub(home, stub, "check", "02", "--json")
    if stub.mode == "forbidden":  # the cluster's capabilities cannot be read: one message, nothing graded
        assert "Not allowed to GET /api/v1/nodes" in assert_clean(done, ExitCode.CANNOT_RUN) and not done.stdout
        return
    document = json.loads(assert_clean(done, ExitCode.PROBLEM))
    assert document["schema"] == "kubelab.result/v1" and document["lab"] == "02-pods"
    assert {c["status"] for c in document["checks"]} - {"skip"} == {"fail"} and document["score"] == 0
    one = json.loads(on_stub(home, stub, "check", "pods", "web-pod-running", "--json").stdout)
    assert [c["id"] for c in one["checks"]] == ["web-pod-running"]
    text = assert_clean(on_stub(home, stub, "check", "02-pods"), done.returncode)
    assert "Score: 0/" in text


def test_labs_json_against_the_stub(home, stub):
    from checkers.lab import all_labs

    rows = json.loads(assert_clean(on_stub(home, stub, "labs", "--json"), ExitCode.OK))
    assert [row["id"] for row in rows] == [lab.id for lab in all_labs()]
    assert all(set(row) >= {"title", "needs", "requires", "runnable", "missing", "checks", "progress"} for row in rows)
    if stub.mode == "empty":  # no nodes
        assert all(row["runnable"] is False and "nodes" in row["missing"] for row in rows)


def test_start_that_kubectl_refuses_exits_2_with_kubectls_words(home, stub):
    output = assert_clean(on_stub(home, stub, "start", "02-pods", "-n", "stub-ns"), ExitCode.CANNOT_RUN)
    assert "kubectl" in output


def test_grade_exit_code_and_results_against_the_stub(home, stub, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nana,Ana\n")
    done = on_stub(home, stub, "grade", "--roster", str(roster), "--lab", "02", "--out", str(tmp_path / "out"),
                   "--kubeconfig", stub.kubeconfig, "--no-settle", "--timeout", "2")
    assert_clean(done, ExitCode.PROBLEM if stub.mode == "empty" else ExitCode.CANNOT_RUN)
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert json.dumps(results).count("02-pods") and (tmp_path / "out" / "gradebook.csv").is_file()
    again = on_stub(home, stub, "grade", "--roster", str(roster), "--lab", "02", "--out", str(tmp_path / "out"),
                    "--kubeconfig", stub.kubeconfig, "--no-settle", "--only", "2")
    assert_clean(again, done.returncode)


@pytest.mark.cluster
def test_the_cold_start_benchmark_runs(cluster):
    """tests/benchmarks/cli_start.py in its small size, so that it cannot rot (the numbers are its own output)."""
    from tests.benchmarks import cli_start

    result = cli_start.main(["--quick", "--kubeconfig", str(cluster.kubeconfig), "--namespace", "test-cli-start"])
    assert "pods" in result["kinds"]
    assert {"kubectl get", "kubelab --help", "kubelab check 02-pods"} == set(result["rows"])
