"""The small interface every cluster backend implements.

A backend starts, stops and describes one cluster, hands out a ``Connection``
(which makes an API ``Client``), and says what the cluster can do
(``Capabilities``), which decides the labs and checks that can run on it.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import ClassVar

from platformdirs import user_state_path

from .api import ApiError, Client, get, plain_client
from .errors import NoKubeconfig, UsageError
from .files import load_yaml_file
from .i18n import N_, Msgid, _

MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024  # real ones are a few KB; a hundred clusters stay far below

Progress = Callable[[str], None]
"""Receives one translated line per step of a long operation."""


def quiet(_: str) -> None:
    """A Progress that says nothing."""


def kubeconfig_paths() -> list[Path]:
    """The kubeconfig files in force: those of $KUBECONFIG, else ~/.kube/config."""
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def load_kubeconfig(path: Path) -> dict:
    """A kubeconfig file's mapping, read bounded and without YAML aliases, its lists checked;
    ``NoKubeconfig`` naming the file (and line) when it is not one."""
    try:
        data = load_yaml_file(path, MAX_KUBECONFIG_BYTES)
    except UsageError as exc:
        raise NoKubeconfig(str(exc)) from exc
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise NoKubeconfig(_("{path} is not a kubeconfig file.", path=path))
    for key in ("clusters", "users", "contexts"):
        entries = data.get(key) or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise NoKubeconfig(_("{path}: field \"{field}\" must be a list of named entries.", path=path, field=key))
    return data


def _capability(default, needs: str, label: str):
    """A capability field: ``needs`` says what a check lacking it needs (skip messages, the docs' lab catalog),
    ``label`` names it in `kubelab doctor`'s capabilities line; both msgids, translated when shown."""
    return field(default=default, metadata={"needs": needs, "label": label})


@dataclass(frozen=True)
class Capabilities:
    """What a cluster can do, as far as the labs are concerned: the one list of capabilities (``CAPABILITIES``),
    which ``needs`` in lab.yaml and ``@check``, skip messages, the doctor, the docs and the notebook tags use."""

    data_plane: bool = _capability(False, N_("a data plane (containers that really run)"), N_("data plane"))
    ingress: bool = _capability(False, N_("an ingress controller"), N_("ingress"))
    load_balancer: bool = _capability(False, N_("a load balancer"), N_("load balancer"))
    nodes: int = _capability(0, N_("at least {count} nodes"), N_("nodes"))  # Ready nodes
    internet: bool = _capability(False, N_("internet access"), N_("internet"))  # declared, never probed
    dns: bool = _capability(False, N_("cluster DNS (pods resolve Service names)"), N_("DNS"))
    # a Gateway API controller accepted its GatewayClass (routes get status and traffic)
    gateway: bool = _capability(False, N_("a Gateway API controller"), N_("Gateway API"))
    # a default StorageClass whose provisioner really makes volumes: claims bind, data lives on a disk
    storage: bool = _capability(False, N_("dynamic volumes (a default StorageClass that provisions claims)"),
                                N_("storage"))
    # the resource metrics API answers (metrics-server: `kubectl top`, CPU autoscaling)
    metrics: bool = _capability(False, N_("the resource metrics API (metrics-server)"), N_("metrics"))

    def as_dict(self) -> dict:
        return asdict(self)

    def missing(self, needs: dict) -> list[str]:
        """The names in ``needs`` (e.g. ``{"ingress": True, "nodes": 2}``) this cluster lacks."""
        lacking = []
        for name, wanted in needs.items():
            have = getattr(self, name)
            if (isinstance(wanted, bool) and wanted and not have) or (
                not isinstance(wanted, bool) and have < wanted
            ):
                lacking.append(name)
        return lacking


CAPABILITY_FIELDS = {f.name: f for f in fields(Capabilities)}
CAPABILITIES = tuple(CAPABILITY_FIELDS)


def capability_needs(name: str) -> Msgid:
    """What a check that needs capability ``name`` needs, as a msgid (``{count}`` for nodes)."""
    return CAPABILITY_FIELDS[name].metadata["needs"]


def capability_label(name: str) -> Msgid:
    """The capability's short name, as a msgid."""
    return CAPABILITY_FIELDS[name].metadata["label"]


@dataclass(frozen=True)
class Connection:
    """How to reach a cluster: a kubeconfig file and context, or in-cluster credentials."""

    kubeconfig: Path | None = None
    context: str | None = None
    in_cluster: bool = False

    def api_client(self, pool_size: int | None = None) -> Client:
        """A fresh Client: kubelab's own for a plain kubeconfig, else one over the official client's ApiClient
        (``pool_size``: connections kept per server; by default as many as the official client keeps)."""
        files = [] if self.in_cluster else [self.kubeconfig] if self.kubeconfig else kubeconfig_paths()
        # the official client reads them unbounded, aliases and all: prove them sane first
        configs = [load_kubeconfig(path) for path in files if path.is_file()]
        if len(files) == 1 and len(configs) == 1:
            plain = plain_client(configs[0], files[0], self.context, pool_size)
            if plain is not None:
                return plain
        return self._official_client(files, pool_size)

    def _official_client(self, files: list[Path], pool_size: int | None) -> Client:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        configuration = client.Configuration()
        try:
            if self.in_cluster:
                config.load_incluster_config(client_configuration=configuration)
            else:
                config.load_kube_config(
                    config_file=str(self.kubeconfig) if self.kubeconfig else None,
                    context=self.context,
                    client_configuration=configuration,
                    persist_config=False,
                )
        except ConfigException as exc:
            raise NoKubeconfig(str(exc)) from exc
        except Exception as exc:  # a field of the wrong type deep inside: the client has no error of its own
            where = ", ".join(map(str, files)) or _("in-cluster credentials")
            raise NoKubeconfig(_("{where}: not a usable kubeconfig ({error}).", where=where,
                                 error=f"{type(exc).__name__}: {exc}"[:200])) from exc
        configuration.retries = 0
        if pool_size:
            configuration.connection_pool_maxsize = pool_size
        return Client.wrap(client.ApiClient(configuration))

    def describe(self) -> str:
        if self.in_cluster:
            return _("in-cluster credentials")
        return _("{file} (context {context})", file=self.kubeconfig or "~/.kube/config",
                 context=self.context or _("the current one"))


@dataclass(frozen=True)
class Status:
    """A backend's view of its cluster, for ``kubelab status``."""

    backend: str
    running: bool
    connection: Connection | None = None
    server: str | None = None
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        conn = self.connection
        return {
            "backend": self.backend,
            "running": self.running,
            "kubeconfig": str(conn.kubeconfig) if conn and conn.kubeconfig else None,
            "context": conn.context if conn else None,
            "server": self.server,
            "details": self.details,
        }


class Backend(ABC):
    """One way of getting a cluster. Subclasses set ``name``."""

    name: ClassVar[str]

    @abstractmethod
    def start(self, nodes: int | None = None, progress: Progress = quiet) -> Status:
        """Bring the cluster up (idempotent) and return its status."""

    @abstractmethod
    def stop(self, progress: Progress = quiet) -> bool:
        """Stop what this backend started, keeping its data; False when nothing was running."""

    def purge(self, progress: Progress = quiet) -> bool:
        """Stop the cluster and delete its data for good (`kubelab down --purge`); False when there was none."""
        raise UsageError(_("kubelab does not delete {backend} clusters; delete it with that tool's own command.",
                           backend=self.name))

    def results_dir(self, server: str | None) -> Path | None:
        """Where the last result of each lab on this cluster is kept (per namespace below it), or None when
        the cluster is unknown. A backend with its own state folder keeps them there."""
        return shared_results_dir(server)

    @abstractmethod
    def status(self) -> Status:
        """Describe the cluster without changing it."""

    @abstractmethod
    def connection(self) -> Connection:
        """How to reach the cluster; raises ClusterNotRunning or NoKubeconfig."""

    def capabilities(self, api: Client) -> Capabilities:
        """What the cluster can do, read from the live API."""
        return detect_capabilities(api)

    def enable_command(self, capability: str, wanted) -> str | None:
        """The one command that gives this cluster ``capability`` (``wanted``: True, or a node count)."""
        return None

    def findings(self, api: Client | None) -> list:
        """The doctor's findings particular to this backend (``api`` is None when unreachable)."""
        return []


def shared_results_dir(server: str | None) -> Path | None:
    """The folder of results for the cluster at ``server`` (None when unknown), in ``$KUBELAB_STATE`` when set,
    else the user's state folder."""
    if not server:
        return None
    key = re.sub(r"[^A-Za-z0-9.-]+", "_", server.split("://")[-1]).strip("_") or "cluster"
    return Path(os.environ.get("KUBELAB_STATE") or user_state_path("kubelab")) / "results" / key


FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"
# Where kubelab's nginx stand-ins (clusters/embedded/images.py) say over HTTP which upstream images they stand in
# for and which Debian packages they really contain; upstream nginx answers 404 there.
STAND_IN_PATH = "/.well-known/kubelab-stand-in"


def detect_capabilities(api: Client) -> Capabilities:
    """Capabilities of any cluster, from its nodes, ingress classes and Gateway API controller.

    ``KUBELAB_INTERNET=1`` declares internet access, which kubelab never probes on its own.
    """
    items = get(api, "/api/v1/nodes").get("items", [])
    real = has_data_plane(items)
    classes = get(api, "/apis/networking.k8s.io/v1/ingressclasses")
    from .gatewayapi import serving  # it builds on this module

    return Capabilities(
        metrics=metrics_available(api),
        data_plane=real,
        ingress=real and bool(classes.get("items")),
        load_balancer=False,
        nodes=sum(condition(n, "Ready") == "True" for n in items),
        internet=real and os.environ.get("KUBELAB_INTERNET", "") in ("1", "yes", "true"),
        dns=real,
        gateway=real and serving(api),
        storage=real and _provisioning_default_class(api),
    )


def has_data_plane(nodes: list[dict]) -> bool:
    """Whether some Ready node really runs containers: nodes managed by KWOK (annotation ``kwok.x-k8s.io/node``)
    run none, so a cluster made only of them has no data plane."""
    return any(condition(n, "Ready") == "True" and FAKE_NODE_ANNOTATION not in (n["metadata"].get("annotations") or {})
               for n in nodes)


def _provisioning_default_class(api: Client) -> bool:
    """A default StorageClass whose provisioner really makes volumes (not ``kubernetes.io/no-provisioner``)."""
    try:
        classes = get(api, "/apis/storage.k8s.io/v1/storageclasses").get("items", [])
    except ApiError:
        return False
    return any((c["metadata"].get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
               and c.get("provisioner") != "kubernetes.io/no-provisioner" for c in classes)


def metrics_available(api: Client) -> bool:
    """The resource metrics API answers: its APIService is Available (read through discovery, which every
    identity may read: the API server answers 503 while the APIService is unavailable, 404 without one)."""
    try:
        return bool(get(api, "/apis/metrics.k8s.io/v1beta1").get("resources"))
    except ApiError:
        return False


def condition(obj: dict, kind: str) -> str | None:
    """The status ("True"/"False"/"Unknown") of condition ``kind`` of a raw object, or None."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond.get("status")
    return None
