"""The embedded cluster's real node: it runs containers, and `down` leaves the host as it found it.

One private cluster with a real node for the module (its own state folder,
never the user's); skipped with the reason where a real node cannot run here
(not root, not Linux, a runtime package missing) or its binaries are not built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

from clusters.api import get, request
from clusters.base import condition
from clusters.embedded import EmbeddedBackend, images, nodehost, realnode
from clusters.embedded.components import NODE_COMPONENTS
from tests.helpers import create_namespace, wait_for


def _why_not() -> str:
    reasons = realnode.unavailable()
    if reasons:
        return " ".join(reasons)
    missing = [c.name for c in NODE_COMPONENTS if not c.cached()]
    if missing:
        return f"node binaries not built ({', '.join(missing)}): run `python -m clusters.embedded.binaries --node`"
    if not images.cached(images.RECIPES["nginx"]):
        return "the nginx image is not built: run `kubelab images build nginx`"
    return ""


def host_snapshot() -> dict:
    """What `down` must leave unchanged: processes, mounts, links, nft tables, KUBE-* chains, sysctls."""
    return {"links": sorted(n.name for n in Path("/sys/class/net").iterdir()),
            "mounts": sorted(line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()),
            "nft": sorted(nodehost.nft_tables()), "chains": nodehost.kube_chains(),
            "sysctls": nodehost.read_sysctls(),
            "paths": {p: Path(p).exists() for p in nodehost.SHARED_PATHS},
            "processes": sorted(p.info["name"] for p in psutil.process_iter(["name"])
                                if p.info["name"] in ("containerd", "kubelet", "kube-proxy", "coredns", "pause",
                                                      "containerd-shim-runc-v2", "nginx", "metrics-server"))}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if _why_not():
        pytest.skip(_why_not())
    before = host_snapshot()
    backend = EmbeddedBackend(home=tmp_path_factory.mktemp("real") / "embedded", merge_kubeconfig=False,
                              real_nodes=1)
    lines: list[str] = []
    try:
        backend.start(nodes=2, progress=lines.append)  # inside: a start that fails half-way is stopped too
        assert backend.status().details.get("real_node"), "\n".join(lines)
        yield backend
    finally:
        backend.stop()
        after = host_snapshot()
        assert after == before


@pytest.fixture
def api(real):
    api = real.connection().api_client()
    yield api
    api.close()


@pytest.fixture
def ns(namespace):
    """conftest's fresh namespace, made in this module's cluster (its `api` fixture is ours)."""
    return namespace


def pod(name: str, image: str = "nginx:1.30", **spec) -> dict:
    container = {"name": "main", "image": image, **spec.pop("container", {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"nodeSelector": {realnode.LABEL: "true"},
                     "tolerations": [{"key": realnode.LABEL, "operator": "Exists", "effect": "NoSchedule"}],
                     "containers": [container], **spec}}


def create_ready(api, ns: str, manifest: dict, timeout: float = 60) -> dict:
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods", body=manifest)
    name = manifest["metadata"]["name"]

    def ready():
        obj = get(api, f"/api/v1/namespaces/{ns}/pods/{name}")
        return obj if any(c["type"] == "Ready" and c["status"] == "True"
                          for c in obj["status"].get("conditions", [])) else None

    return wait_for(ready, timeout=timeout, what=f"pod {name} Ready")


def kubectl(real, *args: str) -> subprocess.CompletedProcess:
    from clusters.embedded.components import KUBERNETES

    return subprocess.run([str(KUBERNETES.bin_dir() / "kubectl"), f"--kubeconfig={real.admin_kubeconfig}", *args],
                          capture_output=True, text=True, timeout=60)


def test_real_node_ready_beside_kwok(real, api):
    nodes = {n["metadata"]["name"]: n for n in get(api, "/api/v1/nodes")["items"]}
    node = nodes[realnode.NODE_NAME]
    assert realnode.TAINT in [{k: t.get(k) for k in ("key", "value", "effect")} for t in node["spec"]["taints"]]
    assert node["metadata"]["labels"][realnode.LABEL] == "true"
    assert {"type": "InternalIP", "address": nodehost.NODE_IP} in node["status"]["addresses"]
    assert len(nodes) == 3
    caps = real.capabilities(api)
    assert caps.data_plane and caps.dns and caps.storage


def test_ordinary_pods_stay_on_kwok_nodes(api, ns):
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods",
            body={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "plain"},
                  "spec": {"containers": [{"name": "c", "image": "nginx:1.30"}]}})
    placed = wait_for(lambda: get(api, f"/api/v1/namespaces/{ns}/pods/plain")["spec"].get("nodeName"))
    assert placed != realnode.NODE_NAME


def test_nginx_pod_serves_http_exec_and_logs(real, api, ns):
    obj = create_ready(api, ns, pod("web"))
    ip = obj["status"]["podIP"]
    assert ip.startswith("10.244.255.")
    with urllib.request.urlopen(f"http://{ip}/", timeout=10) as response:
        assert b"Welcome to nginx!" in response.read()
    out = kubectl(real, "-n", ns, "exec", "web", "--", "cat", "/etc/nginx/conf.d/default.conf")
    assert "listen" in out.stdout, out.stderr
    logs = kubectl(real, "-n", ns, "logs", "web")
    assert "GET / HTTP/1.1" in logs.stdout, logs.stderr


def test_latest_tags_pull_from_the_loopback_mirror(api, ns):
    """`:latest` means imagePullPolicy Always: the pull goes to our registry on 127.0.0.1 and succeeds."""
    obj = create_ready(api, ns, pod("always", image="nginx:latest"))
    assert obj["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_memory_limit_oom_kills(api, ns):
    hog = pod("hog", container={"command": ["sh", "-c", "x=a; while true; do x=$x$x; done"],
                                "resources": {"limits": {"memory": "64Mi"}}}, restartPolicy="Never")
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods", body=hog)

    def terminated():
        statuses = get(api, f"/api/v1/namespaces/{ns}/pods/hog")["status"].get("containerStatuses") or []
        state = statuses[0]["state"].get("terminated") if statuses else None
        return state

    state = wait_for(terminated, timeout=90, what="the hog to be killed")
    assert state["reason"] == "OOMKilled" and state["exitCode"] == 137


def test_status_and_doctor_show_the_node(real):
    details = real.status().details["real_node"]
    assert details["name"] == realnode.NODE_NAME and details["running"]
    assert details["data_plane"] and details["dns"] and details["storage"]
    assert [f.id for f in real.findings(None)] == ["real-node"]


def test_pods_resolve_services_and_reach_the_api_server(real, api, ns):
    """The `kubernetes` Service through kube-proxy and the relay; names through CoreDNS behind kube-dns."""
    create_ready(api, ns, pod("client"))
    out = kubectl(real, "-n", ns, "exec", "client", "--", "getent", "hosts", "kubernetes.default.svc.cluster.local")
    assert "10.96.0.1" in out.stdout, out.stderr
    probe = "exec 3<>/dev/tcp/10.96.0.1/443 && echo open"
    out = kubectl(real, "-n", ns, "exec", "client", "--", "bash", "-c", probe)
    assert "open" in out.stdout, out.stderr


def test_pods_have_no_route_off_the_machine(real, api, ns):
    create_ready(api, ns, pod("island"))
    out = kubectl(real, "-n", ns, "exec", "island", "--", "cat", "/proc/net/route")
    routes = [line.split() for line in out.stdout.splitlines()[1:]]
    assert routes and all(r[1] != "00000000" for r in routes), out.stdout  # no default route


def test_quick_benchmark_runs(real):
    from tests.benchmarks import real_node as bench

    times = bench.pod_latencies(real, count=1)
    assert len(times) == 1 and times[0] > 0
    assert bench.cluster_rss(real)["kubelet"] > 0


def test_without_root_the_cluster_starts_kwok_only(tmp_path, monkeypatch):
    """Simulated: not root. The reason and its fix are said, and the cluster runs with no data plane."""
    from clusters.embedded.components import COMPONENTS

    if not all(c.cached() for c in COMPONENTS):
        pytest.skip("the control plane binaries are not built")
    monkeypatch.setattr(realnode.os, "geteuid", lambda: 1000)
    backend = EmbeddedBackend(home=tmp_path / "embedded", merge_kubeconfig=False, real_nodes=1)
    lines: list[str] = []
    backend.start(nodes=1, progress=lines.append)
    try:
        assert any("needs root" in line and "sudo kubelab up" in line for line in lines), lines
        api = backend.connection().api_client()
        try:
            assert not backend.capabilities(api).data_plane
        finally:
            api.close()
        assert backend.status().details.get("real_node") is None
    finally:
        backend.stop()


def test_a_data_plane_lab_runs_on_the_real_node_as_taught(real, api):
    """`kubelab start`/solve of lab 02-pods: its namespace sends the pods to the real node (no manifest
    change), and its data-plane check passes against real nginx."""
    from checkers import actions
    from checkers.lab import find_lab
    from checkers.runner import run_lab

    lab = find_lab("02-pods")
    try:
        actions.solve(lab, real.connection(), lab.namespace)
        wait_for(lambda: all(condition(p, "Ready") == "True" for p in _pods(api, lab.namespace)) and
                 _pods(api, lab.namespace), timeout=90, what="lab 02's pods Ready")
        assert {p["spec"]["nodeName"] for p in _pods(api, lab.namespace)} == {realnode.NODE_NAME}
        result = run_lab(lab, api, lab.namespace, real.capabilities(api), only=["web-pod-serves-http"])
        assert [r.outcome.status for r in result.results] == ["pass"], result.results
    finally:
        request(api, "DELETE", f"/api/v1/namespaces/{lab.namespace}")


# -- the labs' data-plane checks against real servers -------------------------------------------------
# Labs whose every image the real node has (tests/test_real_node.py's closing note in docs/architecture.md lists
# the others and why). Their solution must pass every data-plane check for real, and each fault aimed at a
# data-plane check must trip exactly it.
REAL_LABS = ("00-welcome", "01-containers", "02-pods", "04-rollouts", "04a-probes", "05-services",
             "06-dns-external", "08-config-secrets", "09-volumes", "12-ftps")


def _real_lab(lab_id: str):
    from checkers.lab import find_lab

    return find_lab(lab_id)


def _data_plane_checks(lab) -> set[str]:
    return {c.id for c in lab.checks if c.needs.get("data_plane")}


def _data_plane_faults():
    return [pytest.param(lab_id, fault.name, id=f"{lab_id}:{fault.name}") for lab_id in REAL_LABS
            for fault in _real_lab(lab_id).faults if fault.trips in _data_plane_checks(_real_lab(lab_id))]


# Labs served by Traefik (07-ingress, 15-canary): every check, data plane included, runs for real when the
# Traefik binary is cached; it is built only on demand (`python -m clusters.embedded.binaries --gateway`, many
# minutes), never by the tests.
GATEWAY_LABS = ("07-ingress", "15-canary")


def _why_no_gateway() -> str:
    from clusters.embedded.components import TRAEFIK

    if not TRAEFIK.cached():
        return "Traefik is not built: run `python -m clusters.embedded.binaries --gateway` (many minutes)"
    if not images.cached(images.RECIPES["http-echo"]):
        return "the http-echo image is not built: run `kubelab images build http-echo`"
    return ""


NEEDS_GATEWAY = pytest.mark.skipif(bool(_why_no_gateway()), reason=_why_no_gateway() or "-")


@pytest.fixture
def gateway_ns(api, request):
    """A fresh namespace for a Traefik lab, deleted and waited for afterwards: the labs' host names are the same
    in every namespace, so a namespace still being deleted would answer the next test's requests."""
    from clusters.api import ApiNotFound
    from clusters.api import request as send

    name = create_namespace(api, request.node.name)
    yield name
    path = f"/api/v1/namespaces/{name}"
    send(api, "DELETE", path)

    def gone():
        try:
            get(api, path)
        except ApiNotFound:
            return True
        return False

    wait_for(gone, timeout=180, what=f"namespace {name} deleted")


