"""`kubelab doctor`: what is wrong with the learner's set-up, and how to fix it.

Each finding has a stable id, a severity, what was seen and the fix, all
translated. ``CATALOG`` lists every id with its English msgids, so the
troubleshooting page can be generated from it. A backend adds its own
findings through ``Backend.findings(api)`` (``api`` is None when the API
server cannot be reached).
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass

from . import tools
from .api import Client, get
from .base import Backend, Capabilities
from .errors import KubelabError
from .i18n import N_, _

OK, WARNING, PROBLEM = "ok", "warning", "problem"


@dataclass(frozen=True)
class Entry:
    """One kind of finding: its usual severity and msgids (with named ``{params}``)."""

    severity: str
    seen: str
    fix: str = ""


START_MINIKUBE = N_("Run `kubelab up --backend minikube`.")

CATALOG: dict[str, Entry] = {
    # every backend
    "no-cluster": Entry(PROBLEM, N_("No cluster is running."), N_("Start a cluster with `kubelab up`.")),
    "kubeconfig": Entry(OK, N_("Using {where}.")),
    "api-reachable": Entry(OK, N_("The API server answers (Kubernetes {version}).")),
    "api-unreachable": Entry(PROBLEM, N_("The API server does not answer: {error}"),
                             N_("Start the cluster (`kubelab up`) or choose the right context "
                                "(`kubectl config use-context …`).")),
    "no-ready-nodes": Entry(PROBLEM, N_("No node is Ready."), N_("Wait a minute, then look at `kubectl get nodes`.")),
    "no-data-plane": Entry(WARNING, N_("This cluster runs no containers, so data-plane checks will be skipped."),
                           N_("Use minikube for the labs that need traffic to flow.")),
    "kubectl": Entry(OK, N_("kubectl is at {path}.")),
    "kubectl-skew": Entry(WARNING, N_("kubectl on PATH ({path}) is {client}, more than one minor version away from "
                                      "the cluster ({server}): some commands may fail or behave differently."),
                          N_("Use kubelab's own kubectl: `export PATH={folder}:$PATH` "
                             "(or `source {folder}/activate`).")),
    "kubectl-missing": Entry(WARNING, N_("kubectl is not on PATH; the lessons use it."),
                             N_("Run `kubelab up`, which puts kubectl beside the cluster, or install kubectl.")),
    "backend-error": Entry(PROBLEM, N_("The {backend} backend could not be examined: {error}"),
                           N_("Run the command named above by hand to see its full message.")),
    # the embedded cluster's real node
    "real-node": Entry(OK, N_("The real node {name} ({ip}) runs containers with containerd.")),
    "real-node-down": Entry(PROBLEM, N_("The real node {name} has stopped: {stopped} no longer run."),
                            N_("Run `kubelab down`, then `kubelab up --backend embedded --real-nodes 1`; the logs "
                               "are in {logs}.")),
    "real-node-unavailable": Entry(WARNING, N_("No real node can run here: {reasons}."),
                                   N_("Fix what is named above, then run `kubelab up --backend embedded "
                                      "--real-nodes 1`.")),
    # the Gateway API (every backend)
    "gateway-ok": Entry(OK, N_("The Gateway API {version} is installed and a controller accepted the GatewayClass "
                               "{name}.")),
    "gateway-crds-missing": Entry(WARNING, N_("The Gateway API CRDs are not installed, so Gateways and HTTPRoutes "
                                              "cannot be created."),
                                  N_("Run `kubelab up` again: it installs the Gateway API {version} CRDs.")),
    "gateway-class-missing": Entry(WARNING, N_("There is no GatewayClass {name}, so the labs' Gateways have no "
                                               "controller."),
                                   N_("Run `kubelab up` again: it creates the GatewayClass.")),
    "gateway-no-controller": Entry(WARNING, N_("No controller has accepted the GatewayClass {name} ({controller}): "
                                               "Gateways get no status and no traffic."),
                                   N_("On the embedded cluster, run `kubelab up --backend embedded --real-nodes 1`; "
                                      "on minikube, `kubelab up --backend minikube`.")),
    "gateway-class-unserved": Entry(WARNING, N_("Gateway {namespace}/{name} asks for the GatewayClass "
                                                "{gateway_class}, which no controller has accepted: it gets no "
                                                "address and no traffic."),
                                    N_("Set `gatewayClassName: {wanted}` (`kubectl get gatewayclass` lists the "
                                       "classes and whether a controller accepted them).")),
    "route-no-parent": Entry(WARNING, N_("HTTPRoute {namespace}/{name} is attached to Gateway {gateway}, which does "
                                         "not exist."),
                             N_("Fix its parentRefs: `kubectl get gateways -A` lists the Gateways.")),
    "route-hostname-mismatch": Entry(WARNING, N_("HTTPRoute {namespace}/{name} asks for host names {hosts}, which "
                                                 "no listener of Gateway {gateway} takes."),
                                     N_("Make the route's hostnames fit a listener's hostname (`kubectl get "
                                        "gateway {gateway} -n {namespace} -o yaml`).")),
    "route-backend-not-granted": Entry(WARNING, N_("HTTPRoute {namespace}/{name} sends traffic to Service {service} "
                                                   "in namespace {target}, and no ReferenceGrant there allows it."),
                                       N_("Create a ReferenceGrant in {target} from HTTPRoutes of {namespace} to "
                                          "that Service, or use a Service of the route's own namespace.")),
    "route-not-accepted": Entry(WARNING, N_("The controller set {condition}=False on HTTPRoute {namespace}/{name} "
                                            "for Gateway {gateway}: {reason}."),
                                N_("`kubectl describe httproute {name} -n {namespace}` explains the reason.")),
    # minikube
    "minikube": Entry(OK, N_("minikube {version} is at {path}.")),
    "minikube-missing": Entry(PROBLEM, N_("minikube is not installed (no `minikube` on PATH)."),
                              N_("Install minikube (https://minikube.sigs.k8s.io/docs/start/), "
                                 "then run `kubelab up --backend minikube`.")),
    "minikube-too-old": Entry(PROBLEM, N_("minikube {version} is older than {minimum}, the oldest kubelab supports."),
                              N_("Upgrade minikube (https://minikube.sigs.k8s.io/docs/start/).")),
    "profile-missing": Entry(PROBLEM, N_("There is no minikube profile named {profile}."), START_MINIKUBE),
    "profile-stopped": Entry(PROBLEM, N_("The minikube profile {profile} is not running (host: {host}, "
                                         "API server: {apiserver})."), START_MINIKUBE),
    "profile-running": Entry(OK, N_("The minikube profile {profile} runs {nodes} node(s) with the {driver} driver.")),
    "wrong-context": Entry(PROBLEM, N_("kubectl's current context is {context}, not {profile}: the lessons' "
                                       "kubectl commands would go to another cluster."),
                           N_("Run `minikube profile {profile}` (or `kubectl config use-context {profile}`).")),
    "addons-ready": Entry(OK, N_("The addons the labs need are enabled and ready.")),
    "addon-disabled": Entry(PROBLEM, N_("The minikube addon {addon} is disabled."),
                            N_("Run `minikube addons enable {addon} -p {profile}`, or `kubelab up --backend minikube`.")),
    "addon-not-ready": Entry(PROBLEM, N_("The minikube addon {addon} is enabled but not ready: {detail}."),
                             N_("Wait a minute. If it stays so, look at `kubectl -n {namespace} get pods` "
                                "and `kubectl -n {namespace} describe pods`.")),
    "gateway-controller-not-ready": Entry(PROBLEM, N_("Traefik, the Ingress and Gateway API controller kubelab "
                                                      "installs, is not ready: {detail}."),
                                          N_("Run `kubelab up --backend minikube` to install it again. If it stays "
                                             "so, look at `kubectl -n {namespace} get pods` and `kubectl -n "
                                             "{namespace} describe pods`.")),
    "dashboard-archived": Entry(WARNING, N_("The minikube addon dashboard is enabled: the Kubernetes Dashboard was "
                                            "archived in January 2026 and gets no more fixes."),
                                N_("Use Headlamp, its successor: `minikube addons disable dashboard -p {profile}`, "
                                   "then `kubelab up --backend minikube`.")),
    "metallb-unconfigured": Entry(PROBLEM, N_("MetalLB has no address pool, so LoadBalancer Services stay "
                                              "<pending>."),
                                  N_("Run `kubelab up --backend minikube`, which sets the pool from `minikube ip`.")),
    "needs-tunnel": Entry(WARNING, N_("With the {driver} driver on {system}, this computer cannot reach the node: "
                                      "Ingress and LoadBalancer addresses answer only through `minikube tunnel`."),
                          N_("Keep `minikube tunnel -p {profile}` running in another terminal (it asks for your "
                             "password to open ports 80 and 443), then use 127.0.0.1.")),
    "tunnel-running": Entry(OK, N_("`minikube tunnel` is running for {profile}.")),
    "low-resources": Entry(WARNING, N_("The profile has {memory} MB of memory and {cpus} CPU(s); the monitoring "
                                       "and capstone labs need {min_memory} MB and {min_cpus} CPUs."),
                           N_("Recreate it bigger: `minikube delete -p {profile}`, `minikube config set memory "
                              "{min_memory}`, `minikube config set cpus {min_cpus}`, then "
                              "`kubelab up --backend minikube`.")),
    "multinode-hostpath": Entry(WARNING, N_("This profile has {nodes} nodes and the hostPath storage provisioner, "
                                            "which keeps each volume on the node that first ran its pod: data "
                                            "seems lost when the pod moves."),
                                N_("For the volumes lab use a single-node profile, or run `minikube addons enable "
                                   "storage-provisioner-rancher -p {profile}` and the `local-path` storage class.")),
    "multinode-docker-env": Entry(WARNING, N_("`minikube docker-env` refuses multi-node profiles, and `minikube "
                                              "image build` builds on the first node only."),
                                  N_("Use `minikube image build --all -p {profile}` or `minikube image load -p "
                                     "{profile}`, which reach every node.")),
    "nodeport-unreachable": Entry(WARNING, N_("This computer cannot reach the node at {address}, so NodePort "
                                              "Services cannot be opened at {ip}:<nodePort>."),
                                  N_("Use `minikube service <name> -n <namespace> --url -p {profile}` and keep it "
                                     "running, or `kubectl port-forward`.")),
}


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    seen: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def finding(id: str, severity: str | None = None, seen: str | None = None, **params) -> Finding:
    """The catalog's finding ``id``, translated and filled with ``params``; ``seen`` replaces its text."""
    entry = CATALOG[id]
    return Finding(id, severity or entry.severity, seen if seen is not None else _(entry.seen, **params),
                   _(entry.fix, **params) if entry.fix else "")


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
        own = backend_findings(backend, None)
        if not any(f.severity == PROBLEM for f in own):  # the backend's own findings say it better
            findings.append(finding("no-cluster", seen=str(exc)))
        return Report(backend.name, findings + own + [_kubectl_finding()])
    context = status.connection.context if status.connection else None
    findings.append(finding("kubeconfig", where=conn.describe()))
    try:
        api = conn.api_client()
        try:
            version = get(api, "/version", timeout=5)["gitVersion"]
            findings.append(finding("api-reachable", version=version))
            capabilities = backend.capabilities(api)
            own = backend_findings(backend, api) + gateway_findings(api, capabilities.gateway)
        finally:
            api.close()
    except KubelabError as exc:
        findings.append(finding("api-unreachable", seen=str(exc)))
        return Report(backend.name, findings + backend_findings(backend, None) + [_kubectl_finding()],
                      context=context)
    except Exception as exc:  # any client or network failure means: not reachable
        findings.append(finding("api-unreachable", error=_short(exc)))
        return Report(backend.name, findings + backend_findings(backend, None) + [_kubectl_finding()],
                      context=context)
    if capabilities.nodes == 0:
        findings.append(finding("no-ready-nodes"))
    if not capabilities.data_plane:
        findings.append(finding("no-data-plane"))
    findings += own
    findings.append(_kubectl_finding(version))
    return Report(backend.name, findings, capabilities, version, context)


def backend_findings(backend: Backend, api: Client | None) -> list[Finding]:
    """What ``backend.findings(api)`` reports; its failures become a finding."""
    try:
        return backend.findings(api)
    except KubelabError as exc:
        return [finding("backend-error", backend=backend.name, error=str(exc))]


def gateway_findings(api: Client, serving: bool = True) -> list[Finding]:
    """The Gateway API's findings (``serving``: the backend measured a running controller); none when the cluster
    cannot be asked."""
    from .gatewayapi import findings  # it builds on this module

    try:
        return findings(api, serving)
    except KubelabError:
        return []


def _kubectl_finding(server: str | None = None) -> Finding:
    """Where kubectl is; a warning when it is missing, or out of the version skew kubectl supports."""
    path = shutil.which("kubectl")
    if not path:
        return finding("kubectl-missing")
    if server:
        client_version = tools.client_version(path)
        pinned = tools.pinned_kubectl()
        if (tools.out_of_skew(client_version, server) and pinned
                and not tools.out_of_skew(tools.client_version(str(pinned)), server)):
            return finding("kubectl-skew", path=path, client=client_version, server=server, folder=pinned.parent)
    return finding("kubectl", path=path)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
