"""`kubelab doctor`: what is wrong with the learner's set-up, and how to fix it.

Each finding has a stable id (the troubleshooting page is generated from
``CATALOG``), a severity, what was seen and the fix, all translated.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass

from kubernetes import client

from .base import Backend, Capabilities
from .errors import KubelabError
from .i18n import _

OK, WARNING, PROBLEM = "ok", "warning", "problem"


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    seen: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    backend: str
    findings: list[Finding]
    capabilities: Capabilities | None = None
    server_version: str | None = None
    context: str | None = None

    @property
    def healthy(self) -> bool:
        return all(f.severity != PROBLEM for f in self.findings)

    def as_dict(self) -> dict:
        return {
            "backend": self.backend,
            "context": self.context,
            "server_version": self.server_version,
            "capabilities": self.capabilities.as_dict() if self.capabilities else None,
            "healthy": self.healthy,
            "findings": [f.as_dict() for f in self.findings],
        }


def examine(backend: Backend) -> Report:
    """Run every check that applies to ``backend``; never raises for an expected failure."""
    findings: list[Finding] = []
    try:
        status = backend.status()
        conn = backend.connection()
    except KubelabError as exc:
        findings.append(Finding("no-cluster", PROBLEM, str(exc), _("Start a cluster with `kubelab up`.")))
        return Report(backend.name, findings + [_kubectl_finding()])
    context = status.connection.context if status.connection else None
    findings.append(Finding("kubeconfig", OK, _("Using {where}.", where=conn.describe())))
    try:
        api = conn.api_client()
        try:
            version = client.VersionApi(api).get_code(_request_timeout=5).git_version
            findings.append(Finding("api-reachable", OK, _("The API server answers (Kubernetes {version}).",
                                                          version=version)))
            capabilities = backend.capabilities(api)
        finally:
            api.close()
    except KubelabError as exc:
        findings.append(Finding("api-unreachable", PROBLEM, str(exc), _("Check the kubeconfig and context.")))
        return Report(backend.name, findings + [_kubectl_finding()], context=context)
    except Exception as exc:  # any client or network failure means: not reachable
        findings.append(Finding("api-unreachable", PROBLEM,
                                _("The API server does not answer: {error}", error=_short(exc)),
                                _("Start the cluster (`kubelab up`) or choose the right context "
                                  "(`kubectl config use-context …`).")))
        return Report(backend.name, findings + [_kubectl_finding()], context=context)
    if capabilities.nodes == 0:
        findings.append(Finding("no-ready-nodes", PROBLEM, _("No node is Ready."),
                                _("Wait a minute, then look at `kubectl get nodes`.")))
    if not capabilities.data_plane:
        findings.append(Finding("no-data-plane", WARNING,
                                _("This cluster runs no containers, so data-plane checks will be skipped."),
                                _("Use minikube for the labs that need traffic to flow.")))
    findings.append(_kubectl_finding())
    return Report(backend.name, findings, capabilities, version, context)


def _kubectl_finding() -> Finding:
    path = shutil.which("kubectl")
    if path:
        return Finding("kubectl", OK, _("kubectl is at {path}.", path=path))
    return Finding("kubectl-missing", WARNING, _("kubectl is not on PATH; the lessons use it."),
                   _("Run `kubelab up`, which puts kubectl beside the cluster, or install kubectl."))


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
