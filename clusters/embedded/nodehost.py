"""The host changes a real node makes, written down before they happen so `down` (or the next `up`) undoes them.

Before the first change a journal (``<node>/host.json``) records the sysctls the
kubelet may rewrite, which shared folders existed, the nft tables and the
``KUBE-*`` iptables chains. ``undo`` kills what runs under our containerd, then
removes mounts below the node folder, the bridge and its veths, new tables and
chains, new folders and cgroups, and puts the sysctls back. Every step is
idempotent and tolerates a half-started or killed node.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
from pathlib import Path

import psutil

from ..files import write_atomic
from .processes import Running, stop

BRIDGE = "kubelab0"
NODE_IP = "10.244.255.1"
POD_SUBNET = "10.244.255.0/24"
CGROUP = "kubelab"  # the kubelet's cgroupRoot: every container's cgroup is below /kubelab
SYSCTLS = ("vm.overcommit_memory", "kernel.panic", "kernel.panic_on_oops", "net.ipv4.ip_forward",
           "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_tcp_timeout_established",
           "net.netfilter.nf_conntrack_tcp_timeout_close_wait")
# Folders containerd, the CNI plugins and the kubelet use whatever they are told.
SHARED_PATHS = ("/run/containerd", "/var/lib/cni", "/var/log/containers", "/run/netns", "/var/run/netns")
OUR_NFT_TABLES = ("inet kubelab",)
THEIR_NFT_TABLES = ("ip kube-proxy", "ip6 kube-proxy", "ip filter", "ip nat", "ip mangle", "ip6 filter", "ip6 nat",
                    "ip6 mangle")
IPTABLES = ("iptables", "ip6tables")
MNT_DETACH = 2


def run(*argv: str, check: bool = False) -> str:
    """Run a host tool quietly; its output, or "" if it failed (``check`` raises instead)."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check and proc.returncode:
        raise OSError(f"{' '.join(argv)}: {proc.stderr.strip()}")
    return proc.stdout if proc.returncode == 0 else ""


def sysctl_path(name: str) -> Path:
    return Path("/proc/sys") / name.replace(".", "/")


def read_sysctls() -> dict[str, str]:
    values = {}
    for name in SYSCTLS:
        try:
            values[name] = sysctl_path(name).read_text().strip()
        except OSError:
            pass
    return values


def nft_tables() -> list[str]:
    return [" ".join(line.split()[1:3]) for line in run("nft", "list", "tables").splitlines() if line.strip()]


def kube_chains() -> dict[str, list[str]]:
    """``{"iptables filter": [KUBE-…], …}``: the KUBE-* chains of every table, per tool."""
    chains: dict[str, list[str]] = {}
    for tool in IPTABLES:
        table = ""
        for line in run(f"{tool}-save").splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith(":KUBE-"):
                chains.setdefault(f"{tool} {table}", []).append(line[1:].split()[0])
    return chains


def snapshot() -> dict:
    """What the host looks like now, for a later ``undo``."""
    return {"sysctls": read_sysctls(), "paths": {p: os.path.lexists(p) for p in SHARED_PATHS},
            "nft_tables": nft_tables(), "chains": kube_chains(),
            "cgroups": {str(p): p.exists() for p in cgroup_dirs()}}


def cgroup_dirs(names: tuple[str, ...] = (CGROUP, "k8s.io")) -> list[Path]:
    """Our cgroup in every hierarchy (and containerd's default ``k8s.io``, used when no parent is given)."""
    root = Path("/sys/fs/cgroup")
    if (root / "cgroup.controllers").exists():
        return [root / n for n in names]
    hierarchies = [d for d in sorted(root.iterdir()) if d.is_dir() and not d.is_symlink()] if root.is_dir() else []
    return [d / n for d in hierarchies for n in names]


def journal_path(node_dir: Path) -> Path:
    return node_dir / "host.json"


def record(node_dir: Path) -> dict:
    """Write the journal unless one is there already (then it describes the host before our first change)."""
    path = journal_path(node_dir)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        journal = snapshot()
        node_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(journal, indent=1))
        return journal


