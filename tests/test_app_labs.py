"""The data-plane checks of the application labs (12-ftps, 13-monitoring, 14-ngrok), run end to end against
servers on 127.0.0.1.

The embedded cluster runs no containers, so tests/test_labs.py skips these checks there. Here each check
function runs with a recorded view: the Service, Node, Secret and Pod objects a real cluster would hold,
pointing at a loopback server (vsftpd and InfluxDB from Debian's packages, through tests/test_probes.py's
fixtures; Grafana and the ngrok agent's API as small recorded HTTP servers). What this proves: each check
finds its address, credentials and nonce in the objects, calls its probe, and judges the answer. What it
does not prove: the images, the in-cluster networking, the ngrok cloud.

On a laptop with minikube, the same checks run for real through the generic harness:

    minikube start
    KUBELAB_TEST_KUBECONFIG=~/.kube/config KUBELAB_TEST_CONTEXT=minikube KUBELAB_INTERNET=1 \
        NGROK_AUTHTOKEN=... .venv/bin/pytest tests/test_labs.py -k "12-ftps or 13-monitoring or 14-ngrok"

(the ngrok checks need internet and a real authtoken; without them they are skipped or fail on the agent).
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from checkers.lab import find_lab
from checkers.probes import fetcher
from checkers.runner import Context
from clusters.base import Capabilities
from tests.test_probes import LOOPBACK, ftp_user, influx_post, influxd, self_signed, vsftpd  # noqa: F401 (fixture)

LIVE = Capabilities(data_plane=True, internet=True, nodes=1)


class RecordedView:
    """A stand-in for ``ClusterView``: recorded objects by kind, and a function answering ``proxy_get``."""

    def __init__(self, objects: dict[str, list[dict]], proxy=None, namespace: str = "kubelab-test"):
        self.objects, self.proxy, self.namespace = objects, proxy, namespace
        self.proxied: list[tuple] = []

    def list(self, kind: str) -> list[dict]:
        return self.objects.get(kind, [])

    def get(self, kind: str, name: str) -> dict | None:
        return next((o for o in self.list(kind) if o["metadata"]["name"] == name), None)

    def proxy_get(self, kind, name, port, path="/", *, namespace=None, host=None):
        self.proxied.append((kind, name, port, path, host))
        return self.proxy(path)


def run(lab_id: str, check_id: str, view: RecordedView):
    lab = find_lab(lab_id)
    return lab.check(check_id).fn(Context(view, view.namespace, lab, LIVE))


def secret(name: str, **values: str) -> dict:
    return {"metadata": {"name": name}, "data": {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}}


def node_port_service(name: str, port: int, node_port: int) -> dict:
    return {"metadata": {"name": name}, "spec": {"type": "NodePort", "ports": [
        {"name": "main", "port": port, "targetPort": port, "nodePort": node_port}]}}


LOOPBACK_NODE = {"metadata": {"name": "minikube"}, "status": {
    "addresses": [{"type": "InternalIP", "address": LOOPBACK}], "conditions": [{"type": "Ready", "status": "True"}]}}


def pod(name: str, app: str, created: datetime, **status) -> dict:
    return {"metadata": {"name": name, "labels": {"app": app},
                         "creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "status": {"phase": "Running", **status}}


def deployment(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"selector": {"matchLabels": {"app": name}}}}


# ---------------------------------------------------------------- 12-ftps against vsftpd


def ftps_view(target, user: str, password: str) -> RecordedView:
    """A NodePort Service whose port 21 is vsftpd's control port on a node at 127.0.0.1."""
    return RecordedView({"services": [node_port_service("ftps-server", 21, target.port)], "nodes": [LOOPBACK_NODE],
                         "secrets": [secret("ftps-credentials", username=user, password=password)]})


def test_ftps_checks_pass_on_vsftpd_with_mandatory_tls(ftp_user, tmp_path):
    user, password, home = ftp_user
    with vsftpd(tmp_path) as target:
        view = ftps_view(target, user, password)
        transfer = run("12-ftps", "ftps-transfer", view)
        assert transfer.status == "pass", transfer
        assert run("12-ftps", "plain-login-refused", view).status == "pass"
    assert not list(home.glob("kubelab-probe-*"))


