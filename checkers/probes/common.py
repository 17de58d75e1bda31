"""What every probe shares: targets, the rule for failures to connect, and plain HTTP GETs.

The rule, for every probe:

* We could not get to the address at all: the name does not resolve, there is no route, or the
  first connection timed out. The path from this machine to the cluster is missing (a macOS docker
  driver without a tunnel, a firewall), so the verdict is ``error``: nobody's fault, no points lost.
* We got there and the learner's service said no or misbehaved: connection refused or reset (no
  endpoints, wrong port), a failed TLS handshake, a protocol error, a wrong answer, or a timeout on
  an already-open connection or on a later one (FTP's data connection). The verdict is ``failed``,
  with hints. A refused first connection is ``not_yet``: the engine asks again until its settle time
  is over, since a server whose pod just became Ready may not listen yet and kube-proxy writes the
  rules of a new endpoint a moment after it appears.
* The API server's proxy could not be used (``clusters.api.ApiError``): not caught here, so the
  engine turns it into ``error``.

Probes raise ``Verdict`` internally; the ``@probe`` decorator returns its outcome.
"""

from __future__ import annotations

import base64
import errno
import functools
import http.client
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from clusters.files import load_json

from ..outcome import N_, Outcome, error, failed, not_yet

Fetch = Callable[[str], tuple[int, bytes]]  # path (with query) → (HTTP status, body); see ``fetcher``
MAX_BODY = 1 << 20
UNREACHABLE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}


@dataclass(frozen=True)
class Target:
    """A TCP address to probe, and how it was found (shown to the learner)."""

    host: str
    port: int
    via: str = ""  # "load balancer", "node port", "port-forward"…

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class Verdict(Exception):
    """Stops a probe with its outcome."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


def probe(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """Let ``fn`` raise ``Verdict`` anywhere; return its outcome."""
    @functools.wraps(fn)
    def run(*args, **kwargs) -> Outcome:
        try:
            return fn(*args, **kwargs)
        except Verdict as stop:
            return stop.outcome
    return run


def connect_failure(exc: OSError, target: str) -> Verdict:
    """The verdict on a first connection to ``target`` that failed with ``exc`` (see the module's rule)."""
    reason = _reason(exc)
    if isinstance(exc, (socket.gaierror, TimeoutError)) or exc.errno in UNREACHABLE_ERRNOS:
        return Verdict(error(N_("The checker cannot reach {target} from this machine ({reason})."),
                             target=target, reason=reason))
    return answer_failure(exc, target)


def answer_failure(exc: OSError | http.client.HTTPException, target: str) -> Verdict:
    """The verdict when the learner's service at ``target`` refused, reset or broke off."""
    if isinstance(exc, ConnectionRefusedError):
        return Verdict(not_yet(N_("Nothing answers at {target}: the connection was refused."), target=target,
                              expected=N_("a server answering"), found=N_("connection refused"),
                              hints=(N_("Does the Service have ready endpoints? `kubectl get endpointslices`"),
                                     N_("Check that the Service's port and targetPort match the port the "
                                        "container listens on."))))
    if isinstance(exc, ssl.SSLError):
        return Verdict(failed(N_("The TLS handshake with {target} failed ({reason})."), target=target,
                              reason=_reason(exc), expected="TLS", found=_reason(exc),
                              hints=(N_("Does the server on this port speak TLS, with a certificate and key "
                                        "it can read?"),)))
    return Verdict(failed(N_("The server at {target} broke off ({reason})."), target=target, reason=_reason(exc),
                          expected=N_("a complete answer"), found=_reason(exc),
                          hints=(N_("Look at the server's logs: `kubectl logs <pod>`"),)))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return exc.reason
    if isinstance(exc, TimeoutError):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def unverified_tls() -> ssl.SSLContext:
    """A client context that accepts any certificate: probes that are not about certificates use it."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def http_get(url: str, timeout: float = 5.0, headers: dict | None = None,
             tls: ssl.SSLContext | None = None) -> Response:
    """One GET, redirects not followed; raises ``Verdict`` when there is no HTTP answer."""
    parts = urlsplit(url)
    target = parts.netloc
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                                 context=tls or unverified_tls())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        try:
            connection.connect()
        except OSError as exc:
            raise connect_failure(exc, target) from exc
        try:
            connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                               headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read(MAX_BODY))
        except (OSError, http.client.HTTPException) as exc:
            raise answer_failure(exc, target) from exc
    finally:
        connection.close()


def fetcher(base_url: str, timeout: float = 5.0, user: str | None = None, password: str | None = None,
            tls: ssl.SSLContext | None = None) -> Fetch:
    """A ``Fetch`` for direct HTTP (NodePort, LoadBalancer, port-forward), with Basic auth if given.

    Through the API server's proxy use ``lambda path: ctx.view.proxy_get("services", name, port, path)``
    instead: it cannot carry Basic auth (the API server drops ``Authorization``).
    """
    headers = {"Accept": "application/json"}
    if user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode()

    def fetch(path: str) -> tuple[int, bytes]:
        response = http_get(base_url.rstrip("/") + path, timeout, headers, tls)
        return response.status, response.body
    return fetch


def get_json(fetch: Fetch, path: str, what: str):
    """(status, decoded JSON or None); a 2xx answer that is not JSON is a failed probe of ``what``."""
    status, body = fetch(path)
    stop_on_proxy_refusal(what, status, body)
    try:
        return status, load_json(body or b"null")
    except ValueError:
        if 200 <= status < 300:
            raise Verdict(failed(N_("{what} answered HTTP {status} with something that is not JSON."), what=what,
                                 status=status, expected="JSON", found=body[:80].decode(errors="replace"),
                                 hints=(N_("Is the port right? Another program may be answering there."),)))
        return status, None


def stop_on_proxy_refusal(what: str, status: int, body: bytes) -> None:
    """Raise ``Verdict`` if the body is a Kubernetes ``Status``: the API server's proxy answered, not ``what``."""
    if 200 <= status < 300 or not body.lstrip().startswith(b"{"):
        return
    try:
        decoded = load_json(body)
    except ValueError:
        return
    if isinstance(decoded, dict) and decoded.get("kind") == "Status" and decoded.get("apiVersion") == "v1":
        raise Verdict(proxy_refusal(what, status, str(decoded.get("message") or decoded.get("reason") or "")))


def proxy_refusal(what: str, status: int, detail: str) -> Outcome:
    """The API server could not pass the request on to ``what``: no ready endpoints, or no such port."""
    return failed(N_("The API server could not reach {what} (HTTP {status}: {detail})."), what=what, status=status,
                  detail=detail, expected=N_("an answer from the service"), found=detail,
                  hints=(N_("Does the Service have ready endpoints? `kubectl get endpointslices`"),
                         N_("Is the port the Service's port (not the targetPort)? `kubectl get service -o wide`")))
