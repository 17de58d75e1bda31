"""A private containerd for the real node: the system's package, never the system's service.

Its config, root, state, runc root, CNI config and socket all live in the node
folder. ``restrict_oom_score_adj`` is needed where the capability bounding set
lacks CAP_SYS_RESOURCE (sandboxes otherwise fail with "can't get final child's
PID from pipe"). The CNI bridge gives pods a route to the pod and Service
ranges only: no default route and no masquerade, so nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from ..files import write_atomic
from .components import cache_root
from .nodehost import BRIDGE, NODE_IP, POD_SUBNET

CNI_BIN = Path("/usr/lib/cni")
CNI_PLUGINS = ("bridge", "host-local", "loopback")
NAMESPACE = "k8s.io"
SANDBOX_IMAGE = "registry.k8s.io/pause:3.10"
MIRRORED = ("docker.io", "registry.k8s.io")  # registries our images stand in for: pulls go to our registry
SOCKET_MAX = 100  # unix socket paths are limited to 108 bytes


def socket_path(node_dir: Path) -> str:
    """Our gRPC socket: in the node folder, or under /run when that path is too long for a socket."""
    path = str(node_dir / "run" / "containerd.sock")
    if len(path) + len(".ttrpc") < SOCKET_MAX:
        return path
    return f"/run/kubelab-{hashlib.sha256(path.encode()).hexdigest()[:12]}/containerd.sock"


def image_root() -> Path:
    """containerd's root (its image store): kept in the cache, so images are imported once, not at every `up`.
    Containers never outlive a `down` in it (``forget_containers``); one real node at a time uses it."""
    return cache_root() / "node-containerd"


def write_config(node_dir: Path, service_cidr: str, cri: bool = True, mirror: str = "") -> Path:
    """containerd's config.toml and the CNI network; every path but the image store inside ``node_dir``.
    Without ``cri`` it is a containerd only for tidying the store (``forget_containers`` after a killed run)."""
    sock = socket_path(node_dir)
    Path(sock).parent.mkdir(parents=True, exist_ok=True)
    cni_conf = node_dir / "cni" / "net.d"
    cni_conf.mkdir(parents=True, exist_ok=True)
    without = ', "io.containerd.grpc.v1.cri"' if not cri else ""
    cri = '[plugins."io.containerd.grpc.v1.cri"]'
    runc = f'{cri[:-1]}.containerd.runtimes.runc]'
    config = f"""version = 2
root = "{image_root()}"
state = "{node_dir / 'containerd' / 'state'}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"{without}]

[grpc]
  address = "{sock}"

[ttrpc]
  address = "{sock}.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "{node_dir / 'containerd' / 'opt'}"

{cri}
  sandbox_image = "{SANDBOX_IMAGE}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  max_container_log_line_size = 16384

{cri[:-1]}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

{runc}
  runtime_type = "io.containerd.runc.v2"

{runc[:-1]}.options]
  SystemdCgroup = false
  Root = "{node_dir / 'runc'}"

{cri[:-1]}.cni]
  bin_dir = "{CNI_BIN}"
  conf_dir = "{cni_conf}"
  max_conf_num = 1
""" + "".join(f'\n{cri[:-1]}.registry.mirrors."{host}"]\n  endpoint = ["{mirror}"]\n'
              for host in MIRRORED if mirror)
    path = node_dir / ("containerd.toml" if without == "" else "containerd-tidy.toml")
    write_atomic(path, config)
    write_atomic(cni_conf / "10-kubelab.conflist", json.dumps(cni_network(node_dir, service_cidr), indent=1))
    return path


def cni_network(node_dir: Path, service_cidr: str) -> dict:
    """A bridge with our node IP as gateway; routes to the pod and Service ranges only, no masquerade."""
    cluster_cidr = "10.244.0.0/16"
    return {
        "cniVersion": "0.4.0", "name": "kubelab",
        "plugins": [
            {"type": "bridge", "bridge": BRIDGE, "isGateway": False, "isDefaultGateway": False, "ipMasq": False,
             "hairpinMode": True,
             "ipam": {"type": "host-local", "dataDir": str(node_dir / "cni" / "ipam"),
                      "ranges": [[{"subnet": POD_SUBNET, "gateway": NODE_IP}]],
                      "routes": [{"dst": cluster_cidr}, {"dst": service_cidr}]}},
            {"type": "loopback"},
        ],
    }


def missing_tools() -> list[str]:
    """The runtime programs that are not installed."""
    wanted = {"containerd": "containerd", "containerd-shim-runc-v2": "containerd", "ctr": "containerd",
              "runc": "runc", "nft": "nftables", "ip": "iproute2", "iptables": "iptables"}
    missing = sorted({pkg for tool, pkg in wanted.items() if shutil.which(tool) is None})
    if not all((CNI_BIN / p).exists() for p in CNI_PLUGINS):
        missing.append("containernetworking-plugins")
    return missing


def ctr(node_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``ctr`` against our containerd, in the Kubernetes namespace."""
    return subprocess.run(["ctr", "--address", socket_path(node_dir), "--namespace", NAMESPACE, *args],
                          capture_output=True, text=True, timeout=timeout)


def ready(node_dir: Path) -> bool:
    try:
        return ctr(node_dir, "version", timeout=5).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def image_digests(node_dir: Path) -> dict[str, str]:
    """Every image name in the node's store and the digest it points to."""
    lines = ctr(node_dir, "images", "list").stdout.splitlines()[1:]
    return {fields[0]: fields[2] for line in lines if len(fields := line.split()) >= 3}


def dirty_marker() -> Path:
    """Present while containers may be recorded in the image store (from `up` until a `down` forgot them)."""
    return image_root() / "containers-recorded"


def forget_containers(node_dir: Path) -> None:
    """Remove every container record (their processes are already dead), so none outlives the cluster."""
    ids = ctr(node_dir, "containers", "list", "--quiet").stdout.split()
    for task in ids:
        ctr(node_dir, "tasks", "delete", "--force", task, timeout=20)
    if ids:
        ctr(node_dir, "containers", "delete", *ids, timeout=60)
    dirty_marker().unlink(missing_ok=True)
