"""The small interface every cluster backend implements.

A backend starts, stops and describes one cluster, hands out a ``Connection``
for the official ``kubernetes`` client, and says what the cluster can do
(``Capabilities``), which decides the labs and checks that can run on it.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

from kubernetes import client, config
from kubernetes.config.config_exception import ConfigException
from platformdirs import user_state_path

from .api import ApiError, get
from .errors import NoKubeconfig, UsageError
from .files import load_yaml_file
from .i18n import _

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


@dataclass(frozen=True)
class Capabilities:
    """What a cluster can do, as far as the labs are concerned."""

    data_plane: bool = False  # containers really run; traffic flows
    ingress: bool = False  # an ingress controller serves Ingress rules
    load_balancer: bool = False  # LoadBalancer Services get an external IP
    nodes: int = 0  # Ready nodes
    internet: bool = False  # pods can reach the internet
    dns: bool = False  # pods resolve Service names through the cluster DNS
    metrics: bool = False  # the resource metrics API answers (metrics-server: `kubectl top`, CPU autoscaling)

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


@dataclass(frozen=True)
class Connection:
    """How to reach a cluster: a kubeconfig file and context, or in-cluster credentials."""

    kubeconfig: Path | None = None
    context: str | None = None
    namespace: str | None = None
    in_cluster: bool = False

    def api_client(self) -> client.ApiClient:
        """A fresh ApiClient for the official client."""
        configuration = client.Configuration()
        files = [] if self.in_cluster else [self.kubeconfig] if self.kubeconfig else kubeconfig_paths()
        for path in files:  # the client reads them unbounded, aliases and all: prove them sane first
            if path.is_file():
                load_kubeconfig(path)
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
        return client.ApiClient(configuration)

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

    def capabilities(self, api: client.ApiClient) -> Capabilities:
        """What the cluster can do, read from the live API."""
        return detect_capabilities(api)

    def enable_command(self, capability: str, wanted) -> str | None:
        """The one command that gives this cluster ``capability`` (``wanted``: True, or a node count)."""
        return None

    def findings(self, api: client.ApiClient | None) -> list:
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


def detect_capabilities(api: client.ApiClient) -> Capabilities:
    """Capabilities of any cluster, from its nodes and ingress classes.

    Nodes managed by KWOK (annotation ``kwok.x-k8s.io/node``) run no containers,
    so a cluster made only of them has no data plane. ``KUBELAB_INTERNET=1``
    declares internet access, which kubelab never probes on its own.
    """
    items = get(api, "/api/v1/nodes").get("items", [])
    ready = [n for n in items if condition(n, "Ready") == "True"]
    real = [n for n in ready if FAKE_NODE_ANNOTATION not in (n["metadata"].get("annotations") or {})]
    classes = get(api, "/apis/networking.k8s.io/v1/ingressclasses")
    return Capabilities(
        metrics=metrics_available(api),
        data_plane=bool(real),
        ingress=bool(real) and bool(classes.get("items")),
        load_balancer=False,
        nodes=len(ready),
        internet=bool(real) and os.environ.get("KUBELAB_INTERNET", "") in ("1", "yes", "true"),
        dns=bool(real),
    )


def metrics_available(api: client.ApiClient) -> bool:
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
