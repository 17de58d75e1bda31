"""A real JupyterHub on the embedded cluster's real node, end to end.

JupyterHub and KubeSpawner from PyPI (the ``hub`` extra), configurable-http-proxy
from npm (``make hub-tools``), the course image built here (``kubelab images
build course``). The hub runs on the host against a private embedded cluster
with its real node; KubeSpawner's settings are the docs' zero-to-jupyterhub
values (clusters/jupyterhub/values.yaml) rendered as the chart renders them, on
top of the chart's defaults for what they leave out. Two students log in
through the proxy with a password (DummyAuthenticator); each gets a pod on the
real node with their own ServiceAccount, namespace, language and notebooks,
runs a check there, and the instructor grades them both.

Networking: the hub listens on the node's bridge address (what pods reach, never
a public interface), the proxy on loopback; the host reaches pod addresses
through the bridge. z2jh's NetworkPolicy (``singleuser.networkPolicy``) is not
rendered: the embedded cluster's network enforces no policies. The hub runs
with the credentials of the ServiceAccount the values name (``hub.serviceAccount``,
made by ``kubelab hub provision`` with exactly what KubeSpawner does), never the
admin's. Students do the lab as in JupyterLab: their own hub token, a kernel on
their server through the proxy, the notebook's cells over its websocket.
"""

from __future__ import annotations

import csv
import http.cookiejar
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import websocket
import yaml

from checkers import hub as classroom
from checkers.display import SYMBOLS
from clusters.api import get, request
from clusters.embedded import EmbeddedBackend, images, realnode
from clusters.embedded.components import KUBERNETES
from clusters.embedded.nodehost import NODE_IP
from clusters.embedded.nodestate import NAMESPACE_ANNOTATIONS
from clusters.embedded.processes import free_ports
from clusters.files import write_atomic
from tests.helpers import wait_for
from tests.test_real_node import _why_not as real_node_missing

ROOT = Path(__file__).resolve().parent.parent
VALUES = ROOT / "clusters" / "jupyterhub" / "values.yaml"
BIN = Path(sys.executable).parent
TOOLS = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kubelab" / "tools"
CHP = TOOLS / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_NAMESPACE = "jhub"
STUDENTS = {"ana": "ro", "bob": "fr"}  # id → language; the ids are their JupyterHub names (KubeSpawner's slugs)
# What zero-to-jupyterhub sets when the values leave it out (the chart's values.yaml and hub/jupyterhub_config.py)
Z2JH_DEFAULTS = {"uid": 1000, "fs_gid": 100, "cmd": ["jupyterhub-singleuser"], "storage_pvc_ensure": True,
                 "storage_capacity": "10Gi",
                 "storage_access_modes": ["ReadWriteOnce"],
                 "volumes": [{"name": "home", "persistentVolumeClaim": {"claimName": "{pvc_name}"}}],
                 "volume_mounts": [{"name": "home", "mountPath": "/home/jovyan"}],
                 "start_timeout": 300, "http_timeout": 120}
# (cloudMetadata only switches off the chart's privileged iptables init container, which the test never renders)
SINGLEUSER_RENDERED = {"image", "serviceAccountName", "extraEnv", "lifecycleHooks", "defaultUrl", "networkPolicy",
                       "cloudMetadata"}
LAB = "00-welcome"


def _why_not() -> str:
    reason = real_node_missing()
    if reason:
        return reason
    if not (BIN / "jupyterhub").is_file() or importlib.util.find_spec("kubespawner") is None:
        return "JupyterHub or KubeSpawner is not installed: `uv sync --all-extras` installs the `hub` extra"
    if not CHP.is_file():
        return f"configurable-http-proxy is not installed in {CHP.parent}: run `make hub-tools`"
    if not images.cached(images.COURSE):
        return "the course image is not built: run `kubelab images build course` (make hub-tools)"
    return ""


def render_values(values: dict, hub_mounts: dict[str, Path]) -> tuple[dict, dict, list[str]]:
    """The z2jh values as the chart turns them into settings: (``hub.config`` by class, KubeSpawner's traits,
    the ``hub.extraConfig`` snippets in the chart's order). The hub's volume mounts are folders on this host."""
    hub, single = values.get("hub", {}), values.get("singleuser", {})
    unknown = set(single) - SINGLEUSER_RENDERED
    assert not unknown, f"values the test does not render yet: {unknown}"
    traits = {**Z2JH_DEFAULTS, "namespace": HUB_NAMESPACE}
    if "image" in single:
        traits["image"] = f"{single['image']['name']}:{single['image']['tag']}"
    for key, trait in (("serviceAccountName", "service_account"), ("extraEnv", "environment"),
                       ("lifecycleHooks", "lifecycle_hooks"), ("defaultUrl", "default_url")):
        if key in single:
            traits[trait] = single[key]
    config = dict(hub.get("config", {}))
    traits.update(config.pop("KubeSpawner", {}))
    mounts = {m["mountPath"]: m["name"] for m in hub.get("extraVolumeMounts", [])}
    snippets = []
    for _name, code in sorted(hub.get("extraConfig", {}).items()):
        for path, volume in mounts.items():
            code = code.replace(path, str(hub_mounts[volume]))
        snippets.append(code)
    return config, traits, snippets


