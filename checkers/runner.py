"""Run a lab's checks against one namespace and produce the versioned result document.

The CLI, the notebook widget and class grading all call ``run_lab``. It never
raises for the cluster's sake: an API failure, a forbidden read or a crashing
check becomes an ``error`` outcome, which costs no points.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from kubernetes import client

from clusters.api import ApiError
from clusters.base import Backend, Capabilities, Connection, detect_capabilities, shared_results_dir
from clusters.errors import KubelabError
from clusters.files import read_bounded, write_atomic
from clusters.i18n import Msgid, current_language, translate

from .lab import Lab
from .outcome import N_, Outcome, error, skipped
from .registry import Check
from .view import ClusterView

SCHEMA = "kubelab.result/v1"
MAX_RESULT_BYTES = 16 * 1024 * 1024
CAPABILITY_NAMES = {
    "data_plane": N_("a data plane (containers that really run)"),
    "ingress": N_("an ingress controller"),
    "load_balancer": N_("a load balancer"),
    "nodes": N_("at least {count} nodes"),
    "internet": N_("internet access"),
    "dns": N_("cluster DNS (pods resolve Service names)"),
    "metrics": N_("the resource metrics API (metrics-server)"),
}


@dataclass
class Context:
    """What a check receives: the read-only view and the facts of this run."""

    view: ClusterView
    namespace: str
    lab: Lab
    capabilities: Capabilities


@dataclass
class CheckResult:
    check: Check
    outcome: Outcome
    seconds: float = 0.0


@dataclass
class LabResult:
    lab: Lab
    namespace: str
    backend: str
    server: str
    results: list[CheckResult]
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    seconds: float = 0.0
    requests: int = 0

    def points(self, *statuses: str) -> int:
        return sum(r.check.points for r in self.results if r.outcome.status in statuses)

    @property
    def score(self) -> int:
        return self.points("pass")

    @property
    def max(self) -> int:
        """The points at stake: errors and skips are not the learner's, so they are left out."""
        return self.points("pass", "fail")

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.outcome.status == status)

    def text(self, message: str, params: dict, lang: str) -> str:
        params = {k: translate(v, lang, self.lab.locales, params) if isinstance(v, Msgid) else v
                  for k, v in params.items()}
        return translate(message, lang, self.lab.locales, params)

    def as_dict(self, lang: str | None = None) -> dict:
        """The result document, with every message rendered in ``lang`` (msgids kept beside them)."""
        lang = lang or current_language()
        return {
            "schema": SCHEMA,
            "lab": self.lab.id,
            "namespace": self.namespace,
            "backend": self.backend,
            "cluster": self.server,
            "language": lang,
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "api_requests": self.requests,
            "score": self.score,
            "max": self.max,
            "total": self.points(*("pass", "fail", "error", "skip")),
            "counts": {s: self.count(s) for s in ("pass", "fail", "error", "skip")},
            "checks": [self._check_dict(r, lang) for r in self.results],
        }

    def _check_dict(self, result: CheckResult, lang: str) -> dict:
        outcome = result.outcome
        return {
            "id": result.check.id,
            "title": translate(result.check.title, lang, self.lab.locales),
            "points": result.check.points,
            "status": outcome.status,
            "message": self.text(outcome.message, outcome.params, lang),
            "message_id": outcome.message,
            "params": outcome.params,
            "expected": None if outcome.expected is None else self.text(outcome.expected, outcome.params, lang),
            "found": None if outcome.found is None else self.text(outcome.found, outcome.params, lang),
            "hints": [self.text(h, outcome.params, lang) for h in outcome.hints],
            "evidence": outcome.evidence,
        }


def run_lab(lab: Lab, api: client.ApiClient, namespace: str, capabilities: Capabilities, *,
            backend: str = "", only: list[str] | None = None, settle: bool = True,
            timeout: float = 5.0) -> LabResult:
    """Run ``lab``'s checks (or the ``only`` ones) against ``namespace``; ``timeout`` bounds each API request."""
    begin = time.monotonic()
    view = ClusterView(api, namespace, timeout)
    ctx = Context(view, namespace, lab, capabilities)
    checks = [c for c in lab.checks if not only or c.id in only]
    missing_namespace = _namespace_error(view, lab.id)
    results = [CheckResult(c, missing_namespace or _run_one(c, ctx)) for c in checks]
    if settle and not missing_namespace:
        _settle(results, ctx)
    server = api.configuration.host
    return LabResult(lab, namespace, backend, server, results, seconds=time.monotonic() - begin,
                     requests=view.requests)


