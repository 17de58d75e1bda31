"""A real node beside the KWOK nodes: containerd + runc + CNI bridge + kubelet + kube-proxy (+ CoreDNS, metrics-server).

It runs containers for real. Everything it keeps lives in ``<state>/node``; the
host changes it cannot avoid (a bridge, nft tables, sysctls the kubelet sets)
are journaled first and undone by ``clean`` (see ``nodehost``). kubelab plays
the cloud controller: it creates the Node with its pod range, addresses
(``InternalIP`` = the bridge address, ``Hostname`` = localhost, so the API
server reaches the kubelet on loopback), a label and a taint, so ordinary lab
pods stay on the KWOK nodes. Where the node cannot run, ``unavailable`` says
exactly what is missing and the cluster starts without it (no data plane).
"""

from __future__ import annotations

import json
import os
import platform
import socket
import struct
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import gatewayapi
from ..api import ApiError, ApiNotFound, Client, apply, get, request
from ..base import Connection, Progress, condition, quiet
from ..errors import ApiForbidden, KubelabError
from ..files import read_bounded, write_atomic
from ..i18n import _
from . import binaries, containerd, forward, images, metrics, nodehost, pki, registry, storage
from .components import LOCAL_PATH, NODE_COMPONENTS, TRAEFIK
from .nodehost import BRIDGE, CGROUP, NODE_IP, POD_SUBNET
from .nodes import ARCH
from .nodestate import (  # details, node_dir, record, unavailable: also read as realnode.*
    LABEL,
    NODE_NAME,
    OWNER,
    details,
    node_dir,
    owner,
    processes,
    record,
    record_file,
    unavailable,
)
from .processes import Running, free_ports, http_ok, launch, stop, wait_until

TAINT = {"key": LABEL, "value": "true", "effect": "NoSchedule"}
CLUSTER_CIDR = "10.244.0.0/16"
CLUSTER_DNS = "10.96.0.10"
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class ControlPlane:
    """What the node needs to know about the cluster it joins."""

    home: Path
    connection: Connection  # the admin's
    service_cidr: str

    @property
    def server(self) -> str:
        return json.loads(read_bounded(self.connection.kubeconfig))["clusters"][0]["cluster"]["server"]


def wanted(real_nodes: int | None) -> int:
    """How many real nodes to run: the flag, else ``$KUBELAB_REAL_NODES``, else 1 (one where it can run; where
    it cannot, ``start`` says what is missing and the cluster runs KWOK nodes only)."""
    if real_nodes is None:
        value = os.environ.get("KUBELAB_REAL_NODES", "1")
        real_nodes = int(value) if value.isdigit() else 1
    return min(real_nodes, 1)


def _save(home: Path, **changes) -> None:
    node_dir(home).mkdir(parents=True, exist_ok=True)
    write_atomic(record_file(home), json.dumps({**record(home), **changes}, indent=1))


def apiserver_flags(real_nodes: int, default_address: str, home: Path) -> list[str]:
    """With a real node, the API server's Service endpoint is the node address (a relay forwards it to
    loopback), and namespaces may send their pods to the node."""
    if not real_nodes or unavailable(home):
        return [f"--advertise-address={default_address}"]
    return [f"--advertise-address={NODE_IP}", "--enable-admission-plugins=PodNodeSelector,PodTolerationRestriction"]


# -- start --------------------------------------------------------------------------------------
def start(cp: ControlPlane, progress: Progress = quiet, gateway_installed: Callable[[], object] = lambda: None) -> bool:
    """Add the real node; on any failure clean up and say why (the cluster keeps its KWOK nodes). Traefik starts
    once ``gateway_installed`` returns (the caller installs the Gateway API meanwhile)."""
    reasons = unavailable(cp.home)
    if reasons:
        progress(_("No real node, so this cluster runs no containers:") + "\n  " + "\n  ".join(reasons))
        with cp.connection.api_client() as api:
            metrics.remove(api)  # nothing to point at
        return False
    previous = owner()
    if previous and previous != str(cp.home):
        clean(Path(previous))  # a killed cluster's node: its processes are gone (checked above)
    api = cp.connection.api_client()
    try:
        found = binaries.ensure(progress, tuple(c for c in NODE_COMPONENTS if c is not LOCAL_PATH))
        _start(cp, api, found, progress, gateway_installed)
        return True
    except (KubelabError, OSError) as exc:
        clean(cp.home)
        remove_node_object(api)
        metrics.remove(api)
        progress(_("The real node did not start, so this cluster runs no containers: {error} (logs in {log})",
                   error=exc, log=cp.home / "logs"))
        return False
    except BaseException:  # interrupted, or a bug: never leave the node's processes and host changes behind
        clean(cp.home)
        remove_node_object(api)
        raise
    finally:
        api.close()


