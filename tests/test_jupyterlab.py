"""A lab in a real JupyterLab: headless Chromium opens 02-pods, runs it to the check cells, and the
Check panel (an ipywidgets widget, not its HTML fallback) shows its rows, hints and score.

JupyterLab runs against the session's cluster with a private config, the notebook built into a folder
of the test's and a copy of the kubeconfig (the notebook's ``kubectl config set-context`` edits it).
The check cell after ``lab.solve()`` is saved as ``jupyterlab-widget.png`` in the test artifacts
folder (tests/conftest.py) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from checkers.lab import find_lab
from checkers.notebook_build import render
from checkers.widget import SYMBOLS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extras)")

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "en/02-pods.ipynb"
SETTINGS = {  # no news pop-up over the notebook; every cell attached to the page
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(not CHROMIUM.is_file(),
                                                      reason="/usr/bin/chromium is missing (Debian package: chromium)")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_environment(cluster, namespace: str, home: Path) -> dict:
    """JupyterLab's (and so its kernels') environment: the session's cluster, widgets on, private Jupyter dirs."""
    kubeconfig = home / "kubeconfig"
    shutil.copyfile(cluster.kubeconfig, kubeconfig)
    env = {key: value for key, value in os.environ.items()
           if key not in ("KUBELAB_NO_WIDGETS", "KUBELAB_LANG")}  # the nbval runs set KUBELAB_NO_WIDGETS
    env.update({"KUBECONFIG": str(kubeconfig), "KUBELAB_BACKEND": "kubeconfig", "KUBELAB_NAMESPACE": namespace,
                "PATH": os.pathsep.join([str(VENV_BIN), env.get("PATH", "")]),
                "XDG_STATE_HOME": str(home / "state"), "JUPYTER_CONFIG_DIR": str(home / "config"),
                "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")})
    if cluster.context:
        subprocess.run([str(VENV_BIN / "kubectl"), "config", "use-context", cluster.context], env=env, check=True,
                       capture_output=True, timeout=30)
    for plugin, values in SETTINGS.items():
        file = home / "settings" / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values), encoding="utf-8")
    return env


def api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def wait_for_server(server: subprocess.Popen, base: str, token: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-3000:]}"
        try:
            api(base, token, "/api/status")
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer /api/status within {timeout:.0f}s")


def stop(server: subprocess.Popen, base: str, token: str) -> None:
    """Shut the kernels down (they run in their own sessions), then the server."""
    try:
        for kernel in api(base, token, "/api/kernels"):
            api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
    except OSError:
        pass
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture
def jupyterlab(cluster, namespace, tmp_path):
    """The URL of the 02-pods notebook in a running JupyterLab (with its token)."""
    (tmp_path / "notebooks" / "en").mkdir(parents=True)
    (tmp_path / "notebooks" / NOTEBOOK).write_text(render(find_lab("02-pods"), "en"), encoding="utf-8")
    env = lab_environment(cluster, namespace, tmp_path)
    token, port = secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "jupyter.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [str(VENV_BIN / "jupyter"), "lab", "--no-browser", f"--ServerApp.token={token}",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
             "--allow-root", f"--ServerApp.root_dir={tmp_path / 'notebooks'}"],
            env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_server(server, base, token, log)
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        stop(server, base, token)


def tagged(tag: str) -> list[int]:
    """The indexes of the notebook's cells tagged ``tag``."""
    cells = json.loads(render(find_lab("02-pods"), "en"))["cells"]
    return [index for index, cell in enumerate(cells) if tag in cell.get("metadata", {}).get("tags", [])]


def test_check_panel_in_jupyterlab(jupyterlab, artifacts):
    """Run All Above leaves the lab alone (the solve cell only offers its button); one click solves it."""
    before, after, solve = tagged("check")[0], tagged("check")[-1], tagged("solve")[0]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(jupyterlab)
            page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=90_000)
            cells = page.locator(".jp-Notebook .jp-Cell")
            cells.nth(after).locator(".jp-InputPrompt").click()  # select the check cell after lab.solve()
            page.click('.lm-MenuBar-itemLabel:text-is("Run")')
            page.click('.lm-Menu-itemLabel:text-is("Run All Above Selected Cell")')
            offer = cells.nth(solve).locator(".jupyter-widgets button", has_text="Apply the reference solution")
            sync_api.expect(offer).to_be_visible(timeout=240_000)
            offer.click()
            sync_api.expect(cells.nth(solve).get_by_text("is applied")).to_be_visible(timeout=240_000)
            cells.nth(after).locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")  # then the check cell itself

            solved = cells.nth(after).locator(".jp-OutputArea-output")
            sync_api.expect(solved.get_by_text("Score:")).to_be_visible(timeout=240_000)
            solved.scroll_into_view_if_needed()
            cells.nth(after).screenshot(path=artifacts / "jupyterlab-widget.png")
            assert solved.locator(".jupyter-widgets button", has_text="Check again").count() == 1
            rows = solved.locator(".widget-html-content").all_inner_texts()
            marks = [row.strip()[:1] for row in rows if row.strip()[:1] in SYMBOLS.values()]
            assert "⏭" in marks and set(marks) == {"✓", "⏭"}, rows  # every API check passes, the data plane skips
            score = re.search(r"Score: (\d+)/(\d+)", " ".join(rows))
            assert score and score[1] == score[2] != "0", rows

            unsolved = cells.nth(before).locator(".jp-OutputArea-output")
            sync_api.expect(unsolved.get_by_text("Score:")).to_be_visible()
            assert unsolved.get_by_text("✗").count() > 0, "before the click the sidecar checks fail"
            hint = unsolved.locator("button", has_text="Show hint 1 of").first
            hint.scroll_into_view_if_needed()
            hint.click()
            sync_api.expect(unsolved.get_by_text("Hint 1", exact=True)).to_be_visible(timeout=10_000)
            cells.nth(before).screenshot(path=artifacts / "jupyterlab-hints.png")
        finally:
            browser.close()