def test_ftps_checks_fail_on_plain_ftp_and_a_wrong_password(ftp_user, tmp_path):
    user, password, _ = ftp_user
    with vsftpd(tmp_path, tls=False) as target:
        view = ftps_view(target, user, password)
        assert "does not offer explicit TLS" in run("12-ftps", "ftps-transfer", view).message
        assert "accepts a login without TLS" in run("12-ftps", "plain-login-refused", view).message
    (tmp_path / "tls").mkdir()
    with vsftpd(tmp_path / "tls") as target:
        wrong = run("12-ftps", "ftps-transfer", ftps_view(target, user, "not-" + password))
        assert wrong.status == "fail" and "refused the login" in wrong.message


def test_ftps_check_fails_without_a_node_port():
    view = RecordedView({"services": [{"metadata": {"name": "ftps-server"}, "spec": {"type": "ClusterIP", "ports": [
        {"port": 21, "targetPort": 21}]}}], "nodes": [LOOPBACK_NODE]})
    outcome = run("12-ftps", "ftps-transfer", view)
    assert outcome.status == "fail" and "no node port" in outcome.message


# ---------------------------------------------------------------- 13-monitoring against InfluxDB 1.x


def grafana_objects(datasources: dict[str, str]) -> RecordedView:
    """The solution's Grafana Deployment and ConfigMaps, its datasources ConfigMap holding ``datasources``."""
    from clusters.files import load_yaml

    text = (Path(__file__).resolve().parent.parent / "labs" / "13-monitoring" / "solution" / "grafana.yaml").read_text()
    objects: dict[str, list[dict]] = {}
    for doc in (load_yaml(part) for part in text.split("\n---\n")):
        if doc["metadata"]["name"] == "monitoring-grafana-datasources":
            doc["data"] = datasources
        objects.setdefault(doc["kind"].lower() + "s", []).append(doc)
    return RecordedView(objects)


def test_grafana_provisioning_files_are_parsed_bounded_and_never_crash():
    """A bomb, deep nesting or a list where Grafana wants a mapping fails with the file named, in bounded memory."""
    import tracemalloc

    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 12))
    good = {"influxdb.yml": "datasources: [{type: influxdb, uid: influxdb-telegraf, url: 'http://monitoring-influxdb:8086'}]"}
    assert run("13-monitoring", "grafana-provisioned", grafana_objects(good)).status == "pass"
    tracemalloc.start()
    for bad, problem in (({"bomb.yaml": laughs}, "anchors"), ({"deep.yaml": "[" * 500_000}, "nested deeper"),
                         ({"list.yaml": "- datasources: []"}, "not a mapping"), ({"tab.yaml": "a:\n\tb: 1"}, "YAML")):
        outcome = run("13-monitoring", "grafana-provisioned", grafana_objects({**good, **bad}))
        assert outcome.status == "fail" and problem in outcome.found and next(iter(bad)) in outcome.found, outcome
    assert tracemalloc.get_traced_memory()[1] < 64 * 1024 * 1024
    tracemalloc.stop()
    ignored = {"notes.txt": "[", "sub/x.yaml": "["}  # not read by Grafana: neither judged nor parsed
    assert run("13-monitoring", "grafana-provisioned", grafana_objects({**good, **ignored})).status == "pass"



@pytest.fixture(scope="module")
def monitoring_influx(tmp_path_factory):
    """InfluxDB with auth, the `telegraf` database and user, and cpu points from 10 minutes ago and from now."""
    admin, admin_password, user, password = "admin", "admin-password-123", "telegraf", "telegraf-password-123"
    with influxd(tmp_path_factory.mktemp("monitoring-influx"), auth=True) as base:
        influx_post(base, "/query", q=f"CREATE USER {admin} WITH PASSWORD '{admin_password}' WITH ALL PRIVILEGES")
        for statement in ("CREATE DATABASE telegraf", f"CREATE USER {user} WITH PASSWORD '{password}'",
                          f"GRANT ALL ON telegraf TO {user}"):
            influx_post(base, "/query", q=statement, u=admin, p=admin_password)
        old = int(time.time()) - 600
        points = f"cpu,host=minikube usage_idle=90 {old}\ncpu,host=minikube usage_idle=80 {int(time.time())}\n"
        influx_post(base, "/write", points.encode(), db="telegraf", precision="s", u=user, p=password)
        yield base, user, password


