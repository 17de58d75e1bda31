"""The data-plane probes against real servers on 127.0.0.1, and Grafana/ngrok against recorded answers.

nginx (nginx-light), vsftpd and InfluxDB 1.x (influxdb) come from Debian's packages (the Makefile's
SYSTEM_PACKAGES); each test that needs one skips, saying which, when the binary is missing. Every
server runs from a temporary folder with a generated configuration on free ports above 20000, and
is stopped afterwards. Grafana and ngrok cannot run here: they are served from
tests/fixtures/probes/ (hand-written in the documented shapes; see its README).
"""

from __future__ import annotations

import base64
import datetime
import ftplib
import ipaddress
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import kubernetes.client
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from checkers.probes import (Target, dns_answer, fetcher, ftps_probe, ftps_refuses_plain, grafana_dashboards,
                             grafana_datasource, grafana_health, http_redirect, http_status, influx_auth_enforced,
                             influx_database, influx_ping, influx_recent_points, ngrok_endpoint, proxied_status,
                             resolve, service_target, stand_in, tls_probe)
from checkers.probes.common import Verdict, connect_failure, get_json, stop_on_proxy_refusal, unverified_tls
from checkers.probes.ngrok import upstream_matches
from clusters.api import proxy_get

FIXTURES = Path(__file__).parent / "fixtures" / "probes"
LOOPBACK = "127.0.0.1"


# ---------------------------------------------------------------- helpers


def free_port() -> int:
    """A free TCP port on 127.0.0.1 above 20000."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        with socket.socket() as probe_socket:
            try:
                probe_socket.bind((LOOPBACK, port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def need(binary: str, package: str) -> str:
    path = shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
                                         if os.access(p, os.X_OK)), None)
    if path is None:
        pytest.skip(f"{binary} is missing: install Debian's {package} package (make system-packages)")
    return path


@contextmanager
def server(command: list[str], port: int, folder: Path):
    """Run ``command`` until the test ends; ready once ``port`` accepts connections."""
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                socket.create_connection((LOOPBACK, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not listen on {port}")
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def self_signed(folder: Path) -> tuple[Path, Path, str]:
    """A self-signed certificate for localhost and 127.0.0.1: (cert file, key file, cert PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    (folder / "cert.pem").write_text(pem)
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                                       serialization.NoEncryption()))
    os.chmod(folder / "key.pem", 0o600)
    return folder / "cert.pem", folder / "key.pem", pem


def closed_port() -> Target:
    return Target(LOOPBACK, free_port())


# ---------------------------------------------------------------- addressing and the failure rule