def hub_account(values: dict) -> str:
    """The ServiceAccount the hub runs as: the values' own, with the chart's RBAC (and what needs it) off."""
    assert values["rbac"] == {"create": False}, "the chart's hub Role would widen the hub's rights"
    assert not values["scheduling"]["userScheduler"]["enabled"] and not values["prePuller"]["hook"]["enabled"]
    account = values["hub"]["serviceAccount"]
    assert account["create"] is False
    return account["name"]


def _hub_config(folder: Path, values: dict, hub_mounts: dict[str, Path], token: str,
                password: str) -> tuple[Path, int]:
    """jupyterhub_config.py: the rendered values, the hub on the node's address, the proxy on loopback."""
    config, traits, snippets = render_values(values, hub_mounts)
    hub_port, proxy_port, api_port = free_ports(3)
    settings = {
        "JupyterHub": {"ip": "127.0.0.1", "port": proxy_port, "hub_ip": NODE_IP, "hub_port": hub_port,
                       "hub_connect_ip": NODE_IP, "spawner_class": "kubespawner.KubeSpawner",
                       "authenticator_class": "dummy", "db_url": f"sqlite:///{folder / 'hub.sqlite'}",
                       "cookie_secret_file": str(folder / "cookie_secret"), "cleanup_servers": True,
                       "services": [{"name": "kubelab-test", "api_token": token}],
                       "load_roles": [{"name": "kubelab-test", "services": ["kubelab-test"],
                                       "scopes": ["admin:users", "admin:servers", "access:servers", "tokens"]}]},
        "Authenticator": {"allow_all": True},
        "DummyAuthenticator": {"password": password},
        "ConfigurableHTTPProxy": {"command": [str(CHP)], "api_url": f"http://127.0.0.1:{api_port}"},
        "KubeSpawner": traits,
        **config,
    }
    lines = ["import json", "c = get_config()  # noqa: F821",
             f"for cls, traits in json.loads({json.dumps(json.dumps(settings))}).items():",
             "    for name, value in traits.items():",
             "        setattr(getattr(c, cls), name, value)"]
    for code in snippets:  # z2jh runs each hub.extraConfig snippet in the config file's namespace
        lines.append(f"exec(compile({code!r}, 'hub.extraConfig', 'exec'))")
    path = folder / "jupyterhub_config.py"
    path.write_text("\n".join(lines) + "\n")
    return path, proxy_port


class Browser:
    """A student's browser: cookies, redirects, the hub's XSRF token, all through the proxy."""

    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.status, response.geturl()

    def login(self, name: str, password: str) -> str:
        self.open("/hub/login")
        xsrf = next(c.value for c in self.jar if c.name == "_xsrf")
        return self.open("/hub/login?next=%2Fhub%2Fspawn", {"username": name, "password": password,
                                                            "_xsrf": xsrf})[1]


def _api(base: str, token: str, path: str, method: str = "GET", body: dict | None = None) -> dict | list | None:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as response:
        text = response.read()
    return json.loads(text) if text else None