def _start(cp: ControlPlane, api: Client, found: binaries.Binaries, progress: Progress,
           gateway_installed: Callable[[], object]) -> None:
    home, nd = cp.home, node_dir(cp.home)
    clean(home)  # leftovers of a killed run of this cluster
    nodehost.record(nd)
    write_atomic(OWNER, json.dumps({"home": str(home)}))
    _save(home, processes=[], socket=containerd.socket_path(nd), name=NODE_NAME, ip=NODE_IP)
    progress(_("Starting the real node {name} ({ip})…", name=NODE_NAME, ip=NODE_IP))
    _network(cp)
    started: list[Running] = []
    logs = home / "logs"
    pending: list[tuple[Running, object]] = []

    def run(name: str, argv: list[str], ready, wait: bool = True) -> None:
        """Launch ``name``; wait for ``ready`` now, or (``wait=False``) at the next ``settle()``."""
        progress(_("Starting {name}…", name=name))
        running = launch(name, argv, logs)
        started.append(running)
        _save(home, processes=[r.as_dict() for r in started])
        pending.append((running, ready))
        if wait:
            settle()

    def settle() -> None:
        while pending:
            wait_until(*pending.pop(0), READY_TIMEOUT)

    if containerd.dirty_marker().exists():  # a killed run left container records in the image store
        tidy = launch("containerd-tidy", ["containerd", "--config", str(containerd.write_config(nd, "", cri=False))],
                      logs)
        try:  # never left running: it would hold the image store's lock for every later node
            wait_until(tidy, lambda: containerd.ready(nd), READY_TIMEOUT)
            containerd.forget_containers(nd)
        finally:
            stop([tidy])
    registry_port = free_ports(1)[0]
    config = containerd.write_config(nd, cp.service_cidr, mirror=f"http://127.0.0.1:{registry_port}")
    run("containerd", ["containerd", "--config", str(config)], lambda: containerd.ready(nd))
    write_atomic(containerd.dirty_marker(), "")
    # the images load while the node's processes start; the probes run while they get ready, and while
    # metrics-server and Traefik start (Traefik once the caller's Gateway API install is done)
    with ThreadPoolExecutor(max_workers=2) as pool:
        loading = pool.submit(_load_images, nd, progress)
        run("image-registry", [sys.executable, "-I", str(Path(registry.__file__)), str(registry_port),
                               str(images.image_dir() / "index.json")], lambda: _listening("127.0.0.1", registry_port),
            wait=False)
        _start_services(cp, api, found, run, progress)
        loading.result()
        progress(_("Measuring what the real node does (a pod, a claim, a DNS name)…"))
        measured = pool.submit(measure, api)
        settle()
        metrics.start(cp, api, found["metrics-server"], run, logs, progress)
        gateway_installed()
        _start_gateway(cp, api, run, progress)
        _save(home, **measured.result())


def _load_images(nd: Path, progress: Progress) -> None:
    """The sandbox image and the provisioner's helper image (built now if they never were), then every image
    already built."""
    images.load(nd, images.RECIPES["pause"], progress)
    images.load(nd, images.RECIPES[storage.HELPER_RECIPE], progress)
    images.load_built(nd)


