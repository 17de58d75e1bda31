"""The grading engine: labs, checks, outcomes and the read-only cluster view (sits on ``clusters``).

A lab's ``checks.py`` needs only what is exported here, ``checkers.kube`` (shared
facts and verdicts about objects) and ``checkers.semantics`` (what Kubernetes
resolves: the lab-authoring API, see docs/authoring.md).
"""

import importlib

from .outcome import N_, Outcome, error, failed, not_yet, passed, skipped
from .registry import check

_LAZY = {"Context": "runner", "condition": "view", "labels_match": "view", "owned_by": "view"}


def __getattr__(name: str):
    """The names that need the cluster client, imported when a check first asks (the CLI starts faster)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


__all__ = ["N_", "Outcome", "check", "Context", "condition", "error", "failed", "labels_match", "not_yet",
           "owned_by", "passed", "skipped"]