def _gateway_faults():
    return [pytest.param(lab_id, fault.name, id=f"{lab_id}:{fault.name}", marks=NEEDS_GATEWAY)
            for lab_id in GATEWAY_LABS for fault in _real_lab(lab_id).faults
            if fault.trips in _data_plane_checks(_real_lab(lab_id))]


@pytest.fixture
def reader(real, api):
    from tests.conftest import READER_RULES
    from tests.helpers import service_account_client

    client = service_account_client(api, "kubelab-real-reader", READER_RULES)
    yield client
    client.close()


def _grade(real, reader, lab, namespace: str) -> dict[str, str]:
    from checkers.runner import run_lab

    result = run_lab(lab, reader, namespace, real.capabilities(reader))
    doc = result.as_dict("en")
    return {c["id"]: f"{c['status']}: {c['message']}" for c in doc["checks"]}


def _clean_up(api, namespace: str) -> None:
    """What outlives the namespace's deletion: Services now (their nodePorts are the cluster's, and 12-ftps fixes
    30030-30034, which the next test's Services ask for again), hostPath folders on the host."""
    for service in get(api, f"/api/v1/namespaces/{namespace}/services")["items"]:
        request(api, "DELETE", f"/api/v1/namespaces/{namespace}/services/{service['metadata']['name']}")
    _remove_lesson_host_paths(namespace)


