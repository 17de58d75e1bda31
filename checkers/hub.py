"""The JupyterHub classroom on a shared cluster: per-student namespaces, identities and rights, and the grader.

Per student ``<id>``: namespace ``lab-<id>`` (Pod Security ``baseline``), a
ServiceAccount ``student-<id>`` in the hub's namespace (KubeSpawner runs the
notebook pod with it), a RoleBinding to ``admin`` in ``lab-<id>`` only, a
cluster-wide read of nodes, storage classes and ingress classes (nothing that
names a classmate), a ResourceQuota and a LimitRange. Shared: the
``kubelab-grader`` ServiceAccount, which may read (never write) every kind the
checks read, in every student namespace. Everything is applied server-side, so
provisioning again changes only what differs; nothing here deletes the hub's
own namespace.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from kubernetes import client

from clusters.api import ApiError, request
from clusters.base import quiet
from clusters.files import writable_folder, write_atomic

from .view import KINDS

MANAGED = {"app.kubernetes.io/managed-by": "kubelab"}
STUDENT_LABEL = "kubelab.dev/student"
FIELD_MANAGER = "kubelab-hub"
GRADER = "kubelab-grader"
GRADER_FILE = "grader"  # <out>/grader.kubeconfig, beside the students' <id>.kubeconfig (a reserved student id)
STUDENT_READ = "kubelab-student-read"
RBAC = "rbac.authorization.k8s.io"
QUOTA = {"requests.cpu": "4", "requests.memory": "4Gi", "limits.cpu": "8", "limits.memory": "8Gi", "pods": "30",
         "persistentvolumeclaims": "5", "requests.storage": "5Gi", "services.loadbalancers": "0",
         "services.nodeports": "2"}
LIMITS = {"default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "50m", "memory": "64Mi"},
          "max": {"cpu": "1", "memory": "1Gi"}}
READ = ["get", "list", "watch"]
PATHS = {  # kind → (API prefix, plural, namespaced)
    "Namespace": ("/api/v1", "namespaces", False),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "ConfigMap": ("/api/v1", "configmaps", True),
    "ResourceQuota": ("/api/v1", "resourcequotas", True),
    "LimitRange": ("/api/v1", "limitranges", True),
    "RoleBinding": (f"/apis/{RBAC}/v1", "rolebindings", True),
    "ClusterRole": (f"/apis/{RBAC}/v1", "clusterroles", False),
    "ClusterRoleBinding": (f"/apis/{RBAC}/v1", "clusterrolebindings", False),
}


@dataclass(frozen=True)
class Classroom:
    hub_namespace: str = "jhub"
    quota: dict = field(default_factory=lambda: dict(QUOTA))
    limits: dict = field(default_factory=lambda: dict(LIMITS))

    def namespace(self, student_id: str) -> str:
        return f"lab-{student_id}"

    def account(self, student_id: str) -> str:
        return f"student-{student_id}"


def shared_objects(room: Classroom, languages: dict[str, str] | None = None) -> list[dict]:
    """The ClusterRoles, the grader and the students' languages (read by the hub's spawn hook)."""
    namespaced, cluster = _grader_rules()
    grader = _subject(GRADER, room.hub_namespace)
    return [
        _obj("ClusterRole", STUDENT_READ, rules=[
            {"apiGroups": [""], "resources": ["nodes"], "verbs": READ},
            {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": READ},
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingressclasses"], "verbs": READ}]),
        _obj("ClusterRole", GRADER, rules=namespaced),
        _obj("ClusterRole", f"{GRADER}-cluster", rules=cluster),
        _obj("ServiceAccount", GRADER, room.hub_namespace),
        _obj("ClusterRoleBinding", f"{GRADER}-cluster", subjects=[grader], roleRef=_role(f"{GRADER}-cluster")),
        _obj("ConfigMap", "kubelab-languages", room.hub_namespace,
             data={"languages.json": json.dumps(languages or {}, sort_keys=True)}),
    ]


def student_objects(student_id: str, room: Classroom) -> list[dict]:
    """Everything one student gets, namespace first."""
    ns, account = room.namespace(student_id), room.account(student_id)
    labels = {STUDENT_LABEL: student_id}
    namespace = _obj("Namespace", ns, labels={
        **labels, "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/warn": "baseline"})
    student = _subject(account, room.hub_namespace)
    return [
        namespace,
        _obj("ServiceAccount", account, room.hub_namespace, labels=labels, automountServiceAccountToken=False),
        _obj("RoleBinding", "kubelab-student-admin", ns, labels=labels, subjects=[student],
             roleRef=_role("admin")),
        _obj("ClusterRoleBinding", f"kubelab-student-{student_id}", labels=labels, subjects=[student],
             roleRef=_role(STUDENT_READ)),
        _obj("RoleBinding", GRADER, ns, labels=labels, subjects=[_subject(GRADER, room.hub_namespace)],
             roleRef=_role(GRADER)),
        _obj("ResourceQuota", "kubelab-quota", ns, labels=labels, spec={"hard": room.quota}),
        _obj("LimitRange", "kubelab-limits", ns, labels=labels,
             spec={"limits": [{"type": "Container", **room.limits}]}),
    ]


def manifests(student_ids: list[str], room: Classroom, languages: dict[str, str] | None = None) -> list[dict]:
    return shared_objects(room, languages) + [o for sid in student_ids for o in student_objects(sid, room)]


def provision(api: client.ApiClient, student_ids: list[str], room: Classroom, progress=quiet,
              languages: dict[str, str] | None = None) -> int:
    """Apply every object (idempotent); returns how many were applied."""
    _ensure_hub_namespace(api, room.hub_namespace)
    objects = manifests(student_ids, room, languages)
    for obj in objects:
        if obj["kind"] == "Namespace":
            progress(obj["metadata"]["name"])
        request(api, "PATCH", _path(obj), query={"fieldManager": FIELD_MANAGER, "force": "true"},
                body=obj, content_type="application/apply-patch+yaml")
    return len(objects)


def deprovision(api: client.ApiClient, student_ids: list[str], room: Classroom, shared: bool = False,
                progress=quiet) -> int:
    """Delete the students' objects (their namespaces with all their work), and the shared ones if asked."""
    objects = [o for sid in student_ids for o in student_objects(sid, room)] + (shared_objects(room) if shared else [])
    deleted = 0
    for obj in objects:
        if obj["kind"] in ("RoleBinding", "ResourceQuota", "LimitRange"):
            continue  # they go with their namespace
        if obj["kind"] == "Namespace":
            progress(obj["metadata"]["name"])
        try:
            request(api, "DELETE", _path(obj))
            deleted += 1
        except ApiError as exc:
            if exc.status != 404:
                raise
    return deleted


