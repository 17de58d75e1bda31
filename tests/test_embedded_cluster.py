"""What the embedded cluster (issue #2) must do without a kubelet, checked on the live session cluster.

Everything here reads API state only: KWOK nodes run no containers, so
"Running" means what the control plane and KWOK publish, which is all the
labs' checkers may rely on (reference §10). The tests use raw API calls and
kubectl only where kubectl is the natural tool (drain).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from clusters.api import ApiForbidden, ApiNotFound, get, request
from clusters.embedded.backend import POD_CIDR, SERVICE_CIDR
from clusters.embedded.components import KUBERNETES
from clusters.embedded.nodes import CONTROL_PLANE, CONTROL_PLANE_ROLE
from tests.helpers import create_namespace, token_client, wait_for

pytestmark = pytest.mark.cluster

IMAGE = "registry.k8s.io/pause:3.10"


# -- helpers ----------------------------------------------------------------------------------
def kubectl_binary() -> str:
    for candidate in (KUBERNETES.bin_dir() / "kubectl", Path(__file__).resolve().parents[1] / ".venv/bin/kubectl"):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("kubectl")
    if not found:
        pytest.skip("kubectl is not available")
    return found


def kubectl(cluster, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    argv = [kubectl_binary(), f"--kubeconfig={cluster.kubeconfig}"]
    if cluster.context:
        argv.append(f"--context={cluster.context}")
    proc = subprocess.run([*argv, *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"kubectl {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def condition(obj: dict, kind: str) -> str | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return cond.get("status")
    return None


def deployment(name: str, replicas: int, labels: dict | None = None) -> dict:
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "main", "image": IMAGE,
                                                       "ports": [{"containerPort": 80}]}]}}},
    }


def create_deployment(api, namespace: str, name: str, replicas: int) -> dict:
    return request(api, "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments",
                   body=deployment(name, replicas))


def pods(api, namespace: str, selector: str) -> list[dict]:
    return get(api, f"/api/v1/namespaces/{namespace}/pods", labelSelector=selector)["items"]


def live_ready_pods(api, namespace: str, selector: str) -> list[dict]:
    return [p for p in pods(api, namespace, selector)
            if not p["metadata"].get("deletionTimestamp") and p["status"].get("phase") == "Running"
            and condition(p, "Ready") == "True" and p["status"].get("podIP")]


def wait_deployment_ready(api, namespace: str, name: str, replicas: int, timeout: float = 60) -> list[dict]:
    """Wait until the Deployment reports ``replicas`` ready and exactly that many live pods are Ready."""

    def ready():
        dep = get(api, f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
        status = dep.get("status") or {}
        if status.get("readyReplicas") != replicas or status.get("updatedReplicas") != replicas:
            return None
        live = live_ready_pods(api, namespace, f"app={name}")
        return live if len(live) == replicas else None

    return wait_for(ready, timeout=timeout, what=f"Deployment {namespace}/{name} with {replicas} ready pods")


def owner(obj: dict) -> dict:
    refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")]
    assert len(refs) == 1, f"{obj['metadata']['name']} should have exactly one controller owner: {refs}"
    return refs[0]


def parse_time(stamp: str) -> datetime.datetime:
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def node(api, name: str) -> dict:
    return get(api, f"/api/v1/nodes/{name}")


# -- nodes ------------------------------------------------------------------------------------
def test_default_nodes_are_ready_and_control_plane_is_tainted(embedded, api):
    items = get(api, "/api/v1/nodes")["items"]
    names = sorted(n["metadata"]["name"] for n in items)
    assert names == sorted([CONTROL_PLANE, "kubelab-worker", "kubelab-worker2", "kubelab-worker3"])
    for item in items:
        assert condition(item, "Ready") == "True", f"{item['metadata']['name']} is not Ready"
        taints = item["spec"].get("taints") or []
        if item["metadata"]["name"] == CONTROL_PLANE:
            assert {"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"} in [
                {"key": t["key"], "effect": t["effect"]} for t in taints]
            assert CONTROL_PLANE_ROLE in item["metadata"]["labels"]
        else:
            assert not [t for t in taints if t["effect"] in ("NoSchedule", "NoExecute")], taints
            assert not item["spec"].get("unschedulable")


# -- workloads --------------------------------------------------------------------------------
def test_deployment_creates_replicaset_and_ready_pods_with_ips(api, namespace):
    created = create_deployment(api, namespace, "web", 3)
    ready = wait_deployment_ready(api, namespace, "web", 3)

    replicasets = get(api, f"/apis/apps/v1/namespaces/{namespace}/replicasets")["items"]
    assert len(replicasets) == 1
    rs = replicasets[0]
    rs_owner = owner(rs)
    assert (rs_owner["kind"], rs_owner["name"], rs_owner["uid"]) == ("Deployment", "web", created["metadata"]["uid"])

    cidr = ipaddress.ip_network(POD_CIDR)
    ips = set()
    for pod in pods(api, namespace, "app=web"):
        pod_owner = owner(pod)
        assert (pod_owner["kind"], pod_owner["uid"]) == ("ReplicaSet", rs["metadata"]["uid"])
        assert pod["status"]["phase"] == "Running"
        assert condition(pod, "Ready") == "True"
        assert pod["spec"].get("nodeName"), "pod was not scheduled"
        ips.add(pod["status"]["podIP"])
    assert len(ips) == 3, f"pod IPs should be distinct: {ips}"
    if os.environ.get("KUBELAB_TEST_KUBECONFIG") is None:  # embedded: IPs from kwok's --cidr, never the tainted node
        assert all(ipaddress.ip_address(ip) in cidr for ip in ips), ips
        assert all(p["spec"]["nodeName"] != CONTROL_PLANE for p in ready)


def test_deleted_pod_is_replaced_by_its_replicaset(api, namespace):
    create_deployment(api, namespace, "web", 2)
    before = wait_deployment_ready(api, namespace, "web", 2)
    victim = before[0]
    rs_uid = owner(victim)["uid"]
    old_names = {p["metadata"]["name"] for p in before}
    deleted_at = datetime.datetime.fromtimestamp(int(time.time()), tz=datetime.timezone.utc)  # API stamps are in s
    request(api, "DELETE", f"/api/v1/namespaces/{namespace}/pods/{victim['metadata']['name']}")

    def gone():
        try:
            get(api, f"/api/v1/namespaces/{namespace}/pods/{victim['metadata']['name']}")
            return False
        except ApiNotFound:
            return True

    wait_for(gone, timeout=60, what="the deleted pod to disappear")
    after = wait_deployment_ready(api, namespace, "web", 2)
    new = [p for p in after if p["metadata"]["name"] not in old_names]
    assert len(new) == 1, f"expected exactly one replacement pod, got {[p['metadata']['name'] for p in after]}"
    replacement = new[0]
    assert owner(replacement)["uid"] == rs_uid, "the replacement belongs to another ReplicaSet"
    assert parse_time(replacement["metadata"]["creationTimestamp"]) >= deleted_at
    assert victim["metadata"]["name"] not in {p["metadata"]["name"] for p in after}


# -- services ---------------------------------------------------------------------------------
def test_service_gets_cluster_ip_node_port_and_endpoint_slices(api, namespace):
    create_deployment(api, namespace, "web", 2)
    ready = wait_deployment_ready(api, namespace, "web", 2)
    service = request(api, "POST", f"/api/v1/namespaces/{namespace}/services", body={
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"type": "NodePort", "selector": {"app": "web"},
                 "ports": [{"name": "http", "port": 80, "targetPort": 80}]}})
    cluster_ip = service["spec"].get("clusterIP")
    assert cluster_ip and cluster_ip != "None"
    node_port = service["spec"]["ports"][0].get("nodePort")
    assert node_port is not None and 30000 <= node_port <= 32767
    if os.environ.get("KUBELAB_TEST_KUBECONFIG") is None:
        assert ipaddress.ip_address(cluster_ip) in ipaddress.ip_network(SERVICE_CIDR)

    expected = {p["status"]["podIP"] for p in ready}

    def slice_addresses():
        slices = get(api, f"/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices",
                     labelSelector="kubernetes.io/service-name=web")["items"]
        addresses = {a for s in slices for e in s.get("endpoints") or []
                     if (e.get("conditions") or {}).get("ready") for a in e["addresses"]}
        ports = {(p.get("name"), p.get("port")) for s in slices for p in s.get("ports") or []}
        return addresses if addresses == expected and ports == {("http", 80)} else None

    wait_for(slice_addresses, timeout=30, what=f"EndpointSlices of web listing {expected}")


# -- storage ----------------------------------------------------------------------------------
def test_static_pv_binds_a_manual_pvc(api, namespace):
    pv_name = f"pv-{namespace}"
    request(api, "POST", "/api/v1/persistentvolumes", body={
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "labels": {"kubelab-test": namespace}},
        "spec": {"storageClassName": "manual", "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                 "hostPath": {"path": f"/tmp/{pv_name}"}}})
    try:
        request(api, "POST", f"/api/v1/namespaces/{namespace}/persistentvolumeclaims", body={
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
            "spec": {"storageClassName": "manual", "accessModes": ["ReadWriteOnce"],
                     "selector": {"matchLabels": {"kubelab-test": namespace}},
                     "resources": {"requests": {"storage": "500Mi"}}}})

        def bound():
            pvc = get(api, f"/api/v1/namespaces/{namespace}/persistentvolumeclaims/data")
            return pvc if pvc["status"].get("phase") == "Bound" else None

        pvc = wait_for(bound, timeout=60, what="the PVC to be Bound")
        assert pvc["spec"]["volumeName"] == pv_name
        assert pvc["status"]["capacity"]["storage"] == "1Gi"
        pv = wait_for(lambda: (v := get(api, f"/api/v1/persistentvolumes/{pv_name}"))["status"].get("phase")
                      == "Bound" and v, timeout=30, what="the PV to be Bound")
        assert (pv["spec"]["claimRef"]["namespace"], pv["spec"]["claimRef"]["name"]) == (namespace, "data")
    finally:
        request(api, "DELETE", f"/api/v1/persistentvolumes/{pv_name}")


# -- nodes maintenance ------------------------------------------------------------------------
def test_cordon_and_drain_move_pods_to_other_nodes(cluster, api, namespace):
    schedulable = [n for n in get(api, "/api/v1/nodes")["items"]
                   if condition(n, "Ready") == "True" and not n["spec"].get("unschedulable")
                   and not [t for t in n["spec"].get("taints") or [] if t["effect"] == "NoSchedule"]]
    if len(schedulable) < 2:
        pytest.skip("draining needs at least two schedulable nodes")
    create_deployment(api, namespace, "web", 2)
    before = wait_deployment_ready(api, namespace, "web", 2)
    target = before[0]["spec"]["nodeName"]
    drained = {p["metadata"]["name"] for p in before if p["spec"]["nodeName"] == target}
    try:
        kubectl(cluster, "cordon", target)
        assert node(api, target)["spec"].get("unschedulable") is True
        kubectl(cluster, "drain", target, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=90s")
        assert node(api, target)["spec"].get("unschedulable") is True

        def moved():
            live = wait_deployment_ready(api, namespace, "web", 2)
            return live if all(p["spec"]["nodeName"] != target for p in live) else None

        after = wait_for(moved, timeout=60, what=f"both pods to run off {target}")
        assert not drained & {p["metadata"]["name"] for p in after}, "the evicted pods are still there"
        left = [p for p in pods(api, namespace, "app=web") if p["spec"].get("nodeName") == target]
        assert left == [], f"pods left on the drained node: {[p['metadata']['name'] for p in left]}"
    finally:
        kubectl(cluster, "uncordon", target)
    assert not node(api, target)["spec"].get("unschedulable")


# -- namespaces -------------------------------------------------------------------------------
def test_deleting_a_namespace_deletes_it_and_its_pods(api):
    name = create_namespace(api, "ns-delete")
    request(api, "POST", f"/api/v1/namespaces/{name}/pods", body={
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo", "labels": {"app": "solo"}},
        "spec": {"containers": [{"name": "main", "image": IMAGE}]}})
    create_deployment(api, name, "web", 2)
    wait_deployment_ready(api, name, "web", 2)
    wait_for(lambda: live_ready_pods(api, name, "app=solo"), what="the bare pod to be Ready")
    assert len(pods(api, name, "")) == 3

    request(api, "DELETE", f"/api/v1/namespaces/{name}")

    def gone(path):
        try:
            get(api, path)
            return False
        except ApiNotFound:
            return True

    wait_for(lambda: gone(f"/api/v1/namespaces/{name}"), timeout=90, what=f"namespace {name} to be deleted")
    assert get(api, "/api/v1/pods", fieldSelector=f"metadata.namespace={name}")["items"] == []


# -- identity and authorization ---------------------------------------------------------------
def test_service_account_token_is_limited_by_rbac(api, namespace):
    request(api, "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts",
            body={"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "reader"}})
    request(api, "POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings", body={
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "reader-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": namespace}]})
    answer = request(api, "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/reader/token", body={
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 600}})
    token = answer["status"]["token"]
    assert token.count(".") == 2, "a TokenRequest answers with a JWT"

    reader = token_client(api, token)
    try:
        review = request(reader, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", body={
            "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        assert review["status"]["userInfo"]["username"] == f"system:serviceaccount:{namespace}:reader"

        def can_list():
            try:
                return get(reader, f"/api/v1/namespaces/{namespace}/pods")
            except ApiForbidden:
                return None

        listing = wait_for(can_list, timeout=30, what="the view binding to take effect")
        assert listing["items"] == []
        with pytest.raises(ApiForbidden):
            request(reader, "POST", f"/api/v1/namespaces/{namespace}/pods", body={
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nope"},
                "spec": {"containers": [{"name": "main", "image": IMAGE}]}})
        with pytest.raises(ApiForbidden):  # the binding is namespaced
            get(reader, "/api/v1/namespaces/kube-system/pods")
        with pytest.raises(ApiForbidden):  # view never reads Secrets
            get(reader, f"/api/v1/namespaces/{namespace}/secrets")
    finally:
        reader.close()
    assert pods(api, namespace, "") == [], "the forbidden pod must not exist"


# -- capabilities -----------------------------------------------------------------------------
def test_capabilities_report_no_data_plane_and_four_nodes(embedded, api):
    caps = embedded.capabilities(api)
    assert caps.data_plane is False
    assert caps.ingress is False and caps.load_balancer is False and caps.internet is False
    assert caps.nodes == 4


# -- etcd -----------------------------------------------------------------------------------------
def test_etcd_serves_tls_to_certificate_holders_only(embedded):
    """As kubeadm's: no plain HTTP, no TLS client without a certificate of etcd's own CA (clients and peers)."""
    import ssl
    import urllib.request

    from clusters.embedded.processes import client_tls

    pki = embedded.home / "pki"
    ports = embedded._state()["ports"]
    for name in ("etcd", "etcd_peer"):
        url = f"https://127.0.0.1:{ports[name]}/health"
        with pytest.raises(OSError):  # plain HTTP to a TLS listener: refused
            urllib.request.urlopen(f"http://127.0.0.1:{ports[name]}/health", timeout=5).read()
        with pytest.raises((ssl.SSLError, OSError)):  # no client certificate: the handshake fails
            urllib.request.urlopen(url, timeout=5, context=client_tls(pki / "etcd-ca.crt")).read()
        with pytest.raises((ssl.SSLError, OSError)):  # the Kubernetes CA's admin is no etcd client
            urllib.request.urlopen(url, timeout=5, context=client_tls(pki / "etcd-ca.crt", pki / "admin.crt",
                                                                       pki / "admin.key")).read()
    allowed = client_tls(pki / "etcd-ca.crt", pki / "apiserver-etcd-client.crt", pki / "apiserver-etcd-client.key")
    with urllib.request.urlopen(f"https://127.0.0.1:{ports['etcd']}/health", timeout=5, context=allowed) as answer:
        assert b'"health":"true"' in answer.read()
    for key in pki.glob("*.key"):
        assert key.stat().st_mode & 0o077 == 0, f"{key.name} is readable by others"