def monitoring_view(base: str, user: str, password: str, pods=()) -> RecordedView:
    fetch = fetcher(base)
    return RecordedView({"secrets": [secret("monitoring-influxdb-credentials", INFLUXDB_USER=user,
                                            INFLUXDB_USER_PASSWORD=password)],
                         "deployments": [deployment("monitoring-influxdb")], "pods": list(pods)}, proxy=fetch)


def test_influx_checks_pass_on_a_database_with_recent_points(monitoring_influx):
    view = monitoring_view(*monitoring_influx)
    assert run("13-monitoring", "influx-requires-login", view).status == "pass"
    recent = run("13-monitoring", "influx-has-recent-data", view)
    assert recent.status == "pass", recent
    assert all(call[:3] == ("services", "monitoring-influxdb", 8086) for call in view.proxied)


def test_influx_recent_data_fails_on_a_wrong_password(monitoring_influx):
    base, user, password = monitoring_influx
    outcome = run("13-monitoring", "influx-has-recent-data", monitoring_view(base, user, "not-" + password))
    assert outcome.status == "fail" and "refused the credentials" in outcome.message


def test_data_survives_compares_the_oldest_point_with_the_pod(monitoring_influx):
    now = datetime.now(timezone.utc)
    restarted = pod("influx-2", "monitoring-influxdb", now - timedelta(minutes=2))
    survived = run("13-monitoring", "data-survives-restart", monitoring_view(*monitoring_influx, pods=[restarted]))
    assert survived.status == "pass", survived
    never_restarted = pod("influx-1", "monitoring-influxdb", now - timedelta(minutes=20))
    outcome = run("13-monitoring", "data-survives-restart", monitoring_view(*monitoring_influx, pods=[never_restarted]))
    assert outcome.status == "fail" and "younger than the InfluxDB pod" in outcome.message
    nothing = run("13-monitoring", "data-survives-restart", monitoring_view(*monitoring_influx))
    assert nothing.status == "fail" and "no running InfluxDB pod" in nothing.message


