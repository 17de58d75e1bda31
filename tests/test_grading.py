"""Class grading: roster validation, redaction, a class in mixed states graded to exact scores and error
lists on the embedded cluster with the provisioned read-only grader, interrupt + resume, the exports
Canvas and Moodle import, per-student feedback, and the HTML report rendered in headless Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from checkers import actions, hub
from checkers.grading.exports import CANVAS_IDENTITY, MOODLE_IDENTITY, write_all
from checkers.grading.feedback import write_feedback
from checkers.grading.grade import JOURNAL, Journal, Options, errors_of, grade_class, select
from checkers.grading.redact import REDACTED, redact
from checkers.grading.report import write_report
from checkers.grading.roster import RosterError, read_roster
from checkers.lab import find_lab
from clusters.api import ApiForbidden, get, request
from clusters.base import Connection, detect_capabilities
from tests.helpers import wait_for

LAB_IDS = ("02-pods", "03-deployments", "05-services")


# ---------------------------------------------------------------- roster, redaction, selection (no cluster)

def test_roster_reports_every_bad_row_at_once(tmp_path):
    kubeconfig = tmp_path / "k.yaml"
    kubeconfig.write_text(yaml.safe_dump({"contexts": [{"name": "class", "context": {"namespace": "ns-x"}}],
                                          "current-context": "class"}))
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffid,name,email,namespace,kubeconfig,context,lang\n"
                      "ana,Ana Ștefănescu,ana@example.org,,,,ro\n"
                      "Bob!,Bob,,,,,\n"                           # 3: id not a DNS label
                      "carla,,not-an-email,,,,\n"                 # 4: no name, bad email
                      "ana,Ana again,,,,,\n"                      # 5: duplicate id
                      "dan,Dan,,Bad_NS,,,xx\n"                    # 6: bad namespace, unknown language
                      "eve,Eve,,,missing.yaml,,\n"                # 7: kubeconfig missing
                      "fay,Fay,,,k.yaml,nope,\n"                  # 8: unknown context
                      "gus,Gus\n"                                 # 9: too few cells
                      "\n"
                      "hal,Hal,,,k.yaml,class,\n"                 # 11: fine (namespace from the context)
                      "ivy,Ivy,,ns-x,k.yaml,,\n", encoding="utf-8")  # 12: same namespace as hal
    with pytest.raises(RosterError) as bad:
        read_roster(roster)
    lines = [line for line, _ in bad.value.problems]
    assert lines == [3, 4, 4, 5, 6, 6, 7, 8, 9, 12], bad.value.problems
    assert "line 3" in str(bad.value) and "nothing was graded" in str(bad.value)


def test_roster_reads_optional_columns(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,id,lang\nJosé Núñez,jose,es-ES\nAna,ana,\n", encoding="utf-8")
    jose, ana = read_roster(roster)
    assert (jose.id, jose.name, jose.lang, jose.namespace_for("kubelab-pods")) == (
        "jose", "José Núñez", "es", "lab-jose")
    assert ana.lang == "" and ana.on_current_cluster


def test_secret_values_never_reach_the_documents():
    evidence = {"objects": [
        {"kind": "Secret", "metadata": {"name": "db", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": '{"stringData":{"password":"hunter2"}}'}},
         "data": {"password": "aHVudGVyMg=="}, "stringData": {"password": "hunter2"}},
        {"kind": "Pod", "spec": {"containers": [{"env": [{"name": "DB_PASSWORD", "value": "hunter2"},
                                                         {"name": "MODE", "value": "prod"}]}]}}],
        "apiKey": "hunter2", "secretName": "db", "counts": {"pass": 2}}
    text = json.dumps(redact(evidence))
    assert "hunter2" not in text and "aHVudGVyMg" not in text
    assert REDACTED in text and '"secretName": "db"' in text and '"MODE", "value": "prod"' in text


def _record(student: str, lab, statuses: dict[str, str], error_kind: str = "") -> dict:
    checks = [{"id": c.id, "title": c.title, "points": c.points, "status": statuses.get(c.id, "pass"),
               "message": "m", "message_id": "m", "params": {"error_kind": error_kind} if error_kind else {},
               "expected": None, "found": None, "hints": [], "evidence": {}} for c in lab.checks]
    score = sum(c["points"] for c in checks if c["status"] == "pass")
    decided = sum(c["points"] for c in checks if c["status"] in ("pass", "fail"))
    counts = {s: sum(c["status"] == s for c in checks) for s in ("pass", "fail", "error", "skip")}
    return {"student": student, "lab": lab.id, "namespace": "ns", "language": "en", "finished": "t",
            "document": {"lab": lab.id, "score": score, "max": decided, "counts": counts, "checks": checks}}


def test_resume_selects_only_what_is_missing_and_only_forces_regrades(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\nana,Ana\nbob,Bob\n")
    students = read_roster(roster)
    labs = [find_lab(i) for i in LAB_IDS[:2]]
    journal = Journal(tmp_path / JOURNAL)
    journal.append(_record("ana", labs[0], {}))
    forbidden = {c.id: "error" for c in labs[1].checks}
    journal.append(_record("ana", labs[1], forbidden, "obstructed"))
    with (tmp_path / JOURNAL).open("a") as out:
        out.write('{"student": "bob", "lab": "02-po')  # torn by an interruption
    journal = Journal(tmp_path / JOURNAL)
    keys = lambda pairs: [(s.id, lab.id) for s, lab in pairs]  # noqa: E731
    assert keys(select(students, labs, journal)) == [("bob", labs[0].id), ("bob", labs[1].id)]
    assert keys(select(students, labs, journal, retry_errors=True))[0] == ("ana", labs[1].id)
    assert keys(select(students, labs, journal, only=["ana", labs[0].id])) == [("ana", labs[0].id),
                                                                            ("bob", labs[0].id), ("bob", labs[1].id)]
    journal.append(_record("bob", labs[0], {}))  # after a torn line, a new record is still whole
    assert ("bob", labs[0].id) in Journal(tmp_path / JOURNAL).records


def test_exports_match_the_canvas_and_moodle_import_formats(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,email\nana,Ana Ștefănescu,ana@example.org\nbob,\"Núñez, Bob\",bob@example.org\n",
                      encoding="utf-8")
    students = read_roster(roster)
    lab = find_lab(LAB_IDS[0])
    first = lab.checks[0]
    records = {("ana", lab.id): _record("ana", lab, {first.id: "fail"}),
               ("bob", lab.id): _record("bob", lab, {first.id: "error"}, "timeout")}
    paths = write_all(tmp_path, students, [lab], records, {lab.id: "4242"}, roster)
    total = sum(c.points for c in lab.checks)
    raw = paths["canvas"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    canvas = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert canvas[0] == CANVAS_IDENTITY + [f"kubelab {lab.id} (4242)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", str(total)]
    assert canvas[2] == ["Ana Ștefănescu", "", "ana", "ana@example.org", "", str(total - first.points)]
    assert canvas[3][-1] == "", "a student with an undecided check gets no grade, not a zero"
    moodle = list(csv.reader(io.StringIO(paths["moodle"].read_text(encoding="utf-8"))))
    assert moodle[0] == MOODLE_IDENTITY + [f"kubelab {lab.id}", f"kubelab {lab.id} feedback"]
    assert moodle[1][:3] == ["ana", "ana@example.org", "Ana Ștefănescu"] and moodle[2][3] == ""
    document = json.loads(paths["results"].read_text())
    assert document["errors"] == [{"student": "bob", "lab": lab.id, "check": first.id, "kind": "timeout",
                                   "message": "m"}]
    assert document["rerun"] == [f"kubelab grade --roster {roster} --out {tmp_path} --lab {lab.id} --only bob"]


# ---------------------------------------------------------------- a class on the embedded cluster

class Proxy:
    """A TCP forwarder to the API server that can be stopped mid-run, or a black hole that never answers."""

    def __init__(self, target: tuple[str, int], black_hole: bool = False):
        self.target, self.black_hole = target, black_hole
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.sockets.append(conn)
            if not self.black_hole:
                upstream = socket.create_connection(self.target)
                self.sockets.append(upstream)
                for a, b in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


def _kubeconfig_via(source: Path, port: int, target: Path) -> Path:
    config = yaml.safe_load(source.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    target.write_text(yaml.safe_dump(config))
    return target


@pytest.fixture(scope="module")
def classroom(cluster, tmp_path_factory):
    """A provisioned class in mixed states; yields (roster, labs, grader connection, expectations, proxies)."""
    labs = [find_lab(i) for i in LAB_IDS]
    tag = uuid.uuid4().hex[:4]
    folder = tmp_path_factory.mktemp("class")
    sid = lambda name: f"g{tag}-{name}"  # noqa: E731
    states = {"solution": None, **{f"fault{k}": k for k in range(max(len(lab.faults) for lab in labs))},
              "empty": "empty", "forbidden": "forbidden"}
    provisioned = [sid(name) for name in states] + [sid("stopped"), sid("hanging")]
    room = hub.Classroom(hub_namespace=f"hub-{tag}")
    admin = cluster.api_client()
    hub.provision(admin, provisioned, room)
    hub.write_kubeconfigs(admin, provisioned, room, folder, hours=2)

    def prepare(name, lab):
        state, ns = states[name], room.namespace(sid(name))
        if state is None or (isinstance(state, int) and state >= len(lab.faults)):
            actions.solve(lab, cluster, ns)
        elif isinstance(state, int):
            actions.apply_fault(lab, lab.faults[state], cluster, ns)

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda pair: prepare(*pair), [(n, lab) for n in states for lab in labs]))
    request(admin, "DELETE", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{room.namespace(sid('forbidden'))}"
                             f"/rolebindings/{hub.GRADER}")
    grader = Connection(kubeconfig=folder / "grader.kubeconfig")
    grader_api = grader.api_client()
    wait_for(lambda: _forbidden(grader_api, room.namespace(sid("forbidden"))), what="grader loses its binding")
    capabilities = detect_capabilities(grader_api)
    grader_api.close()
    server = urlparse(admin.host)
    proxies = {"stopped": Proxy((server.hostname, server.port)), "hanging": Proxy((server.hostname, server.port),
                                                                                 black_hole=True)}
    rows = ["id,name,email,namespace,kubeconfig,context,lang"]
    for name in states:
        rows.append(f"{sid(name)},Élève {name},{name}@example.org,,,,{'fr' if name == 'solution' else ''}")
    rows.append(f"{sid('missing')},Absent,,,,,")
    for name, proxy in proxies.items():
        path = _kubeconfig_via(folder / "grader.kubeconfig", proxy.port, folder / f"{name}-via-proxy.kubeconfig")
        rows.append(f"{sid(name)},Élève {name},,{room.namespace(sid(name))},{path},,")
    roster = folder / "roster.csv"
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    expected = _expectations(labs, states, sid, capabilities)
    yield roster, labs, grader, expected, proxies
    for proxy in proxies.values():
        proxy.stop()
    hub.deprovision(admin, hub.deprovision_plan(admin, provisioned, room))
    admin.close()


def _forbidden(api, namespace: str) -> bool:
    try:
        get(api, f"/api/v1/namespaces/{namespace}/pods")
        return False
    except ApiForbidden:
        return True


def _expectations(labs, states, sid, capabilities) -> dict:
    """(student, lab) → (score, max, sorted [(check, error kind)]) for every student of the class."""
    expected = {}
    for lab in labs:
        runnable = [c for c in lab.checks if not capabilities.missing(c.needs)]
        total = sum(c.points for c in runnable)
        for name, state in states.items():
            if state == "forbidden":
                expected[(sid(name), lab.id)] = (0, 0, sorted((c.id, "obstructed") for c in runnable))
            elif state == "empty":
                expected[(sid(name), lab.id)] = (0, total, [])
            elif isinstance(state, int) and state < len(lab.faults):
                tripped = lab.check(lab.faults[state].trips)  # skipped where this cluster cannot run it
                lost = 0 if capabilities.missing(tripped.needs) else tripped.points
                expected[(sid(name), lab.id)] = (total - lost, total, [])
            else:
                expected[(sid(name), lab.id)] = (total, total, [])
        for name, kind in (("missing", "namespace-missing"), ("stopped", "unreachable"), ("hanging", "timeout")):
            expected[(sid(name), lab.id)] = (0, 0, sorted((c.id, kind) for c in lab.checks))
    return expected


def _without_capability_checks(outcomes: dict, labs) -> dict:
    """The outcomes less the errors of checks that need a capability (a data plane…): whether the API went away
    before or after the grader read the cluster's capabilities, such a check is rightly an error or a skip."""
    needy = {c.id for lab in labs for c in lab.checks if c.needs}
    return {key: (score, most, [e for e in errors if e[0] not in needy])
            for key, (score, most, errors) in outcomes.items()}


