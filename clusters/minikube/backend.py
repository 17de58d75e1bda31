"""The minikube backend: one ``kubelab`` profile with everything the labs need.

``start`` creates or starts the profile, then makes each part right only when
it is not: nodes, addons, MetalLB's address pool, the selected profile and
kubectl context. A second ``start`` therefore runs no start, enable or
configure command. ``stop`` stops the profile and keeps it, with the learner's work.
"""

from __future__ import annotations

from dataclasses import replace

from .. import gatewayapi
from ..api import Client
from ..base import Backend, Capabilities, Connection, Progress, Status, detect_capabilities, quiet
from ..doctor import CATALOG, Finding
from ..errors import ClusterNotRunning, KubelabError
from ..i18n import _
from ..kubeconfig import current_context, read_kubeconfig, user_kubeconfig_path
from .addons import load_balancer_pool, object_not_ready, tunnel_running
from .cli import MINIMUM_VERSION, PROFILE, Minikube, MinikubeError, MinikubeMalformed, MinikubeTooOld, Profile
from .findings import ADDON_IMAGES, REQUIRED_ADDONS, dotted, minikube_findings

CONTAINER_RUNTIME = "docker"  # minikube 1.39 defaults to containerd; the lessons teach docker-env


class MinikubeBackend(Backend):
    """A minikube profile (``kubelab`` by default) driven through the user's minikube."""

    name = "minikube"

    def __init__(self, cli: Minikube | None = None):
        self.cli = cli or Minikube(PROFILE)
        self.profile = self.cli.profile

    # -- reading ---------------------------------------------------------------------------
    def status(self) -> Status:
        nodes = self.cli.status() if self.cli.path() else []
        running = bool(nodes) and all(node.running for node in nodes)
        details = {"profile": self.profile, "nodes": {node.name: node.host for node in nodes}}
        if not running:
            return Status(self.name, False, details=details)
        return Status(self.name, True, self._connection(), self._server(), details)

    def connection(self) -> Connection:
        if not self.status().running:
            raise ClusterNotRunning(_("The minikube profile {profile} is not running. Start it with "
                                      "`kubelab up --backend minikube`.", profile=self.profile))
        return self._connection()

    def capabilities(self, api: Client) -> Capabilities:
        """The common capabilities, with load balancer read from minikube (kept as is if it fails) and ingress
        from the controller kubelab installs (Traefik) being ready."""
        base = detect_capabilities(api)
        try:
            enabled = self.cli.addons()
            config = self.cli.profile_config()
        except MinikubeError:
            return base
        ingress = base.data_plane and object_not_ready(api, gatewayapi.CONTROLLER_PATH) is None
        metallb = enabled.get("metallb", False) and config is not None and all(config.load_balancer_range)
        tunnel = tunnel_running(self.profile, config.active if config else None)
        return replace(base, ingress=bool(ingress), load_balancer=bool(metallb or tunnel))

    def enable_command(self, capability: str, wanted) -> str | None:
        return {
            "ingress": "kubelab up --backend minikube",  # installs Traefik
            "gateway": "kubelab up --backend minikube",
            "metrics": f"minikube addons enable metrics-server -p {PROFILE}",
            "load_balancer": "kubelab up --backend minikube",  # configures MetalLB
            "nodes": f"kubelab up --backend minikube --nodes {wanted}",
            "internet": "export KUBELAB_INTERNET=1",
        }.get(capability)

    def findings(self, api: Client | None) -> list[Finding]:
        """The doctor's minikube findings (see ``findings.minikube_findings``)."""
        return minikube_findings(self.cli, api)

    def _connection(self) -> Connection:
        return Connection(kubeconfig=user_kubeconfig_path(), context=self.profile)

    def _server(self) -> str | None:
        clusters = read_kubeconfig(user_kubeconfig_path())["clusters"]
        entry = next((c for c in clusters if c.get("name") == self.profile), None)
        return (entry.get("cluster") or {}).get("server") if entry else None

    # -- changing --------------------------------------------------------------------------
    def start(self, nodes: int | None = None, progress: Progress = quiet) -> Status:
        self._require_supported()
        config = self.cli.profile_config()
        if config is None:
            progress(_("Creating the minikube profile {profile} with {nodes} node(s); the first start takes a few "
                       "minutes.", profile=self.profile, nodes=nodes or 1))
            self.cli.start(nodes=nodes or 1, container_runtime=CONTAINER_RUNTIME)
        elif not all(node.running for node in self.cli.status()):
            progress(_("Starting the minikube profile {profile}.", profile=self.profile))
            self.cli.start()
        else:
            progress(_("The minikube profile {profile} is already running.", profile=self.profile))
        config = self._config()
        self._ensure_nodes(config, nodes, progress)
        self._ensure_addons(progress)
        self._ensure_gateway(progress)
        self._ensure_metallb(config, progress)
        self._ensure_context(config, progress)
        return self.status()

    def stop(self, progress: Progress = quiet) -> bool:
        if not self.status().running:
            return False
        progress(_("Stopping the minikube profile {profile}; it keeps your work, and `kubelab up --backend "
                   "minikube` starts it again.", profile=self.profile))
        self.cli.stop()
        return True

    def _require_supported(self) -> None:
        version = self.cli.version()
        if version < MINIMUM_VERSION:
            raise MinikubeTooOld(_(CATALOG["minikube-too-old"].seen, version=dotted(version),
                                   minimum=dotted(MINIMUM_VERSION)))

    def _config(self) -> Profile:
        config = self.cli.profile_config()
        if config is None:
            raise MinikubeMalformed(_("minikube started but does not list the profile {profile}.",
                                      profile=self.profile))
        return config

    def _ensure_nodes(self, config: Profile, nodes: int | None, progress: Progress) -> None:
        count = len(config.nodes)
        if nodes and nodes > count:
            progress(_("Adding {count} node(s) to the minikube profile {profile}.", count=nodes - count,
                       profile=self.profile))
            for _node in range(nodes - count):
                self.cli.add_node()
            count = nodes
        elif nodes and nodes < count:
            progress(_("The minikube profile {profile} keeps its {count} nodes; for fewer, delete it first with "
                       "`minikube delete -p {profile}`.", profile=self.profile, count=count))
        if count > 1:
            progress(_(CATALOG["multinode-hostpath"].seen, nodes=count))
            progress(_(CATALOG["multinode-docker-env"].seen))

    def _ensure_addons(self, progress: Progress) -> None:
        enabled = self.cli.addons()
        for addon in REQUIRED_ADDONS:
            if not enabled.get(addon):
                progress(_("Enabling the minikube addon {addon}.", addon=addon))
                self.cli.enable_addon(addon, ADDON_IMAGES.get(addon))

    def _ensure_gateway(self, progress: Progress) -> None:
        """The Gateway API CRDs, the classes and Traefik (pinned), created or replaced where they differ."""
        try:
            api = self._connection().api_client()
        except KubelabError as exc:
            progress(_("The Gateway API is not installed: {error}", error=exc))
            return
        try:
            gatewayapi.install(api, gatewayapi.deployment_objects(), progress)
        except KubelabError as exc:
            progress(_("The Gateway API is not installed: {error}", error=exc))
        finally:
            api.close()

    def _ensure_metallb(self, config: Profile, progress: Progress) -> None:
        """Give MetalLB a pool in the node's network, unless the profile already has that pool."""
        pool = load_balancer_pool(self.cli.ip())
        if config.load_balancer_range != pool:
            progress(_("Giving MetalLB the addresses {start} to {end} for LoadBalancer Services.", start=pool[0],
                       end=pool[1]))
            self.cli.configure_metallb(*pool)

    def _ensure_context(self, config: Profile, progress: Progress) -> None:
        if current_context() != self.profile or config.active is False:
            progress(_("Selecting the minikube profile {profile} and its kubectl context.", profile=self.profile))
            self.cli.select_profile()