def _remove_lesson_host_paths(namespace: str) -> None:
    """09-volumes teaches PersistentVolumes made by hand as hostPaths under /data/kubelab/<namespace> (minikube's
    persistent folder); on the real node they are the host's: remove what the test made."""
    import shutil

    shutil.rmtree(f"/data/kubelab/{namespace}", ignore_errors=True)
    for folder in (Path("/data/kubelab"), Path("/data")):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@pytest.fixture(scope="module")
def own_image(real, tmp_path_factory) -> str:
    """Lab 01's image, as its lesson makes it: the cell that writes `hello/`, then `kubelab images build-context`
    (buildah on the course's nginx image) into the real node. '' when it was built, else why not."""
    from checkers.l10n import lesson_cells
    from clusters.embedded import builder

    if builder.missing():
        return builder.missing()
    work = tmp_path_factory.mktemp("lab01")
    cell = next(c for c in lesson_cells(_real_lab("01-containers")) if c.metadata["key"] == "write-dockerfile")
    script = cell.source.removeprefix("%%bash\n")
    subprocess.run(["bash", "-c", script], cwd=work, check=True, capture_output=True, timeout=30)
    done = subprocess.run([str(Path(sys.executable).parent / "kubelab"), "images", "build-context", "-t",
                           "kubelab.local/hello:1.0", "hello"], cwd=work, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "KUBELAB_STATE": str(real.home.parent)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kubelab.local/hello:1.0" in images.image_digests(realnode.node_dir(real.home))
    return ""


# 16-capstone for real: the lesson's cell builds every image the embedded cluster can make from the course's
# Dockerfiles (Grafana and Telegraf have no base here: images.UNAVAILABLE), the solution's own steps bring up the
# rest of the stack and do both crash tests. No load balancer gives the Services an external IP (they answer on
# their node ports), so the FTPS transfer and the shared IP are not among the checks proven here.
CAPSTONE_UNBUILT = ("capstone-grafana", "capstone-telegraf")
CAPSTONE_PROVEN = ("http-redirects-to-https", "wordpress-redirect", "phpmyadmin-proxied", "nginx-answers-ssh",
                   "process-restarted", "database-pod-replaced", "data-survives-restart")
CAPSTONE_NOT_HERE = {"ftps-login": "no load balancer gives its Service an external IP",
                     "grafana-reads-influxdb": "no Grafana image can be made here"}
# Its faults aimed at those checks, each applied over the solution on the running stack, in an order that spares
# restarts: those that change only nginx's Service or configuration first, the one whose pod takes its whole grace
# period to stop (its PID 1 ignores SIGTERM) last.
CAPSTONE_FAULTS = ("nginx-no-ssh", "nginx-no-redirect", "wordpress-redirect-permanent", "phpmyadmin-prefix-kept",
                   "mysql-emptydir", "nginx-behind-shell")


@pytest.fixture(scope="module")
def capstone_images(real, tmp_path_factory) -> str:
    """The lesson's cells: the course's Dockerfiles copied beside the notebook, then built into the real node with
    `kubelab images build-context` (nginx's installs its SSH server with apt). '' when built, else why not."""
    import shutil

    from checkers.l10n import lesson_cells
    from clusters.embedded import builder

    if builder.missing():
        return builder.missing()
    lab = _real_lab("16-capstone")
    work = tmp_path_factory.mktemp("lab16")
    shutil.copytree(lab.path / "images", work / "capstone-images")  # what the cell `copy-dockerfiles` does
    cell = next(c for c in lesson_cells(lab) if c.metadata["key"] == "build-images-embedded-run")
    env = {**os.environ, "KUBELAB_STATE": str(real.home.parent),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-e", "-c", cell.source.removeprefix("%%bash\n")], cwd=work, capture_output=True,
                          text=True, timeout=1800, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return ""


@pytest.mark.timeout(2400)
def test_capstone_built_from_its_dockerfiles_passes_its_data_plane_checks_for_real(real, api, reader, ns,
                                                                                   capstone_images):
    """nginx answers SSH, redirects and proxies; a killed nginx comes back; WordPress keeps its post when the
    database pod is replaced. Then each fault of CAPSTONE_FAULTS trips its check alone among these."""
    from checkers import actions
    from checkers.scripts import load_module

    if capstone_images:
        pytest.skip(capstone_images)
    lab = _real_lab("16-capstone")
    steps = load_module(lab.path / "solution" / "steps.py")
    kubectl = actions.Kubectl(real.connection(), ns, cwd=lab.path / "solution")
    running = [d for d in steps.DEPLOYMENTS if d not in CAPSTONE_UNBUILT]
    try:
        actions.start(lab, real.connection(), ns)
        steps.prepare(kubectl)
        steps.apply_and_wait(kubectl, wait_for=running)
        steps.exercises(kubectl)
        steps.restart_database(kubectl)
        grades = _grade(real, reader, lab, ns)
        assert all(grades[c].startswith("pass") for c in CAPSTONE_PROVEN), _explained(grades)
        for fault in (next(f for f in lab.faults if f.name == name) for name in CAPSTONE_FAULTS):
            kubectl("apply", "-f", ".")  # the solution again, then the fault's files over it
            for manifest in sorted(fault.path.glob("*.yaml")):
                if manifest.name != "fault.yaml":
                    kubectl("apply", "-f", str(manifest))
            _fresh_nginx(kubectl)
            for name in running:
                kubectl("rollout", "status", f"deployment/{name}", "--timeout=170s")
            steps.exercises(kubectl)
            grades = _grade(real, reader, lab, ns)
            failing = [c for c in CAPSTONE_PROVEN if not grades[c].startswith("pass")]
            assert failing == [fault.trips], f"{fault.name}:\n{_explained(grades)}"
    finally:
        _clean_up(api, ns)


def test_every_data_plane_check_of_the_capstone_is_proven_with_a_fault_but_where_images_or_ips_lack():
    lab = _real_lab("16-capstone")
    faults = {f.name: f.trips for f in lab.faults}
    assert {faults[name] for name in CAPSTONE_FAULTS} == _data_plane_checks(lab) - set(CAPSTONE_NOT_HERE)
    assert set(CAPSTONE_PROVEN) == {faults[name] for name in CAPSTONE_FAULTS} | {"database-pod-replaced"}


def _explained(grades: dict[str, str]) -> str:
    return "\n".join(f"  {k}: {v}" for k, v in grades.items())


def _fresh_nginx(kubectl) -> None:
    """A new nginx pod, which reads the configuration now applied (nginx reads it when it starts), once the old
    one is gone (the crash test must kill the new one)."""
    old = kubectl("get", "pods", "-l", "app=capstone-nginx", "-o", "name").split()
    kubectl("rollout", "restart", "deployment/capstone-nginx")
    kubectl("rollout", "status", "deployment/capstone-nginx", "--timeout=120s")
    if old:
        kubectl("wait", "--for=delete", *old, "--timeout=90s")


def _needs_images(request, lab_id: str) -> None:
    if lab_id == "01-containers":
        reason = request.getfixturevalue("own_image")
        if reason:
            pytest.skip(reason)


@pytest.mark.parametrize("lab_id", REAL_LABS)
def test_lab_solution_passes_its_data_plane_checks_for_real(real, api, reader, lab_id, ns, request):
    from checkers import actions

    _needs_images(request, lab_id)
    lab = _real_lab(lab_id)
    try:
        actions.solve(lab, real.connection(), ns)
        grades = _grade(real, reader, lab, ns)
    finally:
        _clean_up(api, ns)
    explained = _explained(grades)
    for check_id in _data_plane_checks(lab):
        if not real.capabilities(reader).missing(next(c.needs for c in lab.checks if c.id == check_id)):
            assert grades[check_id].startswith("pass"), explained
    assert all(g.startswith(("pass", "skip")) for g in grades.values()), explained


@pytest.mark.parametrize(("lab_id", "fault_name"), _data_plane_faults())
def test_data_plane_fault_trips_exactly_its_check(real, api, reader, lab_id, fault_name, ns, request):
    from checkers import actions

    _needs_images(request, lab_id)
    lab = _real_lab(lab_id)
    fault = next(f for f in lab.faults if f.name == fault_name)
    try:
        actions.apply_fault(lab, fault, real.connection(), ns)
        grades = _grade(real, reader, lab, ns)
    finally:
        _clean_up(api, ns)
    failing = [k for k, v in grades.items() if v.startswith("fail")]
    assert failing == [fault.trips], _explained(grades)


def test_node_nft_shows_kube_proxys_rules_for_a_service(real, api, ns):
    """05-services' cell: `kubelab node nft SERVICE -n NS` prints the Service's map element and chain, whose
    random draw (numgen) leads to each ready Pod's address."""
    def backend(i: int) -> str:
        manifest = pod(f"backend-{i}", container={"ports": [{"containerPort": 80}]})
        manifest["metadata"]["labels"]["role"] = "shop"
        return create_ready(api, ns, manifest)["status"]["podIP"]

    ips = [backend(i) for i in range(2)]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "shop"},
               "spec": {"selector": {"role": "shop"}, "ports": [{"name": "http", "port": 80, "targetPort": 80}]}}
    cluster_ip = request(api, "POST", f"/api/v1/namespaces/{ns}/services", body=service)["spec"]["clusterIP"]
    env = {**os.environ, "KUBELAB_STATE": str(real.home.parent)}

    def rules():
        done = subprocess.run([str(Path(sys.executable).parent / "kubelab"), "node", "nft", "shop", "-n", ns],
                              capture_output=True, text=True, timeout=60, env=env)
        return done.stdout if done.returncode == 0 and all(ip in done.stdout for ip in ips) else None

    out = wait_for(rules, timeout=30, what="kube-proxy's rules for the Service")
    assert f"{cluster_ip} . tcp . 80 : goto service-" in out and f"{ns}/shop/tcp/http" in out, out
    assert "numgen random mod 2" in out, out
    assert "kube-dns" not in out, out
    missing = subprocess.run([str(Path(sys.executable).parent / "kubelab"), "node", "nft", "nothing", "-n", ns],
                             capture_output=True, text=True, timeout=60, env=env)
    assert missing.returncode == 2 and "kubectl get services" in missing.stdout + missing.stderr


