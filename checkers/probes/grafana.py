"""Grafana probes over its HTTP API: health, the InfluxDB data source (and its health), dashboards.

``/api/health`` needs no credentials and passes the API server's proxy. The others need Basic auth,
which the proxy drops: use ``fetcher(url, user=…, password=…)`` on a port-forward, NodePort or
LoadBalancer address. Tested against recorded API responses (no Grafana server in the tests).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from ..outcome import N_, Outcome, failed, passed
from .common import Fetch, Verdict, get_json, probe

WHAT = "Grafana"


@probe
def grafana_health(fetch: Fetch) -> Outcome:
    """``/api/health`` answers 200 with ``"database": "ok"``."""
    status, health = get_json(fetch, "/api/health", WHAT)
    database = health.get("database") if isinstance(health, dict) else None
    if status != 200 or database != "ok":
        return failed(N_("Grafana is not healthy (HTTP {status}, database {database})."), status=status,
                      database=database or "-", expected="ok", found=database or f"HTTP {status}",
                      hints=(N_("`kubectl logs` on the Grafana pod tells why."),
                             N_("Grafana keeps its database under /var/lib/grafana: is the volume writable?")))
    return passed(N_("Grafana {version} is healthy."), version=health.get("version", "?"))


@probe
def grafana_datasource(fetch: Fetch, url_contains: str, uid: str | None = None, kind: str = "influxdb") -> Outcome:
    """A data source of type ``kind`` (``uid`` if given) points at ``url_contains`` and passes its health check."""
    sources = _authorized(fetch, "/api/datasources")
    matching = [s for s in sources or [] if isinstance(s, dict) and s.get("type") == kind
                and (uid is None or s.get("uid") == uid)]
    if not matching:
        message = N_("Grafana has no {kind} data source with uid {uid}.") if uid else \
            N_("Grafana has no {kind} data source.")
        return failed(message, kind=kind, uid=uid or "", expected=uid or kind,
                      found=", ".join(f"{s.get('name')} ({s.get('type')})" for s in sources or []) or "-",
                      hints=(N_("Provision it from a file in /etc/grafana/provisioning/datasources/."),
                             N_("Give it `type: {kind}` and a fixed `uid`; Grafana reads the folder on start.")))
    source = matching[0]
    if url_contains not in (source.get("url") or ""):
        return failed(N_("Grafana's data source {name} points at {url}, not at {wanted}."), name=source.get("name"),
                      url=source.get("url") or "-", wanted=url_contains, expected=url_contains,
                      found=source.get("url") or "-",
                      hints=(N_("From Grafana's pod, InfluxDB is http://<service>.<namespace>.svc.cluster.local:8086."),))
    status, health = get_json(fetch, f"/api/datasources/uid/{quote(source.get('uid') or '', safe='')}/health", WHAT)
    state = health.get("status") if isinstance(health, dict) else None
    message = (health.get("message") if isinstance(health, dict) else None) or f"HTTP {status}"
    if status != 200 or state != "OK":
        return failed(N_("Grafana cannot query InfluxDB through {name}: {detail}"), name=source.get("name"),
                      detail=message, expected="OK", found=message,
                      hints=(N_("Grafana's server (access: proxy) makes the queries: the URL must work from its pod."),
                             N_("Are dbName, user and the password (secureJsonData) right for InfluxDB?")))
    return passed(N_("Grafana's data source {name} reaches InfluxDB: {detail}"), name=source.get("name"),
                  detail=message)


@probe
def grafana_dashboards(fetch: Fetch, uids: list[str]) -> Outcome:
    """Every dashboard in ``uids`` exists."""
    found = _authorized(fetch, "/api/search?" + urlencode({"type": "dash-db", "limit": 5000}))
    present = {d.get("uid"): d.get("title") for d in found or [] if isinstance(d, dict)}
    missing = [uid for uid in uids if uid not in present]
    if missing:
        return failed(N_("Grafana lacks the dashboards {missing}."), missing=", ".join(missing),
                      expected=", ".join(uids), found=", ".join(filter(None, present)) or "-",
                      hints=(N_("A dashboard provider (`type: file`) loads JSON files from a folder."),
                             N_("Each dashboard's JSON needs the fixed `uid` the lab asks for.")))
    return passed(N_("Grafana has the dashboards {titles}."), titles=", ".join(str(present[u]) for u in uids))


def _authorized(fetch: Fetch, path: str):
    status, answer = get_json(fetch, path, WHAT)
    if status in (401, 403):
        raise Verdict(failed(N_("Grafana refused the admin credentials (HTTP {status})."), status=status,
                             expected=N_("accepted"), found=str(status),
                             hints=(N_("Are they the ones in the Secret?"),
                                    N_("GF_SECURITY_ADMIN_PASSWORD applies only on Grafana's first start."),
                                    N_("`kubectl exec deploy/<grafana> -- grafana cli admin reset-admin-password "
                                       "<password>`"))))
    if status != 200:
        raise Verdict(failed(N_("Grafana answered HTTP {status} to {path}."), status=status, path=path.split("?")[0],
                             expected="200", found=str(status),
                             hints=(N_("`kubectl logs` on the Grafana pod tells why."),)))
    return answer if isinstance(answer, list) else []
