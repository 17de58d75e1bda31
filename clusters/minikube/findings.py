"""The doctor's minikube findings: the pitfalls that make learners give up, each with its fix."""

from __future__ import annotations

from .. import gatewayapi
from ..api import Client
from ..doctor import WARNING, Finding, finding
from ..kubeconfig import current_context
from .addons import ADDON_OBJECTS, host_system, needs_tunnel, not_ready, object_not_ready, reachable, tunnel_running
from .cli import MINIMUM_VERSION, Minikube, Profile

# No `ingress` addon: its ingress-nginx is retired; kubelab installs Traefik itself (clusters/gatewayapi.py).
REQUIRED_ADDONS = ("storage-provisioner", "default-storageclass", "metrics-server", "metallb", "headlamp")
OPTIONAL_ADDONS = ("headlamp",)  # nice to have: missing it is a warning, not a problem
# The cluster UI: Headlamp, the successor the Kubernetes Dashboard (archived in January 2026) recommends.
# Pinned here rather than taking the (older) image each minikube release bundles with its addon.
ADDON_IMAGES = {"headlamp": "Headlamp=ghcr.io/headlamp-k8s/headlamp:v0.43.0"}
MIN_MEMORY_MB = 4000  # monitoring (InfluxDB, Grafana, Telegraf) and the capstone's seven services
MIN_CPUS = 2


def dotted(version: tuple[int, ...]) -> str:
    return "v" + ".".join(str(part) for part in version)


def minikube_findings(cli: Minikube, api: Client | None) -> list[Finding]:
    """Everything the doctor can say about the profile; checks needing the API are skipped when ``api`` is None."""
    path = cli.path()
    if not path:
        return [finding("minikube-missing")]
    version = cli.version()
    if version < MINIMUM_VERSION:
        return [finding("minikube-too-old", version=dotted(version), minimum=dotted(MINIMUM_VERSION))]
    found = [finding("minikube", version=dotted(version), path=path)]
    nodes = cli.status()
    config = cli.profile_config() if nodes else None
    if not nodes or config is None:
        return found + [finding("profile-missing", profile=cli.profile)]
    if not all(node.running for node in nodes):
        return found + [finding("profile-stopped", profile=cli.profile, host=nodes[0].host,
                                apiserver=nodes[0].apiserver)]
    found.append(finding("profile-running", profile=cli.profile, nodes=len(nodes), driver=config.driver))
    context = current_context()
    if context != cli.profile:
        found.append(finding("wrong-context", context=context or "-", profile=cli.profile))
    enabled = cli.addons()
    found += _addons(cli.profile, enabled, config, api)
    found += _controller(api)
    found += _networking(cli.profile, config)
    found += _resources(cli.profile, enabled, config, len(nodes))
    return found


def _addons(profile: str, enabled: dict[str, bool], config: Profile, api: Client | None) -> list[Finding]:
    found = []
    for addon in REQUIRED_ADDONS:
        namespace = ADDON_OBJECTS[addon][0]
        severity = WARNING if addon in OPTIONAL_ADDONS else None
        if not enabled.get(addon):
            found.append(finding("addon-disabled", severity, addon=addon, profile=profile))
        elif api is not None and (detail := not_ready(api, addon)):
            found.append(finding("addon-not-ready", severity, addon=addon, detail=detail, namespace=namespace))
    if enabled.get("dashboard"):
        found.append(finding("dashboard-archived", profile=profile))
    if enabled.get("metallb") and not all(config.load_balancer_range):
        found.append(finding("metallb-unconfigured"))
    return found or [finding("addons-ready")]


def _controller(api: Client | None) -> list[Finding]:
    """Traefik, which `kubelab up` installs as the Ingress and Gateway API controller, runs ready."""
    detail = object_not_ready(api, gatewayapi.CONTROLLER_PATH) if api is not None else None
    return [finding("gateway-controller-not-ready", name=gatewayapi.SERVICE, namespace=gatewayapi.NAMESPACE,
                    detail=detail)] if detail else []


def _networking(profile: str, config: Profile) -> list[Finding]:
    found = []
    hidden = needs_tunnel(config.driver)
    if tunnel_running(profile, config.active):
        found.append(finding("tunnel-running", profile=profile))
    elif hidden:
        found.append(finding("needs-tunnel", driver=config.driver, system=host_system(), profile=profile))
    ip, port = config.primary_ip, int((config.nodes[0] if config.nodes else {}).get("Port") or 8443)
    if ip and (hidden or not reachable(ip, port)):
        found.append(finding("nodeport-unreachable", address=f"{ip}:{port}", ip=ip, profile=profile))
    return found


def _resources(profile: str, enabled: dict[str, bool], config: Profile, nodes: int) -> list[Finding]:
    found = []
    if config.memory_mb < MIN_MEMORY_MB or config.cpus < MIN_CPUS:
        found.append(finding("low-resources", memory=config.memory_mb, cpus=config.cpus, min_memory=MIN_MEMORY_MB,
                             min_cpus=MIN_CPUS, profile=profile))
    if nodes > 1 and enabled.get("storage-provisioner"):
        found.append(finding("multinode-hostpath", nodes=nodes, profile=profile))
    if nodes > 1:
        found.append(finding("multinode-docker-env", profile=profile))
    return found
