"""Reusable data-plane probes: small network clients that return an ``Outcome`` a check can return.

One module per protocol: ``http``, ``tls``, ``ftps``, ``influx``, ``grafana``, ``ngrok``, ``dns``, ``ssh``;
``address`` finds where a Service answers TCP, ``common`` holds the rule for failures to connect
(unreachable → ``error``, refused or wrong → ``failed``); a check that calls a probe's helpers
catches ``Verdict``, which carries the probe's outcome. Every socket has a timeout. Probes only
read, except ``ftps_probe``, which moves one random file in the FTP user's own directory and
deletes it. Checks that use them declare ``needs={"data_plane": True}``, so they are skipped, with
the reason, on a cluster without one.
"""

from .address import service_target
from .common import Fetch, Target, Verdict, fetcher
from .dns import dns_answer, resolve
from .ftps import ftps_probe, ftps_refuses_plain
from .grafana import grafana_dashboards, grafana_datasource, grafana_health
from .http import http_redirect, http_status, proxied_status, stand_in
from .influx import influx_auth_enforced, influx_database, influx_ping, influx_recent_points
from .ngrok import ngrok_endpoint, published, upstream_matches
from .ssh import ssh_banner
from .tls import tls_probe

__all__ = ["Fetch", "Target", "Verdict", "dns_answer", "fetcher", "ftps_probe", "ftps_refuses_plain",
           "grafana_dashboards", "grafana_datasource", "grafana_health", "http_redirect", "http_status",
           "influx_auth_enforced", "influx_database", "influx_ping", "influx_recent_points", "ngrok_endpoint",
           "proxied_status", "published", "resolve", "service_target", "ssh_banner", "stand_in", "tls_probe",
           "upstream_matches"]