def undo(node_dir: Path, processes: list[Running], socket: str, forget=None, image_root: Path | None = None) -> None:
    """Stop the node and put the host back as the journal found it; safe to repeat. ``forget`` removes the
    container records while containerd still runs; ``image_root`` is containerd's root outside ``node_dir``."""
    stop([p for p in processes if p.name != "containerd"])
    kill_containers(socket)
    if forget and any(p.name == "containerd" and p.alive() for p in processes):
        forget()
    stop([p for p in processes if p.name == "containerd"])
    unmount_below(node_dir)
    if image_root:
        unmount_below(image_root)
    delete_links()
    journal = _load(node_dir)
    _restore_netfilter(journal)
    _restore_sysctls(journal)
    _remove_new_paths(journal, node_dir)
    _remove_cgroups(journal)
    journal_path(node_dir).unlink(missing_ok=True)


def _load(node_dir: Path) -> dict:
    try:
        return json.loads(journal_path(node_dir).read_text())
    except (OSError, ValueError):
        return {}


def kill_containers(socket: str) -> None:
    """SIGKILL every shim of our containerd (found by its socket) and every process below it."""
    if not socket:
        return
    shims = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if (proc.info.get("name") or "").startswith("containerd-shim") and socket in cmdline:
            shims.append(proc)
    victims = []
    for shim in shims:
        try:
            victims += shim.children(recursive=True)
        except psutil.Error:
            pass
        victims.append(shim)
    for victim in victims:
        try:
            victim.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(victims, timeout=10)


def mounts_below(directory: Path) -> list[str]:
    prefix = str(directory.resolve()) + "/"
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        point = line.split()[4].encode().decode("unicode_escape")
        if (point + "/").startswith(prefix):
            found.append(point)
    return found


def unmount_below(directory: Path) -> None:
    """Detach every mount at or below ``directory``, deepest first, until none is left."""
    libc = ctypes.CDLL(None, use_errno=True)
    for _attempt in range(5):
        points = mounts_below(directory)
        if not points:
            return
        for point in sorted(points, key=len, reverse=True):
            libc.umount2(point.encode(), MNT_DETACH)


def delete_links() -> None:
    """The bridge and any veth still enslaved to it (the CNI plugin normally removes those)."""
    for line in run("ip", "-o", "link", "show", "master", BRIDGE).splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        run("ip", "link", "delete", name)
    if Path(f"/sys/class/net/{BRIDGE}").exists():
        run("ip", "link", "delete", BRIDGE)


def _restore_netfilter(journal: dict) -> None:
    before_tables = set(journal.get("nft_tables", []))
    for table in OUR_NFT_TABLES:
        run("nft", "delete", "table", *table.split())
    before = journal.get("chains", {})
    for key, chains in kube_chains().items():
        tool, table = key.split()
        for chain in set(chains) - set(before.get(key, [])):
            run(tool, "-t", table, "-F", chain)
        for chain in set(chains) - set(before.get(key, [])):
            run(tool, "-t", table, "-X", chain)
    for table in set(nft_tables()) - before_tables:
        if table in THEIR_NFT_TABLES and (table.endswith("kube-proxy") or _empty_table(table)):
            run("nft", "delete", "table", *table.split())


def _empty_table(table: str) -> bool:
    """An iptables-nft table holding nothing but empty built-in chains."""
    listing = run("nft", "list", "table", *table.split())
    return not any(line.strip() and not line.strip().startswith(("table", "chain", "type", "}", "policy"))
                   for line in listing.splitlines())


def _restore_sysctls(journal: dict) -> None:
    for name, value in journal.get("sysctls", {}).items():
        try:
            if sysctl_path(name).read_text().strip() != value:
                sysctl_path(name).write_text(value + "\n")
        except OSError:
            pass


def _remove_new_paths(journal: dict, node_dir: Path) -> None:
    existed = journal.get("paths", {})
    logs = Path("/var/log/containers")
    if logs.is_dir():
        for link in logs.iterdir():
            if link.is_symlink() and os.readlink(link).startswith(str(node_dir)):
                link.unlink(missing_ok=True)
    for path, was_there in existed.items():
        if not was_there and os.path.lexists(path) and not _has_listener(path):
            shutil.rmtree(path, ignore_errors=True) if not os.path.islink(path) else os.unlink(path)


def _has_listener(path: str) -> bool:
    """Some live process still listens on a unix socket below ``path`` (then it is not ours to remove)."""
    try:
        lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    except OSError:
        return False
    return any(len(f := line.split()) >= 8 and f[7].startswith(path + "/") for line in lines)


def _remove_cgroups(journal: dict) -> None:
    for path, was_there in journal.get("cgroups", {}).items():
        if was_there:
            continue
        for current, _dirs, _files in sorted(os.walk(path), key=lambda w: len(w[0]), reverse=True):
            try:
                os.rmdir(current)
            except OSError:
                pass
