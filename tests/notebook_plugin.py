"""pytest plugin: one cluster for the whole session, and nbval runs of the notebooks against it.

Loaded with ``-p tests.notebook_plugin`` (see pyproject.toml), so it also applies to the
notebooks under ``notebooks/`` (made by `kubelab build`, `make test`), which tests/conftest.py cannot
reach. Cells tagged ``needs-<capability>`` (``needs-data-plane``…) or ``needs-minikube`` are skipped, with the
reason, on a cluster that cannot run them; a notebook run in which every cell was skipped fails the session.
English notebooks run every cell; a translation (``notebooks/ro/`` …) runs only its ``setup`` and ``check``
cells: the kubectl cells are the same in every language and English already ran them, while the checks'
feedback is what the translation changes.
A notebook's kernel runs in a folder of the session's named like the notebook's language folder
(``<tmp>/en/``), so what its cells write (lab 01's ``hello/``) never lands in the checkout.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from clusters.base import Capabilities, Connection, capability_needs, detect_capabilities
from clusters import backend as backend_by_name
from clusters.embedded import EmbeddedBackend
from clusters.i18n import LANGUAGES
from clusters.kubeconfig import read_kubeconfig, write_kubeconfig

# The embedded cluster adds a real node by default; a test session's cluster does not, unless KUBELAB_REAL_NODES=1:
# only one real node can run on a machine, tests/test_real_node.py's own cluster has it (and runs the labs'
# data-plane checks for real there), and the other tests prove the KWOK-only cluster. `make test` runs the English
# notebooks in a session of their own after the real-node tests (while the KWOK-only tests run beside them), with
# KUBELAB_REAL_NODES=1, so their data-plane cells run for real; the translations run their setup and check cells on
# a KWOK-only cluster. Set here, not in conftest, so the CLI processes the tests start and the notebook runs see it
# too.
os.environ.setdefault("KUBELAB_REAL_NODES", "0")

_state: dict = {}
SKIP_TAGS = {  # a cell tagged needs-<capability> (data_plane → needs-data-plane) runs where the cluster has it
    **{"needs-" + name.replace("_", "-"): (name, "needs " + capability_needs(name))
       for name, have in Capabilities().as_dict().items() if isinstance(have, bool)},
    "needs-minikube": (None, "needs minikube"),
}
TRANSLATIONS = set(LANGUAGES) - {"en"}  # notebooks/<lang>/ of these run only their setup and check cells
TRANSLATION_TAGS = {"setup", "check"}  # what a translated notebook runs: its checks' feedback, in its language


def shared_cluster() -> Connection:
    """The session's cluster: ``KUBELAB_TEST_BACKEND=minikube`` (the running `kubelab` profile),
    else ``KUBELAB_TEST_KUBECONFIG`` (and ``KUBELAB_TEST_CONTEXT``), else an embedded one started now."""
    if "connection" not in _state:
        external = os.environ.get("KUBELAB_TEST_KUBECONFIG")
        if os.environ.get("KUBELAB_TEST_BACKEND") == "minikube":
            _state["connection"] = backend_by_name("minikube").connection()
        elif external:
            _state["connection"] = Connection(Path(external), os.environ.get("KUBELAB_TEST_CONTEXT"))
        else:
            home = Path(tempfile.mkdtemp(prefix="kubelab-test-cluster-")) / "embedded"  # $KUBELAB_STATE/embedded
            backend = EmbeddedBackend(home=home, merge_kubeconfig=False)
            _state["backend"] = backend
            backend.start()
            _state["connection"] = backend.connection()
    return _state["connection"]


def pytest_configure(config):
    """A terminated run (CI's time limit, Ctrl-C from a supervisor) still stops its cluster."""
    signal.signal(signal.SIGTERM, _interrupt)
    _kernels_in_a_working_folder()


def _kernels_in_a_working_folder() -> None:
    """nbval starts a notebook's kernel in the notebook's folder: start it in ``<session folder>/<lang>/``."""
    try:
        import nbval.plugin
    except ImportError:
        return
    started_in = nbval.plugin.RunningKernel

    class RunningKernel(started_in):
        def __init__(self, kernel_name, cwd=None, **options):
            if "work" not in _state:
                _state["work"] = Path(tempfile.mkdtemp(prefix="kubelab-nb-work-"))
            folder = _state["work"] / Path(cwd or ".").resolve().name
            folder.mkdir(exist_ok=True)
            super().__init__(kernel_name, cwd=str(folder), **options)

    nbval.plugin.RunningKernel = RunningKernel


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def pytest_sessionfinish(session):
    backend = _state.pop("backend", None)
    if backend is not None:
        backend.stop()
        shutil.rmtree(backend.home.parent, ignore_errors=True)
    if "work" in _state:
        shutil.rmtree(_state.pop("work"), ignore_errors=True)
    ran, skipped = _state.get("nbval_ran", 0), _state.get("nbval_skipped", 0)
    if skipped and not ran:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "every notebook cell was skipped: that proves nothing, so the run fails", red=True)
        session.exitstatus = 1


