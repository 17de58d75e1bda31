"""HTTP(S) probes: the status a URL answers with, and redirects (301, 307…) with their Location.

Direct probes take a URL (a NodePort, a LoadBalancer IP, a port-forward) and never follow redirects.
Certificates are not checked here (that is ``tls.py``'s job). ``proxied_status`` judges what
``ctx.view.proxy_get`` returned, for services reached through the API server's proxy.
"""

from __future__ import annotations

from clusters.base import STAND_IN_PATH
from clusters.files import load_json

from ..outcome import N_, Outcome, failed, passed
from .common import Fetch, http_get, probe, stop_on_proxy_refusal

REDIRECTS = (301, 302, 303, 307, 308)


@probe
def http_status(url: str, expected: int = 200, contains: bytes | None = None, timeout: float = 5.0,
                headers: dict | None = None) -> Outcome:
    """``url`` answers ``expected`` (and its body holds ``contains``, if given)."""
    response = http_get(url, timeout, headers)
    return _judge(url, response.status, response.body, expected, contains, response.headers.get("location"))


@probe
def http_redirect(url: str, status: int = 301, to: str | None = None, timeout: float = 5.0) -> Outcome:
    """``url`` redirects with ``status``, to a Location starting with ``to`` (e.g. ``"https://"``)."""
    response = http_get(url, timeout)
    location = response.headers.get("location", "")
    hints = (N_("A redirect is a 3xx status with a Location header; `curl -I {url}` shows both."),
             N_("In nginx: `return {status} https://$host$request_uri;` in the plain-HTTP server block."))
    if response.status not in REDIRECTS:
        return failed(N_("{url} answered HTTP {answer} instead of redirecting with {status}."), url=url,
                      answer=response.status, status=status, expected=status, found=response.status, hints=hints)
    if response.status != status:
        return failed(N_("{url} redirects with {answer}, not with {status}."), url=url, answer=response.status,
                      status=status, expected=status, found=response.status, hints=hints)
    if to and not location.startswith(to):
        return failed(N_("{url} redirects to {location}, not to {to}…"), url=url, location=location or "-", to=to,
                      status=status, expected=to, found=location or "-", hints=hints)
    return passed(N_("{url} redirects with {status} to {location}."), url=url, status=status, location=location)


@probe
def proxied_status(what: str, status: int, body: bytes, expected: int = 200,
                   contains: bytes | None = None) -> Outcome:
    """Judge a ``ctx.view.proxy_get`` result for ``what`` (e.g. "Service web"), telling the proxy's refusals apart."""
    if status != expected:
        stop_on_proxy_refusal(what, status, body)
    return _judge(what, status, body, expected, contains, None)


def _judge(what: str, status: int, body: bytes, expected: int, contains: bytes | None,
           location: str | None) -> Outcome:
    if status != expected:
        return failed(N_("{what} answered HTTP {answer}, not {wanted}."), what=what, answer=status,
                      wanted=expected, expected=expected, found=status,
                      hints=(N_("`kubectl logs` on the pods behind it tells what they did with the request."),
                             N_("A 3xx answer redirects to {location}.") if location else
                             N_("A 404 means the server is up but has nothing at that path.")),
                      location=location or "")
    if contains is not None and contains not in body:
        return failed(N_("{what} answered HTTP {status}, but without the expected content."), what=what,
                      status=status, expected=contains.decode(errors="replace"),
                      found=body[:80].decode(errors="replace"),
                      hints=(N_("Is the right application behind it? Compare with `curl` from inside the cluster."),))
    return passed(N_("{what} answered HTTP {status}."), what=what, status=status)


def stand_in(fetch: Fetch) -> dict | None:
    """What a server in one of kubelab's stand-in images (the embedded cluster's real node) declares at
    ``STAND_IN_PATH``: ``names`` (the image names it answers to), ``stands_in_for``, ``contains`` (Debian packages
    and versions). None from any other server (upstream nginx answers 404 there)."""
    status, body = fetch(STAND_IN_PATH)
    try:
        declared = load_json(body) if status == 200 else None
    except ValueError:
        return None
    return declared if isinstance(declared, dict) and isinstance(declared.get("names"), list) else None