def _start_services(cp: ControlPlane, api: Client, found: binaries.Binaries, run,
                    progress: Progress) -> None:
    """kubelet, kube-proxy, the API server relay, CoreDNS and the volume provisioner, started together (the
    caller waits for them all)."""
    certs = _certificates(cp.home)
    _register(api)
    kubelet_port, healthz, proxy_healthz, proxy_metrics = free_ports(4)
    run("kubelet", _kubelet_args(cp, found, certs, kubelet_port, healthz), lambda: _node_ready(api), wait=False)
    run("kube-proxy", _kube_proxy_args(cp, found, certs, proxy_healthz, proxy_metrics),
        lambda: nodehost.run("nft", "list", "table", "ip", "kube-proxy") != "", wait=False)
    api_port = int(cp.server.rsplit(":", 1)[1])
    relay = Path(forward.__file__)  # run as a script: it needs the standard library only
    run("apiserver-relay", [sys.executable, "-I", str(relay), f"{NODE_IP}:{api_port}", f"127.0.0.1:{api_port}"],
        lambda: _listening(NODE_IP, api_port), wait=False)
    dns_ready = free_ports(1)[0]
    run("coredns", _coredns_args(cp, api, found, dns_ready),
        http_ok(f"http://127.0.0.1:{dns_ready}/ready", expect=b"OK"), wait=False)
    try:  # without it the node still runs containers; claims of the default class just stay Pending
        provisioner = binaries.ensure(progress, (LOCAL_PATH,))["local-path-provisioner"]
    except KubelabError as exc:
        progress(_("No dynamic volumes on the real node: {error}", error=exc))
        return
    run("local-path-provisioner", _provisioner_args(cp, api, provisioner), lambda: True, wait=False)  # measured


def _provisioner_args(cp: ControlPlane, api: Client, binary: Path) -> list[str]:
    """The default StorageClass and its provisioner (``storage``), with a certificate of its own."""
    storage.volumes_dir(cp.home).mkdir(parents=True, exist_ok=True)
    for body in storage.objects(cp.home, NODE_NAME, LABEL):
        apply(api, body)
    crt, key = pki.issue(cp.home / "pki", "local-path-provisioner", storage.USER)
    return storage.args(binary, _kubeconfig(cp, "local-path-provisioner", crt, key))


TRAEFIK_USER = "system:kubelab-traefik"


def _start_gateway(cp: ControlPlane, api: Client, run, progress: Progress) -> None:
    """Traefik as a host process on the node's address, like CoreDNS: it serves Gateways and Ingresses behind
    Service traefik/traefik. It is built beforehand (a build takes many minutes): without it, or when it cannot
    start, the node runs on without a controller and says why."""
    if not TRAEFIK.cached():
        progress(_("Traefik is not built, so Gateways and Ingresses are not served; build it with `python -m "
                   "clusters.embedded.binaries --gateway` (many minutes), then run `kubelab down` and `kubelab up` "
                   "again."))
        return
    try:
        found = binaries.ensure(progress, (TRAEFIK,))
        crt, key = pki.issue(cp.home / "pki", "traefik", TRAEFIK_USER)
        kubeconfig = _kubeconfig(cp, "traefik", crt, key)
        user = {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": TRAEFIK_USER}
        _forget_old_traefik_service(api)
        gatewayapi.install(api, [gatewayapi.binding(user), _traefik_service()], progress)
        _ensure_traefik_pod(api)
        run("traefik", ["env", f"KUBECONFIG={kubeconfig}", str(found["traefik"]), *_traefik_flags()],
            lambda: gatewayapi.serving(api))
    except (KubelabError, OSError) as exc:
        left = processes(cp.home)
        stop([p for p in left if p.name == "traefik"])
        _save(cp.home, processes=[p.as_dict() for p in left if p.name != "traefik"])
        progress(_("The Gateway API controller did not start, so Gateways and Ingresses are not served: {error}",
                   error=exc))


def _traefik_flags() -> list[str]:
    status = [f"--providers.kubernetesgateway.statusaddress.ip={NODE_IP}",
              f"--providers.kubernetesingress.ingressendpoint.ip={NODE_IP}"]
    return gatewayapi.flags(NODE_IP, f"127.0.0.1:{free_ports(1)[0]}", status)


TRAEFIK_POD = "traefik-host"
TRAEFIK_LABELS = {"app.kubernetes.io/name": "traefik"}


def _traefik_service() -> dict:
    """Service traefik/traefik (80 → web, 443 → websecure), selecting the pod that stands for Traefik."""
    meta = {"name": gatewayapi.SERVICE, "namespace": gatewayapi.NAMESPACE}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta,
            "spec": {"selector": TRAEFIK_LABELS, "ports": gatewayapi.SERVICE_PORTS}}