def _outcomes(records: dict) -> dict:
    return {key: (r["document"]["score"], r["document"]["max"], sorted((e["check"], e["kind"])
                                                                        for e in errors_of(r)))
            for key, r in records.items()}


@pytest.fixture(scope="module")
def graded(classroom, tmp_path_factory):
    """One uninterrupted run; the API behind the `stopped` student goes down after the first result."""
    roster, labs, grader, _expected, proxies = classroom
    out = tmp_path_factory.mktemp("grades")
    students = read_roster(roster)

    def arrived(_record):
        proxies["stopped"].stop()

    records = grade_class(students, labs, out, grader, Options(workers=4, timeout=2.0), on_result=arrived)
    return out, students, labs, records


@pytest.mark.cluster
def test_a_class_in_mixed_states_grades_to_the_exact_scores_and_errors(classroom, graded):
    _roster, labs, _grader, expected, _proxies = classroom
    _out, students, _labs, records = graded
    assert len(records) == len(students) * len(labs)
    assert _without_capability_checks(_outcomes(records), labs) == _without_capability_checks(expected, labs)


@pytest.mark.cluster
def test_a_regrade_during_an_outage_loses_nothing(classroom, graded, tmp_path):
    """`--only` a student while the API server is unreachable: the journal grows, the grades stay."""
    roster, labs, grader, _expected, _proxies = classroom
    out, students, _labs, records = graded
    shutil.copyfile(out / JOURNAL, tmp_path / JOURNAL)
    before = write_all(tmp_path, students, labs, records, roster=roster)
    saved = {name: before[name].read_text() for name in ("gradebook", "canvas", "moodle")}
    solution = next(s for s in students if s.id.endswith("-solution"))
    dead = Connection(kubeconfig=_kubeconfig_via(grader.kubeconfig, _closed_port(), tmp_path / "dead.kubeconfig"))
    lines = len((tmp_path / JOURNAL).read_text().splitlines())
    regraded = grade_class(students, labs, tmp_path, dead, Options(workers=2, timeout=1.0), only=[solution.id])
    assert len((tmp_path / JOURNAL).read_text().splitlines()) == lines + len(labs), "the outage is on record"
    assert all(errors_of(r) for r in Journal(tmp_path / JOURNAL).history(solution.id, labs[0].id)[-1:])
    for lab in labs:
        kept, graded_before = (json.dumps(r[(solution.id, lab.id)], sort_keys=True) for r in (regraded, records))
        assert kept == graded_before, "a decided grade was replaced"
    after = write_all(tmp_path, students, labs, regraded, roster=roster)
    assert {name: after[name].read_text() for name in saved} == saved


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the probe is