@contextmanager
def http_server(routes: dict[str, tuple[int, object]], credentials: tuple[str, str] | None = None,
                tls_folder: Path | None = None):
    """Serve ``routes`` (path → status, JSON-able or bytes); Basic auth on every path but /api/health if asked."""
    expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode() if credentials else None
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = urlsplit(self.path).path
            seen.append(dict(self.headers))
            if expected and path != "/api/health" and self.headers.get("Authorization") != expected:
                status, answer = 401, {"message": "Unauthorized"}
            else:
                status, answer = routes.get(path, (404, {"message": "Not found"}))
            body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    if tls_folder:
        cert, key, _ = self_signed(tls_folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


GRAFANA = {
    "/api/health": (200, {"database": "ok", "version": "11.6.0"}),
    "/api/datasources": (200, [{"uid": "influxdb-telegraf", "name": "InfluxDB", "type": "influxdb",
                                "url": "http://monitoring-influxdb:8086"}]),
    "/api/datasources/uid/influxdb-telegraf/health": (200, {"status": "OK", "message": "datasource is working. "
                                                                                       "3 measurements found"}),
    "/api/search": (200, [{"uid": "kubelab-nodes", "title": "Nodes", "type": "dash-db"}]),
}


def grafana_view(port: int, password: str) -> RecordedView:
    return RecordedView({"services": [node_port_service("monitoring-grafana", 3000, port)], "nodes": [LOOPBACK_NODE],
                         "secrets": [secret("monitoring-grafana-credentials", GF_SECURITY_ADMIN_USER="admin",
                                            GF_SECURITY_ADMIN_PASSWORD=password)]})


def test_grafana_check_logs_in_with_the_secrets_password():
    with http_server(GRAFANA, ("admin", "grafana-pw-1234")) as (port, _):
        healthy = run("13-monitoring", "grafana-datasource-healthy", grafana_view(port, "grafana-pw-1234"))
        assert healthy.status == "pass" and "Nodes" in healthy.params["titles"], healthy
        refused = run("13-monitoring", "grafana-datasource-healthy", grafana_view(port, "wrong"))
        assert refused.status == "fail" and "refused the admin credentials" in refused.message
    broken = {**GRAFANA, "/api/datasources/uid/influxdb-telegraf/health": (400, {"status": "ERROR",
                                                                                  "message": "401 Unauthorized"})}
    with http_server(broken, ("admin", "grafana-pw-1234")) as (port, _):
        unhealthy = run("13-monitoring", "grafana-datasource-healthy", grafana_view(port, "grafana-pw-1234"))
        assert unhealthy.status == "fail" and "cannot query InfluxDB" in unhealthy.message


# ---------------------------------------------------------------- 14-ngrok against a recorded agent API


NONCE = "kubelab-0123456789abcdef01234567"


def ngrok_view(public_url: str, upstream: str = "http://ngrok-web:80", page: str = NONCE) -> RecordedView:
    endpoints = {"endpoints": [{"name": "web", "url": public_url, "upstream": {"url": upstream, "protocol": "http1"}}]}
    answers = {"/api/endpoints": (200, json.dumps(endpoints).encode())}
    return RecordedView({"deployments": [deployment("ngrok-agent")],
                         "pods": [pod("ngrok-agent-1", "ngrok-agent", datetime.now(timezone.utc))],
                         "configmaps": [{"metadata": {"name": "ngrok-web-page"}, "data": {"index.html": page + "\n"}}]},
                        proxy=lambda path: answers.get(path, (404, b"{}")))


def test_ngrok_checks_read_the_agent_api_and_fetch_the_nonce(tmp_path):
    with http_server({"/": (200, NONCE.encode() + b"\n")}, tls_folder=tmp_path) as (port, seen):
        view = ngrok_view(f"https://{LOOPBACK}:{port}")
        published = run("14-ngrok", "public-url-published", view)
        assert published.status == "pass", published
        assert view.proxied[0] == ("pods", "ngrok-agent-1", 4040, "/api/endpoints", "localhost")
        served = run("14-ngrok", "public-url-serves-page", view)
        assert served.status == "pass", served
        assert seen[-1].get("ngrok-skip-browser-warning") == "1"
        elsewhere = ngrok_view(f"https://{LOOPBACK}:{port}", page="kubelab-" + "f" * 24)
        other = run("14-ngrok", "public-url-serves-page", elsewhere)
        assert other.status == "fail" and "without the expected content" in other.message


def test_ngrok_published_fails_when_the_upstream_is_another_service():
    outcome = run("14-ngrok", "public-url-published", ngrok_view("https://x.ngrok-free.app", "http://ngrok-api:80"))
    assert outcome.status == "fail" and "No https URL" in outcome.message


def agent_pod(**container_status) -> dict:
    return pod("ngrok-agent-1", "ngrok-agent", datetime.now(timezone.utc),
               containerStatuses=[{"name": "ngrok", "ready": True, "restartCount": 0, **container_status}])


@pytest.mark.parametrize(("status", "verdict", "settling"), [
    ({}, "pass", False),
    ({"restartCount": 3, "lastState": {"terminated": {"finishedAt": "2020-01-01T00:00:00Z"}}}, "pass", False),
    ({"restartCount": 1, "lastState": {"terminated": {"finishedAt": "just now"}}}, "fail", True),
    ({"ready": False, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}, "fail", False),
])
def test_agent_connected_wants_a_ready_agent_without_recent_restarts(status, verdict, settling):
    if status.get("lastState", {}).get("terminated", {}).get("finishedAt") == "just now":
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        status = {**status, "lastState": {"terminated": {"finishedAt": now}}}
    view = RecordedView({"deployments": [deployment("ngrok-agent")], "pods": [agent_pod(**status)]})
    outcome = run("14-ngrok", "agent-connected", view)
    assert (outcome.status, outcome.settling) == (verdict, settling), outcome