def test_rollout_pods_are_told_apart_by_the_tag_their_image_stands_in_for(real, api, reader, ns):
    """Every nginx tag is Debian's nginx on the real node: 04-rollouts' pods-serve-old-version reads which tag the
    answering pod's image declares. Left on 1.30 (not rolled back), the check fails along with rolled-back."""
    from checkers import actions

    lab = _real_lab("04-rollouts")
    actions.apply_fault(lab, next(f for f in lab.faults if f.name == "not-rolled-back"), real.connection(), ns)
    grades = _grade(real, reader, lab, ns)
    failing = sorted(k for k, v in grades.items() if v.startswith("fail"))
    assert failing == ["pods-serve-old-version", "rolled-back"], grades


def test_default_class_keeps_data_on_the_node_disk(real, api, ns):
    """A claim naming no class is provisioned by local-path-provisioner under the cluster's state folder; what a
    pod wrote there is read back by the next pod."""
    from clusters.embedded import storage

    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Mi"}}}}
    request(api, "POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", body=claim)
    mount = {"volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    volumes = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    writer = pod("writer", image="busybox:1.37", restartPolicy="Never", volumes=volumes,
                 container={"command": ["sh", "-c", "echo kept > /data/proof"], **mount})
    request(api, "POST", f"/api/v1/namespaces/{ns}/pods", body=writer)
    wait_for(lambda: get(api, f"/api/v1/namespaces/{ns}/pods/writer")["status"].get("phase") == "Succeeded",
             timeout=90, what="the writer to finish")
    bound = get(api, f"/api/v1/namespaces/{ns}/persistentvolumeclaims/data")
    assert bound["status"]["phase"] == "Bound"
    volume = get(api, f"/api/v1/persistentvolumes/{bound['spec']['volumeName']}")
    path = Path(volume["spec"]["hostPath"]["path"])
    assert path.parent == storage.volumes_dir(real.home) and (path / "proof").read_text() == "kept\n"
    reader_pod = pod("reader", image="busybox:1.37", volumes=volumes,
                     container={"command": ["sh", "-c", "cat /data/proof && sleep 3600"], **mount})
    create_ready(api, ns, reader_pod)
    assert kubectl(real, "-n", ns, "logs", "reader").stdout == "kept\n"


