"""InfluxDB 1.x probes over its HTTP API: up, database there, recent points, authentication enforced.

Each probe takes a ``Fetch`` (see ``common.py``): ``fetcher("http://host:port")`` for a direct address,
or ``lambda path: ctx.view.proxy_get("services", "influxdb", 8086, path)`` through the API server.
Credentials go in the query string (``u=``/``p=``), which, unlike an ``Authorization`` header,
passes the API server's proxy. Passwords never appear in the outcome.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..outcome import N_, Outcome, failed, passed
from .common import Fetch, Verdict, get_json, probe, stop_on_proxy_refusal

WHAT = "InfluxDB"


@probe
def influx_ping(fetch: Fetch) -> Outcome:
    """``/ping`` answers 204 (InfluxDB 1.x is up)."""
    status, body = fetch("/ping")
    stop_on_proxy_refusal(WHAT, status, body)
    if status != 204:
        return failed(N_("InfluxDB's /ping answered HTTP {status}, not 204."), status=status, expected=204,
                      found=status, hints=(N_("Is InfluxDB 1.x behind this port? 2.x and other servers answer "
                                               "differently."),
                                            N_("Pin the image to a 1.x tag, e.g. influxdb:1.12.3.")))
    return passed(N_("InfluxDB answers /ping."))


@probe
def influx_database(fetch: Fetch, database: str, user: str, password: str) -> Outcome:
    """``database`` exists (``SHOW DATABASES`` as ``user``)."""
    names = [row[0] for row in _series_values(_query(fetch, "SHOW DATABASES", user, password))]
    if database not in names:
        return failed(N_("InfluxDB has no database {database}."), database=database, expected=database,
                      found=", ".join(names) or "-",
                      hints=(N_("The official image creates the database named in INFLUXDB_DB on first start."),
                             N_("The init script runs only on an empty volume: delete the PVC's data to rerun "
                                "it, or `CREATE DATABASE`.")))
    return passed(N_("InfluxDB has the database {database}."), database=database)


@probe
def influx_recent_points(fetch: Fetch, database: str, user: str, password: str, measurement: str | None = None,
                         minutes: int = 5) -> Outcome:
    """Points were written to ``database`` (``measurement``, or any) in the last ``minutes``."""
    source = f'"{measurement}"' if measurement else "/.*/"
    statement = f"SELECT count(*) FROM {source} WHERE time > now() - {int(minutes)}m"
    series = _query(fetch, statement, user, password, database)
    count = sum(v for row in _series_values(series) for v in row[1:] if isinstance(v, (int, float)))
    if not count:
        return failed(N_("No points reached {database} in the last {minutes} minutes."), database=database,
                      minutes=minutes, measurement=measurement or "*", expected=N_("recent points"), found="0",
                      hints=(N_("Is the writer (Telegraf) running? `kubectl logs` shows its errors."),
                             N_("Does it write to the database {database}, with a user allowed to write there?"),
                             N_("Telegraf: `skip_database_creation = true`, and credentials from the Secret.")))
    return passed(N_("{database} received {count} values in the last {minutes} minutes."), database=database,
                  count=count, minutes=minutes)


@probe
def influx_auth_enforced(fetch: Fetch) -> Outcome:
    """A query without credentials is refused with 401."""
    status, _ = get_json(fetch, "/query?" + urlencode({"q": "SHOW DATABASES"}), WHAT)
    if status != 401:
        return failed(N_("InfluxDB answered a query without credentials (HTTP {status})."), status=status,
                      expected=401, found=status,
                      hints=(N_("Authentication is off by default in InfluxDB 1.x."),
                             N_("Set INFLUXDB_HTTP_AUTH_ENABLED=true, with an admin user, on an empty volume.")))
    return passed(N_("InfluxDB refuses queries without credentials."))


def _query(fetch: Fetch, statement: str, user: str, password: str, database: str | None = None) -> list:
    """The first result's series; raises ``Verdict`` on refused credentials or an InfluxQL error."""
    query = {"q": statement, "u": user, "p": password, **({"db": database} if database else {})}
    status, answer = get_json(fetch, "/query?" + urlencode(query), WHAT)
    if status == 401:
        raise Verdict(failed(N_("InfluxDB refused the credentials of {user}."), user=user,
                             expected=N_("accepted"), found="401",
                             hints=(N_("Are the user and password the ones in the Secret?"),
                                    N_("Users are created only on first start, on an empty volume."))))
    results = (answer or {}).get("results") if isinstance(answer, dict) else None
    problem = (answer or {}).get("error") if isinstance(answer, dict) else None
    if results and isinstance(results[0], dict):
        problem = results[0].get("error") or problem
    if status != 200 or problem or not results:
        detail = problem or f"HTTP {status}"
        raise Verdict(failed(N_("InfluxDB could not run `{statement}`: {detail}."), statement=statement,
                             detail=detail, expected=N_("a result"), found=detail,
                             hints=(N_("Does the user have read access to the database?"),)))
    return results[0].get("series") or []


def _series_values(series: list) -> list[list]:
    return [row for s in series if isinstance(s, dict) for row in s.get("values") or [] if isinstance(row, list)]
