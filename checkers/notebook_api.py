"""The notebook side of a lab, as lessons use it::

    from checkers.notebook_api import open_lab
    lab = open_lab("02-pods")
    lab.start(); lab.picture(); lab.check(); lab.solve(); lab.reset()

``solve()`` and ``reset()`` replace the learner's work, so in a notebook they only offer a button
(or, without widgets, say how to go ahead): "Run All" and nbgrader's Validate run every cell, and
must never wipe a lab. ``confirm=True`` acts at once.

Code cells are the same in every language, so the language is found at run time: the notebook's
folder (``notebooks/<lang>/``), else ``KUBELAB_LANG``, else the locale. An expected failure (no
cluster, an unknown lab, kubectl refusing) shows one translated line, never a traceback.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

from IPython import get_ipython
from IPython.display import SVG, display

from clusters import active_backend
from clusters.base import Backend, Connection
from clusters.errors import KubelabError
from clusters.i18n import LANGUAGES, _, current_language, set_language
from clusters.tools import pinned_kubectl

from . import actions
from .lab import Lab, find_lab, working_namespace
from .picture import draw, namespace_objects
from .runner import remember, run_live
from .view import ClusterView
from .widget import CheckPanel, ConfirmButton, error_bundle, fallback, render_text


class _Shown:
    """Already displayed: IPython echoes nothing more when this is a cell's last value."""

    def _ipython_display_(self) -> None:
        pass


class Document(_Shown, dict):
    """A result document (``kubelab.result/v1``)."""


class Picture(_Shown, str):
    """The SVG text of a namespace picture."""


def _frontend() -> str:
    """How results can be shown here: "widgets" (a kernel with a frontend), "html" (IPython), or "text"."""
    shell = get_ipython()
    if shell is None:
        return "text"
    if os.environ.get("KUBELAB_NO_WIDGETS", "") not in ("", "0") or getattr(shell, "kernel", None) is None:
        return "html"
    return "widgets"


def _show_error(exc: KubelabError) -> None:
    if _frontend() == "text":
        print(error_bundle(str(exc))["text/plain"], file=sys.stderr)
    else:
        display(error_bundle(str(exc)), raw=True)


def _friendly(function):
    """Show an expected failure as one line and return None."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except KubelabError as exc:
            _show_error(exc)
            return None

    return wrapper


def notebook_language() -> str | None:
    """The language of the notebook's folder (the kernel runs in ``notebooks/<lang>/``), else None."""
    name = Path.cwd().name
    return name if name in LANGUAGES else None


def _kubectl_on_path() -> None:
    """The notebook's ``!kubectl`` cells run kubelab's own kubectl (the one beside this Python, in the version skew
    of the cluster), as `make lab`'s terminals do; else whatever PATH has."""
    pinned = pinned_kubectl()
    if pinned is not None and shutil.which("kubectl") != str(pinned):
        os.environ["PATH"] = os.pathsep.join([str(pinned.parent), os.environ.get("PATH", "")])


class NotebookLab:
    """One lab in one namespace of one cluster, with the actions and views a lesson needs."""

    def __init__(self, lab: Lab, connection: Connection, namespace: str, backend: Backend | None = None):
        self.lab = lab
        self.connection = connection
        self.namespace = namespace
        self.backend = backend

    def __repr__(self) -> str:
        return f"NotebookLab({self.lab.id!r}, namespace={self.namespace!r})"

    @_friendly
    def start(self) -> None:
        """Create the lab's namespace, generated secrets and starting objects."""
        print(_("Starting {lab} in namespace {namespace}…", lab=self.lab.id, namespace=self.namespace))
        actions.start(self.lab, self.connection, self.namespace)
        print(_("Ready. Work in namespace {namespace}.", namespace=self.namespace))

    def solve(self, confirm: bool = False) -> None:
        """Apply the reference solution over the learner's work: at once with ``confirm=True``, else on request."""
        self._when_asked(confirm, self._solve, "solve", _("Apply the reference solution"),
                         _("This replaces your work in namespace {namespace} with the reference solution of {lab}.",
                           namespace=self.namespace, lab=self.lab.id))

    def reset(self, confirm: bool = False) -> None:
        """Remove what was created for the lab and start it again: at once with ``confirm=True``, else on request."""
        self._when_asked(confirm, self._reset, "reset", _("Start the lab again"),
                         _("This deletes what you created for {lab} in namespace {namespace} and puts back its "
                           "starting state.", namespace=self.namespace, lab=self.lab.id))

    @_friendly
    def _solve(self) -> None:
        actions.solve(self.lab, self.connection, self.namespace)
        print(_("The reference solution of {lab} is applied. Run the check cell to see it pass.", lab=self.lab.id))

    @_friendly
    def _reset(self) -> None:
        actions.reset(self.lab, self.connection, self.namespace)
        print(_("{lab} is back at its starting state.", lab=self.lab.id))

    @staticmethod
    def _when_asked(confirm: bool, action, name: str, label: str, warning: str) -> None:
        """Run ``action`` now if confirmed, else show a button for it (or, without widgets, how to confirm)."""
        if confirm:
            action()
        elif _frontend() == "widgets":
            display(ConfirmButton(label, warning, action))
        else:
            print(warning, _("Nothing has changed yet: to go ahead, run `lab.{action}(confirm=True)`.", action=name))

    @_friendly
    def check(self, check_id: str | None = None) -> Document | None:
        """Run the checks (or one), show the feedback and return the result document."""
        if check_id:
            self.lab.check(check_id)
        run = functools.partial(self.run, check_id)
        frontend = _frontend()
        if frontend == "widgets":
            document = CheckPanel(run).show_and_run()
        else:
            document = run()
            if frontend == "html":
                display(fallback(document), raw=True)
            else:
                print(render_text(document))
        return None if document is None else Document(document)

    def run(self, check_id: str | None = None) -> dict:
        """Run the checks and return the result document in the current language (also kept as progress)."""
        result = run_live(self.lab, self.connection, self.namespace, self.backend,
                          only=[check_id] if check_id else None)
        document = result.as_dict(current_language())
        remember(document, self.backend)
        return document

    @_friendly
    def picture(self) -> Picture | None:
        """Show the namespace as a picture (nodes, pods, services, ingress routes) and return its SVG."""
        api = self.connection.api_client()
        try:
            svg = draw(namespace_objects(ClusterView(api, self.namespace)))
        finally:
            api.close()
        if _frontend() != "text":
            display(SVG(svg))
        return Picture(svg)


@_friendly
def open_lab(name: str, connection: Connection | None = None) -> NotebookLab | None:
    """The lab ``name`` (id, number or slug) on the active cluster (or ``connection``), in its namespace."""
    set_language(notebook_language())
    lab = find_lab(name)
    backend = None
    if connection is None:
        backend = active_backend()
        connection = backend.connection()
        if backend.name == "embedded":  # `!kubectl` cells use the file a terminal's kubectl uses, never the admin one
            os.environ["KUBECONFIG"] = str(backend.status().details.get("kubeconfig") or connection.kubeconfig)
    _kubectl_on_path()
    if lab.classroom == "instructor" and os.environ.get("JUPYTERHUB_USER"):  # a single-user server of a hub
        print(_("In a JupyterHub classroom your instructor runs this lab: it needs rights or cluster-wide "
                "resources your namespace does not give (nodes, fixed nodePorts, LoadBalancers). Read it, and "
                "do it on your own cluster (minikube) if you have one."))
    return NotebookLab(lab, connection, working_namespace(lab), backend)