def _traefik_pod() -> dict:
    """A hostNetwork pause pod on the node that stands for the Traefik host process: the API server's service
    proxy (how the checks reach Traefik) only sends to endpoints that are pods, and a hostNetwork pod's address
    is the node's, where Traefik listens. It is Ready while Traefik's web entry point accepts connections."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": TRAEFIK_POD, "namespace": gatewayapi.NAMESPACE, "labels": TRAEFIK_LABELS,
                         "annotations": {"kubelab.io/stands-for": "the Traefik process kubelab runs on the node"}},
            "spec": {"nodeName": NODE_NAME, "hostNetwork": True, "tolerations": [{"operator": "Exists"}],
                     "automountServiceAccountToken": False, "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "traefik", "image": containerd.SANDBOX_IMAGE,
                                     "readinessProbe": {"tcpSocket": {"port": gatewayapi.HTTP_PORT},
                                                        "periodSeconds": 2}}]}}


def _ensure_traefik_pod(api: Client) -> None:
    """Create the stand-in pod unless it exists (a pod's spec cannot be replaced), once the namespace's default
    ServiceAccount exists (admission refuses pods before)."""
    path = f"/api/v1/namespaces/{gatewayapi.NAMESPACE}"
    try:
        get(api, f"{path}/pods/{TRAEFIK_POD}")
        return
    except ApiNotFound:
        pass
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            request(api, "POST", f"{path}/pods", body=_traefik_pod())
            return
        except ApiError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _forget_old_traefik_service(api: Client) -> None:
    """A cluster made before the stand-in pod has Service traefik without a selector: delete it (apply leaves a
    Service as it is) with its hand-made Endpoints."""
    path = f"/api/v1/namespaces/{gatewayapi.NAMESPACE}"
    try:
        if not (get(api, f"{path}/services/{gatewayapi.SERVICE}").get("spec") or {}).get("selector"):
            request(api, "DELETE", f"{path}/services/{gatewayapi.SERVICE}")
            request(api, "DELETE", f"{path}/endpoints/{gatewayapi.SERVICE}")
    except ApiNotFound:
        pass


def measure(api: Client) -> dict:
    """What the node really does: a pod runs on it and gets an address; a claim of the default class binds
    and its pod starts; a Service name resolves."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # all three at once
        claim, dns = pool.submit(_probe_claim, api), pool.submit(_probe_dns)
        data_plane = _probe_pod(api)
        return {"data_plane": data_plane, "dns": dns.result(), "storage": claim.result()}


def _probe_dns() -> bool:
    deadline = time.monotonic() + 20  # CoreDNS starts, kube-proxy programs the kube-dns Service
    dns = resolves("kubernetes.default.svc.cluster.local", CLUSTER_DNS, timeout=0.5)
    while not dns and time.monotonic() < deadline:
        time.sleep(0.2)
        dns = resolves("kubernetes.default.svc.cluster.local", CLUSTER_DNS, timeout=0.5)
    return dns


def _probe_pod(api: Client, name: str = "kubelab-probe", timeout: float = 30.0, **spec) -> bool:
    """A pause pod on the node (with ``spec`` added) becomes Ready with an address; it is deleted after."""
    path = "/api/v1/namespaces/kube-system/pods"
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": NODE_NAME, "tolerations": [{"operator": "Exists"}],  # or spec's nodeSelector
                     "terminationGracePeriodSeconds": 0, "automountServiceAccountToken": False,
                     "containers": [{"name": "probe", "image": containerd.SANDBOX_IMAGE,
                                     **spec.pop("container", {})}], **spec}}
    if "nodeSelector" in spec:  # through the scheduler (a claim waiting for its first consumer needs it)
        del body["spec"]["nodeName"]
    deadline = time.monotonic() + timeout
    try:
        while True:  # refused while the namespace's ServiceAccount is not made yet (the controllers are starting)
            try:
                request(api, "POST", path, body=body)
                break
            except ApiForbidden:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.2)
        while time.monotonic() < deadline:
            pod = get(api, f"{path}/{name}")
            if condition(pod, "Ready") == "True" and pod["status"].get("podIP"):
                return True
            time.sleep(0.1)
        return False
    except ApiError:
        return False
    finally:
        try:
            request(api, "DELETE", f"{path}/{name}")
        except ApiError:
            pass


