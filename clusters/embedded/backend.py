"""The embedded cluster: a real control plane on loopback with KWOK nodes instead of kubelets.

etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok run
as the user's own processes on free loopback ports, with certificates made
when the cluster is made. Everything of one cluster lives in one folder (state
with pids and ports, certificates, etcd's data, logs, the labs' progress):
``kubelab down`` stops the processes and keeps it, ``kubelab up`` brings the
same cluster back (same data, CA, API server port and kubeconfigs), and only
``kubelab down --purge`` deletes it. Where it can, the cluster also gets one
real node that runs containers (``realnode``); the capabilities say what it
really does.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_state_path

from .. import gatewayapi
from ..api import ApiNotFound, Client, get
from ..base import Backend, Capabilities, Connection, Progress, Status, detect_capabilities, quiet
from ..errors import ClusterNotRunning, ClusterStartFailed, KubelabError
from ..files import write_atomic
from ..i18n import _
from ..kubeconfig import merge_context, remove_context, user_kubeconfig_path
from . import nodestate
from .components import K8S_VERSION, KUBERNETES
from .nodes import node_names, sync_nodes, wait_nodes_ready
from .processes import PortInUse, Running, client_tls, free_ports, http_ok, launch, port_free, stop_all, wait_until

if TYPE_CHECKING:  # making and running the cluster (binaries, certificates, the real node) is imported when used
    from . import binaries

CONTEXT = "kubelab"
DEFAULT_NODES = 4  # one control-plane node and three workers
SERVICE_CIDR = "10.96.0.0/16"
POD_CIDR = "10.244.0.0/16"
NODE_GRACE_SECONDS = 40  # a node whose lease is older is NotReady (KWOK renews every 10 s)
OWN_STAGES = Path(__file__).parent / "stages"  # kubelab's own KWOK stages, beside the pinned upstream ones
ADVERTISE_ADDRESS = "192.0.2.10"  # TEST-NET-1: published in the kubernetes Endpoints, never dialled
START_TIMEOUT = 60.0
PORT_ATTEMPTS = 3


def state_dir() -> Path:
    """``$KUBELAB_STATE``, else the user's state dir (``~/.local/state/kubelab/embedded``)."""
    return Path(os.environ.get("KUBELAB_STATE") or user_state_path("kubelab")) / "embedded"


