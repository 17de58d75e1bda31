"""SSH probe: the server's identification line (RFC 4253, 4.2), read without logging in.

A server may send other lines first; the one that counts starts with ``SSH-``. Protocol 2.0 (or 1.99, a server
that speaks both) is an SSH server today.
"""

from __future__ import annotations

import socket

from ..outcome import N_, Outcome, failed, passed
from .common import Target, answer_failure, connect_failure, probe

MAX_LINES, MAX_BYTES = 20, 4096


@probe
def ssh_banner(target: Target, timeout: float = 5.0) -> Outcome:
    """Pass when ``target`` sends an SSH-2.0 identification line."""
    try:
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        raise connect_failure(exc, str(target)) from exc
    with sock:
        try:
            line = _identification(sock)
        except OSError as exc:
            raise answer_failure(exc, str(target)) from exc
    if line.startswith(("SSH-2.0-", "SSH-1.99-")):
        return passed(N_("{target} answers as an SSH server: {banner}."), target=str(target), banner=line)
    return failed(N_("{target} does not answer like an SSH server."), target=str(target), expected="SSH-2.0-…",
                  found=line or N_("nothing"),
                  hints=(N_("An SSH server greets first with a line that starts with SSH-2.0-."),
                         N_("Is sshd running in the container, and does the Service's port lead to its port 22?")))


def _identification(sock: socket.socket) -> str:
    """The first line starting with ``SSH-`` (or the last line read), printable and short."""
    data = b""
    while len(data) < MAX_BYTES and data.count(b"\n") < MAX_LINES:
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
        lines = data.split(b"\n")
        found = next((line for line in lines[:-1] if line.startswith(b"SSH-")), None)
        if found is not None:
            return _printable(found)
    return _printable(data.split(b"\n")[0])


def _printable(line: bytes) -> str:
    return "".join(c for c in line.decode("ascii", "replace").strip() if c.isprintable())[:80]