def _probe_claim(api: Client) -> bool:
    """A claim of the default class is provisioned on the node and mounted by a pod; both deleted after (a name
    of its own each time: an earlier claim may still be being deleted)."""
    path = "/api/v1/namespaces/kube-system/persistentvolumeclaims"
    name = f"kubelab-probe-{os.urandom(3).hex()}"
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Mi"}}}}
    try:
        request(api, "POST", path, body=claim)
        return _probe_pod(api, name, nodeSelector={LABEL: "true"},
                          volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": name}}],
                          container={"volumeMounts": [{"name": "data", "mountPath": "/data"}]}) and \
            get(api, f"{path}/{name}")["status"].get("phase") == "Bound"
    except ApiError:
        return False
    finally:
        try:
            request(api, "DELETE", f"{path}/{name}")
        except ApiError:
            pass


def resolves(name: str, server: str, timeout: float = 2.0) -> bool:
    """A DNS A query for ``name`` sent to ``server`` gets at least one answer."""
    query = struct.pack(">HHHHHH", 0x6b6c, 0x0100, 1, 0, 0, 0)
    query += b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\0"
    query += struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(query, (server, 53))
            reply = sock.recv(4096)
        except OSError:
            return False
    if len(reply) < 12:
        return False
    ident, flags, _qd, answers = struct.unpack(">HHHH", reply[:8])
    return ident == 0x6b6c and flags & 0x000F == 0 and answers > 0


def _listening(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


COREDNS_RULES = [{"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
                  "verbs": ["list", "watch"]},
                 {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]}]


def _coredns_args(cp: ControlPlane, api: Client, found, ready_port: int) -> list[str]:
    """CoreDNS on the node address, behind Service kube-dns; it answers cluster names only (no forwarding)."""
    nd = node_dir(cp.home)
    crt, key = pki.issue(cp.home / "pki", "coredns", "system:coredns")
    kubeconfig = _kubeconfig(cp, "coredns", crt, key)
    rbac = "rbac.authorization.k8s.io"
    apply(api, {"apiVersion": f"{rbac}/v1", "kind": "ClusterRole", "metadata": {"name": "system:coredns"},
                "rules": COREDNS_RULES})
    apply(api, {"apiVersion": f"{rbac}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "system:coredns"},
                "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": "system:coredns"},
                "subjects": [{"apiGroup": rbac, "kind": "User", "name": "system:coredns"}]})
    ports = [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]
    apply(api, {"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "kube-dns", "namespace": "kube-system",
                             "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}},
                "spec": {"clusterIP": CLUSTER_DNS, "ports": ports}})
    apply(api, {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                "metadata": {"name": "kube-dns-kubelab", "namespace": "kube-system",
                             "labels": {"kubernetes.io/service-name": "kube-dns",
                                        "endpointslice.kubernetes.io/managed-by": "kubelab"}},
                "endpoints": [{"addresses": [NODE_IP], "nodeName": NODE_NAME, "conditions": {"ready": True}}],
                "ports": ports})
    corefile = f""".:53 {{
    bind {NODE_IP}
    errors
    ready 127.0.0.1:{ready_port}
    kubernetes cluster.local in-addr.arpa ip6.arpa {{
        kubeconfig {kubeconfig} coredns
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }}
    cache 30
}}
"""
    path = nd / "Corefile"
    write_atomic(path, corefile)
    return [str(found["coredns"]), "-conf", str(path)]


