"""The notebook API: fallbacks that show everything, the panel driven from Python, the namespace
picture drawn from object fixtures, the language taken from the notebook's folder, and one lab
run end to end on the cluster."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

import nbformat
import pytest
import yaml

from checkers import notebook_api
from checkers.notebook_api import Document, NotebookLab, open_lab
from checkers.picture import STATES, draw
from checkers.l10n import lesson_cells
from checkers.lab import all_labs, find_lab
from checkers.notebook_build import render as render_notebook
from checkers.widget import STATUS_NAMES, SYMBOLS, CheckPanel, ConfirmButton, fallback, render_html, render_text
from clusters.base import Connection
from clusters.errors import UsageError
from clusters.i18n import current_language, set_language
from tests.stub_apiserver import StubApiServer

HINTS = ["Pin a version: `latest` moves whenever a new image is published.",
         "Use a tag such as nginx:1.27 in `image:`.",
         "Delete the pod and apply the fixed manifest."]
DOCUMENT = {
    "schema": "kubelab.result/v1", "lab": "02-pods", "namespace": "kubelab-pods", "backend": "embedded",
    "cluster": "https://127.0.0.1:6443", "language": "en", "started": "2026-11-22T21:00:00+00:00", "seconds": 0.4,
    "api_requests": 4, "score": 2, "max": 3, "total": 5, "counts": {"pass": 1, "fail": 1, "error": 1, "skip": 1},
    "checks": [
        {"id": "web-pod-running", "title": "The web pod is running", "points": 2, "status": "pass",
         "message": "Pod pods-web is Running and Ready.", "message_id": "", "params": {}, "expected": None,
         "found": None, "hints": [], "evidence": {}},
        {"id": "web-pod-image-pinned", "title": "The web pod runs nginx with a pinned version", "points": 1,
         "status": "fail", "message": "Pod pods-web uses the tag `latest`, which can change under you.",
         "message_id": "", "params": {}, "expected": "nginx:1.27", "found": "nginx:latest", "hints": HINTS,
         "evidence": {}},
        {"id": "web-pod-labelled", "title": "The web pod carries the label app=pods-web", "points": 1,
         "status": "error", "message": "The cluster could not be read: <forbidden>", "message_id": "", "params": {},
         "expected": None, "found": None, "hints": [], "evidence": {}},
        {"id": "sidecar-shares-volume", "title": "The two containers share one volume", "points": 1,
         "status": "skip", "message": "Skipped: this cluster lacks a data plane.", "message_id": "", "params": {},
         "expected": None, "found": None, "hints": [], "evidence": {}},
    ],
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Results are kept under a private state folder; the language goes back to auto-detection."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("KUBELAB_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    set_language(None)


# -- fallbacks -------------------------------------------------------------------------------------

@pytest.mark.parametrize("render", [render_text, render_html])
def test_fallbacks_show_every_verdict_and_every_hint(render):
    shown = render(DOCUMENT)
    for item in DOCUMENT["checks"]:
        assert SYMBOLS[item["status"]] in shown and item["id"] in shown
    for text in ("uses the tag", "lacks a data plane", "could not be read", "nginx:1.27", "nginx:latest",
                 "Score: 2/3", "1 could not be checked", "Pin a version", "nginx:1.27 in", "Delete the pod"):
        assert text in shown
    assert "Running and Ready." not in shown  # a pass shows its title only


def test_html_folds_each_hint_escapes_and_shows_code():
    shown = render_html(DOCUMENT)
    assert shown.count("<details") == 3 and "Hint 3</summary>" in shown
    assert "&lt;forbidden&gt;" in shown and "<forbidden>" not in shown
    assert "<code>latest</code>" in shown
    ET.fromstring(shown)  # balanced markup


def test_fallback_bundle_carries_text_and_html():
    assert set(fallback(DOCUMENT)) == {"text/plain", "text/html"}


# -- the panel -------------------------------------------------------------------------------------

def test_check_button_shows_a_checking_state_then_the_result():
    seen = []
    panel = None

    def run():
        seen.append((panel.button.disabled, panel.status.value))
        return DOCUMENT

    panel = CheckPanel(run)
    panel.button.click()
    assert len(seen) == 1 and seen[0][0] is True and "⏳" in seen[0][1]
    assert not panel.button.disabled and panel.status.value == ""
    assert len(panel.rows.children) == len(DOCUMENT["checks"])
    assert "Score: 2/3" in panel.score.value
    assert panel.document is DOCUMENT
    bundle = panel._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/plain", "text/html"} <= set(bundle)
    assert "Delete the pod" in bundle["text/plain"]


def test_hint_button_reveals_one_level_at_a_time():
    panel = CheckPanel(lambda: DOCUMENT)
    panel.button.click()
    assert list(panel.hints) == ["web-pod-image-pinned"]  # only failing checks have hints
    button, shown = panel.hints["web-pod-image-pinned"]
    assert shown.value == "" and button.description == "Show hint 1 of 3"
    for level in (1, 2, 3):
        button.click()
        assert all((HINTS[i][:12] in shown.value) == (i < level) for i in range(3)), level
        assert f"Hint {level}" in shown.value
    assert button.layout.display == "none"


def test_check_button_again_runs_again_and_resets_hints():
    runs = []
    panel = CheckPanel(lambda: runs.append(1) or DOCUMENT)
    panel.button.click()
    panel.hints["web-pod-image-pinned"][0].click()
    panel.button.click()
    assert len(runs) == 2 and panel.hints["web-pod-image-pinned"][1].value == ""


def test_an_expected_failure_shows_in_the_panel():
    def run():
        raise UsageError("There is no cluster.")

    panel = CheckPanel(run)
    assert panel.refresh() is None
    assert "There is no cluster." in panel.status.value and "✗" in panel.status.value
    assert panel._repr_mimebundle_()["text/plain"] == "✗ There is no cluster."
    assert not panel.button.disabled


# -- the lab object without IPython ----------------------------------------------------------------

def test_check_outside_ipython_prints_text_and_returns_the_document(capsys):
    lab = NotebookLab(None, Connection(), "kubelab-pods")
    lab.run = lambda check_id=None: DOCUMENT
    document = lab.check()
    assert isinstance(document, Document) and document == DOCUMENT
    out = capsys.readouterr().out
    assert "✗ The web pod runs nginx" in out and "Hint 3: Delete the pod" in out


# -- solve and reset only on request ----------------------------------------------------------------

@pytest.fixture
def recorded_actions(monkeypatch):
    """actions.solve and actions.reset, recorded instead of run."""
    calls = []
    monkeypatch.setattr(notebook_api.actions, "solve", lambda *args: calls.append("solve"))
    monkeypatch.setattr(notebook_api.actions, "reset", lambda *args: calls.append("reset"))
    return calls


def _lab():
    return open_lab("02-pods", connection=Connection())


@pytest.mark.parametrize("frontend", ["text", "html"])
def test_solve_and_reset_without_widgets_change_nothing_and_say_how(frontend, recorded_actions, monkeypatch,
                                                                    capsys):
    monkeypatch.setattr(notebook_api, "_frontend", lambda: frontend)
    lab = _lab()
    lab.solve()
    lab.reset()
    assert recorded_actions == []
    out = capsys.readouterr().out
    assert "lab.solve(confirm=True)" in out and "lab.reset(confirm=True)" in out and lab.namespace in out
    lab.solve(confirm=True)
    lab.reset(confirm=True)
    assert recorded_actions == ["solve", "reset"]


def test_solve_and_reset_in_a_notebook_wait_for_a_click(recorded_actions, monkeypatch):
    shown = []
    monkeypatch.setattr(notebook_api, "_frontend", lambda: "widgets")
    monkeypatch.setattr(notebook_api, "display", lambda obj, **kwargs: shown.append(obj))
    lab = _lab()
    lab.solve()
    lab.reset()
    assert recorded_actions == [] and [type(b) for b in shown] == [ConfirmButton, ConfirmButton]
    assert "reference solution" in shown[0]._repr_mimebundle_()["text/plain"]
    shown[1].button.click()
    shown[0].button.click()
    assert recorded_actions == ["reset", "solve"] and not shown[0].button.disabled


def test_lessons_never_solve_or_reset_by_themselves():
    """Run All, nbgrader's Validate and nbclient run every cell: no code cell may act without a click."""
    for lab in all_labs():
        for cell in lesson_cells(lab):
            if cell.cell_type != "code":
                continue
            tags = set(cell.metadata.get("tags", []))
            assert "confirm=" not in cell.source and "actions" not in cell.source, (lab.id, cell.metadata["key"])
            if "lab.solve(" in cell.source or "lab.reset(" in cell.source:
                assert tags & {"solve", "reset"} and "skip-execution" in tags, (lab.id, cell.metadata["key"])


