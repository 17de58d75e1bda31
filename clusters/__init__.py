"""Cluster backends behind one small interface (the bottom layer: imports nothing of kubelab's).

``backend(name)`` builds a backend by name; ``active_backend()`` picks the one
in use: ``$KUBELAB_BACKEND``, else the embedded cluster when it runs, else the
``kubelab`` minikube profile when it runs, else the embedded cluster when one
exists but is stopped or crashed (so commands say it is down rather than talk
to another cluster), else the current kubeconfig context.

The backends (and the official client under them) are imported when first used, so that
``clusters.i18n`` or ``clusters.errors`` alone start fast (`kubelab --help`).
"""

from __future__ import annotations

import importlib
import os

from .errors import UsageError
from .i18n import _

BACKENDS = {"embedded": "embedded:EmbeddedBackend", "minikube": "minikube:MinikubeBackend",
            "kubeconfig": "kubeconfig:KubeconfigBackend"}
_LAZY = {**{value.split(":")[1]: value for value in BACKENDS.values()}, "Minikube": "minikube:Minikube"}


def __getattr__(name: str):
    """The backend classes, imported when first used."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name].split(":")
    return getattr(importlib.import_module(f".{module}", __name__), attribute)


def backend(name: str):
    """The backend called ``name``; UsageError lists the valid names."""
    if name not in BACKENDS:
        raise UsageError(_("Unknown backend {name}; choose one of: {names}.", name=name, names=", ".join(BACKENDS)))
    return __getattr__(BACKENDS[name].split(":")[1])()


def default_backend_name(progress=None) -> str:
    """The backend `kubelab up` uses when none is named: ``$KUBELAB_BACKEND``, else minikube when it is
    installed (an existing ``kubelab`` profile needs it too), else the embedded cluster, saying why."""
    from .minikube.cli import Minikube

    if os.environ.get("KUBELAB_BACKEND"):
        return os.environ["KUBELAB_BACKEND"]
    if Minikube.path():
        return "minikube"
    if progress:
        progress(_("minikube is not installed, so kubelab uses its embedded cluster, which runs no containers. "
                   "Install minikube for the labs that need traffic to flow."))
    return "embedded"


def active_backend():
    """The backend whose cluster commands talk to when none is named."""
    from .embedded import EmbeddedBackend

    if os.environ.get("KUBELAB_BACKEND"):
        return backend(os.environ["KUBELAB_BACKEND"])
    embedded = EmbeddedBackend()
    if embedded.status().running:
        return embedded
    from .kubeconfig import KubeconfigBackend
    from .minikube import Minikube, MinikubeBackend, MinikubeError

    if Minikube.path():
        minikube = MinikubeBackend()
        try:
            if minikube.status().running:
                return minikube
        except MinikubeError:
            pass  # a broken minikube must not block the other backends; `kubelab doctor --backend minikube` says why
    if embedded.exists():
        return embedded  # down or crashed: say so, never fall back silently to another cluster
    return KubeconfigBackend()


__all__ = ["BACKENDS", "backend", "active_backend", "default_backend_name"]
