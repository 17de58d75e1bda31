"""Cluster backends behind one small interface (the bottom layer: imports nothing of kubelab's).

``backend(name)`` builds a backend by name; ``active_backend()`` picks the one
in use: ``$KUBELAB_BACKEND``, else the embedded cluster when it runs, else the
current kubeconfig context.
"""

from __future__ import annotations

import os

from .base import Backend, Capabilities, Connection, Status
from .embedded import EmbeddedBackend
from .errors import UsageError
from .i18n import _
from .kubeconfig import KubeconfigBackend

BACKENDS: dict[str, type[Backend]] = {"embedded": EmbeddedBackend, "kubeconfig": KubeconfigBackend}


def backend(name: str) -> Backend:
    """The backend called ``name``; UsageError lists the valid names."""
    if name not in BACKENDS:
        raise UsageError(_("Unknown backend {name}; choose one of: {names}.", name=name, names=", ".join(BACKENDS)))
    return BACKENDS[name]()


def default_backend_name() -> str:
    """The backend `kubelab up` uses when none is named."""
    return os.environ.get("KUBELAB_BACKEND") or "embedded"


def active_backend() -> Backend:
    """The backend whose cluster commands talk to when none is named."""
    if os.environ.get("KUBELAB_BACKEND"):
        return backend(os.environ["KUBELAB_BACKEND"])
    embedded = EmbeddedBackend()
    return embedded if embedded.status().running else KubeconfigBackend()


__all__ = ["Backend", "Capabilities", "Connection", "Status", "backend", "active_backend", "default_backend_name"]