def kubeconfig(api: client.ApiClient, account: str, room: Classroom, namespace: str, hours: int,
               server: str | None = None) -> dict:
    """A kubeconfig for ``account`` (a ServiceAccount in the hub namespace) defaulted to ``namespace``."""
    token = request(api, "POST", f"/api/v1/namespaces/{room.hub_namespace}/serviceaccounts/{account}/token",
                    body={"spec": {"expirationSeconds": hours * 3600}})["status"]["token"]
    cluster = {"server": server or api.configuration.host}
    if api.configuration.ssl_ca_cert:
        cluster["certificate-authority-data"] = base64.b64encode(
            Path(api.configuration.ssl_ca_cert).read_bytes()).decode()
    elif not api.configuration.verify_ssl:
        cluster["insecure-skip-tls-verify"] = True
    return {"apiVersion": "v1", "kind": "Config", "current-context": "kubelab",
            "clusters": [{"name": "kubelab-classroom", "cluster": cluster}],
            "users": [{"name": account, "user": {"token": token}}],
            "contexts": [{"name": "kubelab", "context": {"cluster": "kubelab-classroom", "user": account,
                                                         "namespace": namespace}}]}


def write_kubeconfigs(api: client.ApiClient, student_ids: list[str], room: Classroom, folder: Path,
                      hours: int = 24 * 120, server: str | None = None) -> list[Path]:
    """``folder/<id>.kubeconfig`` per student and ``folder/grader.kubeconfig``, readable by their owner only."""
    writable_folder(folder)
    wanted = [(sid, room.account(sid), room.namespace(sid)) for sid in student_ids]
    wanted.append((GRADER_FILE, GRADER, "default"))
    written = []
    for name, account, namespace in wanted:
        path = folder / f"{name}.kubeconfig"
        text = yaml.safe_dump(kubeconfig(api, account, room, namespace, hours, server), sort_keys=False)
        write_atomic(path, text, 0o600)
        written.append(path)
    return written


def _grader_rules() -> tuple[list[dict], list[dict]]:
    """Read rules for every kind the checks' view reads: (namespaced ones, cluster-scoped ones)."""
    namespaced: dict[str, set[str]] = {}
    cluster: dict[str, set[str]] = {"": {"namespaces"}}
    for kind, (prefix, is_namespaced) in KINDS.items():
        group = "" if prefix == "/api/v1" else prefix.split("/")[2]
        (namespaced if is_namespaced else cluster).setdefault(group, set()).add(kind)
    rules = [{"apiGroups": [g], "resources": sorted(r), "verbs": READ} for g, r in sorted(namespaced.items())]
    rules.append({"apiGroups": [""], "resources": ["pods/proxy", "services/proxy"], "verbs": ["get"]})
    return rules, [{"apiGroups": [g], "resources": sorted(r), "verbs": READ} for g, r in sorted(cluster.items())]


def _ensure_hub_namespace(api: client.ApiClient, name: str) -> None:
    """The hub's namespace (Helm's) is created when missing and never labelled or deleted by kubelab."""
    try:
        request(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    except ApiError as exc:
        if exc.status != 409:
            raise


def _obj(kind: str, name: str, namespace: str | None = None, labels: dict | None = None, **rest) -> dict:
    api_version = f"{RBAC}/v1" if kind.startswith(("Role", "Cluster")) else "v1"
    metadata = {"name": name, **({"namespace": namespace} if namespace else {}),
                "labels": {**MANAGED, **(labels or {})}}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **rest}


def _subject(account: str, namespace: str) -> dict:
    return {"kind": "ServiceAccount", "name": account, "namespace": namespace}


def _role(name: str) -> dict:
    return {"apiGroup": RBAC, "kind": "ClusterRole", "name": name}


def _path(obj: dict) -> str:
    prefix, plural, namespaced = PATHS[obj["kind"]]
    meta = obj["metadata"]
    where = f"/namespaces/{meta['namespace']}" if namespaced else ""
    return f"{prefix}{where}/{plural}/{meta['name']}"


def dump(objects: list[dict]) -> Iterator[str]:
    """The manifests as a multi-document YAML (what ``--dry-run`` prints), one document at a time so a
    large class streams out at once (libyaml's emitter when installed)."""
    for obj in objects:
        yield "---\n" + yaml.dump(obj, Dumper=_Dumper, sort_keys=False)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Plain YAML: a value shared between objects is written out each time, never as an alias."""

    def ignore_aliases(self, data) -> bool:
        return True