def _network(cp: ControlPlane) -> None:
    """The bridge holding the node's address, and our nft table: pod traffic goes nowhere but the node."""
    if not Path(f"/sys/class/net/{BRIDGE}").exists():
        nodehost.run("ip", "link", "add", BRIDGE, "type", "bridge", check=True)
    nodehost.run("ip", "addr", "replace", f"{NODE_IP}/24", "dev", BRIDGE, check=True)
    nodehost.run("ip", "link", "set", BRIDGE, "up", check=True)
    for cidr in (CLUSTER_CIDR, cp.service_cidr):  # the host reaches pod and Service ranges only through the bridge
        nodehost.run("ip", "route", "replace", cidr, "dev", BRIDGE, "src", NODE_IP, check=True)
    nodehost.sysctl_path(f"net.ipv4.conf.{BRIDGE}.forwarding").write_text("1\n")  # only this interface forwards
    nodehost.sysctl_path(f"net.ipv6.conf.{BRIDGE}.disable_ipv6").write_text("1\n")
    rules = f"""table inet kubelab {{
  chain forward {{
    type filter hook forward priority -5; policy accept;
    iifname "{BRIDGE}" ip daddr != {POD_SUBNET} drop
    ip saddr {POD_SUBNET} ip daddr != {POD_SUBNET} drop
    iifname "{BRIDGE}" meta nfproto ipv6 drop
  }}
}}
"""
    path = node_dir(cp.home) / "kubelab.nft"
    write_atomic(path, rules)
    nodehost.run("nft", "-f", str(path), check=True)
    for controller in nodehost.cgroup_dirs((CGROUP,)):
        controller.mkdir(exist_ok=True)


def _certificates(home: Path) -> dict[str, Path]:
    directory = home / "pki"
    kubelet_crt, kubelet_key = pki.issue(directory, "kubelet", f"system:node:{NODE_NAME}", "system:nodes")
    serving_crt, serving_key = pki.issue(directory, "kubelet-serving", NODE_NAME, server=True,
                                         names=("localhost", NODE_NAME), ips=("127.0.0.1", NODE_IP))
    proxy_crt, proxy_key = pki.issue(directory, "kube-proxy", "system:kube-proxy")
    return {"ca": directory / "ca.crt", "kubelet.crt": kubelet_crt, "kubelet.key": kubelet_key,
            "serving.crt": serving_crt, "serving.key": serving_key, "proxy.crt": proxy_crt, "proxy.key": proxy_key}


def _kubeconfig(cp: ControlPlane, name: str, cert: Path, key: Path) -> Path:
    config = {"apiVersion": "v1", "kind": "Config", "current-context": name,
              "clusters": [{"name": name, "cluster": {"server": cp.server,
                                                      "certificate-authority": str(cp.home / "pki" / "ca.crt")}}],
              "users": [{"name": name, "user": {"client-certificate": str(cert), "client-key": str(key)}}],
              "contexts": [{"name": name, "context": {"cluster": name, "user": name}}]}
    path = node_dir(cp.home) / f"{name}.kubeconfig"
    write_atomic(path, json.dumps(config, indent=1), mode=0o600)
    return path


def node_manifest() -> dict:
    arch = ARCH.get(platform.machine().lower(), "amd64")
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": NODE_NAME, "labels": {"kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux",
                                                       "kubernetes.io/arch": arch, LABEL: "true", "type": "real"}},
            "spec": {"podCIDR": POD_SUBNET, "podCIDRs": [POD_SUBNET], "taints": [TAINT]}}


ADDRESSES = [{"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": "localhost"}]


def _register(api: Client) -> None:
    """Create the Node as a cloud controller would: pod range, addresses, label and taint, before the kubelet."""
    try:
        request(api, "DELETE", f"/api/v1/nodes/{NODE_NAME}")  # a node left by an earlier run
    except ApiNotFound:
        pass
    request(api, "POST", "/api/v1/nodes", body=node_manifest())
    request(api, "PATCH", f"/api/v1/nodes/{NODE_NAME}/status", body={"status": {"addresses": ADDRESSES}},
            content_type="application/strategic-merge-patch+json")


def _node_ready(api: Client) -> bool:
    try:
        return condition(get(api, f"/api/v1/nodes/{NODE_NAME}"), "Ready") == "True"
    except ApiError:
        return False