def _monitoring_influxdb(real, api, ns: str, folder: Path) -> dict:
    """13-monitoring started, and only its InfluxDB applied from ``folder`` (Telegraf and Grafana have no image on
    the real node); returns InfluxDB's ready pod."""
    from checkers import actions

    actions.start(_real_lab("13-monitoring"), real.connection(), ns)
    applied = kubectl(real, "-n", ns, "apply", "-f", str(folder / "influxdb.yaml"))
    assert applied.returncode == 0, applied.stderr
    return wait_for(lambda: next((p for p in _pods(api, ns) if condition(p, "Ready") == "True"), None), timeout=120,
                    what="InfluxDB's pod Ready")


def _monitoring_checks(real, reader, ns: str, *check_ids: str) -> dict[str, str]:
    from checkers.runner import run_lab

    result = run_lab(_real_lab("13-monitoring"), reader, ns, real.capabilities(reader), only=list(check_ids))
    return {c["id"]: f"{c['status']}: {c['message']}" for c in result.as_dict("en")["checks"]}


def test_monitoring_influxdb_checks_for_real(real, reader, api, ns):
    """13-monitoring's InfluxDB on the real node: its claim (no class written) is provisioned by the default class,
    it refuses anonymous queries, and a point written as Telegraf would outlives the pod."""
    from checkers.semantics import decoded

    lab = _real_lab("13-monitoring")
    pod_ip = _monitoring_influxdb(real, api, ns, lab.path / "solution")["status"]["podIP"]
    claims = get(api, f"/api/v1/namespaces/{ns}/persistentvolumeclaims")["items"]
    assert claims and all(c["status"].get("phase") == "Bound" for c in claims)
    grades = _monitoring_checks(real, reader, ns, "influxdb-data-on-claim", "influx-requires-login")
    assert all(g.startswith("pass") for g in grades.values()), grades
    secret = get(api, f"/api/v1/namespaces/{ns}/secrets/monitoring-influxdb-credentials")
    query = urllib.parse.urlencode({"db": "telegraf", "u": decoded(secret, "INFLUXDB_USER"),
                                    "p": decoded(secret, "INFLUXDB_USER_PASSWORD"), "precision": "s"})
    point = f"cpu,host=kubelab-test usage_idle=97.5 {int(time.time())}".encode()  # what Telegraf would write
    with urllib.request.urlopen(f"http://{pod_ip}:8086/write?{query}", data=point, timeout=10) as response:
        assert response.status == 204
    grades = _monitoring_checks(real, reader, ns, "data-survives-restart")
    assert grades["data-survives-restart"].startswith("fail"), grades  # no restart yet: nothing proven
    time.sleep(6)  # the next pod must start later than the check's clock margin (SURVIVAL_MARGIN, 5 s)
    request(api, "DELETE", f"/api/v1/namespaces/{ns}/pods", query={"labelSelector": "app=monitoring-influxdb"})
    wait_for(lambda: any(p["status"].get("podIP") not in (None, pod_ip) and condition(p, "Ready") == "True"
                         for p in _pods(api, ns)), timeout=120, what="a new InfluxDB pod Ready")
    grades = _monitoring_checks(real, reader, ns, "data-survives-restart")
    assert grades["data-survives-restart"].startswith("pass"), grades


def test_monitoring_influxdb_without_auth_trips_only_its_check(real, reader, api, ns):
    lab = _real_lab("13-monitoring")
    _monitoring_influxdb(real, api, ns, lab.path / "faults" / "influxdb-auth-off")
    grades = _monitoring_checks(real, reader, ns, "influxdb-data-on-claim", "influx-requires-login")
    assert grades["influxdb-data-on-claim"].startswith("pass") and grades["influx-requires-login"].startswith("fail")


def _built(*recipes: str) -> None:
    missing = [r for r in recipes if not images.cached(images.RECIPES[r])]
    if missing:
        pytest.skip(f"images not built: run `kubelab images build {' '.join(missing)}`")


def _database_pod(api, ns: str, password: str) -> str:
    """A mysql:8.4 pod (MariaDB stand-in) told by the official image's variables; returns its address."""
    env = [{"name": k, "value": v} for k, v in (("MYSQL_ROOT_PASSWORD", f"root-{password}"),
                                               ("MYSQL_DATABASE", "shop"), ("MYSQL_USER", "app"),
                                               ("MYSQL_PASSWORD", password))]
    db = pod("db", image="mysql:8.4", container={"env": env, "readinessProbe": {"tcpSocket": {"port": 3306}}})
    return create_ready(api, ns, db, timeout=180)["status"]["podIP"]