def test_lessons_give_each_symbol_the_meaning_the_widget_gives_it():
    names = {SYMBOLS[status]: STATUS_NAMES[status].split(" (")[0] for status in SYMBOLS}
    seen = 0
    for lab in all_labs():
        for cell in lesson_cells(lab):
            for symbol, text in re.findall(r"([✓✗⚠⏭]) ([^,.]+)", " ".join(cell.source.split()) if
                                           cell.cell_type == "markdown" else ""):
                assert text.startswith(names[symbol]), (lab.id, cell.metadata["key"], symbol, text)
                seen += 1
    assert seen >= 40


def test_frontend_rule(monkeypatch):
    assert notebook_api._frontend() == "text"  # no IPython here

    class Shell:
        kernel = object()

    monkeypatch.setattr(notebook_api, "get_ipython", lambda: Shell())
    assert notebook_api._frontend() == "widgets"
    monkeypatch.setenv("KUBELAB_NO_WIDGETS", "1")
    assert notebook_api._frontend() == "html"
    monkeypatch.delenv("KUBELAB_NO_WIDGETS")
    Shell.kernel = None  # a terminal IPython: no comm to a frontend
    assert notebook_api._frontend() == "html"


def test_errors_are_one_line_and_none(capsys):
    assert open_lab("99-nothing", connection=Connection()) is None
    err = capsys.readouterr().err
    assert err.startswith("✗ There is no lab called 99-nothing") and err.count("\n") == 1
    assert "Traceback" not in err


