"""The ``@check`` decorator: a check is a small function with an id, a title, points and needs.

A lab's ``checks.py`` decorates plain functions ``fn(ctx) -> Outcome``; the
loader collects them in the order they are written. The id is the function's
name with dashes (``service_has_endpoints`` → ``service-has-endpoints``) and
never changes once published: gradebooks refer to it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from .outcome import Outcome

CAPABILITIES = ("data_plane", "ingress", "load_balancer", "nodes", "internet", "dns", "metrics")


@dataclass(frozen=True)
class Check:
    id: str
    title: str  # a msgid, translated when shown
    fn: Callable[..., Outcome]
    points: int = 1
    needs: dict = field(default_factory=dict)  # capabilities, e.g. {"data_plane": True, "nodes": 2}
    settle: float = 30.0  # seconds to keep re-reading a check that reports `not_yet`


def check(title: str, *, points: int = 1, needs: dict | None = None, settle: float = 30.0):
    """Register ``fn`` as a check titled ``title`` (mark it with N_ so it is translated)."""
    unknown = set(needs or {}) - set(CAPABILITIES)
    if unknown:
        raise ValueError(f"unknown capabilities {sorted(unknown)}; known: {CAPABILITIES}")

    def register(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        fn.kubelab_check = Check(fn.__name__.replace("_", "-"), title, fn, points, dict(needs or {}), settle)
        return fn

    return register


def collect(module: ModuleType) -> list[Check]:
    """The checks of ``module`` in source order."""
    found = [f for _, f in inspect.getmembers(module, inspect.isfunction) if hasattr(f, "kubelab_check")]
    found.sort(key=lambda f: f.__code__.co_firstlineno)
    return [f.kubelab_check for f in found]
