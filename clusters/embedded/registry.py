"""A read-only registry on loopback serving the images kubelab built, as the real node's containerd mirror.

Pods whose image policy is ``Always`` (every ``:latest`` tag by default) make the kubelet pull even when the
image is present; containerd asks this mirror, finds every blob already in its store, and the pull succeeds
without any network. Run as a script (standard library only):
``python registry.py PORT INDEX_JSON``; it serves ``GET/HEAD /v2/<name>/manifests/<tag>`` and ``/blobs/<digest>``.
"""

from __future__ import annotations

import http.server
import json
import os
import sys
import tarfile

MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def qualified(name: str) -> str:
    first = name.split("/")[0]
    if "/" not in name:
        return f"docker.io/library/{name}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{name}"
    return name


def load(index_file: str) -> tuple[dict, dict]:
    """(``host/repo:tag`` → (archive, manifest digest), digest → archive) from the image cache's index."""
    with open(index_file) as f:
        index = json.load(f)
    tags, blobs = {}, {}
    for entry in index.values():
        for name in entry["names"]:
            tags[qualified(name)] = (entry["archive"], entry["digest"])
        with tarfile.open(entry["archive"]) as tar:
            for member in tar.getnames():
                if member.startswith("blobs/sha256/"):
                    blobs["sha256:" + member.rsplit("/", 1)[1]] = entry["archive"]
    return tags, blobs


class Handler(http.server.BaseHTTPRequestHandler):
    index_file = ""
    seen = 0.0
    tags: dict = {}
    blobs: dict = {}

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        changed = os.stat(self.index_file).st_mtime
        if changed != Handler.seen:  # `kubelab images build` added an image
            Handler.tags, Handler.blobs = load(self.index_file)
            Handler.seen = changed
        path, _sep, query = self.path.partition("?")
        host = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("ns", "docker.io")
        if path in ("/v2", "/v2/"):
            return self._reply(b"{}", "application/json", None, body)
        repo, kind, ref = self._split(path)
        if kind == "manifests":
            archive, digest = self.tags.get(f"{host}/{repo}:{ref}", (None, None))
            if ref.startswith("sha256:"):
                archive, digest = self.blobs.get(ref), ref
            if archive:
                return self._reply(self._read(archive, digest), MANIFEST, digest, body)
        elif kind == "blobs" and ref in self.blobs:
            return self._reply(self._read(self.blobs[ref], ref), "application/octet-stream", ref, body)
        self.send_error(404)

    @staticmethod
    def _split(path: str) -> tuple[str, str, str]:
        parts = path.removeprefix("/v2/").split("/")
        if len(parts) < 3 or parts[-2] not in ("manifests", "blobs"):
            return "", "", ""
        return "/".join(parts[:-2]), parts[-2], parts[-1]

    @staticmethod
    def _read(archive: str, digest: str) -> bytes:
        with tarfile.open(archive) as tar:
            member = tar.extractfile(f"blobs/sha256/{digest.split(':', 1)[1]}")
            return member.read() if member else b""

    def _reply(self, data: bytes, kind: str, digest: str | None, body: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    Handler.index_file = sys.argv[2]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
