"""kubelab's own API client (clusters/api.py): a plain kubeconfig (an HTTPS server, its CA, a client certificate
and/or a bearer token, as files or data) is served without the official client, with TLS verified; everything
else falls back to the official client, as before; and `kubelab check` imports neither it, nor cryptography,
nor pydantic (the import budget of a cold start, proved by what is loaded rather than by a timing)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clusters.api import ApiUnreachable, get, plain_client
from clusters.base import Connection, load_kubeconfig


def _admin(cluster) -> tuple[dict, Path]:
    if cluster.kubeconfig is None:
        pytest.skip("needs a kubeconfig file")
    config = load_kubeconfig(cluster.kubeconfig)
    if cluster.context:
        config["current-context"] = cluster.context
    return config, cluster.kubeconfig


def _selected(config: dict) -> tuple[dict, dict]:
    context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
    user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
    return cluster, user


def _as_data(entry: dict, key: str, base: Path) -> None:
    if key in entry:
        entry[f"{key}-data"] = base64.b64encode((base / entry.pop(key)).read_bytes()).decode()


@pytest.mark.cluster
def test_a_plain_kubeconfig_uses_kubelabs_client_with_files_or_data(cluster, tmp_path):
    config, path = _admin(cluster)
    api = plain_client(config, path)
    if api is None:
        pytest.skip("this cluster's kubeconfig is not a plain one")
    try:
        assert api.official is None and get(api, "/version")["gitVersion"]
    finally:
        api.close()
    server, user = _selected(config)
    for entry, keys in ((server, ["certificate-authority"]), (user, ["client-certificate", "client-key"])):
        for key in keys:
            _as_data(entry, key, path.parent)
    written = tmp_path / "data.kubeconfig"
    written.write_text(yaml.safe_dump(config))
    api = Connection(kubeconfig=written).api_client()
    try:
        assert api.official is None and get(api, "/api/v1/namespaces/default")["metadata"]["name"] == "default"
    finally:
        api.close()


@pytest.mark.cluster
def test_the_server_certificate_is_always_verified(cluster, tmp_path):
    config, path = _admin(cluster)
    server, _user = _selected(config)
    if "certificate-authority" not in server and "certificate-authority-data" not in server:
        pytest.skip("this cluster's kubeconfig names no CA")
    other_ca = cluster.kubeconfig.parent / "pki" / "etcd-ca.crt"  # the embedded cluster's other CA
    if not other_ca.is_file():
        pytest.skip("needs the embedded cluster's etcd CA")
    server.pop("certificate-authority-data", None)
    server["certificate-authority"] = str(other_ca)
    api = plain_client(config, path)
    assert api is not None and api.official is None
    with pytest.raises(ApiUnreachable, match="SSLError"):
        get(api, "/version")
    api.close()


def _kubeconfig(server: dict, user: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Config", "current-context": "c",
            "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443", **server}}],
            "users": [{"name": "u", "user": user}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}


@pytest.mark.parametrize("server, user", [
    ({"insecure-skip-tls-verify": True}, {"token": "t"}),
    ({"tls-server-name": "other"}, {"token": "t"}),
    ({"proxy-url": "http://127.0.0.1:3128"}, {"token": "t"}),
    ({}, {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "get-token"}}),
    ({}, {"auth-provider": {"name": "oidc", "config": {}}}),
    ({}, {"username": "u", "password": "p"}),
    ({}, {"client-certificate": "missing.crt", "client-key": "missing.key"}),
    ({"certificate-authority": "missing.crt"}, {"token": "t"}),
    ({"certificate-authority-data": "not base64 at all!"}, {"token": "t"}),
    ({"server": "http://127.0.0.1:8080"}, {"token": "t"}),
], ids=["insecure", "tls-server-name", "proxy-url", "exec", "auth-provider", "basic", "missing-cert", "missing-ca",
        "bad-ca-data", "http"])
def test_anything_but_a_plain_kubeconfig_goes_to_the_official_client(tmp_path, server, user):
    config = _kubeconfig(server, user)
    assert plain_client(config, tmp_path / "kubeconfig") is None


def test_a_proxy_in_the_environment_goes_to_the_official_client(tmp_path, monkeypatch):
    config = _kubeconfig({}, {"token": "t"})
    assert plain_client(config, tmp_path / "kubeconfig") is not None
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert plain_client(config, tmp_path / "kubeconfig") is None


def test_the_fallback_is_the_official_client(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(_kubeconfig({"insecure-skip-tls-verify": True}, {"token": "t"})))
    api = Connection(kubeconfig=path).api_client()
    try:
        assert api.official is not None and api.host == "https://127.0.0.1:6443" and not api.verify_tls
    finally:
        api.close()


@pytest.mark.cluster
def test_check_imports_neither_the_official_client_nor_cryptography_nor_pydantic(cluster, namespace, tmp_path):
    """`kubelab check` as a learner runs it (a fresh process; here through the kubeconfig backend, whose
    kubeconfig is the cluster's plain one), then what it loaded."""
    if cluster.kubeconfig is None or cluster.context not in (None, load_kubeconfig(cluster.kubeconfig)
                                                              .get("current-context")):
        pytest.skip("needs a kubeconfig file whose current context is the cluster")
    heavy = ("kubernetes", "cryptography", "pydantic")
    code = ("import json, sys\nfrom checkers.cli import main\ncode = main(sys.argv[1:])\n"
            f"print(json.dumps([int(code), sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))]))")
    env = {**os.environ, "KUBELAB_BACKEND": "kubeconfig", "KUBECONFIG": str(cluster.kubeconfig),
           "KUBELAB_STATE": str(tmp_path), "KUBELAB_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", code, "check", "02-pods", "-n", namespace], env=env, check=False,
                          capture_output=True, text=True, timeout=120)
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 1, done.stdout + done.stderr  # an empty namespace: the checks ran and failed
    if plain_client(*_admin(cluster)) is None:
        pytest.skip("this cluster's kubeconfig is not a plain one: the official client is expected")
    assert loaded == [], f"`kubelab check` imported {loaded}"


def test_a_proxied_services_own_401_is_its_answer_but_the_api_servers_is_an_error():
    """InfluxDB answers 401 to a query without credentials: that passes through the proxy as the service's answer.
    A 401/403 the API server itself sends (a Kubernetes Status) means our identity may not use the proxy."""
    import http.server
    import threading

    import urllib3

    from clusters.api import ApiForbidden, Client, proxy_get

    status_body = b'{"kind":"Status","apiVersion":"v1","status":"Failure","message":"forbidden","code":403}'

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            own = "/services/influx:8086/" in self.path
            body = b'{"error":"unable to parse authentication credentials"}' if own else status_body
            self.send_response(401 if own else 403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = Client(f"http://127.0.0.1:{server.server_port}", pool=urllib3.PoolManager())
        status, body = proxy_get(api, "ns", "services", "influx", 8086, "/query")
        assert status == 401 and b"authentication" in body
        with pytest.raises(ApiForbidden):
            proxy_get(api, "ns", "services", "other", 80, "/")
    finally:
        server.shutdown()