def test_mysql_stand_in_honours_the_official_image_settings(real, api, ns):
    """MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER/MYSQL_PASSWORD: the user reaches its database over TCP with
    its password and no other; root has the root password."""
    _built("mariadb")
    ip = _database_pod(api, ns, "s3cret'pw")
    sql = "CREATE TABLE t (x INT); INSERT INTO t VALUES (42); SELECT x FROM t"
    out = kubectl(real, "-n", ns, "exec", "db", "--", "mariadb", f"-h{ip}", "-uapp", "-ps3cret'pw", "shop", "-e", sql)
    assert out.returncode == 0 and "42" in out.stdout, out.stderr
    wrong = kubectl(real, "-n", ns, "exec", "db", "--", "mariadb", f"-h{ip}", "-uapp", "-pwrong", "shop", "-e", "SELECT 1")
    assert wrong.returncode != 0 and "Access denied" in wrong.stderr
    root = kubectl(real, "-n", ns, "exec", "db", "--", "mariadb", f"-h{ip}", "-uroot", "-proot-s3cret'pw", "-e",
                   "SHOW DATABASES")
    assert "shop" in root.stdout, root.stderr


def test_wordpress_and_phpmyadmin_stand_ins_use_their_settings(real, api, ns):
    """WordPress (WORDPRESS_DB_*) reaches the database: it answers with its installer, not its database error;
    phpMyAdmin (PMA_HOST) serves its login page."""
    _built("mariadb", "wordpress", "phpmyadmin")
    db = _database_pod(api, ns, "wp-pass")
    env = [{"name": k, "value": v} for k, v in (("WORDPRESS_DB_HOST", db), ("WORDPRESS_DB_USER", "app"),
                                               ("WORDPRESS_DB_PASSWORD", "wp-pass"), ("WORDPRESS_DB_NAME", "shop"))]
    web = create_ready(api, ns, pod("wp", image="wordpress:7.0-apache", container={"env": env}))["status"]["podIP"]
    answer = wait_for(lambda: _get(f"http://{web}/wp-admin/install.php"), timeout=60, what="WordPress answering")
    assert answer[0] == 200 and b"WordPress" in answer[1] and b"database connection" not in answer[1], answer
    admin = create_ready(api, ns, pod("pma", image="phpmyadmin:5.2-apache",
                                      container={"env": [{"name": "PMA_HOST", "value": db}]}))["status"]["podIP"]
    answer = wait_for(lambda: _get(f"http://{admin}/"), timeout=60, what="phpMyAdmin answering")
    assert answer[0] == 200 and b"phpMyAdmin" in answer[1], answer


def _get(url: str) -> tuple[int, bytes] | None:
    """(status, body), or None while nothing listens yet."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return None


def _pods(api, namespace: str) -> list[dict]:
    return get(api, f"/api/v1/namespaces/{namespace}/pods")["items"]


def test_metrics_server_serves_kubectl_top(real, api, ns):
    """metrics-server scrapes the real node's kubelet only (KWOK nodes have none): the APIService is Available,
    the cluster has the metrics capability, and `kubectl top` shows a pod's CPU and memory."""
    create_ready(api, ns, pod("top-me"))
    assert real.capabilities(api).metrics
    service = get(api, "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io")
    assert condition(service, "Available") == "True"

    def top():
        done = kubectl(real, "top", "pod", "top-me", f"--namespace={ns}", "--no-headers")
        return done.stdout if done.returncode == 0 else None

    line = wait_for(top, timeout=90, what="kubectl top pod")
    assert line.split()[0] == "top-me" and line.split()[1].endswith("m")
    nodes = kubectl(real, "top", "nodes", "--no-headers").stdout.split()
    assert realnode.NODE_NAME in nodes


def test_autoscaling_lab_scales_on_the_real_node(real, api):
    """Lab 10a's solution on the real node: load from a pod makes the HPA, reading real CPU metrics, add pods;
    every check passes. Its no-load fault trips only the scaling check."""
    from checkers import actions
    from checkers.lab import find_lab
    from checkers.runner import run_lab

    lab = find_lab("10a-autoscaling")
    caps = real.capabilities(api)
    for variant in (None, *lab.faults):
        ns = create_namespace(api, f"autoscaling-{variant.name if variant else 'solution'}")
        try:
            if variant is None:
                actions.solve(lab, real.connection(), ns)
            else:
                actions.apply_fault(lab, variant, real.connection(), ns)
            result = run_lab(lab, api, ns, caps)
            statuses = {r.check.id: r.outcome.status for r in result.results}
            explain = {r.check.id: r.outcome for r in result.results}
            if variant is None:
                assert set(statuses.values()) == {"pass"}, explain
            else:
                assert [c for c, s in statuses.items() if s != "pass"] == [variant.trips], (variant.name, explain)
        finally:
            request(api, "DELETE", f"/api/v1/namespaces/{ns}")


def test_a_killed_run_is_cleaned_by_the_next_up(real):
    """SIGKILL every process of the cluster and its node (containers keep running under their shims): the next
    `up` cleans all of it and starts again; the module's teardown then proves `down` leaves the host as found."""
    procs = [r.process() for r in real._processes(real._state()) + realnode.processes(real.home)]
    for proc in filter(None, procs):
        proc.kill()
    psutil.wait_procs(list(filter(None, procs)), timeout=10)
    assert not real.status().running
    real.start(nodes=2)
    details = real.status().details["real_node"]
    assert details and details["running"]
    api = real.connection().api_client()
    try:
        wait_for(lambda: real.capabilities(api).data_plane, what="the data plane after a restart")
    finally:
        api.close()