def run_live(lab: Lab, connection: Connection, namespace: str, backend: Backend | None = None,
             only: list[str] | None = None) -> LabResult:
    """``run_lab`` on a fresh client for ``connection``, with the backend's capabilities (else detected ones)."""
    api = connection.api_client()
    try:
        capabilities = backend.capabilities(api) if backend else detect_capabilities(api)
        return run_lab(lab, api, namespace, capabilities, backend=backend.name if backend else "", only=only)
    finally:
        api.close()


def result_file(backend: Backend | None, server: str | None, namespace: str, lab_id: str) -> Path | None:
    """Where the last result of ``lab_id`` in ``namespace`` of this cluster is kept (the progress `kubelab labs`
    shows): per cluster, per namespace. None when the cluster is unknown."""
    folder = backend.results_dir(server) if backend else shared_results_dir(server)
    return None if folder is None else folder / namespace / f"{lab_id}.json"


def remember(document: dict, backend: Backend | None = None) -> None:
    """Keep ``document`` as the last result of its lab, namespace and cluster (written atomically)."""
    path = result_file(backend, document.get("cluster"), document["namespace"], document["lab"])
    if path is not None:
        save_result(path, document)


def last_result(backend: Backend | None, server: str | None, namespace: str, lab_id: str) -> dict | None:
    """The score of the last result kept by ``remember`` (``score``, ``max``, ``when``), else None; a damaged
    file counts as none."""
    path = result_file(backend, server, namespace, lab_id)
    data = load_result(path) if path is not None else None
    return {"score": data["score"], "max": data["max"], "when": data.get("started")} if data else None


def save_result(path: Path, document: dict) -> None:
    """Write a result document atomically: a reader sees the previous one or this one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(document, indent=1, ensure_ascii=False))


def load_result(path: Path) -> dict | None:
    """The result document at ``path``; None when it is missing, unreadable, truncated or not one."""
    try:
        data = json.loads(read_bounded(path, MAX_RESULT_BYTES))
    except (KubelabError, ValueError, RecursionError):
        return None
    fields = ("score", "max")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in fields):
        return None
    return data


def _namespace_error(view: ClusterView, lab_id: str) -> Outcome | None:
    try:
        exists = view.namespace_exists()
    except ApiError as exc:
        return error(N_("The cluster could not be read: {error}"), error=str(exc), error_type=type(exc).__name__)
    if exists is False:
        return error(N_("Namespace {namespace} does not exist. Run `kubelab start {lab}` first."),
                     namespace=view.namespace, error_type="NamespaceMissing", lab=lab_id)
    return None


def _run_one(item: Check, ctx: Context) -> Outcome:
    lacking = ctx.capabilities.missing(item.needs)
    if lacking:
        name = lacking[0]
        return skipped(N_("Skipped: this cluster lacks {need}."), need=CAPABILITY_NAMES[name],
                       count=item.needs.get("nodes", 0))
    try:
        outcome = item.fn(ctx)
    except ApiError as exc:
        return error(N_("The cluster could not be read: {error}"), error=str(exc), error_type=type(exc).__name__)
    except Exception as exc:  # a bug in a check, or an object shaped in a way no check expected
        return error(N_("The check could not read the objects it needs ({error}). This is not your fault."),
                     error=f"{type(exc).__name__}: {exc}")
    if not isinstance(outcome, Outcome):
        return error(N_("The check returned no verdict. This is a bug in kubelab, not your fault."))
    return outcome


def _settle(results: list[CheckResult], ctx: Context) -> None:
    """Re-read and re-run checks whose state is still changing, until they settle or time out."""
    deadline = time.monotonic() + max((r.check.settle for r in results if r.outcome.settling), default=0)
    while any(r.outcome.settling for r in results) and time.monotonic() < deadline:
        time.sleep(0.5)
        ctx.view.refresh()
        for result in results:
            if result.outcome.settling:
                result.outcome = _run_one(result.check, ctx)
    for result in results:
        if result.outcome.settling:
            result.outcome = Outcome(**{**result.outcome.__dict__, "settling": False})