def test_an_undecided_record_never_replaces_a_decided_one(tmp_path):
    lab = find_lab(LAB_IDS[0])
    journal = Journal(tmp_path / JOURNAL)
    decided = _record("ana", lab, {lab.checks[0].id: "fail"})
    journal.append(decided)
    journal.append(_record("ana", lab, {c.id: "error" for c in lab.checks}, "unreachable"))
    journal.append(_record("ana", lab, {lab.checks[0].id: "error"}, "timeout"))
    assert Journal(tmp_path / JOURNAL).records[("ana", lab.id)] == decided
    assert len(Journal(tmp_path / JOURNAL).history("ana", lab.id)) == 3
    fixed = _record("ana", lab, {})
    journal.append(fixed)  # decided again, later: the new grade counts
    assert Journal(tmp_path / JOURNAL).records[("ana", lab.id)] == fixed


def test_an_obstructed_grader_is_reported_never_a_silent_blank(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\nana,Ana\n")
    students = read_roster(roster)
    lab = find_lab(LAB_IDS[0])
    records = {("ana", lab.id): _record("ana", lab, {c.id: "error" for c in lab.checks}, "obstructed")}
    paths = write_all(tmp_path, students, [lab], records, roster=roster)
    gradebook = list(csv.DictReader(io.StringIO(paths["gradebook"].read_text(encoding="utf-8"))))
    assert gradebook[0]["needs_regrade"] == "obstructed"
    assert {e["kind"] for e in json.loads(paths["results"].read_text())["errors"]} == {"obstructed"}
    assert "obstructed" in write_report(tmp_path / "report.html", students, [lab], records).read_text()


@pytest.mark.cluster
def test_interrupt_and_resume_give_the_same_gradebook(classroom, graded, tmp_path):
    roster, labs, grader, _expected, _proxies = classroom
    out_a, students, _labs, records_a = graded
    write_all(out_a, students, labs, records_a, roster=roster)
    seen = []

    def interrupt_after_five(record):
        seen.append(record)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_class(students, labs, tmp_path, grader, Options(workers=4, timeout=2.0), on_result=interrupt_after_five)
    with (tmp_path / JOURNAL).open("a") as out:
        out.write('{"student": "torn')  # a write cut short by the interruption
    assert len(Journal(tmp_path / JOURNAL).records) == 5
    resumed = []
    records_b = grade_class(students, labs, tmp_path, grader, Options(workers=4, timeout=2.0),
                            on_result=resumed.append)
    assert len(resumed) == len(students) * len(labs) - 5, "what was done is not graded again"
    write_all(tmp_path, students, labs, records_b, roster=roster)
    for name in ("gradebook.csv", "canvas.csv", "moodle.csv"):
        assert (tmp_path / name).read_text() == (out_a / name).read_text(), name


@pytest.mark.cluster
def test_evidence_document_and_feedback_in_the_students_language(classroom, graded):
    roster, labs, _grader, _expected, _proxies = classroom
    out, students, _labs, records = graded
    paths = write_all(out, students, labs, records, roster=roster)
    document = json.loads(paths["results"].read_text())
    kinds = {e["kind"] for e in document["errors"]}
    assert kinds == {"obstructed", "namespace-missing", "unreachable", "timeout"}
    assert all(" --only " in command for command in document["rerun"])
    files = write_feedback(out / "feedback", students, labs, records, "en")
    assert len(files) == len(students)
    solution = next(s for s in students if s.id.endswith("-solution"))
    assert all(records[(solution.id, lab.id)]["document"]["language"] == "fr" for lab in labs)
    assert labs[0].id in (out / "feedback" / f"{solution.id}.md").read_text(encoding="utf-8")


@pytest.mark.cluster
def test_html_report_renders_in_headless_chromium(classroom, graded, artifacts):
    _roster, labs, _grader, _expected, _proxies = classroom
    out, students, _labs, records = graded
    report = write_report(out / "report.html", students, labs, records)
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    shutil.copyfile(report, artifacts / "class-report.html")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("chromium is not installed (Debian package: chromium)")
    shot = artifacts / "class-report.png"
    shot.unlink(missing_ok=True)
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--screenshot={shot}",
                    "--window-size=1280,1600", report.resolve().as_uri()], check=True, timeout=120,
                   capture_output=True)
    assert shot.is_file() and shot.stat().st_size > 10_000