# -- without a cluster --------------------------------------------------------------------------------
def test_image_names_are_qualified_like_containerd_does():
    assert images.qualified("nginx:1.30") == "docker.io/library/nginx:1.30"
    assert images.qualified("delfer/alpine-ftp-server:latest") == "docker.io/delfer/alpine-ftp-server:latest"
    assert images.qualified("registry.k8s.io/pause:3.10") == "registry.k8s.io/pause:3.10"


def test_every_lab_image_name_is_known_or_listed_unavailable():
    """Each image the labs use has a recipe here, or is one we cannot build (the checks needing it skip)."""
    import re

    used = set()
    for manifest in Path(__file__).resolve().parents[1].glob("labs/*/**/*.yaml"):
        used |= set(re.findall(r"image:\s*[\"']?([\w./:-]+)", manifest.read_text()))
    known = {name for recipe in images.RECIPES.values() for name in recipe.names}
    assert {"nginx:1.30", "influxdb:1.12.3", "delfer/alpine-ftp-server:latest"} <= known
    assert used & known


def test_one_real_node_by_default_unless_told(monkeypatch):
    monkeypatch.delenv("KUBELAB_REAL_NODES", raising=False)
    assert realnode.wanted(None) == 1 and realnode.wanted(0) == 0
    monkeypatch.setenv("KUBELAB_REAL_NODES", "0")
    assert realnode.wanted(None) == 0 and realnode.wanted(1) == 1


def test_every_catalog_image_has_a_recipe_or_a_reason():
    """labs/images.yaml, exactly as the labs write each reference (tag or digest), against the node's recipes."""
    from clusters.files import load_yaml

    path = Path(__file__).resolve().parents[1] / "labs" / "images.yaml"
    catalog = load_yaml(path.read_text())["images"]
    known = {name for recipe in images.RECIPES.values() for name in recipe.all_names}
    learners = images.learner_built(path)  # an image the learner builds ("build:") is theirs, not a recipe's
    for entry in catalog:
        ref = f"{entry['image']}@{entry['digest']}" if "digest" in entry else f"{entry['image']}:{entry['tag']}"
        assert ref in known or entry["image"] in images.UNAVAILABLE or ref in learners.get(entry["image"], {}).get(
            "names", ()), ref


NFT_TABLE = """table ip kube-proxy {
	comment "rules for kube-proxy"
	set cluster-ips {
		type ipv4_addr
		elements = { 10.96.0.1, 10.96.0.10 }
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.96.0.10 . tcp . 53 : goto service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp,
			     10.96.0.1 . tcp . 443 : goto service-2QRHZV4L-default/kubernetes/tcp/https }
	}

	chain service-2QRHZV4L-default/kubernetes/tcp/https {
		meta l4proto tcp dnat ip to numgen random mod 1 map { 0 : 10.244.255.1 . 58793 }
	}

	chain service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp {
		meta l4proto tcp dnat ip to numgen random mod 1 map { 0 : 10.244.255.1 . 53 }
	}
}
"""


def test_one_services_rules_are_cut_from_kube_proxys_table():
    from clusters.embedded import proxyrules

    out = proxyrules.for_service(NFT_TABLE, "default", "kubernetes")
    assert out.startswith("table ip kube-proxy {\n") and out.endswith("}\n")
    assert "10.96.0.1 . tcp . 443 : goto service-2QRHZV4L-default/kubernetes/tcp/https }" in out
    assert "chain service-2QRHZV4L-default/kubernetes/tcp/https {" in out and "numgen random mod 1" in out
    assert "kube-dns" not in out and "cluster-ips" not in out
    assert proxyrules.for_service(NFT_TABLE, "default", "kube") == ""


def test_own_image_input_is_checked_before_building(tmp_path):
    """Bad tags, a folder without a Dockerfile and FROM lines naming no course image are refused (exit 2)."""
    from clusters.embedded import builder
    from clusters.errors import UsageError

    for good in ("kubelab.local/hello:1.0", "hello:1.0", "localhost:5000/a/b:v1.2-rc"):
        assert builder.check_tag(good) == good
    for bad in ("kubelab.local/hello", "Hello:1.0", "hello:", "a b:1", "hello:1.0:2"):
        with pytest.raises(UsageError):
            builder.check_tag(bad)
    with pytest.raises(UsageError, match="No Dockerfile"):
        builder.dockerfile(tmp_path)
    text = "FROM nginx:1.30-alpine AS base\nfrom base\nFROM --platform=linux/amd64 busybox:1.37\nFROM scratch\n"
    assert builder.bases(text) == ["nginx:1.30-alpine", "busybox:1.37"]
    assert builder.recipe_for("docker.io/library/nginx:1.30-alpine").key == "nginx"
    with pytest.raises(UsageError, match="nginx:1.30"):
        builder.recipe_for("alpine:3.20")


def test_pod_network_has_no_default_route_and_no_masquerade(tmp_path):
    from clusters.embedded import containerd

    network = containerd.cni_network(tmp_path, "10.96.0.0/16")
    bridge = network["plugins"][0]
    assert not bridge["ipMasq"] and not bridge["isDefaultGateway"] and not bridge["isGateway"]
    routes = bridge["ipam"]["routes"]
    assert {"dst": "0.0.0.0/0"} not in routes and all(r["dst"] != "0.0.0.0/0" for r in routes)
    assert str(tmp_path) in bridge["ipam"]["dataDir"]


def test_pause_archive_is_a_one_layer_oci_image(tmp_path, monkeypatch):
    import shutil
    import tarfile

    from clusters.embedded.components import PAUSE

    if not PAUSE.cached():
        pytest.skip("the pause program is not built (needs Go)")
    built = PAUSE.bin_dir() / "pause"
    monkeypatch.setenv("KUBELAB_CACHE", str(tmp_path))  # a private cache holding only the pause program
    PAUSE.bin_dir().mkdir(parents=True)
    shutil.copy(built, PAUSE.bin_dir())
    entry = images.build(images.RECIPES["pause"])
    with tarfile.open(entry["archive"]) as tar:
        index = json.loads(tar.extractfile("index.json").read())
        assert index["manifests"][0]["annotations"]["io.containerd.image.name"] == "registry.k8s.io/pause:3.10"
        manifest = json.loads(tar.extractfile(f"blobs/sha256/{entry['digest'].split(':')[1]}").read())
        assert len(manifest["layers"]) == 1
    assert Path(entry["archive"]).name == f"{entry['digest'].split(':')[1]}.tar"  # content-addressed
    assert images.cached(images.RECIPES["pause"]) == entry