def _kubelet_args(cp: ControlPlane, found, certs, port: int, healthz: int) -> list[str]:
    nd = node_dir(cp.home)
    resolv = nd / "resolv.conf"
    write_atomic(resolv, "")  # pods get the cluster DNS only, never the host's resolvers
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "address": "127.0.0.1", "port": port, "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1", "healthzPort": healthz,
        "tlsCertFile": str(certs["serving.crt"]), "tlsPrivateKeyFile": str(certs["serving.key"]),
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": str(certs["ca"])}},
        "authorization": {"mode": "Webhook"},
        "containerRuntimeEndpoint": f"unix://{containerd.socket_path(nd)}",
        # cgroup v1 hosts: kubelet >= 1.35 refuses them unless told; no QoS hierarchy, containers' limits still hold
        "failCgroupV1": False, "cgroupDriver": "cgroupfs", "cgroupsPerQOS": False, "cgroupRoot": f"/{CGROUP}",
        "enforceNodeAllocatable": [], "failSwapOn": False,
        "makeIPTablesUtilChains": False, "protectKernelDefaults": False,
        "clusterDNS": [CLUSTER_DNS], "clusterDomain": "cluster.local", "resolvConf": str(resolv),
        "podLogsDir": str(nd / "pod-logs"),
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,  # images cannot be pulled again
        "evictionHard": {"memory.available": "50Mi", "nodefs.available": "1%", "imagefs.available": "1%",
                         "nodefs.inodesFree": "1%"},
        "serializeImagePulls": False, "registerWithTaints": [TAINT], "shutdownGracePeriod": "0s",
        "nodeStatusUpdateFrequency": "5s",
    }
    path = nd / "kubelet.json"
    write_atomic(path, json.dumps(config, indent=1))
    kubeconfig = _kubeconfig(cp, "kubelet", certs["kubelet.crt"], certs["kubelet.key"])
    return [str(found["kubelet"]), f"--config={path}", f"--kubeconfig={kubeconfig}", f"--root-dir={nd / 'kubelet'}",
            f"--hostname-override={NODE_NAME}", f"--node-ip={NODE_IP}", "--cloud-provider=external",
            f"--node-labels={LABEL}=true", "--v=1"]


def _kube_proxy_args(cp: ControlPlane, found, certs, healthz: int, metrics: int) -> list[str]:
    kubeconfig = _kubeconfig(cp, "kube-proxy", certs["proxy.crt"], certs["proxy.key"])
    config = {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration", "mode": "nftables",
        "clientConnection": {"kubeconfig": str(kubeconfig)}, "hostnameOverride": NODE_NAME,
        "bindAddress": NODE_IP, "healthzBindAddress": f"127.0.0.1:{healthz}",
        "metricsBindAddress": f"127.0.0.1:{metrics}", "clusterCIDR": CLUSTER_CIDR,
        "nodePortAddresses": [f"{NODE_IP}/32"], "oomScoreAdj": 0, "detectLocalMode": "ClusterCIDR",
        # leave the host's conntrack settings alone; SNAT Service traffic to the bridge address so replies
        # between pods on the one bridge come back through the node
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s"},
        "nftables": {"masqueradeAll": True}, "iptables": {"masqueradeAll": True},
    }
    path = node_dir(cp.home) / "kube-proxy.json"
    write_atomic(path, json.dumps(config, indent=1))
    return [str(found["kube-proxy"]), f"--config={path}", "--v=1"]


# -- stop ---------------------------------------------------------------------------------------
def clean(home: Path) -> None:
    """Stop the node and undo its host changes; nothing happens when no node ever ran in ``home``."""
    nd = node_dir(home)
    if not nd.exists():
        return
    info = record(home)
    nodehost.undo(nd, processes(home), info.get("socket", ""), forget=lambda: containerd.forget_containers(nd),
                  image_root=containerd.image_root())
    if info.get("socket", "").startswith("/run/kubelab-"):
        Path(info["socket"]).parent.rmdir() if Path(info["socket"]).parent.exists() else None
    record_file(home).unlink(missing_ok=True)
    if owner() == str(home):
        OWNER.unlink(missing_ok=True)


def remove_node_object(api: Client) -> None:
    try:
        request(api, "DELETE", f"/api/v1/nodes/{NODE_NAME}")
    except ApiError:
        pass


# -- report -------------------------------------------------------------------------------------
def findings(home: Path) -> list:
    """The doctor's view of the real node: running, stopped, or why it cannot run here."""
    from ..doctor import finding

    node = details(home)
    if node is None:
        reasons = unavailable(home)
        return [finding("real-node-unavailable", reasons=" ".join(reasons).rstrip("."))] if reasons else []
    stopped = [name for name in node["pids"] if not any(p.alive() for p in processes(home) if p.name == name)]
    if stopped:
        return [finding("real-node-down", name=node["name"], stopped=", ".join(stopped), logs=home / "logs")]
    return [finding("real-node", name=node["name"], ip=node["ip"])]