@pytest.mark.cluster
def test_nbgrader_test_cell_scores_the_lab(classroom, tmp_path):
    """The documented test cell, run in a real kernel, is scored by nbgrader's own rule as the lab's points."""
    utils = pytest.importorskip("nbgrader.utils", reason="nbgrader is not installed (pip install nbgrader)")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    roster, labs, _grader, expected, _proxies = classroom
    lab = labs[1]
    fault = next(s for s in read_roster(roster) if s.id.endswith("-fault0"))
    score, total, _errors = expected[(fault.id, lab.id)]
    cell = nbformat.v4.new_code_cell(f'from checkers.grading.nbgrader import lab_points\nlab_points("{lab.id}")')
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": total, "grade_id": "t", "locked": True}
    notebook = nbformat.v4.new_notebook(cells=[cell])
    kubeconfig = roster.parent / "grader.kubeconfig"
    env = {"KUBECONFIG": str(kubeconfig), "KUBELAB_NAMESPACE": fault.namespace_for(lab.namespace)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        nbclient.NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert not [o for o in notebook.cells[0].outputs if o.get("name") == "stderr"]
    assert utils.determine_grade(notebook.cells[0], None) == (score, total)


@pytest.mark.cluster
def test_grade_command_writes_every_output_and_exits_2_on_errors(classroom, tmp_path):
    import typer

    from checkers.cli import grade as grade_cli

    roster, labs, grader, _expected, proxies = classroom
    proxies["stopped"].stop()  # down for this whole run, as after the run of the `graded` fixture
    app = typer.Typer()
    grade_cli.register(app)
    app.command("noop")(lambda: None)
    args = ["grade", "--roster", str(roster), "--out", str(tmp_path), "--kubeconfig", str(grader.kubeconfig),
            "--timeout", "2", *[a for lab in labs for a in ("--lab", lab.id)]]
    assert app(args=args, standalone_mode=False, prog_name="kubelab") == 2
    document = json.loads((tmp_path / "results.json").read_text())
    assert {e["student"].split("-", 1)[1] for e in document["errors"]} == {"forbidden", "missing", "stopped",
                                                                            "hanging"}
    for name in ("gradebook.csv", "canvas.csv", "moodle.csv", "results.json", "report.html", JOURNAL):
        assert (tmp_path / name).is_file(), name
    assert len(list((tmp_path / "feedback").glob("*.md"))) == len(read_roster(roster))


def test_nbgrader_points_are_never_given_for_an_unreadable_cluster(tmp_path, monkeypatch):
    from checkers.grading.nbgrader import NotGradable, lab_points

    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "down",
        "clusters": [{"name": "down", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "down", "user": {"token": "x"}}],
        "contexts": [{"name": "down", "context": {"cluster": "down", "user": "down"}}]}))
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    with pytest.raises(NotGradable, match="02-pods"):
        lab_points("02-pods", namespace="nowhere", timeout=1)
