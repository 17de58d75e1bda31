"""The JupyterHub classroom on a shared cluster: per-student namespaces, identities and rights, and the grader.

Per student ``<id>``: namespace ``lab-<id>`` (Pod Security ``baseline``), a
ServiceAccount ``student-<id>`` in the hub's namespace (KubeSpawner runs the
notebook pod with it), RoleBindings in ``lab-<id>`` only to ``edit`` and to
exactly what the labs need that ``edit`` lacks (``STUDENT_EXTRA_RULES``; never
RBAC), a cluster-wide read of nodes, storage classes and ingress classes
(nothing that names a classmate), a ResourceQuota and a LimitRange. Shared: the
``kubelab-grader`` ServiceAccount, which may read (never write) every kind the
checks read, in every student namespace, and ValidatingAdmissionPolicies that
refuse any identity of the hub's namespace (students) to change or delete
kubelab's own objects there (the quota, the limits, the grader's binding, the
namespace's kubelab labels). The hub: a ServiceAccount ``kubelab-hub`` in its
namespace, bound there (and only there: notebook pods stay in the hub's
namespace) to exactly what KubeSpawner does with this configuration
(``HUB_RULES``: pods, the home volume's claim, events for the spawn page; no
Secrets, no Services, no RBAC, nothing in a student namespace), and a
ValidatingAdmissionPolicy that lets it run pods only as a student's
ServiceAccount or ``default`` (never as the grader or itself); the hub's
namespace enforces Pod Security ``baseline`` like the students'.
Everything is applied server-side, so
provisioning again changes only what differs; deprovisioning deletes only
objects labelled as kubelab's; nothing here deletes the hub's own namespace.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from clusters.api import ApiError, ApiNotFound, Client, request
from clusters.base import quiet
from clusters.files import writable_folder, write_atomic

from .view import KINDS

MANAGED = {"app.kubernetes.io/managed-by": "kubelab"}
STUDENT_LABEL = "kubelab.dev/student"
FIELD_MANAGER = "kubelab-hub"
GRADER = "kubelab-grader"
GRADER_FILE = "grader"  # <out>/grader.kubeconfig, beside the students' student-<id>.kubeconfig
STUDENT_READ = "kubelab-student-read"
STUDENT_EXTRA = "kubelab-student-extra"
STUDENT_EDIT = "kubelab-student-edit"
FORMER_BINDINGS = ("kubelab-student-admin",)  # students were bound to `admin` before: removed when provisioning
HUB = "kubelab-hub"  # the hub's ServiceAccount (z2jh's hub.serviceAccount.name in the docs' values)
PROTECT = "kubelab-classroom"
RBAC = "rbac.authorization.k8s.io"
ADMISSION = "admissionregistration.k8s.io"
# Sized from the labs' own needs: tests/test_hub.py runs every lab a student does, each with the student's
# identity, and checks that all of them together fit (a student who never resets a lab). Measured, all labs
# together: 38 pods, requests 2.5 CPU / 2.5 Gi, limits 19 CPU / 9 Gi, 4 claims of 4 Gi, 1 LoadBalancer (05-services)
# and 3 node ports (the LoadBalancer takes one too). And
# 10-resources asks one pod for 16 CPUs on purpose (no node fits it; the scheduler says why), so CPU requests
# and limits (and the LimitRange's max) make room for it besides the other labs' pods.
QUOTA = {"requests.cpu": "20", "requests.memory": "4Gi", "limits.cpu": "36", "limits.memory": "12Gi", "pods": "50",
         "persistentvolumeclaims": "8", "requests.storage": "8Gi", "services.loadbalancers": "1",
         "services.nodeports": "3"}
LIMITS = {"default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "50m", "memory": "64Mi"},
          "max": {"cpu": "16", "memory": "1Gi"}}
READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete"]
STUDENT_EXTRA_RULES = [  # what the labs' solutions do that `edit` does not allow, and nothing else
    {"apiGroups": [""], "resources": ["resourcequotas", "limitranges"], "verbs": WRITE},  # 10-resources
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": READ + WRITE},  # 06-dns-external
    {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["gateways", "httproutes", "referencegrants"],
     "verbs": READ + WRITE},  # 07-ingress, 15-canary: the Gateway API's CRDs are not in `edit`
    # 00-welcome labels its namespace; bound by a RoleBinding in lab-<id>, this reaches that namespace only
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "patch", "update"]},
]
HUB_RULES = [  # what KubeSpawner does without internal_ssl, services_enabled or user namespaces (z2jh's hub Role
    # adds secrets and services for those): the notebook pods, the home volume's claim, events for the spawn page
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "create", "delete"]},
    {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["get", "create", "delete"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["list", "watch"]},
]
POD_SECURITY = {"pod-security.kubernetes.io/enforce": "baseline",  # the students' namespaces and the hub's
                "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/warn": "baseline"}
SPAWNED_DEFAULT = "default"  # KubeSpawner's pods for anyone not on the roster (the spawn hook sets no account)
PROTECTED_LABELS = ("app.kubernetes.io/managed-by", STUDENT_LABEL)  # and every pod-security.kubernetes.io/ one
PATHS = {  # kind → (API prefix, plural, namespaced)
    "Namespace": ("/api/v1", "namespaces", False),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "ConfigMap": ("/api/v1", "configmaps", True),
    "ResourceQuota": ("/api/v1", "resourcequotas", True),
    "LimitRange": ("/api/v1", "limitranges", True),
    "RoleBinding": (f"/apis/{RBAC}/v1", "rolebindings", True),
    "ClusterRole": (f"/apis/{RBAC}/v1", "clusterroles", False),
    "ClusterRoleBinding": (f"/apis/{RBAC}/v1", "clusterrolebindings", False),
    "ValidatingAdmissionPolicy": (f"/apis/{ADMISSION}/v1", "validatingadmissionpolicies", False),
    "ValidatingAdmissionPolicyBinding": (f"/apis/{ADMISSION}/v1", "validatingadmissionpolicybindings", False),
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

    @property
    def hub_user(self) -> str:
        """The user name the hub's ServiceAccount authenticates as."""
        return f"system:serviceaccount:{self.hub_namespace}:{HUB}"

    @property
    def group(self) -> str:
        """The group of every ServiceAccount of the hub's namespace: the students (and the grader)."""
        return f"system:serviceaccounts:{self.hub_namespace}"