class EmbeddedBackend(Backend):
    """kubelab's own cluster, for tests and for learners without minikube."""

    name = "embedded"

    def __init__(self, home: Path | None = None, merge_kubeconfig: bool = True, real_nodes: int | None = None):
        self.home = home or state_dir()
        self.merge_kubeconfig = merge_kubeconfig
        self.real_nodes_flag = real_nodes

    # -- state ---------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.home / "state.json"

    @property
    def admin_kubeconfig(self) -> Path:
        return self.home / "admin.kubeconfig"

    def _state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _processes(self, state: dict | None) -> list[Running]:
        return [Running(**p) for p in (state or {}).get("processes", [])]

    # -- interface -----------------------------------------------------------------------
    def exists(self) -> bool:
        """A cluster was made here (running or not) and has not been purged."""
        return self._state() is not None

    def status(self) -> Status:
        state = self._state()
        processes = self._processes(state)
        running = bool(processes) and all(p.alive() for p in processes)
        details = {"state": str(self.home), "bin": str(KUBERNETES.bin_dir())}
        if state:
            details.update(pids={p.name: p.pid for p in processes}, ports=state.get("ports", {}),
                           stale=bool(processes) and not running, stopped=not processes,
                           version=state.get("version"), kubeconfig=state.get("merged_into"),
                           server=self._server(state), real_node=nodestate.details(self.home))
        conn = self._connection() if running else None
        return Status(backend=self.name, running=running, connection=conn, server=self._server(state) if running
                      else None, details=details)

    def connection(self) -> Connection:
        if not self.status().running:
            if self.exists():
                raise ClusterNotRunning(_("The embedded cluster in {path} is down; `kubelab up` brings it back "
                                          "with its data.", path=self.home))
            raise ClusterNotRunning(_("The embedded cluster is not running; start it with `kubelab up`."))
        return self._connection()

    def _connection(self) -> Connection:
        return Connection(kubeconfig=self.admin_kubeconfig, context=CONTEXT)

    def results_dir(self, server: str | None) -> Path:
        return self.home / "results"  # this folder is the cluster: its progress goes with it

    def kubeconfig_target(self) -> Path | None:
        """The kubeconfig `up` merges the `kubelab` context into, chosen once when the cluster is made:
        ``$KUBELAB_KUBECONFIG``, else ``$KUBELAB_STATE/kubeconfig`` when ``$KUBELAB_STATE`` is set, else the
        user's kubeconfig (kubectl's own file); never the admin kubeconfig. None when not merging."""
        if not self.merge_kubeconfig:
            return None
        recorded = (self._state() or {}).get("merged_into")
        if recorded:
            return Path(recorded)
        if os.environ.get("KUBELAB_KUBECONFIG"):
            target = Path(os.environ["KUBELAB_KUBECONFIG"]).expanduser()
        elif os.environ.get("KUBELAB_STATE"):
            target = Path(os.environ["KUBELAB_STATE"]) / "kubeconfig"
        else:
            target = user_kubeconfig_path()
        if target.name == self.admin_kubeconfig.name:  # some cluster's admin kubeconfig: never edited
            target = target.with_name("kubeconfig")
        return target.absolute()

    def capabilities(self, api: Client) -> Capabilities:
        detected = detect_capabilities(api)
        return nodestate.capabilities(self.home, detected)  # KWOK nodes alone: no data plane, ingress, LB or internet

    def enable_command(self, capability: str, wanted) -> str | None:
        if capability == "nodes":
            return f"kubelab up --nodes {max(wanted, DEFAULT_NODES)}"
        if capability in ("data_plane", "ingress", "gateway", "metrics") and not nodestate.unavailable(self.home):
            return "kubelab up --backend embedded --real-nodes 1"  # Traefik and metrics-server come with the node
        return "kubelab up --backend minikube"  # containers, ingress, load balancers and internet need minikube

    def start(self, nodes: int | None = None, progress: Progress = quiet) -> Status:
        """Make the cluster, or bring the one made here back with its data, CA, port and kubeconfigs."""
        from . import binaries, realnode

        current = self.status()
        if current.running:
            if nodes is not None:
                self._sync_nodes(nodes, progress)
            if self.real_nodes() and not realnode.details(self.home):
                self._update_state(real_nodes=1)
                self._start_node_and_gateway(1, progress)
            progress(_("The embedded cluster is already running."))
            return self.status()
        found = binaries.ensure(progress)
        wanted = self.real_nodes()
        with ThreadPoolExecutor(max_workers=1) as pool:
            side = _Beside(pool, lambda: self._start_node_and_gateway(wanted, progress))
            if self._made():
                self._restart(found, current, nodes, progress, side)
            else:
                self._create(found, nodes, progress, side)
            side.join()
        self._update_state(real_nodes=wanted)  # the choice holds for this cluster's next `up`
        target = self.kubeconfig_target()
        if target is not None:
            merge_context(CONTEXT, self._kubeconfig(embed=True), target)
            self._update_state(merged_into=str(target))
            progress(_("Context `{context}` added to {path} and selected.", context=CONTEXT, path=target))
            if target != user_kubeconfig_path().absolute():
                progress(_("kubectl reads another file by default; in a terminal run: export KUBECONFIG={path}",
                           path=target))
        return self.status()

    def real_nodes(self) -> int:
        """Real nodes wanted: the flag, else what this cluster had (a restart brings its real node back), else
        ``$KUBELAB_REAL_NODES``, else one."""
        from . import realnode

        recorded = (self._state() or {}).get("real_nodes")
        return realnode.wanted(recorded if self.real_nodes_flag is None and recorded is not None
                               else self.real_nodes_flag)

    def findings(self, api) -> list:
        from . import realnode

        return realnode.findings(self.home)

    def _install_gateway_api(self, progress: Progress) -> None:
        """The Gateway API CRDs and classes, so routes can be written and read on KWOK nodes too; a controller
        comes with the real node. Without them the cluster still starts (and says why)."""
        api = self._connection().api_client()
        try:
            gatewayapi.install(api, [], progress)
        except KubelabError as exc:
            progress(_("The Gateway API is not installed: {error}", error=exc))
        finally:
            api.close()

    def _start_node_and_gateway(self, real_nodes: int, progress: Progress) -> None:
        """The Gateway API is installed in a thread while the real node starts; its Traefik waits for it. Never
        writes the cluster's state (it runs beside the start-up, which does)."""
        from . import realnode

        with ThreadPoolExecutor(max_workers=1) as pool:
            gateway = pool.submit(self._install_gateway_api, progress)
            if real_nodes:
                realnode.start(realnode.ControlPlane(self.home, self._connection(), SERVICE_CIDR), progress,
                               gateway_installed=gateway.result)
            gateway.result()

    def stop(self, progress: Progress = quiet) -> bool:
        """Stop the processes and keep everything else: `kubelab up` brings the same cluster back."""
        state = self._state()
        if state is None:
            return False
        alive = any(p.alive() for p in self._processes(state))
        self._stop_processes(state)  # also records that none runs, when they had all died
        if not alive:
            return False
        progress(_("The embedded cluster is stopped; its data is kept. `kubelab up` starts it again, "
                   "`kubelab down --purge` deletes it."))
        return True

    def purge(self, progress: Progress = quiet) -> bool:
        """Stop the cluster, remove its context and delete its folder: data, CA, kubeconfigs, progress, logs."""
        state = self._state()
        if state is None and not self.home.is_dir():
            return False
        self._stop_processes(state)
        if (state or {}).get("merged_into"):
            remove_context(CONTEXT, Path(state["merged_into"]))
        if (state or {}).get("etcd_data"):  # clusters made before the data moved into the state folder
            shutil.rmtree(state["etcd_data"], ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)
        progress(_("The embedded cluster in {path} and all its data are deleted.", path=self.home))
        return True

    # -- start-up ------------------------------------------------------------------------
    def _made(self) -> bool:
        """The cluster exists: its state, CA and etcd data are here (a first start that failed leaves none)."""
        state = self._state() or {}
        return bool(state.get("ports")) and (self.home / "pki" / "ca.crt").is_file() and self._data_dir(state).is_dir()

    def _data_dir(self, state: dict) -> Path:
        return Path(state.get("etcd_data") or self.home / "etcd")

    def _create(self, found: binaries.Binaries, nodes: int | None, progress: Progress, side: _Beside) -> None:
        from . import pki  # cryptography: only a start needs it, not every command that asks whether we run

        if self._state() is not None:  # a first start that never finished: nothing in it is worth keeping
            self._clean(self._state())
        for attempt in range(PORT_ATTEMPTS):
            try:
                names = ("etcd", "etcd_peer", "apiserver", "controller_manager", "scheduler", "kwok")
                self.home.mkdir(parents=True, exist_ok=True)
                pki.generate(self.home / "pki")
                self._write_state({"version": K8S_VERSION, "ports": dict(zip(names, free_ports(len(names)))),
                                   "processes": []})
                self._launch(found, progress, side)
                self._sync_nodes(DEFAULT_NODES if nodes is None else nodes, progress)
                return
            except PortInUse:
                side.join(quietly=True)
                self._clean(self._state())
                if attempt == PORT_ATTEMPTS - 1:
                    raise
                progress(_("A port was taken while starting; trying again with other ports."))
            except BaseException:
                side.join(quietly=True)
                self._clean(self._state())
                raise

    def _restart(self, found: binaries.Binaries, current: Status, nodes: int | None, progress: Progress,
                 side: _Beside) -> None:
        """Start the cluster made here again on its own data, CA and API server port; a failure keeps them."""
        if current.details.get("stale"):
            progress(_("Repairing the embedded cluster, which did not shut down cleanly; its data is kept."))
        else:
            progress(_("Starting the embedded cluster in {path} again, with its data.", path=self.home))
        state = self._state()
        self._stop_processes(state)  # a half-started or half-crashed cluster: what still runs goes first
        ports = dict(state["ports"])
        if not port_free(ports["apiserver"]):
            raise ClusterStartFailed(_(
                "Port {port}, the embedded cluster's API server port, is taken by another program. Stop that "
                "program and run `kubelab up` again; or run `kubelab down --purge` and `kubelab up` for a new "
                "cluster (its data and issued kubeconfigs would be lost).", port=ports["apiserver"]))
        internal = [name for name in ports if name != "apiserver"]  # only kubelab dials these: move them freely
        for attempt in range(PORT_ATTEMPTS):
            taken = [name for name in internal if not port_free(ports[name])]
            if taken:
                fresh = iter(free_ports(len(taken)))
                ports.update({name: next(fresh) for name in taken})
            self._update_state(ports=ports, processes=[])
            try:
                self._launch(found, progress, side)
                self._sync_nodes(state.get("nodes") or DEFAULT_NODES if nodes is None else nodes, progress)
                return
            except PortInUse:
                side.join(quietly=True)
                self._stop_processes(self._state())
                if attempt == PORT_ATTEMPTS - 1:
                    raise
                ports.update(dict(zip(internal, free_ports(len(internal)))))
            except BaseException:
                side.join(quietly=True)
                self._stop_processes(self._state())  # never wipe: the data stays for the next `kubelab up`
                raise

    def _launch(self, found: binaries.Binaries, progress: Progress, side: _Beside) -> None:
        logs = self.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        from . import pki  # cryptography: only a start needs it, not every command that asks whether we run

        state = self._state()
        ports = state["ports"]
        certs = pki.paths(self.home / "pki")
        data = self._data_dir(state)
        data.mkdir(mode=0o700, exist_ok=True)
        self._write_kubeconfig()
        started: list[Running] = []

        def start(name: str, argv: list[str], ready, timeout: float = START_TIMEOUT) -> None:
            running = launch(name, argv, logs)
            started.append(running)
            self._update_state(processes=[r.as_dict() for r in started])
            progress(_("Starting {name}…", name=name))
            if ready is not None:
                wait_until(running, ready, timeout)

        insecure = client_tls()
        etcd_tls = client_tls(certs["etcd-ca.crt"], certs["apiserver-etcd-client.crt"],
                              certs["apiserver-etcd-client.key"])
        start("etcd", self._etcd_args(found, ports, data, certs),
              http_ok(f"https://127.0.0.1:{ports['etcd']}/health", etcd_tls, expect=b'"health":"true"'))
        admin_tls = client_tls(certs["ca.crt"], certs["admin.crt"], certs["admin.key"])
        start("kube-apiserver", self._apiserver_args(found, ports, certs),
              http_ok(f"https://127.0.0.1:{ports['apiserver']}/readyz", admin_tls))
        side.begin()
        start("kube-controller-manager", self._kcm_args(found, ports, certs), None)
        start("kube-scheduler", self._scheduler_args(found, ports), None)
        start("kwok", self._kwok_args(found, ports, certs), None)
        for name, port in (("kube-controller-manager", "controller_manager"), ("kube-scheduler", "scheduler")):
            running = next(r for r in started if r.name == name)
            wait_until(running, http_ok(f"https://127.0.0.1:{ports[port]}/healthz", insecure), START_TIMEOUT)

    def _sync_nodes(self, count: int, progress: Progress) -> None:
        if count < 1:
            raise ClusterStartFailed(_("A cluster needs at least one node."))
        api = self._connection().api_client()
        try:
            sync_nodes(api, node_names(count), platform.machine())
            self._update_state(nodes=count)
            progress(_("Waiting for {count} nodes to be Ready…", count=count))
            kwok = next(r for r in self._processes(self._state()) if r.name == "kwok")
            wait_nodes_ready(api, count, kwok, START_TIMEOUT)
            _wait_default_service_account(api)
        finally:
            api.close()

    # -- flags -------------------------------------------------------------------------------
    def _etcd_args(self, found, ports, data: Path, certs) -> list[str]:
        """TLS with client-certificate authentication only, for clients and peers (as kubeadm sets etcd up)."""
        client_url, peer_url = f"https://127.0.0.1:{ports['etcd']}", f"https://127.0.0.1:{ports['etcd_peer']}"
        server, key, ca = certs["etcd-server.crt"], certs["etcd-server.key"], certs["etcd-ca.crt"]
        return [str(found["etcd"]), "--name=kubelab", f"--data-dir={data}",
                f"--cert-file={server}", f"--key-file={key}", "--client-cert-auth=true", f"--trusted-ca-file={ca}",
                f"--peer-cert-file={server}", f"--peer-key-file={key}", "--peer-client-cert-auth=true",
                f"--peer-trusted-ca-file={ca}",
                f"--listen-client-urls={client_url}", f"--advertise-client-urls={client_url}",
                f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=kubelab={peer_url}", "--listen-metrics-urls=",
                "--unsafe-no-fsync=true", "--auto-compaction-retention=1", "--quota-backend-bytes=2147483648",
                "--log-level=warn"]

    def _apiserver_args(self, found, ports, certs) -> list[str]:
        from . import realnode

        return [str(found["kube-apiserver"]), f"--etcd-servers=https://127.0.0.1:{ports['etcd']}",
                f"--etcd-cafile={certs['etcd-ca.crt']}", f"--etcd-certfile={certs['apiserver-etcd-client.crt']}",
                f"--etcd-keyfile={certs['apiserver-etcd-client.key']}",
                "--bind-address=127.0.0.1", f"--secure-port={ports['apiserver']}",
                *realnode.apiserver_flags(self.real_nodes(), ADVERTISE_ADDRESS, self.home),
                f"--tls-cert-file={certs['apiserver.crt']}", f"--tls-private-key-file={certs['apiserver.key']}",
                f"--client-ca-file={certs['ca.crt']}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={certs['sa.pub']}",
                f"--service-account-signing-key-file={certs['sa.key']}",
                f"--service-cluster-ip-range={SERVICE_CIDR}", "--authorization-mode=Node,RBAC",
                "--allow-privileged=true", "--kubelet-preferred-address-types=Hostname,InternalIP",
                f"--kubelet-certificate-authority={certs['ca.crt']}",
                f"--kubelet-client-certificate={certs['admin.crt']}", f"--kubelet-client-key={certs['admin.key']}",
                *_front_proxy_flags(certs), "--profiling=false", "--v=1"]

    def _kcm_args(self, found, ports, certs) -> list[str]:
        kubeconfig = self.admin_kubeconfig
        return [str(found["kube-controller-manager"]), f"--kubeconfig={kubeconfig}",
                f"--authentication-kubeconfig={kubeconfig}", f"--authorization-kubeconfig={kubeconfig}",
                "--bind-address=127.0.0.1", f"--secure-port={ports['controller_manager']}",
                "--leader-elect=false", f"--service-account-private-key-file={certs['sa.key']}",
                f"--root-ca-file={certs['ca.crt']}", f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--allocate-node-cidrs=true", f"--cluster-cidr={POD_CIDR}", "--node-monitor-period=5s",
                f"--node-monitor-grace-period={NODE_GRACE_SECONDS}s",
                "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics", "--v=1"]

    def _scheduler_args(self, found, ports) -> list[str]:
        kubeconfig = self.admin_kubeconfig
        return [str(found["kube-scheduler"]), f"--kubeconfig={kubeconfig}",
                f"--authentication-kubeconfig={kubeconfig}", f"--authorization-kubeconfig={kubeconfig}",
                "--bind-address=127.0.0.1", f"--secure-port={ports['scheduler']}", "--leader-elect=false",
                "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics", "--v=1"]

    def _kwok_args(self, found, ports, certs) -> list[str]:
        return [str(found["kwok"]), f"--kubeconfig={self.admin_kubeconfig}",
                "--config=" + ",".join(str(s) for s in (*found.stages, OWN_STAGES / "pod-ready-again.yaml")),
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                f"--cidr={POD_CIDR}", "--node-ip=198.51.100.1", "--node-name=localhost",
                f"--node-port={ports['kwok']}", f"--server-address=127.0.0.1:{ports['kwok']}",
                f"--tls-cert-file={certs['apiserver.crt']}", f"--tls-private-key-file={certs['apiserver.key']}",
                "--node-lease-duration-seconds=40"]

    # -- files -------------------------------------------------------------------------------
    @staticmethod
    def _server(state: dict | None) -> str | None:
        port = ((state or {}).get("ports") or {}).get("apiserver")
        return f"https://127.0.0.1:{port}" if port else None

    def _kubeconfig(self, embed: bool) -> dict:
        pki_dir = self.home / "pki"
        server = self._server(self._state())

        def ref(key: str, name: str) -> dict:
            path = pki_dir / name
            if embed:
                return {f"{key}-data": base64.b64encode(path.read_bytes()).decode()}
            return {key: str(path)}

        return {
            "apiVersion": "v1", "kind": "Config", "current-context": CONTEXT, "preferences": {},
            "clusters": [{"name": CONTEXT, "cluster": {"server": server, **ref("certificate-authority", "ca.crt")}}],
            "users": [{"name": CONTEXT, "user": {**ref("client-certificate", "admin.crt"),
                                                 **ref("client-key", "admin.key")}}],
            "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT}}],
        }

    def _write_kubeconfig(self) -> None:
        write_atomic(self.admin_kubeconfig, json.dumps(self._kubeconfig(embed=False), indent=1), mode=0o600)

    def _write_state(self, state: dict) -> None:
        write_atomic(self.state_file, json.dumps(state, indent=1), mode=0o600)

    def _update_state(self, **changes) -> None:
        self._write_state({**(self._state() or {}), **changes})

    def _stop_processes(self, state: dict | None) -> None:
        """Stop the real node (undoing its host changes), then exactly the processes we started (clients first,
        etcd last), and record that none runs."""
        from . import realnode

        realnode.clean(self.home)
        stop_all(list(reversed(self._processes(state))))
        if state is not None and self.state_file.is_file():
            self._update_state(processes=[])

    def _clean(self, state: dict | None) -> None:
        """Undo a first start that failed: stop its processes and remove all but the logs."""
        self._stop_processes(state)
        for child in self.home.iterdir() if self.home.is_dir() else []:
            if child.name != "logs":
                shutil.rmtree(child) if child.is_dir() else child.unlink()