def node(name, ip, ready=True):
    return {"metadata": {"name": name}, "status": {
        "addresses": [{"type": "Hostname", "address": name}, {"type": "InternalIP", "address": ip}],
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def test_service_target_prefers_the_load_balancer_then_a_ready_node():
    nodes = [node("m01", "192.168.49.2", ready=False), node("m02", "192.168.49.3")]
    ports = [{"name": "ftp", "port": 21, "targetPort": 21, "nodePort": 30021}]
    node_port = {"spec": {"type": "NodePort", "ports": ports}}
    assert service_target(node_port, nodes, 21) == Target("192.168.49.3", 30021, "node port")
    assert service_target(node_port, nodes, "ftp") == Target("192.168.49.3", 30021, "node port")
    balanced = {"spec": {"type": "LoadBalancer", "ports": ports},
                "status": {"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}}}
    assert service_target(balanced, nodes, "ftp") == Target("127.0.0.1", 21, "load balancer")
    pending = {**balanced, "status": {"loadBalancer": {}}}
    assert service_target(pending, nodes, 21) == Target("192.168.49.3", 30021, "node port")
    kwok = node("kwok-0", "198.51.100.1")
    kwok["metadata"]["annotations"] = {"kwok.x-k8s.io/node": "fake"}  # simulated: its address leads nowhere
    assert service_target(node_port, [kwok, *nodes], 21) == Target("192.168.49.3", 30021, "node port")


def test_service_target_is_none_without_a_way_in():
    cluster_ip = {"spec": {"type": "ClusterIP", "ports": [{"port": 80, "targetPort": 8080}]}}
    assert service_target(cluster_ip, [node("m01", "10.0.0.1")], 80) is None
    node_port = {"spec": {"ports": [{"port": 80, "nodePort": 30080}]}}
    assert service_target(node_port, [node("m01", "10.0.0.1")], 443) is None
    assert service_target(node_port, [], 80) is None


def test_unreachable_is_an_error_and_refused_is_a_failure_read_again():
    assert connect_failure(OSError(101, "Network is unreachable"), "x:1").outcome.status == "error"
    assert connect_failure(socket.gaierror(-2, "Name or service not known"), "x:1").outcome.status == "error"
    assert connect_failure(TimeoutError(), "x:1").outcome.status == "error"
    refused = connect_failure(ConnectionRefusedError(111, "Connection refused"), "x:1").outcome
    assert refused.status == "fail" and "refused" in refused.message and refused.hints
    assert refused.settling  # a pod just Ready may not listen yet: the engine asks again before failing


def test_a_closed_port_fails_and_an_unknown_name_errors():
    closed = http_status(f"http://{closed_port()}/", timeout=2)
    assert closed.status == "fail" and "connection was refused" in closed.message
    unknown = http_status("http://kubelab-probe.invalid:8080/", timeout=2)
    assert unknown.status == "error" and "cannot reach" in unknown.message


def test_proxied_status_tells_the_api_servers_refusal_from_the_apps_answer():
    no_endpoints = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 503,
                               "message": 'no endpoints available for service "web"', "reason": "ServiceUnavailable"})
    refused = proxied_status("Service web", 503, no_endpoints.encode())
    assert refused.status == "fail" and "API server could not reach" in refused.message
    assert "no endpoints" in refused.params["detail"]
    assert proxied_status("Service web", 200, b"<h1>Welcome to nginx!</h1>", contains=b"nginx").status == "pass"
    wrong = proxied_status("Service web", 200, b"hello", contains=b"nginx")
    assert wrong.status == "fail" and "without the expected content" in wrong.message


def test_json_nested_deeper_than_the_parser_goes_is_an_answer_not_a_crash():
    deep = b"[" * 100_000 + b"]" * 100_000
    assert stand_in(lambda path: (200, deep)) is None
    stop_on_proxy_refusal("Service web", 503, b"{" + deep)  # not a Status: nothing raised
    with pytest.raises(Verdict) as stop:
        get_json(lambda path: (200, deep), "/api", "InfluxDB")
    assert stop.value.outcome.status == "fail"


# ---------------------------------------------------------------- nginx: HTTP, redirects, TLS


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    binary = need("nginx", "nginx-light")
    folder = tmp_path_factory.mktemp("nginx")
    cert, key, pem = self_signed(folder)
    ports = {"http": free_port(), "https": free_port(), "plain": free_port()}
    (folder / "nginx.conf").write_text(f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  server {{ listen {LOOPBACK}:{ports['http']}; return 301 https://{LOOPBACK}:{ports['https']}$request_uri; }}
  server {{
    listen {LOOPBACK}:{ports['https']} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location = / {{ return 200 "kubelab-ok\\n"; }}
    location = /old {{ return 307 https://{LOOPBACK}:{ports['https']}/new; }}
  }}
  server {{ listen {LOOPBACK}:{ports['plain']}; location / {{ return 200 "plain\\n"; }} }}
}}
""")
    with server([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")],
                ports["https"], folder):
        yield {**ports, "pem": pem}


def test_http_redirect_passes_on_a_301_to_https(nginx):
    outcome = http_redirect(f"http://{LOOPBACK}:{nginx['http']}/", 301, to="https://")
    assert outcome.status == "pass", outcome
    assert outcome.params["location"] == f"https://{LOOPBACK}:{nginx['https']}/"


def test_http_redirect_fails_where_there_is_no_redirect(nginx):
    outcome = http_redirect(f"http://{LOOPBACK}:{nginx['plain']}/", 301, to="https://")
    assert outcome.status == "fail" and "instead of redirecting" in outcome.message
    assert (outcome.expected, outcome.found) == ("301", "200")


def test_http_redirect_tells_307_from_301(nginx):
    url = f"https://{LOOPBACK}:{nginx['https']}/old"
    assert http_redirect(url, 307, to=f"https://{LOOPBACK}:{nginx['https']}/new").status == "pass"
    wrong = http_redirect(url, 301)
    assert wrong.status == "fail" and "not with {status}" in wrong.message and wrong.found == "307"
    elsewhere = http_redirect(url, 307, to="https://example.org/")
    assert elsewhere.status == "fail" and "redirects to {location}" in elsewhere.message


def test_http_status_over_https_and_a_missing_path(nginx):
    assert http_status(f"https://{LOOPBACK}:{nginx['https']}/", contains=b"kubelab-ok").status == "pass"
    missing = http_status(f"https://{LOOPBACK}:{nginx['https']}/nothing-here")
    assert missing.status == "fail" and missing.found == "404"


def test_tls_verified_with_the_right_ca_and_self_signed_without(nginx):
    target = Target(LOOPBACK, nginx["https"])
    verified = tls_probe(target, "verified", cadata=nginx["pem"])
    assert verified.status == "pass" and "verified certificate" in verified.message, verified
    untrusted = tls_probe(target, "verified")
    assert untrusted.status == "fail" and "does not verify" in untrusted.message and untrusted.found == "self-signed"
    assert tls_probe(target, "self-signed").status == "pass"
    present = tls_probe(target, "present")
    assert present.status == "pass" and "self-signed certificate" in present.message
    assert present.params["version"].startswith("TLSv1.")


def test_tls_fails_on_plain_http_and_on_a_closed_port(nginx):
    plain = tls_probe(Target(LOOPBACK, nginx["plain"]), "present")
    assert plain.status == "fail" and "does not speak TLS" in plain.message
    closed = tls_probe(closed_port(), "present")
    assert closed.status == "fail" and "refused" in closed.message


# ---------------------------------------------------------------- vsftpd: FTPS


@pytest.fixture(scope="module")
def ftp_user():
    """A throwaway local user with a random password (vsftpd authenticates local users through PAM)."""
    need("vsftpd", "vsftpd")
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("vsftpd's local users need root (to create a throwaway user and to run vsftpd)")
    name, password = f"kubelabftp{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    home = Path(tempfile.mkdtemp(prefix="kubelab-ftp-")) / name
    home.parent.chmod(0o755)  # the user must reach its home
    subprocess.run(["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/bash", name], check=True)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}", text=True, check=True)
        yield name, password, home
    finally:
        deadline = time.monotonic() + 10  # userdel refuses while vsftpd's session processes of the user exit
        while subprocess.run(["userdel", name], capture_output=True).returncode not in (0, 6):
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not delete the throwaway user {name}")
            time.sleep(0.2)
        subprocess.run(["groupdel", name], capture_output=True)  # when userdel left the group behind
        shutil.rmtree(home.parent, ignore_errors=True)


@contextmanager
def vsftpd(folder: Path, tls: bool = True, reuse: bool = True):
    binary = need("vsftpd", "vsftpd")
    port, passive = free_port(), free_port()
    (folder / "empty").mkdir(exist_ok=True)
    settings = {"listen": "YES", "listen_ipv6": "NO", "listen_address": LOOPBACK, "listen_port": port,
                "background": "NO", "anonymous_enable": "NO", "local_enable": "YES", "write_enable": "YES",
                "pasv_enable": "YES", "pasv_min_port": passive, "pasv_max_port": passive, "pasv_address": LOOPBACK,
                "connect_from_port_20": "NO", "secure_chroot_dir": folder / "empty", "pam_service_name": "vsftpd",
                "seccomp_sandbox": "NO", "isolate": "NO", "isolate_network": "NO", "xferlog_enable": "NO",
                "vsftpd_log_file": folder / "vsftpd.log", "ssl_enable": "YES" if tls else "NO"}
    if tls:
        cert, key, _ = self_signed(folder)
        settings |= {"rsa_cert_file": cert, "rsa_private_key_file": key, "force_local_logins_ssl": "YES",
                     "force_local_data_ssl": "YES", "require_ssl_reuse": "YES" if reuse else "NO",
                     "ssl_ciphers": "HIGH"}
    (folder / "vsftpd.conf").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    with server([binary, str(folder / "vsftpd.conf")], port, folder):
        yield Target(LOOPBACK, port)


@pytest.fixture(scope="module", params=[True, False], ids=["require_ssl_reuse=YES", "require_ssl_reuse=NO"])
def ftps(request, ftp_user, tmp_path_factory):
    with vsftpd(tmp_path_factory.mktemp("vsftpd"), reuse=request.param) as target:
        yield target, request.param


@pytest.fixture(scope="module")
def plain_ftp(ftp_user, tmp_path_factory):
    with vsftpd(tmp_path_factory.mktemp("vsftpd-plain"), tls=False) as target:
        yield target


def test_ftps_probe_passes_and_leaves_nothing_behind(ftps, ftp_user):
    target, _ = ftps
    user, password, home = ftp_user
    outcome = ftps_probe(target, user, password)
    assert outcome.status == "pass", outcome
    assert outcome.params["version"].startswith("TLSv1.")
    assert not list(home.glob("kubelab-probe-*"))


def test_plain_ftp_tls_trips_on_vsftpds_session_reuse(ftps, ftp_user):
    """Why the probe resumes the TLS session: the standard client fails against vsftpd's default."""
    target, reuse = ftps
    user, password, _ = ftp_user
    plain_client = ftplib.FTP_TLS(context=unverified_tls(), timeout=10)
    plain_client.connect(target.host, target.port)
    plain_client.login(user, password)
    plain_client.prot_p()
    try:
        if reuse:
            with pytest.raises(ftplib.error_perm, match="522"):
                plain_client.nlst()
        else:
            plain_client.nlst()
    finally:
        plain_client.close()


def test_ftps_probe_fails_on_a_wrong_password(ftps, ftp_user):
    target, _ = ftps
    user, password, _ = ftp_user
    outcome = ftps_probe(target, user, password + "-wrong")
    assert outcome.status == "fail" and "refused the login" in outcome.message
    assert outcome.found.startswith("530") and password not in repr(outcome)


def test_ftps_refuses_plain_passes_when_tls_is_mandatory(ftps, ftp_user):
    user, password, _ = ftp_user
    outcome = ftps_refuses_plain(ftps[0], user, password)
    assert outcome.status == "pass", outcome


def test_ftps_probes_fail_on_plain_ftp(plain_ftp, ftp_user):
    user, password, _ = ftp_user
    outcome = ftps_probe(plain_ftp, user, password)
    assert outcome.status == "fail" and "does not offer explicit TLS" in outcome.message
    accepted = ftps_refuses_plain(plain_ftp, user, password)
    assert accepted.status == "fail" and "accepts a login without TLS" in accepted.message


@contextmanager
def control_port_only(target: Target):
    """A relay on 127.0.0.2 to ``target``: like a Service exposing port 21 but none of the passive ports."""
    listener = socket.create_server(("127.0.0.2", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def pump(source, sink):
        with source, sink:
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:  # the other direction closed both sockets
                pass

    def accept():
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection((target.host, target.port), timeout=10)
            for pair in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=pair, daemon=True).start()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield Target("127.0.0.2", listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_ftps_probe_fails_when_the_passive_ports_are_not_exposed(ftps, ftp_user):
    user, password, _ = ftp_user
    with control_port_only(ftps[0]) as relayed:
        outcome = ftps_probe(relayed, user, password, timeout=5)
    assert outcome.status == "fail" and "passive {step}" in outcome.message, outcome
    assert outcome.params["reply"] == "connection refused"


def test_ftps_probe_fails_on_a_port_that_is_not_ftp(nginx, ftp_user):
    outcome = ftps_probe(Target(LOOPBACK, nginx["plain"]), "someone", "secret", timeout=2)
    assert outcome.status == "fail" and "did not greet like an FTP server" in outcome.message
    assert ftps_probe(closed_port(), "someone", "secret").status == "fail"


# ---------------------------------------------------------------- InfluxDB 1.x


@contextmanager
def influxd(folder: Path, auth: bool):
    binary = need("influxd", "influxdb")
    http, rpc = free_port(), free_port()
    (folder / "influxdb.conf").write_text(f"""
reporting-disabled = true
bind-address = "{LOOPBACK}:{rpc}"
[meta]
  dir = "{folder}/meta"
[data]
  dir = "{folder}/data"
  wal-dir = "{folder}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "{LOOPBACK}:{http}"
  auth-enabled = {"true" if auth else "false"}
  log-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
""")
    with server([binary, "run", "-config", str(folder / "influxdb.conf")], http, folder):
        yield f"http://{LOOPBACK}:{http}"


def influx_post(base: str, path: str, data: bytes | None = None, **query) -> None:
    body = data if data is not None else urlencode({"q": query.pop("q")}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{base}{path}?{urlencode(query)}", data=body, method="POST"),
                           timeout=10).read()


@pytest.fixture(scope="module")
def influx(tmp_path_factory):
    """InfluxDB with auth: admin, a `telegraf` database with a fresh point, `empty`, and `stale` (an old point)."""
    password = secrets.token_urlsafe(12)
    with influxd(tmp_path_factory.mktemp("influx"), auth=True) as base:
        influx_post(base, "/query", q=f"CREATE USER admin WITH PASSWORD '{password}' WITH ALL PRIVILEGES")
        for database in ("telegraf", "empty", "stale"):
            influx_post(base, "/query", q=f"CREATE DATABASE {database}", u="admin", p=password)
        influx_post(base, "/write", b"cpu,host=kubelab-worker usage_idle=91.5\n", db="telegraf", u="admin", p=password)
        an_hour_ago = int(time.time()) - 3600
        influx_post(base, "/write", f"cpu,host=kubelab-worker usage_idle=90 {an_hour_ago}\n".encode(), db="stale",
                    precision="s", u="admin", p=password)
        yield base, password


@pytest.fixture(scope="module")
def open_influx(tmp_path_factory):
    with influxd(tmp_path_factory.mktemp("influx-open"), auth=False) as base:
        yield base


def test_influx_passes_on_a_working_database(influx):
    base, password = influx
    fetch = fetcher(base)
    assert influx_ping(fetch).status == "pass"
    assert influx_database(fetch, "telegraf", "admin", password).status == "pass"
    recent = influx_recent_points(fetch, "telegraf", "admin", password, measurement="cpu")
    assert recent.status == "pass" and recent.params["count"] == 1, recent
    assert influx_recent_points(fetch, "telegraf", "admin", password).status == "pass"
    assert influx_auth_enforced(fetch).status == "pass"


def test_influx_fails_on_a_missing_database_and_no_recent_points(influx):
    base, password = influx
    fetch = fetcher(base)
    missing = influx_database(fetch, "monitoring", "admin", password)
    assert missing.status == "fail" and "has no database" in missing.message and "telegraf" in missing.found
    for database in ("empty", "stale"):
        outcome = influx_recent_points(fetch, database, "admin", password, minutes=5)
        assert outcome.status == "fail" and "No points reached" in outcome.message, outcome


def test_influx_fails_on_a_wrong_password_without_showing_it(influx):
    base, password = influx
    outcome = influx_database(fetcher(base), "telegraf", "admin", "not-" + password)
    assert outcome.status == "fail" and "refused the credentials" in outcome.message
    assert password not in repr(outcome)


def test_influx_fails_when_auth_is_not_enforced(open_influx):
    fetch = fetcher(open_influx)
    assert influx_ping(fetch).status == "pass"
    outcome = influx_auth_enforced(fetch)
    assert outcome.status == "fail" and "without credentials" in outcome.message and outcome.found == "200"


def test_influx_query_passes_the_api_server_proxy_with_its_query_string():
    """Through ``clusters.api.proxy_get`` (a stand-in API server records the path): u=/p= survive, encoded."""
    paths = []

    class StandIn(BaseHTTPRequestHandler):
        def do_GET(self):
            paths.append(self.path)
            body = json.dumps({"results": [{"statement_id": 0, "series": [
                {"name": "databases", "columns": ["name"], "values": [["telegraf"]]}]}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer((LOOPBACK, 0), StandIn)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    configuration = kubernetes.client.Configuration()
    configuration.host = f"http://{LOOPBACK}:{httpd.server_address[1]}"
    try:
        with kubernetes.client.ApiClient(configuration) as api:
            def fetch(path):
                return proxy_get(api, "mon", "services", "influxdb", 8086, path, timeout=5)
            assert influx_database(fetch, "telegraf", "admin", "p&w=?").status == "pass"
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert paths == ["/api/v1/namespaces/mon/services/influxdb:8086/proxy/query?q=SHOW+DATABASES&u=admin&p=p%26w%3D%3F"]


def test_influx_ping_fails_on_another_server(nginx):
    outcome = influx_ping(fetcher(f"http://{LOOPBACK}:{nginx['plain']}"))
    assert outcome.status == "fail" and outcome.found == "200"


# ---------------------------------------------------------------- Grafana and ngrok (recorded answers)


@contextmanager
def recorded(routes: dict[str, tuple[int, str]], credentials: tuple[str, str] | None = None):
    """Serve fixture files by path (query ignored); with ``credentials``, /api/* other than health needs Basic auth."""
    expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode() if credentials else None

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = urlsplit(self.path).path
            if expected and path != "/api/health" and self.headers.get("Authorization") != expected:
                status, body = 401, (FIXTURES / "grafana/unauthorized.json").read_bytes()
            elif path in routes:
                status, name = routes[path]
                body = (FIXTURES / name).read_bytes()
            else:
                status, body = 404, b'{"message":"Not found"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


GRAFANA = {"/api/health": (200, "grafana/health.json"),
           "/api/datasources": (200, "grafana/datasources.json"),
           "/api/datasources/uid/influxdb-telegraf/health": (200, "grafana/datasource-health-ok.json"),
           "/api/search": (200, "grafana/search-dash-db.json")}
INFLUX_URL = "influxdb.kubelab-monitoring.svc.cluster.local:8086"


def test_grafana_passes_on_recorded_healthy_answers():
    with recorded(GRAFANA, ("admin", "pw")) as base:
        fetch = fetcher(base, user="admin", password="pw")
        health = grafana_health(fetch)
        assert health.status == "pass" and health.params["version"] == "11.6.0"
        source = grafana_datasource(fetch, INFLUX_URL, uid="influxdb-telegraf")
        assert source.status == "pass" and "measurements found" in source.params["detail"], source
        assert grafana_datasource(fetch, INFLUX_URL).status == "pass"
        assert grafana_dashboards(fetch, ["kubelab-nodes"]).status == "pass"


def test_grafana_fails_on_wrong_credentials_url_health_and_missing_objects():
    broken = {**GRAFANA, "/api/datasources/uid/influxdb-telegraf/health": (400, "grafana/datasource-health-error.json")}
    with recorded(broken, ("admin", "pw")) as base:
        fetch = fetcher(base, user="admin", password="pw")
        unhealthy = grafana_datasource(fetch, INFLUX_URL)
        assert unhealthy.status == "fail" and "cannot query InfluxDB" in unhealthy.message
        elsewhere = grafana_datasource(fetch, "influxdb.other-namespace")
        assert elsewhere.status == "fail" and "points at" in elsewhere.message
        absent = grafana_datasource(fetch, INFLUX_URL, uid="influx-missing")
        assert absent.status == "fail" and "with uid" in absent.message
        lacking = grafana_dashboards(fetch, ["kubelab-nodes", "kubelab-pods"])
        assert lacking.status == "fail" and lacking.params["missing"] == "kubelab-pods"
        refused = grafana_datasource(fetcher(base, user="admin", password="wrong"), INFLUX_URL)
        assert refused.status == "fail" and "refused the admin credentials" in refused.message
        assert len(refused.hints) == 3


def test_grafana_health_fails_on_another_server(nginx):
    outcome = grafana_health(fetcher(f"http://{LOOPBACK}:{nginx['plain']}"))
    assert outcome.status == "fail" and "not JSON" in outcome.message


def test_ngrok_reads_endpoints_and_falls_back_to_tunnels():
    with recorded({"/api/endpoints": (200, "ngrok/endpoints.json")}) as base:
        outcome = ngrok_endpoint(fetcher(base), "web", "kubelab-ngrok", 80)
        assert outcome.status == "pass" and outcome.params["url"].startswith("https://"), outcome
        wrong = ngrok_endpoint(fetcher(base), "api", "kubelab-ngrok")
        assert wrong.status == "fail" and "No https URL" in wrong.message and "web.kubelab-ngrok" in wrong.found
    routes = {"/api/endpoints": (404, "ngrok/not-found.json"), "/api/tunnels": (200, "ngrok/tunnels.json")}
    with recorded(routes) as base:
        assert ngrok_endpoint(fetcher(base), "web", "kubelab-ngrok", 80).status == "pass"
    with recorded({}) as base:
        nothing = ngrok_endpoint(fetcher(base), "web")
        assert nothing.status == "fail" and "publishes nothing" in nothing.message


def test_upstream_matches_the_forms_an_agent_is_given():
    assert upstream_matches("http://web.kubelab-ngrok.svc.cluster.local:80", "web", "kubelab-ngrok", 80)
    assert upstream_matches("web:80", "web", "kubelab-ngrok", 80)
    assert upstream_matches("http://web", "web", port=80)
    assert not upstream_matches("http://web.other:80", "web", "kubelab-ngrok")
    assert not upstream_matches("http://web:8080", "web", port=80)
    assert not upstream_matches("http://webapp:80", "web")


# ---------------------------------------------------------------- DNS


def test_dns_answer_judges_dig_output():
    assert dns_answer("web.lab.svc.cluster.local", "10.96.12.7\n", ["10.96.12.7"]).status == "pass"
    cname = dns_answer("db.lab.svc.cluster.local", "db.example.org.\n93.184.216.34\n", ["db.example.org."])
    assert cname.status == "pass"
    empty = dns_answer("web.lab.svc.cluster.local", ";; connection timed out\n", ["10.96.12.7"])
    assert empty.status == "fail" and "does not resolve" in empty.message
    wrong = dns_answer("web.lab.svc.cluster.local", "10.96.0.99\n", ["10.96.12.7"])
    assert wrong.status == "fail" and wrong.params["missing"] == "10.96.12.7"


def test_resolve_on_this_machine():
    assert LOOPBACK in resolve("localhost")
    assert resolve("kubelab-probe.invalid") == []


# ---------------------------------------------------------------- SSH


@contextmanager
def greeter(greeting: bytes):
    """A loopback TCP server that sends ``greeting`` to each client, then waits for it to leave."""
    listener = socket.create_server((LOOPBACK, 0))
    listener.settimeout(5)

    def serve():
        try:
            while True:
                connection, _ = listener.accept()
                with connection:
                    connection.sendall(greeting)
                    connection.settimeout(2)
                    try:
                        connection.recv(1)
                    except OSError:
                        pass
        except OSError:  # the listener was closed
            return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Target(LOOPBACK, listener.getsockname()[1], "test")
    finally:
        listener.close()
        thread.join(5)


@pytest.mark.parametrize(("greeting", "status"), [
    (b"SSH-2.0-OpenSSH_9.9\r\n", "pass"),
    (b"SSH-1.99-OpenSSH_3.9\r\n", "pass"),  # a server that speaks both protocols
    (b"Welcome to the capstone\r\nSSH-2.0-dropbear_2024.86\r\n", "pass"),  # lines before the version are allowed
    (b"SSH-1.5-old\r\n", "fail"),
    (b"HTTP/1.1 400 Bad Request\r\n\r\n", "fail"),
    (b"220 (vsFTPd 3.0.5)\r\n", "fail"),
])
def test_ssh_banner_reads_the_identification_line(greeting, status):
    from checkers.probes import ssh_banner

    with greeter(greeting) as target:
        outcome = ssh_banner(target, timeout=2)
    assert outcome.status == status, outcome.message


def test_ssh_banner_fails_on_silence_and_on_a_closed_port():
    from checkers.probes import ssh_banner

    with greeter(b"") as target:  # a server that never speaks first (HTTP, MySQL's client-first…)
        assert ssh_banner(target, timeout=0.5).status == "fail"
    assert ssh_banner(closed_port(), timeout=2).status == "fail"
