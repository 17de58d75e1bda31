"""Any existing cluster reached through a kubeconfig context, or in-cluster.

Covers minikube, kind, k3d and a JupyterHub student's namespace. The
connection is resolved once, in this order: an explicit file and context,
``$KUBECONFIG``, ``~/.kube/config``, then the pod's ServiceAccount.
Also merges and removes the ``kubelab`` context the way kind and minikube do.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .base import Backend, Connection, Progress, Status, kubeconfig_paths, load_kubeconfig, quiet
from .errors import ClusterNotRunning, NoKubeconfig
from .files import write_atomic
from .i18n import _

IN_CLUSTER_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


def user_kubeconfig_path() -> Path:
    """The file kubectl writes to: the first entry of $KUBECONFIG, else ~/.kube/config."""
    env = os.environ.get("KUBECONFIG", "")
    first = next((p for p in env.split(os.pathsep) if p), None)
    return Path(first).expanduser() if first else Path.home() / ".kube" / "config"


def read_kubeconfig(path: Path) -> dict:
    """A kubeconfig as a dict with its lists present; empty when the file is missing."""
    data = load_kubeconfig(path) if path.is_file() else {}
    data.setdefault("apiVersion", "v1")
    data.setdefault("kind", "Config")
    for key in ("clusters", "users", "contexts"):
        data[key] = data.get(key) or []
    data.setdefault("preferences", {})
    return data


def write_kubeconfig(path: Path, data: dict) -> None:
    """Write atomically, readable by the owner only (it holds credentials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, yaml.safe_dump(data, sort_keys=False), mode=0o600)


def merge_context(name: str, source: dict, path: Path | None = None) -> Path:
    """Copy the single context of ``source`` into the user's kubeconfig as ``name`` and select it (keeping the
    namespace a former ``name`` context had, so a restarted cluster keeps the learner's namespace)."""
    path = path or user_kubeconfig_path()
    data = read_kubeconfig(path)
    context = {"cluster": name, "user": name}
    former = next((e.get("context") for e in data["contexts"] if isinstance(e, dict) and e.get("name") == name), None)
    if isinstance(former, dict) and former.get("namespace"):
        context["namespace"] = former["namespace"]
    for key, entry in (
        ("clusters", {"name": name, "cluster": source["clusters"][0]["cluster"]}),
        ("users", {"name": name, "user": source["users"][0]["user"]}),
        ("contexts", {"name": name, "context": context}),
    ):
        data[key] = [e for e in data[key] if e.get("name") != name] + [entry]
    data["current-context"] = name
    write_kubeconfig(path, data)
    return path


def remove_context(name: str, path: Path | None = None) -> bool:
    """Remove the ``name`` cluster, user and context; False when there was none."""
    path = path or user_kubeconfig_path()
    if not path.is_file():
        return False
    data = read_kubeconfig(path)
    before = sum(len(data[k]) for k in ("clusters", "users", "contexts"))
    for key in ("clusters", "users", "contexts"):
        data[key] = [e for e in data[key] if e.get("name") != name]
    if data.get("current-context") == name:
        data.pop("current-context")
    changed = before != sum(len(data[k]) for k in ("clusters", "users", "contexts"))
    if changed:
        write_kubeconfig(path, data)
    return changed


def resolve(kubeconfig: Path | None = None, context: str | None = None) -> Connection:
    """The connection to use, in the documented order; NoKubeconfig names what was tried."""
    if kubeconfig is not None:
        if not kubeconfig.is_file():
            raise NoKubeconfig(_("The kubeconfig file {path} does not exist.", path=kubeconfig))
        return Connection(kubeconfig=kubeconfig, context=context)
    existing = [p for p in kubeconfig_paths() if p.is_file()]
    if existing:
        file = existing[0] if len(existing) == 1 else None  # several files: let the client merge $KUBECONFIG
        if file and not context and not read_kubeconfig(file).get("current-context"):
            raise ClusterNotRunning(_("No cluster: run `kubelab up` ({path} selects no context).", path=file))
        return Connection(kubeconfig=file, context=context)
    if IN_CLUSTER_TOKEN.is_file() and os.environ.get("KUBERNETES_SERVICE_HOST"):
        return Connection(in_cluster=True)
    tried = ", ".join(str(p) for p in kubeconfig_paths())
    raise NoKubeconfig(
        _("No cluster configuration found (tried {tried} and in-cluster credentials).", tried=tried)
    )


def current_context(kubeconfig: Path | None = None) -> str | None:
    """The current-context of the kubeconfig in force, if any."""
    for path in [kubeconfig] if kubeconfig else kubeconfig_paths():
        if path and path.is_file():
            context = read_kubeconfig(path).get("current-context")
            if context and isinstance(context, str):
                return context
    return None


class KubeconfigBackend(Backend):
    """A cluster someone else runs: kubelab connects to it but never starts or stops it."""

    name = "kubeconfig"

    def __init__(self, kubeconfig: Path | None = None, context: str | None = None):
        self.kubeconfig = kubeconfig
        self.context = context

    def connection(self) -> Connection:
        return resolve(self.kubeconfig, self.context)

    def start(self, nodes: int | None = None, progress: Progress = quiet) -> Status:
        progress(_("Using the existing cluster of {where}.", where=self.connection().describe()))
        return self.status()

    def stop(self, progress: Progress = quiet) -> bool:
        progress(_("kubelab did not start this cluster, so it leaves it running."))
        return False

    def status(self) -> Status:
        conn = self.connection()
        context = conn.context or (None if conn.in_cluster else current_context(conn.kubeconfig))
        conn = Connection(conn.kubeconfig, context, in_cluster=conn.in_cluster)
        return Status(backend=self.name, running=True, connection=conn)