class Kernel:
    """A kernel on a student's single-user server, as JupyterLab runs one: started through the hub's proxy with
    the student's own token (Jupyter Server's REST API), cells sent over its channels websocket."""

    def __init__(self, base: str, sid: str, token: str, path: str):
        self.base, self.sid, self.token, self.session = base, sid, token, uuid.uuid4().hex
        self.id = _api(base, token, f"/user/{sid}/api/kernels", "POST", {"name": "python3", "path": path})["id"]
        url = f"ws{base.removeprefix('http')}/user/{sid}/api/kernels/{self.id}/channels?session_id={self.session}"
        self.socket = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=300)

    def run(self, code: str) -> tuple[int, list[dict]]:
        """Execute ``code`` as a cell: (its execution count, its outputs on iopub); a cell that raises fails."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "username": self.sid, "session": self.session,
                  "date": datetime.now(UTC).isoformat(), "version": "5.3"}
        self.socket.send(json.dumps({
            "channel": "shell", "header": header, "parent_header": {}, "metadata": {}, "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        outputs, reply, idle = [], None, False
        while reply is None or not idle:
            frame = self.socket.recv()
            if not isinstance(frame, str):  # a message with binary buffers: none of the outputs read here
                continue
            msg = json.loads(frame)
            if (msg.get("parent_header") or {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell" and msg["msg_type"] == "execute_reply":
                reply = msg["content"]
            elif msg["msg_type"] == "status":
                idle = msg["content"]["execution_state"] == "idle"
            elif msg["channel"] == "iopub":
                outputs.append(msg)
        assert reply["status"] == "ok", (code, reply, _text(outputs))
        return reply["execution_count"], outputs

    def shutdown(self) -> None:
        self.socket.close()
        _api(self.base, self.token, f"/user/{self.sid}/api/kernels/{self.id}", "DELETE")


def _text(outputs: list[dict]) -> str:
    return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")


def _shown(outputs: list[dict]) -> str:
    """The text a display shows last (the check panel updates its display with the verdicts)."""
    shown = [m["content"]["data"]["text/plain"] for m in outputs
             if m["msg_type"] in ("display_data", "update_display_data") and "text/plain" in m["content"]["data"]]
    assert shown, _text(outputs)
    return shown[-1]


def _ready(base: str, token: str, name: str) -> bool:
    """The student's server is up; a spawn that failed (no server left) fails the test at once."""
    servers = _api(base, token, f"/hub/api/users/{name}").get("servers", {})
    assert "" in servers, f"{name}'s server failed to start (the hub's log says why)"
    return bool(servers[""].get("ready"))