class _Beside:
    """What starts once the API server answers and runs while the rest of the control plane and the KWOK nodes
    come up (the Gateway API, the real node); a failed start waits for it before cleaning up."""

    def __init__(self, pool: ThreadPoolExecutor, work: Callable[[], None]):
        self.pool, self.work, self.future = pool, work, None

    def begin(self) -> None:
        self.future = self.pool.submit(self.work)

    def join(self, quietly: bool = False) -> None:
        future, self.future = self.future, None
        if future is not None:
            try:
                future.result()
            except BaseException:
                if not quietly:
                    raise


def _wait_default_service_account(api: Client, timeout: float = START_TIMEOUT) -> None:
    """Pods are refused in a namespace until its `default` ServiceAccount exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get(api, "/api/v1/namespaces/default/serviceaccounts/default")
            return
        except ApiNotFound:
            time.sleep(0.2)
    raise ClusterStartFailed(_("The `default` ServiceAccount was not created; see the controller-manager log."))


def _front_proxy_flags(certs: dict[str, Path]) -> list[str]:
    """The aggregation layer: the API server forwards requests for extension APIs (metrics.k8s.io) with the
    front proxy's client certificate and the user in X-Remote-* headers."""
    from .pki import FRONT_PROXY_CLIENT

    return [f"--requestheader-client-ca-file={certs['front-proxy-ca.crt']}",
            f"--requestheader-allowed-names={FRONT_PROXY_CLIENT}", "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group", "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            f"--proxy-client-cert-file={certs['front-proxy-client.crt']}",
            f"--proxy-client-key-file={certs['front-proxy-client.key']}"]