def shared_objects(room: Classroom, languages: dict[str, str] | None = None) -> list[dict]:
    """The ClusterRoles, the grader, the hub's identity and the students' languages (read by its spawn hook)."""
    namespaced, cluster = _grader_rules()
    grader = _subject(GRADER, room.hub_namespace)
    return [
        _obj("ClusterRole", HUB, rules=HUB_RULES),
        _obj("ServiceAccount", HUB, room.hub_namespace),
        _obj("RoleBinding", HUB, room.hub_namespace, subjects=[_subject(HUB, room.hub_namespace)], roleRef=_role(HUB)),
        _obj("ClusterRole", STUDENT_READ, rules=[
            {"apiGroups": [""], "resources": ["nodes"], "verbs": READ},
            {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": READ},
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingressclasses"], "verbs": READ}]),
        _obj("ClusterRole", STUDENT_EXTRA, rules=STUDENT_EXTRA_RULES),
        _obj("ClusterRole", GRADER, rules=namespaced),
        _obj("ClusterRole", f"{GRADER}-cluster", rules=cluster),
        _obj("ServiceAccount", GRADER, room.hub_namespace),
        _obj("ClusterRoleBinding", f"{GRADER}-cluster", subjects=[grader], roleRef=_role(f"{GRADER}-cluster")),
        _obj("ConfigMap", "kubelab-languages", room.hub_namespace,
             data={"languages.json": json.dumps(languages or {}, sort_keys=True)}),
        *protection(room),
    ]


def protection(room: Classroom) -> list[dict]:
    """Admission policies: no identity of the hub's namespace changes or deletes kubelab's objects in a student
    namespace, or the kubelab labels of the namespace itself (Pod Security, student, managed-by)."""
    from_hub = [{"name": "from-the-hub", "expression": f"'{room.group}' in request.userInfo.groups"}]
    managed = ("has(oldObject.metadata.labels) && 'app.kubernetes.io/managed-by' in oldObject.metadata.labels && "
               "oldObject.metadata.labels['app.kubernetes.io/managed-by'] == 'kubelab'")
    keys = "[" + ", ".join(f"'{k}'" for k in PROTECTED_LABELS) + "]"

    def ours(var: str) -> str:
        return f"({var}.startsWith('pod-security.kubernetes.io/') || {var} in {keys})"

    kept = (f"request.operation == 'UPDATE' && has(oldObject.metadata.labels) && "
            f"oldObject.metadata.labels.all(k, !{ours('k')} || (has(object.metadata.labels) && "
            f"k in object.metadata.labels && object.metadata.labels[k] == oldObject.metadata.labels[k])) && "
            f"(!has(object.metadata.labels) || object.metadata.labels.all(k, !{ours('k')} || "
            f"k in oldObject.metadata.labels))")
    student = [{"key": STUDENT_LABEL, "operator": "Exists"}]
    changes = ["UPDATE", "DELETE"]
    objects = _obj("ValidatingAdmissionPolicy", f"{PROTECT}-{room.hub_namespace}-objects", spec={
        "failurePolicy": "Fail", "matchConditions": from_hub,
        "matchConstraints": {"namespaceSelector": {"matchExpressions": student}, "resourceRules": [
            {"apiGroups": [""], "apiVersions": ["*"], "operations": changes,
             "resources": ["resourcequotas", "limitranges"]},
            {"apiGroups": [RBAC], "apiVersions": ["*"], "operations": changes,
             "resources": ["roles", "rolebindings"]}]},
        "validations": [{"expression": f"!({managed})", "reason": "Forbidden",
                         "message": "kubelab's classroom objects are the instructor's: students cannot change them"}]})
    namespaces = _obj("ValidatingAdmissionPolicy", f"{PROTECT}-{room.hub_namespace}-namespaces", spec={
        "failurePolicy": "Fail", "matchConditions": from_hub,
        "matchConstraints": {"objectSelector": {"matchExpressions": student}, "resourceRules": [
            {"apiGroups": [""], "apiVersions": ["*"], "operations": changes, "resources": ["namespaces"]}]},
        "validations": [{"expression": kept, "reason": "Forbidden",
                         "message": "the namespace's kubelab and Pod Security labels are the instructor's"}]})
    policies = [objects, namespaces, hub_pods(room)]
    bindings = [_obj("ValidatingAdmissionPolicyBinding", policy["metadata"]["name"],
                     spec={"policyName": policy["metadata"]["name"], "validationActions": ["Deny"]})
                for policy in policies]
    return [*policies, *bindings]


def hub_pods(room: Classroom) -> dict:
    """The policy that keeps the hub from running a pod as any ServiceAccount of its namespace but a student's
    (``student-<id>``, the values' ``singleuser.serviceAccountName``) or ``default`` (anyone else): a pod has its
    account's rights, so as ``kubelab-grader`` it would read every student's Secrets, as ``kubelab-hub`` it would
    hand the hub's rights to a notebook. The account is the whole rule: the only token a pod can get, automounted
    or through a projected serviceAccountToken volume of any audience, is its own account's (the kubelet asks for
    ``spec.serviceAccountName``'s); kubelab makes no legacy token Secrets to mount. Only pod CREATE: a pod's account
    cannot change afterwards, and the hub may not update pods."""
    account = "object.spec.serviceAccountName"
    allowed = f"!has({account}) || {account} == '{SPAWNED_DEFAULT}' || {account}.startsWith('{room.account('')}')"
    hub, rights = f"the JupyterHub hub ({room.hub_user})", "a pod has its ServiceAccount's rights"
    only = f"a student's ServiceAccount ({room.account('<id>')}) or {SPAWNED_DEFAULT}"
    message = f"{hub} may run pods only as {only}: {rights}"
    refused = f"{json.dumps(f'{hub} may not run a pod as ServiceAccount ')} + {account} + " \
              f"{json.dumps(f': {rights}; it may use only {only}')}"
    return _obj("ValidatingAdmissionPolicy", f"{PROTECT}-{room.hub_namespace}-hub-pods", spec={
        "failurePolicy": "Fail",
        "matchConditions": [{"name": "from-the-hub", "expression": f"request.userInfo.username == '{room.hub_user}'"}],
        "matchConstraints": {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": room.hub_namespace}},
            "resourceRules": [{"apiGroups": [""], "apiVersions": ["*"], "operations": ["CREATE"],
                               "resources": ["pods"]}]},
        "validations": [{"expression": allowed, "reason": "Forbidden", "message": message,
                         "messageExpression": refused}]})


def student_objects(student_id: str, room: Classroom) -> list[dict]:
    """Everything one student gets, namespace first."""
    ns, account = room.namespace(student_id), room.account(student_id)
    labels = {STUDENT_LABEL: student_id}
    namespace = _obj("Namespace", ns, labels={**labels, **POD_SECURITY})
    student = _subject(account, room.hub_namespace)
    return [
        namespace,
        _obj("ServiceAccount", account, room.hub_namespace, labels=labels, automountServiceAccountToken=False),
        _obj("RoleBinding", STUDENT_EDIT, ns, labels=labels, subjects=[student], roleRef=_role("edit")),
        _obj("RoleBinding", STUDENT_EXTRA, ns, labels=labels, subjects=[student], roleRef=_role(STUDENT_EXTRA)),
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


def provision(api: Client, student_ids: list[str], room: Classroom, progress=quiet,
              languages: dict[str, str] | None = None) -> int:
    """Apply every object (idempotent); returns how many were applied."""
    _ensure_hub_namespace(api, room.hub_namespace)
    objects = manifests(student_ids, room, languages)
    for obj in objects:
        if obj["kind"] == "Namespace":
            progress(obj["metadata"]["name"])
        try:
            _apply(api, obj)
        except ApiError as exc:  # a binding whose roleRef (immutable) someone changed: made again
            if exc.status != 422 or not obj["kind"].endswith("RoleBinding"):
                raise
            request(api, "DELETE", _path(obj))
            _apply(api, obj)
        if obj["kind"] == "Namespace":
            for name in FORMER_BINDINGS:
                _delete(api, _obj("RoleBinding", name, obj["metadata"]["name"]))
    return len(objects)


def deprovision_plan(api: Client, student_ids: list[str], room: Classroom,
                     shared: bool = False) -> list[dict]:
    """What ``deprovision`` would delete: the students' namespaces (with all their work), ServiceAccounts and
    ClusterRoleBindings, and the shared objects if asked (the hub's identity too) — only those that exist and are
    labelled as kubelab's (a student's: with their id). Objects inside a student's namespace go with it and are
    not listed."""
    wanted = [o for sid in student_ids for o in student_objects(sid, room)] + (shared_objects(room) if shared else [])
    found = []
    for obj in wanted:
        if obj["metadata"].get("namespace", room.hub_namespace) != room.hub_namespace:
            continue
        try:
            labels = request(api, "GET", _path(obj))["metadata"].get("labels") or {}
        except ApiNotFound:
            continue
        expected = obj["metadata"]["labels"]
        if all(labels.get(key) == value for key, value in expected.items()):
            found.append(obj)
    return found


def deprovision(api: Client, objects: list[dict], progress=quiet) -> int:
    """Delete ``objects`` (from ``deprovision_plan``); returns how many were deleted."""
    deleted = 0
    for obj in objects:
        if obj["kind"] == "Namespace":
            progress(obj["metadata"]["name"])
        deleted += _delete(api, obj)
    return deleted


def describe(obj: dict) -> str:
    meta = obj["metadata"]
    return f"{obj['kind']} {meta['namespace']}/{meta['name']}" if meta.get("namespace") else \
        f"{obj['kind']} {meta['name']}"


def kubeconfig(api: Client, account: str, room: Classroom, namespace: str, hours: int,
               server: str | None = None) -> dict:
    """A kubeconfig for ``account`` (a ServiceAccount in the hub namespace) defaulted to ``namespace``."""
    token = request(api, "POST", f"/api/v1/namespaces/{room.hub_namespace}/serviceaccounts/{account}/token",
                    body={"spec": {"expirationSeconds": hours * 3600}})["status"]["token"]
    cluster = {"server": server or api.host}
    if api.ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(api.ca_pem).decode()
    elif not api.verify_tls:
        cluster["insecure-skip-tls-verify"] = True
    return {"apiVersion": "v1", "kind": "Config", "current-context": "kubelab",
            "clusters": [{"name": "kubelab-classroom", "cluster": cluster}],
            "users": [{"name": account, "user": {"token": token}}],
            "contexts": [{"name": "kubelab", "context": {"cluster": "kubelab-classroom", "user": account,
                                                         "namespace": namespace}}]}


def write_kubeconfigs(api: Client, student_ids: list[str], room: Classroom, folder: Path,
                      hours: int = 24 * 120, server: str | None = None) -> list[Path]:
    """``folder/student-<id>.kubeconfig`` per student (named after the ServiceAccount, so no id can name the
    grader's file) and ``folder/grader.kubeconfig``, created readable by their owner only."""
    writable_folder(folder)
    wanted = [(room.account(sid), room.namespace(sid)) for sid in student_ids]
    wanted.append((GRADER, "default"))
    written = []
    for account, namespace in wanted:
        path = kubeconfig_path(folder, account)
        text = yaml.safe_dump(kubeconfig(api, account, room, namespace, hours, server), sort_keys=False)
        write_atomic(path, text, mode=0o600)
        written.append(path)
    return written


def kubeconfig_path(folder: Path, account: str) -> Path:
    """Where ``write_kubeconfigs`` puts ``account``'s kubeconfig: ``grader.kubeconfig`` for the grader."""
    return folder / f"{GRADER_FILE if account == GRADER else account}.kubeconfig"


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


def _apply(api: Client, obj: dict) -> None:
    request(api, "PATCH", _path(obj), query={"fieldManager": FIELD_MANAGER, "force": "true"},
            body=obj, content_type="application/apply-patch+yaml")


def _delete(api: Client, obj: dict) -> int:
    """Delete ``obj``: 1, or 0 when it is already gone."""
    try:
        request(api, "DELETE", _path(obj))
        return 1
    except ApiNotFound:
        return 0


def _ensure_hub_namespace(api: Client, name: str) -> None:
    """The hub's namespace (Helm's) is created when missing and enforces Pod Security ``baseline``, like the
    students' (left as it is if it enforces ``restricted`` already); kubelab never deletes it."""
    try:
        labels = request(api, "GET", f"/api/v1/namespaces/{name}")["metadata"].get("labels") or {}
    except ApiNotFound:
        labels = {}
    if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
        _apply(api, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": POD_SECURITY}})


def _obj(kind: str, name: str, namespace: str | None = None, labels: dict | None = None, **rest) -> dict:
    api_version = PATHS[kind][0].removeprefix("/api/").removeprefix("/apis/")
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