def _kubectl(kubeconfig: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(KUBERNETES.bin_dir() / "kubectl"), f"--kubeconfig={kubeconfig}", *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if _why_not():
        pytest.skip(_why_not())
    backend = EmbeddedBackend(home=tmp_path_factory.mktemp("hub") / "embedded", merge_kubeconfig=False,
                              real_nodes=1)
    lines: list[str] = []
    try:
        backend.start(nodes=1, progress=lines.append)
        if not backend.status().details.get("real_node") and realnode.unavailable():
            pytest.skip(" ".join(realnode.unavailable()))  # another cluster took the node while this one started
        assert backend.status().details.get("real_node"), "\n".join(lines)
        yield backend
    finally:
        backend.stop()


def test_two_students_spawn_on_the_real_node_work_in_their_own_namespaces_and_are_graded(real, tmp_path):
    admin, kubeconfig = real.connection().api_client(), real.admin_kubeconfig
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="") as f:
        csv.writer(f).writerows([["id", "name", "lang"], *[[sid, sid.title(), lang] for sid, lang in
                                                           STUDENTS.items()]])
    kubelab = [str(BIN / "kubelab")]
    values = yaml.safe_load(VALUES.read_text())
    request(admin, "POST", "/api/v1/namespaces", body={"metadata": {"name": HUB_NAMESPACE,
                                                                    "annotations": NAMESPACE_ANNOTATIONS}})
    provision = subprocess.run([*kubelab, "hub", "provision", "--roster", str(roster), "--hub-namespace",
                                HUB_NAMESPACE, "--out", str(tmp_path / "kubeconfigs"), "--kubeconfig", str(kubeconfig)],
                               capture_output=True, text=True, timeout=300)
    assert provision.returncode == 0, provision.stdout + provision.stderr

    # the hub's volume kubelab-languages (the ConfigMap provisioning wrote), as the kubelet would project it
    etc = tmp_path / "etc-kubelab"
    etc.mkdir()
    languages = get(admin, f"/api/v1/namespaces/{HUB_NAMESPACE}/configmaps/kubelab-languages")["data"]
    for name, text in languages.items():
        (etc / name).write_text(text)
    # the hub's identity: the values' ServiceAccount, its token in a kubeconfig only its owner reads
    room = classroom.Classroom(hub_namespace=HUB_NAMESPACE)
    hub_kubeconfig = tmp_path / "hub.kubeconfig"
    write_atomic(hub_kubeconfig, yaml.safe_dump(classroom.kubeconfig(admin, hub_account(values), room,
                                                                      HUB_NAMESPACE, hours=2)), mode=0o600)
    _assert_hub_rights_are_narrow(hub_kubeconfig, tmp_path / "kubeconfigs")
    token, password = secrets.token_hex(16), secrets.token_urlsafe(12)
    config, port = _hub_config(tmp_path, values, {"kubelab-languages": etc}, token, password)
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KUBECONFIG": str(hub_kubeconfig), "PATH": f"{BIN}:{os.environ['PATH']}"}
    log = (tmp_path / "hub.log").open("w")
    hub = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=tmp_path, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: _up(base), timeout=120, what="JupyterHub behind the proxy")
        for sid in STUDENTS:
            landed = Browser(base).login(sid, password)  # the spawn page, or the server if it was that quick
            assert landed.startswith((f"{base}/hub/spawn-pending/{sid}", f"{base}/user/{sid}/")), landed
        for sid in STUDENTS:
            wait_for(lambda s=sid: _ready(base, token, s), timeout=300, interval=1, what=f"{sid}'s server")
        for sid, lang in STUDENTS.items():
            _assert_student_pod(admin, kubeconfig, base, token, sid, lang)
        grades = tmp_path / "grades"
        grade = subprocess.run([*kubelab, "grade", "--roster", str(roster), "--lab", LAB, "--out",
                                str(grades), "--kubeconfig", str(tmp_path / "kubeconfigs" / "grader.kubeconfig")],
                               capture_output=True, text=True, timeout=300)
        assert grade.returncode in (0, 1), grade.stdout + grade.stderr
        results = json.loads((grades / "results.json").read_text())
        _assert_grades(results)
    finally:
        os.killpg(hub.pid, signal.SIGTERM)
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
            hub.wait()
        log.close()
        admin.close()


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/hub/api/", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _assert_student_pod(admin, kubeconfig: Path, base: str, token: str, sid: str, lang: str) -> None:
    pod = get(admin, f"/api/v1/namespaces/{HUB_NAMESPACE}/pods/jupyter-{sid}")
    assert pod["spec"]["nodeName"] == realnode.NODE_NAME
    assert pod["spec"]["serviceAccountName"] == f"student-{sid}"
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    assert env["KUBELAB_NAMESPACE"] == f"lab-{sid}" and env["KUBELAB_LANG"] == lang

    def run(script: str) -> str:
        out = _kubectl(kubeconfig, "-n", HUB_NAMESPACE, "exec", f"jupyter-{sid}", "-c", "notebook", "--",
                       "sh", "-c", script)
        assert out.returncode in (0, 1), out.stdout + out.stderr
        return out.stdout

    # the identity: the kubeconfig the start hook wrote, defaulted to the student's namespace
    who = json.loads(run("kubectl auth whoami -o json"))
    assert who["status"]["userInfo"]["username"] == f"system:serviceaccount:{HUB_NAMESPACE}:student-{sid}"
    assert run("kubectl config view --minify -o jsonpath='{..namespace}'") == f"lab-{sid}"
    # the language, through the single-user server (the proxy reaches the pod) and in JupyterLab's settings
    locale = _api(base, token, f"/user/{sid}/lab/api/settings/@jupyterlab/translation-extension:plugin")
    assert json.loads(locale["raw"])["locale"].startswith(lang)
    # the notebooks in the home volume, in the student's language
    listing = _api(base, token, f"/user/{sid}/api/contents/notebooks/{lang}")
    assert f"notebooks/{lang}/{LAB}.ipynb" in [item["path"] for item in listing["content"]]
    _do_the_lab_in_a_kernel(base, token, sid, lang)