def test_the_busybox_image_wget_honours_its_timeout(tmp_path):
    """`wget -T` in the busybox stand-in: a page from a loopback server, and a clear time-out from a server that
    never answers (bookworm's busybox crashed on -T). Runs the built image's root filesystem in a chroot."""
    import functools
    import socket
    import tarfile
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    entry = images.cached(images.RECIPES["busybox"])
    if entry is None or os.geteuid() != 0:
        pytest.skip("needs the busybox image (`kubelab images build busybox`) and root for chroot")
    layer, root = tmp_path / "layer.tar", tmp_path / "root"
    images._extract_layer(entry["archive"], entry["digest"], 0, layer)
    with tarfile.open(layer) as tar:
        tar.extractall(root, filter="fully_trusted")
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("hello from loopback\n")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server, socket.socket() as silent:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never answers

        def wget(port):
            return subprocess.run(["chroot", str(root), "/usr/local/bin/wget", "-T", "1", "-q", "-O", "-",
                                   f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=60,
                                  check=False)
        answered, stalled = wget(server.server_address[1]), wget(silent.getsockname()[1])
        server.shutdown()
    assert answered.returncode == 0 and answered.stdout == "hello from loopback\n", answered
    assert stalled.returncode == 1 and "timed out" in stalled.stderr, stalled

# -- the Traefik labs, for real ------------------------------------------------------------------------
def _settled(real, reader, lab, namespace: str, besides: str = "") -> dict[str, str]:
    """The grades once every check but ``besides`` passes (pods ready, Traefik programmed): the checks only read,
    and a request sent before Traefik has the route gets a 404 that is no verdict yet."""
    seen: dict[str, str] = {}

    def settled():
        seen.clear()
        seen.update(_grade(real, reader, lab, namespace))
        return all(v.startswith("pass") for k, v in seen.items() if k != besides)

    try:
        wait_for(settled, timeout=180, interval=2, what=f"{lab.id}'s checks to settle")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{_explained(seen)}") from None
    return dict(seen)


@NEEDS_GATEWAY
@pytest.mark.parametrize("lab_id", GATEWAY_LABS)
def test_gateway_lab_solution_passes_every_check_for_real(real, reader, lab_id, gateway_ns):
    """Traefik on the real node takes the Ingress and the Gateway, and answers each request from the right
    pods; 15-canary's split of 400 requests falls within its binomial bound."""
    from checkers import actions

    lab = _real_lab(lab_id)
    caps = real.capabilities(reader)
    assert caps.data_plane and caps.gateway and caps.ingress, caps
    actions.solve(lab, real.connection(), gateway_ns)
    grades = _settled(real, reader, lab, gateway_ns)
    assert _data_plane_checks(lab) and all(grades[c].startswith("pass") for c in _data_plane_checks(lab))


@pytest.mark.parametrize(("lab_id", "fault_name"), _gateway_faults())
def test_gateway_data_plane_fault_trips_exactly_its_check(real, reader, lab_id, fault_name, gateway_ns):
    """A fault only the data plane shows (rules right on the API, answers wrong) trips its check alone."""
    from checkers import actions

    lab = _real_lab(lab_id)
    fault = next(f for f in lab.faults if f.name == fault_name)
    actions.apply_fault(lab, fault, real.connection(), gateway_ns)
    grades = _settled(real, reader, lab, gateway_ns, besides=fault.trips)
    assert grades[fault.trips].startswith("fail"), grades[fault.trips]


def test_every_gateway_data_plane_check_has_a_fault():
    for lab_id in GATEWAY_LABS:
        lab = _real_lab(lab_id)
        assert _data_plane_checks(lab) <= {f.trips for f in lab.faults}, lab_id


def test_an_image_per_tag_shares_its_base_layer_and_declares_what_it_is(tmp_path, monkeypatch):
    """A recipe with a ``base`` reuses that recipe's root filesystem layer; its second layer declares its names,
    what it stands in for and the base's packages (served by the nginx stand-ins at STAND_IN_PATH)."""
    import dataclasses
    import shutil
    import tarfile

    from clusters.embedded.components import PAUSE

    if not PAUSE.cached():
        pytest.skip("the pause program is not built (needs Go)")
    built = PAUSE.bin_dir() / "pause"
    monkeypatch.setenv("KUBELAB_CACHE", str(tmp_path))
    PAUSE.bin_dir().mkdir(parents=True)
    shutil.copy(built, PAUSE.bin_dir())
    base = dataclasses.replace(images.RECIPES["pause"], key="t-base", names=("t/base:2",), declares=True)
    tagged = dataclasses.replace(base, key="t-tag", names=("t/base:1",), base="t-base", stands_in_for="t/base:1")
    monkeypatch.setitem(images.RECIPES, "t-base", base)
    monkeypatch.setitem(images.RECIPES, "t-tag", tagged)

    def layers(entry):
        with tarfile.open(entry["archive"]) as tar:
            manifest = json.loads(tar.extractfile(f"blobs/sha256/{entry['digest'].split(':')[1]}").read())
            digests = [layer["digest"].split(":")[1] for layer in manifest["layers"]]
            declared = tarfile.open(fileobj=tar.extractfile(f"blobs/sha256/{digests[-1]}"))
            return digests, json.load(declared.extractfile(images.STAND_IN_FILE.lstrip("/")))

    (base_layers, base_says), (tag_layers, tag_says) = layers(images.build(base)), layers(images.build(tagged))
    assert len(tag_layers) == 2 and tag_layers[0] == base_layers[0] and tag_layers[1] != base_layers[1]
    assert tag_says == {"names": ["t/base:1"], "stands_in_for": "t/base:1", "contains": {}}
    assert base_says["names"] == ["t/base:2"]
