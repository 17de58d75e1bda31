"""ngrok probe over the agent's local API (``:4040/api``, no auth): the public URL and its upstream.

Reach the agent through the API server's pod proxy
(``lambda path: ctx.view.proxy_get("pods", agent_pod, 4040, path)``). ``/api/endpoints`` is read
first (agent 3.16+); ``/api/tunnels`` (deprecated) is the fallback for older agents. Tested against
recorded API responses (no ngrok agent in the tests). Nothing here touches the internet.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..outcome import N_, Outcome, failed, passed
from .common import Fetch, get_json, probe

WHAT = "the ngrok agent"


def published(fetch: Fetch) -> list[tuple[str, str]]:
    """(public URL, upstream address) for each endpoint the agent serves."""
    status, answer = get_json(fetch, "/api/endpoints", WHAT)
    if status == 200 and isinstance(answer, dict) and isinstance(answer.get("endpoints"), list):
        return [(e.get("url") or "", (e.get("upstream") or {}).get("url") or "")
                for e in answer["endpoints"] if isinstance(e, dict)]
    status, answer = get_json(fetch, "/api/tunnels", WHAT)
    tunnels = answer.get("tunnels") if status == 200 and isinstance(answer, dict) else None
    return [(t.get("public_url") or "", (t.get("config") or {}).get("addr") or "")
            for t in tunnels or [] if isinstance(t, dict)]


def upstream_matches(address: str, service: str, namespace: str | None = None, port: int | None = None) -> bool:
    """Whether ``address`` (``http://web.ns.svc.cluster.local:80``, ``web:80``, ``web``…) names ``service``."""
    parts = urlsplit(address if "://" in address else f"http://{address}")
    labels = (parts.hostname or "").split(".")
    if labels[0] != service or (namespace and len(labels) > 1 and labels[1] != namespace):
        return False
    default = 443 if parts.scheme == "https" else 80
    return port is None or (parts.port or default) == port


@probe
def ngrok_endpoint(fetch: Fetch, service: str, namespace: str | None = None, port: int | None = None) -> Outcome:
    """The agent publishes an https URL whose upstream is ``service`` (in ``namespace``, on ``port``)."""
    endpoints = published(fetch)
    listed = ", ".join(f"{url} → {upstream}" for url, upstream in endpoints) or "-"
    hints = (N_("The agent's API lists what it publishes: `kubectl port-forward <ngrok pod> 4040`, then "
                "open http://localhost:4040/api/endpoints."),
             N_("Point the agent at the Service's cluster name, e.g. http://{service}.<namespace>:<port>."))
    if not endpoints:
        return failed(N_("The ngrok agent publishes nothing."), service=service, expected=service, found="-",
                      hints=(N_("`kubectl logs` on the agent: a bad authtoken (ERR_NGROK_4018) stops it."),
                             *hints))
    for url, upstream in endpoints:
        if url.startswith("https://") and upstream_matches(upstream, service, namespace, port):
            return passed(N_("ngrok publishes {url} for {upstream}."), url=url, upstream=upstream)
    return failed(N_("No https URL of the ngrok agent leads to the Service {service}."), service=service,
                  expected=f"https://… → {service}", found=listed, hints=hints)