def _do_the_lab_in_a_kernel(base: str, service_token: str, sid: str, lang: str) -> None:
    """The student, with their own token, opens the lab's notebook in a kernel on their server and runs its setup
    cells and its check cell; Ana first applies the solution (what the notebook's Solve button does), Bob does
    nothing. The verdicts are read from what the check panel displays."""
    mine = _api(base, service_token, f"/hub/api/users/{sid}/tokens", "POST", {
        "note": "the student's browser", "expires_in": 3600, "scopes": [f"access:servers!user={sid}"]})["token"]
    other = next(s for s in STUDENTS if s != sid)
    with pytest.raises(urllib.error.HTTPError) as refused:
        _api(base, mine, f"/user/{other}/api/kernels")
    assert refused.value.code in (403, 404), f"{sid}'s token reached {other}'s server"
    folder = f"notebooks/{lang}"
    cells = _api(base, mine, f"/user/{sid}/api/contents/{folder}/{LAB}.ipynb")["content"]["cells"]

    def tagged(tag: str) -> list[str]:
        return [_source(c) for c in cells if c["cell_type"] == "code" and tag in c["metadata"].get("tags", [])]

    kernel = Kernel(base, sid, mine, folder)
    try:
        for code in tagged("setup"):
            kernel.run(code)
        if sid == "ana":
            kernel.run("lab.solve(confirm=True)")
        count, outputs = kernel.run(tagged("check")[0])
        rows = [line[0] for line in _shown(outputs).splitlines() if line[:1] in SYMBOLS.values()]
        assert rows and set(rows) == {SYMBOLS["pass" if sid == "ana" else "fail"]}, _shown(outputs)
        keys = ("namespace", "language", "score", "max", "counts")
        _count, printed = kernel.run(f"import json; print(json.dumps({{k: Out[{count}][k] for k in {keys!r}}}))")
        result = json.loads(_text(printed))
    finally:
        kernel.shutdown()
    assert result["namespace"] == f"lab-{sid}" and result["language"] == lang
    assert result["counts"]["error"] == 0, result
    assert result["score"] == result["max"] > 0 if sid == "ana" else result["score"] == 0, result


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _can(kubeconfig: Path, *args: str) -> bool:
    """``kubectl auth can-i`` as the identity of ``kubeconfig`` (a SelfSubjectAccessReview with its token)."""
    out = _kubectl(kubeconfig, "auth", "can-i", *args)
    assert out.stdout.strip() in ("yes", "no"), out.stdout + out.stderr
    return out.stdout.strip() == "yes"


def _assert_hub_rights_are_narrow(hub_kubeconfig: Path, kubeconfigs: Path) -> None:
    """The hub may do what KubeSpawner does, in its namespace only; no Secret, no RBAC, no student namespace.
    And a student cannot change the hub's rights or take its token."""
    assert hub_kubeconfig.stat().st_mode & 0o777 == 0o600
    hub_ns, lab = ["-n", HUB_NAMESPACE], ["-n", "lab-ana"]
    for allowed in (["create", "pods"], ["delete", "pods"], ["watch", "pods"], ["create", "persistentvolumeclaims"],
                    ["watch", "events"]):
        assert _can(hub_kubeconfig, *allowed, *hub_ns), allowed
    for refused in (["list", "secrets", *hub_ns], ["list", "secrets", "-n", "kube-system"], ["list", "secrets", *lab],
                    ["get", "secrets", "-A"], ["create", "rolebindings", *hub_ns], ["create", "rolebindings", *lab],
                    ["create", "clusterrolebindings"], ["create", "pods", *lab], ["create", "namespaces"],
                    ["create", "services", *hub_ns], ["create", "pods", "--subresource=exec", *hub_ns],
                    ["create", f"serviceaccounts/{classroom.GRADER}", "--subresource=token", *hub_ns]):
        assert not _can(hub_kubeconfig, *refused), refused
    student = kubeconfigs / "student-ana.kubeconfig"
    for refused in (["delete", f"rolebindings/{classroom.HUB}", *hub_ns],
                    ["update", f"clusterroles/{classroom.HUB}"],
                    ["create", f"serviceaccounts/{classroom.HUB}", "--subresource=token", *hub_ns],
                    ["get", "secrets", *hub_ns]):
        assert not _can(student, *refused), refused


def _assert_grades(results: dict) -> None:
    assert results["errors"] == [] and results["not_graded"] == []
    docs = {row["id"]: row["labs"]["00-welcome"]["document"] for row in results["students"]}
    assert set(docs) == set(STUDENTS)
    assert docs["ana"]["score"] == docs["ana"]["max"] > 0 and docs["bob"]["score"] == 0
    assert {c["status"] for c in docs["ana"]["checks"]} == {"pass"}  # she did the lab
    assert {c["status"] for c in docs["bob"]["checks"]} == {"fail"}  # he did nothing: failed, never "error"


def test_the_docs_values_render_into_kubespawner_settings(tmp_path):
    """Runs everywhere: the rendering the end-to-end test relies on, from the very values the docs give."""
    config, traits, snippets = render_values(yaml.safe_load(VALUES.read_text()), {"kubelab-languages": tmp_path})
    assert traits["image"] == f"{images.COURSE.names[0]}" and traits["service_account"] == "student-{username}"
    assert traits["environment"]["KUBELAB_NAMESPACE"] == "lab-{username}" and traits["automount_service_account_token"]
    assert traits["lifecycle_hooks"]["postStart"]["exec"]["command"] == ["/usr/local/bin/kubelab-start-hook"]
    assert config == {} and len(snippets) == 1
    assert hub_account(yaml.safe_load(VALUES.read_text())) == classroom.HUB
    assert str(tmp_path / "languages.json") in snippets[0] and "/etc/kubelab" not in snippets[0]