# -- language --------------------------------------------------------------------------------------

def test_language_comes_from_the_notebook_folder(tmp_path, monkeypatch):
    folder = tmp_path / "fr"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("KUBELAB_LANG", "it")  # the folder wins
    with StubApiServer("empty", []) as stub:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "stub",
            "clusters": [{"name": "stub", "cluster": {"server": stub.api_client().host}}],
            "users": [{"name": "stub", "user": {}}],
            "contexts": [{"name": "stub", "context": {"cluster": "stub", "user": "stub"}}]}))
        lab = open_lab("02-pods", connection=Connection(kubeconfig=kubeconfig))
        assert current_language() == "fr"
        document = lab.run()
    assert document["language"] == "fr" and document["lab"] == "02-pods"


def test_namespace_follows_kubelab_namespace(monkeypatch):
    monkeypatch.setenv("KUBELAB_NAMESPACE", "student-7")
    assert open_lab("pods", connection=Connection()).namespace == "student-7"
    monkeypatch.delenv("KUBELAB_NAMESPACE")
    assert open_lab("02", connection=Connection()).namespace == "kubelab-pods"


# -- the picture -----------------------------------------------------------------------------------

def _pod(name, node="", phase="Running", ready=True, ip=None, waiting=None, deleting=False):
    state = {"state": {"waiting": {"reason": waiting}}} if waiting else {}
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
              "containerStatuses": [{"ready": ready, **state}]}
    if ip:
        status["podIP"] = ip
    metadata = {"name": name, **({"deletionTimestamp": "2026-11-22T21:00:00Z"} if deleting else {})}
    return {"metadata": metadata, "spec": {"nodeName": node}, "status": status}


