"""A stub Kubernetes API server on loopback where everything is missing or broken.

Modes: ``forbidden`` (403 for everything), ``empty`` (every list is empty),
``garbage`` (every list holds malformed objects with the names the labs use),
``notjson`` (200 with an HTML body), ``slow`` (answers after the client gave up).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kubernetes import client

from clusters.api import Client

MALFORMED = [
    lambda name: {"metadata": {"name": name}, "spec": None, "status": None},
    lambda name: {"metadata": {"name": name, "labels": None, "ownerReferences": "x"}, "spec": "x", "status": "x"},
    lambda name: {"metadata": {"name": name, "uid": 7}, "spec": {"containers": "x", "volumes": [1],
                  "ports": {"a": 1}, "selector": [], "replicas": "many", "type": 5, "template": []},
                  "status": {"conditions": ["Ready"], "phase": 3, "containerStatuses": [None]}},
    lambda name: {"metadata": {"name": name, "labels": {"app": None}}, "spec": {"containers": [None, {"ports": [7]}]},
                  "status": {"conditions": [{"type": "Ready"}], "readyReplicas": None}, "endpoints": "x",
                  "involvedObject": None, "message": None},
]


class StubApiServer:
    def __init__(self, mode: str, names: list[str]):
        self.mode, self.names = mode, names
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def api_client(self) -> Client:
        configuration = client.Configuration()
        configuration.host = f"http://127.0.0.1:{self.server.server_port}"
        configuration.retries = 0
        return Client.wrap(client.ApiClient(configuration))

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body = stub.answer(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (the `slow` mode)
                    pass

        return Handler

    def answer(self, path: str) -> tuple[int, bytes]:
        if self.mode == "slow":
            time.sleep(6)
        if self.mode == "forbidden":
            return 403, json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "reason": "Forbidden", "code": 403, "message": "forbidden"}).encode()
        if self.mode == "notjson":
            return 200, b"<html>not json</html>"
        is_list = not path.rstrip("/").split("?")[0].split("/")[-2] == "namespaces" and "/proxy" not in path
        if not is_list or self.mode == "empty":
            items = []
        else:
            items = [shape(name) for name in self.names for shape in MALFORMED]
        return 200, json.dumps({"kind": "List", "metadata": {"name": "x"}, "items": items}).encode()