def _is_notebook_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def pytest_collection_modifyitems(config, items):
    cells = [item for item in items if _is_notebook_cell(item)]
    if not cells:
        return
    capabilities = _capabilities()
    for item in cells:
        reason = skip_reason(item.path.parent.name, set(item.cell.get("metadata", {}).get("tags", [])), capabilities)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def skip_reason(language: str, tags: set[str], capabilities: Capabilities) -> str | None:
    """Why nbval skips a cell tagged ``tags`` of a notebook in ``notebooks/<language>/``; None: it runs."""
    if language in TRANSLATIONS and not tags & TRANSLATION_TAGS:
        return "a translation runs its setup and check cells; English runs the rest"
    for tag in sorted(tags & set(SKIP_TAGS)):
        capability, reason = SKIP_TAGS[tag]
        if capability is None or not getattr(capabilities, capability):
            return reason
    return None


def _capabilities():
    connection = shared_cluster()
    _prepare_kernel_environment(connection)
    api = connection.api_client()
    try:  # the backend's own view (the embedded one's real node is measured), else the common rules
        return _state["backend"].capabilities(api) if "backend" in _state else detect_capabilities(api)
    finally:
        api.close()


def _prepare_kernel_environment(connection: Connection) -> None:
    """What the notebooks' kernels get: the session's cluster, and text instead of widgets."""
    kubeconfig = Path(tempfile.mkdtemp(prefix="kubelab-nb-")) / "config"
    data = read_kubeconfig(connection.kubeconfig)
    if connection.context:
        data["current-context"] = connection.context
    write_kubeconfig(kubeconfig, data)
    _state["kernel_env"] = {"KUBECONFIG": str(kubeconfig), "KUBELAB_BACKEND": "kubeconfig", "KUBELAB_NO_WIDGETS": "1"}
    if "backend" in _state:  # the cells' `kubelab images build-context` finds the session cluster's real node
        _state["kernel_env"]["KUBELAB_STATE"] = str(_state["backend"].home.parent)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """A notebook's kernel starts in the setup of its first cell and inherits the environment then:
    give it the kernel environment only for that moment, so the other tests never see it."""
    if not _is_notebook_cell(item):
        yield
        return
    saved = {name: os.environ.get(name) for name in _state["kernel_env"]}
    os.environ.update(_state["kernel_env"])
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pytest_runtest_logreport(report):
    if report.when == "call" and "ipynb" in report.nodeid:
        _state["nbval_ran"] = _state.get("nbval_ran", 0) + (1 if report.passed else 0)
    if report.skipped and "ipynb" in report.nodeid:
        _state["nbval_skipped"] = _state.get("nbval_skipped", 0) + 1