LONG = "a-pod-with-a-name-far-too-long-to-fit-in-its-box"
OBJECTS = {
    "namespace": "kubelab-pods",
    "nodes": [{"metadata": {"name": "node-a"}}, {"metadata": {"name": "node-b"}}],
    "pods": [_pod("pods-web", "node-a", ip="10.0.0.5"), _pod("pods-new", phase="Pending", ready=False),
             _pod("pods-crash", "node-b", ready=False, waiting="CrashLoopBackOff"),
             _pod("pods-old", "node-b", deleting=True), _pod(LONG, "node-a", ip="10.0.0.6")],
    "services": [{"metadata": {"name": "web"},
                  "spec": {"type": "ClusterIP", "ports": [{"port": 80, "targetPort": 80}]}}],
    "endpointslices": [{"metadata": {"name": "web-x", "labels": {"kubernetes.io/service-name": "web"}},
                        "endpoints": [{"addresses": ["10.0.0.5"], "targetRef": {"kind": "Pod", "name": "pods-web"}},
                                      {"addresses": ["10.0.0.6"], "conditions": {"ready": False}}]}],
    "ingresses": [{"metadata": {"name": "web"}, "spec": {"rules": [{"host": "web.local", "http": {"paths": [
        {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}],
}
SVG = "{http://www.w3.org/2000/svg}"


def _groups(root, kind):
    return {g.find(f"{SVG}title").text.split(":")[0]: g for g in root.iter(f"{SVG}g")
            if kind in (g.get("class") or "").split()}


def test_picture_is_svg_with_every_object_in_its_state_colour():
    root = ET.fromstring(draw(OBJECTS))
    assert root.tag == f"{SVG}svg"
    pods = _groups(root, "pod")
    expected = {"pods-web": "ready", "pods-new": "pending", "pods-crash": "failed", "pods-old": "terminating",
                LONG: "ready"}
    assert set(pods) == set(expected)
    for name, state in expected.items():
        fill, stroke, symbol, _label = STATES[state]
        rect = pods[name].find(f"{SVG}rect")
        assert (rect.get("fill"), rect.get("stroke")) == (fill, stroke), name
        assert pods[name].find(f"{SVG}text").text.startswith(symbol), name
    assert LONG not in pods[LONG].find(f"{SVG}text").text  # truncated, full name in the tooltip
    assert "web" in _groups(root, "service") and "web.local/ → web" in _groups(root, "route")
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "node-a" in texts and "node-b" in texts and "(not scheduled)" in texts


def test_picture_links_services_to_their_endpoint_pods():
    root = ET.fromstring(draw(OBJECTS))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 3  # two endpoints and one route
    assert sum(1 for line in lines if line.get("stroke-dasharray")) == 1  # the not-ready endpoint


def test_picture_of_an_empty_namespace_says_so():
    root = ET.fromstring(draw({"namespace": "empty-ns", "nodes": [], "pods": [], "services": [],
                               "endpointslices": [], "ingresses": []}))
    assert "empty-ns has no pods" in " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_picture_is_the_same_for_the_same_objects():
    shuffled = copy.deepcopy(OBJECTS)
    shuffled["pods"].reverse()
    assert draw(shuffled) == draw(OBJECTS)


# -- on the cluster --------------------------------------------------------------------------------

@pytest.mark.cluster
def test_a_lab_end_to_end_on_the_cluster(cluster, namespace, monkeypatch, capsys):
    monkeypatch.setenv("KUBELAB_NAMESPACE", namespace)
    lab = open_lab("02-pods", connection=cluster)
    assert lab is not None and lab.namespace == namespace
    lab.start()
    lab.solve(confirm=True)
    document = lab.check()
    statuses = {c["id"]: c["status"] for c in document["checks"]}
    assert set(statuses.values()) <= {"pass", "skip"}, statuses
    assert document["namespace"] == namespace and document["score"] == document["max"] > 0
    assert "pods-web" in lab.picture() and "pods-sidecar" in lab.picture()
    out = capsys.readouterr().out
    assert namespace in out and "Score:" in out


# -- nbgrader's Validate -----------------------------------------------------------------------------

@pytest.mark.parametrize("tags", ["as built", "without skip-execution"])
def test_nbgrader_validate_runs_the_lesson_cells_and_changes_nothing(tags, tmp_path):
    """Validate executes every cell (as "Run All" does): the solve and reset cells, run or skipped, never act."""
    validator = pytest.importorskip("nbgrader.validator", reason="nbgrader is not installed (test extras)")
    built = nbformat.reads(render_notebook(find_lab("02-pods"), "en"), as_version=4)
    cells = [c for c in built.cells if set(c.metadata.get("tags", [])) & {"solve", "reset"}]
    assert len(cells) == 2
    if tags != "as built":
        for cell in cells:
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != "skip-execution"]
    acted = tmp_path / "acted"
    stub = nbformat.v4.new_code_cell(
        "from checkers import actions\nfrom checkers.lab import find_lab\n"
        "from checkers.notebook_api import NotebookLab\nfrom clusters.base import Connection\n"
        f"actions.solve = actions.reset = lambda *args: open({str(acted)!r}, 'a').write('acted')\n"
        "lab = NotebookLab(find_lab('02-pods'), Connection(), 'validate-test')")
    path = tmp_path / "02-pods.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[stub, *cells], metadata=built.metadata), path)
    results = validator.Validator().validate(str(path))
    assert not results.get("failed") and not acted.exists(), results


# -- what nbval runs (tests/notebook_plugin.py) ------------------------------------------------------

def test_nbval_runs_every_english_cell_and_only_setup_and_checks_of_a_translation():
    """English proves the lesson's commands; a translation proves its checks' feedback, in its language."""
    from clusters.base import Capabilities
    from tests.notebook_plugin import skip_reason

    full = Capabilities(data_plane=True, ingress=True, load_balancer=True, nodes=5, internet=True, dns=True,
                        gateway=True, storage=True, metrics=True)
    for lab in all_labs():
        built = nbformat.reads(render_notebook(lab, "en"), as_version=4)
        code = [set(c.metadata.get("tags", [])) for c in built.cells if c.cell_type == "code"]
        assert {"check"} in code, lab.id  # every translation has feedback to prove
        assert all(skip_reason("en", tags, full) in (None, "needs minikube") for tags in code), lab.id
        for language in ("ro", "fr", "it", "es"):
            runs = [tags for tags in code if skip_reason(language, tags, full) is None]
            assert runs and all(tags & {"setup", "check"} for tags in runs), (lab.id, language)
    assert skip_reason("en", {"needs-data-plane"}, Capabilities()) == "needs a data plane (containers that really run)"
    assert skip_reason("en", {"check"}, Capabilities()) is None
    assert skip_reason("fr", {"check", "needs-data-plane"}, Capabilities()) is not None
