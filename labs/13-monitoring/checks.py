"""Checks of the monitoring lab: InfluxDB 1.x on a claim, Telegraf on every node, Grafana provisioned, every
password in a Secret; on a real cluster, recent data, authentication, Grafana's data source, and data that
outlives the InfluxDB pod."""

import posixpath
import re
from datetime import datetime
from urllib.parse import urlencode

from checkers import N_, Context, check, failed, labels_match, not_yet, passed
from checkers.kube import containers, image_parts, no_object, ready_endpoints
from checkers.probes import (fetcher, grafana_dashboards, grafana_datasource, influx_auth_enforced,
                             influx_recent_points, service_target)
from checkers.semantics import claim_unbindable, configmap_files, decoded, effective_env, items, literal_env, \
    normal_path, plaintext_places, secret_values
from clusters.errors import UsageError
from clusters.files import load_json, load_yaml
from clusters.i18n import _

INFLUXDB, TELEGRAF, GRAFANA = "monitoring-influxdb", "monitoring-telegraf", "monitoring-grafana"
INFLUX_SECRET, GRAFANA_SECRET = "monitoring-influxdb-credentials", "monitoring-grafana-credentials"
DATABASE, DATA_FOLDER, DATASOURCES = "telegraf", "/var/lib/influxdb", "/etc/grafana/provisioning/datasources"
DATASOURCE_UID, DASHBOARD_UID = "influxdb-telegraf", "kubelab-nodes"
SENSITIVE_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET", re.I)
SHORTEST_SECRET = 8  # a shorter password is too common a word to count as a leak
SURVIVAL_MARGIN = 5  # seconds between the oldest point and the pod's creation that clocks may disagree by


def _workload(ctx: Context, kind: str, name: str):
    """(the workload, its pod spec, None), or (None, None, an outcome saying it is missing)."""
    workload = ctx.view.get(kind, name)
    pod_spec = (((workload or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    if not containers({"spec": pod_spec}):
        return None, None, no_object(kind[:-1], name, expected=name,
                                     hints=(N_("`kubectl get deployments,daemonsets` lists what exists."),
                                            N_("Apply the manifests of the lesson; names must match.")))
    return workload, pod_spec, None




def _influx(ctx: Context):
    """A Fetch through the API server's proxy to InfluxDB, and the credentials of its telegraf user."""
    secret = ctx.view.get("secrets", INFLUX_SECRET)
    return (lambda path: ctx.view.proxy_get("services", INFLUXDB, 8086, path),
            decoded(secret, "INFLUXDB_USER"), decoded(secret, "INFLUXDB_USER_PASSWORD"))


@check(N_("InfluxDB runs a pinned 1.x image"))
def influxdb_pinned_1x(ctx: Context):
    _, pod_spec, missing = _workload(ctx, "deployments", INFLUXDB)
    if missing:
        return missing
    images = [c.get("image", "") for c in containers({"spec": pod_spec})]
    repository, tag = image_parts(images[0] if images else "")
    if repository == "influxdb" and tag.startswith("1."):  # the official image, from Docker Hub or a mirror
        return passed(N_("InfluxDB runs {image}."), image=images[0])
    return failed(N_("InfluxDB runs {image}, not a pinned 1.x version."), image=images[0] if images else "-",
                  expected="influxdb:1.12.3", found=images[0] if images else "-",
                  hints=(N_("`influxdb:latest` is InfluxDB 2, which ignores the 1.x settings (INFLUXDB_DB, users)."),
                         N_("Pin the image to a 1.x tag: `image: influxdb:1.12.3`.")))


@check(N_("InfluxDB keeps its data on a bound claim"), points=2)
def influxdb_data_on_claim(ctx: Context):
    _, pod_spec, missing = _workload(ctx, "deployments", INFLUXDB)
    if missing:
        return missing
    claims = {v.get("name"): (v.get("persistentVolumeClaim") or {}).get("claimName")
              for v in pod_spec.get("volumes") or []}
    mounted = [claims.get(m.get("name")) for c in containers({"spec": pod_spec}) for m in c.get("volumeMounts") or []
               if m.get("mountPath", "").rstrip("/") == DATA_FOLDER]
    hints = (N_("Without a claim, InfluxDB writes inside the container: a new pod starts with an empty database."),
             N_("`kubectl get pvc` shows the claims and whether they are Bound."),
             N_("Mount a `persistentVolumeClaim` volume at {folder}."))
    if not mounted or not mounted[0]:
        return failed(N_("{folder} of InfluxDB is not on a PersistentVolumeClaim."), folder=DATA_FOLDER,
                      expected="persistentVolumeClaim", found=N_("no claim"), hints=hints)
    claim = ctx.view.get("persistentvolumeclaims", mounted[0])
    phase = ((claim or {}).get("status") or {}).get("phase")
    if phase != "Bound":
        verdict = failed if claim is None or claim_unbindable(ctx.view, claim) else not_yet
        return verdict(N_("Claim {claim} is not Bound (phase {phase})."), claim=mounted[0], phase=phase or "-",
                       folder=DATA_FOLDER, expected="Bound", found=phase or "-", hints=hints)
    return passed(N_("InfluxDB keeps {folder} on claim {claim}."), folder=DATA_FOLDER, claim=mounted[0])


@check(N_("The InfluxDB Service has a ready pod behind port 8086"))
def influxdb_serves(ctx: Context):
    service = ctx.view.get("services", INFLUXDB)
    ports = [p.get("port") for p in ((service or {}).get("spec") or {}).get("ports") or []]
    hints = (N_("`kubectl describe service {name}` shows its ports and endpoints."),
             N_("Its selector must match the labels of the InfluxDB pod."),
             N_("Telegraf and Grafana reach InfluxDB at http://{name}:8086."))
    if 8086 not in ports:
        return failed(N_("Service {name} has no port 8086."), name=INFLUXDB, expected="8086",
                      found=", ".join(map(str, ports)) or N_("nothing"), hints=hints)
    if not ready_endpoints(ctx.view, INFLUXDB):
        template = ((ctx.view.get("deployments", INFLUXDB) or {}).get("spec") or {}).get("template") or {}
        selected = labels_match(service["spec"].get("selector"), (template.get("metadata") or {}).get("labels"))
        outcome = not_yet if selected else failed
        return outcome(N_("Service {name} has no ready InfluxDB pod behind it."), name=INFLUXDB,
                       expected=N_("ready endpoints"), found="0", hints=hints)
    return passed(N_("Service {name} leads to a ready InfluxDB pod."), name=INFLUXDB)


@check(N_("Telegraf runs on every node as a DaemonSet"), points=2)
def telegraf_on_every_node(ctx: Context):
    daemonset, _, missing = _workload(ctx, "daemonsets", TELEGRAF)
    if missing:
        return missing
    status = daemonset.get("status") or {}
    desired, ready = status.get("desiredNumberScheduled", 0), status.get("numberReady", 0)
    hints = (N_("A DaemonSet places one pod on each node its selector and tolerations allow."),
             N_("`kubectl describe daemonset {name}` shows how many pods are wanted and where."),
             N_("Remove the nodeSelector: Telegraf must measure every node."))
    if desired < 1:
        return failed(N_("DaemonSet {name} places no pod on any node."), name=TELEGRAF, expected=N_("every node"),
                      found="0", hints=hints)
    if ready < desired:
        return not_yet(N_("{ready} of {desired} Telegraf pods are ready."), ready=ready, desired=desired,
                       name=TELEGRAF, expected=desired, found=ready, hints=hints)
    return passed(N_("Telegraf runs on {desired} nodes."), desired=desired)


def _references(ctx: Context, pod_spec: dict, secret: str) -> bool:
    """Whether a container of ``pod_spec`` takes variables from Secret ``secret`` by reference."""
    return any(v.kind == "secret" and v.source == secret for c in containers({"spec": pod_spec})
               for v in effective_env(c, ctx.view)[0].values()) or any(
        (s.get("secretRef") or {}).get("name") == secret for c in containers({"spec": pod_spec})
        for s in c.get("envFrom") or [] if isinstance(s, dict))


@check(N_("InfluxDB, Telegraf and Grafana take their credentials from the Secrets"), points=2)
def credentials_from_secrets(ctx: Context):
    for kind, name, secret in (("deployments", INFLUXDB, INFLUX_SECRET), ("daemonsets", TELEGRAF, INFLUX_SECRET),
                               ("deployments", GRAFANA, GRAFANA_SECRET), ("deployments", GRAFANA, INFLUX_SECRET)):
        _, pod_spec, missing = _workload(ctx, kind, name)
        if missing:
            return missing
        if not _references(ctx, pod_spec, secret):
            return failed(N_("{name} does not take its credentials from Secret {secret}."), name=name, secret=secret,
                          expected=secret, found=N_("no reference"),
                          hints=(N_("`kubectl describe secret {secret}` lists its keys."),
                                 N_("`envFrom: - secretRef: name: {secret}` turns every key into a variable."),
                                 N_("Or take one key: `valueFrom: secretKeyRef: name: {secret}`.")))
    return passed(N_("The three programs take their credentials from Secrets."))


@check(N_("No password is written in plain text in a pod spec or a ConfigMap"), points=2)
def no_plaintext_password(ctx: Context):
    workloads = []
    texts = []  # (where, text): literal values of variables whose name says they hold a password
    for kind, name in (("deployments", INFLUXDB), ("daemonsets", TELEGRAF), ("deployments", GRAFANA)):
        workload, pod_spec, missing = _workload(ctx, kind, name)
        if missing:
            return missing
        workloads.append(workload)
        texts += [(f"{name}: {variable}", value) for variable, value in literal_env({"spec": pod_spec}, SENSITIVE_NAME)]
    leaks = [where for where, text in texts if "$(" not in text]
    leaks += [leak.place for leak in plaintext_places(ctx.view, workloads, secret_values(
        ctx.view, shortest=SHORTEST_SECRET, keys=SENSITIVE_NAME, names=ctx.lab.secret_names))]
    if leaks:  # where only: a result must never carry a secret value
        return failed(N_("{place} carries a password written in plain text."), place=leaks[0],
                      expected=N_("references to Secrets"), found=N_("a literal password"),
                      hints=(N_("Whoever may read Deployments and ConfigMaps reads the password, and it ends up "
                                "in Git."),
                             N_("Grafana replaces $VARIABLE in provisioning files with the environment variable."),
                             N_("Write `password: $INFLUXDB_USER_PASSWORD` and give Grafana that variable from the "
                                "Secret.")))
    return passed(N_("No pod spec or ConfigMap of the lab carries a password."))


def _provisioned_sources(ctx: Context, workload: dict) -> tuple[list[dict], str | None]:
    """The data sources Grafana provisions: from the .yaml and .yml files right in its datasources folder, where
    the ConfigMap mounts put them (``configmap_files``: subPath, projected volumes, ``items``). Or the problem of
    the first file it cannot read, which stops Grafana's provisioning."""
    sources = []
    for path, text in sorted(configmap_files(ctx.view, workload).items()):
        folder, name = posixpath.split(path)
        if normal_path(folder) != DATASOURCES or not name.endswith((".yaml", ".yml")):
            continue  # Grafana lists that one folder (not its subfolders) and reads only those names
        try:
            document = load_yaml(text, path)
        except UsageError as exc:
            return [], str(exc)
        if document is not None and not isinstance(document, dict):
            return [], _("{where}: not valid YAML ({problem}).", where=path, problem="not a mapping")
        sources += items((document or {}).get("datasources"))
    return sources, None


@check(N_("Grafana is provisioned with an InfluxDB data source"), points=2)
def grafana_provisioned(ctx: Context):
    workload, _spec, missing = _workload(ctx, "deployments", GRAFANA)
    if missing:
        return missing
    sources, problem = _provisioned_sources(ctx, workload)
    if problem:
        return failed(N_("Grafana cannot read one of its data source files, so it provisions none."),
                      expected=N_("a YAML mapping with `datasources:`"), found=problem,
                      hints=(N_("Grafana stops at the first file of {folder} it cannot read."),
                             N_("`kubectl get configmap -o yaml` shows the files; check their indentation."),
                             N_("Anchors and aliases (&name, *name) are refused here: write each value out.")),
                      folder=DATASOURCES)
    sources = [s for s in sources if s.get("type") == "influxdb"]
    url = str((sources or [{}])[0].get("url") or "")
    if sources and sources[0].get("uid") == DATASOURCE_UID and f"//{INFLUXDB}" in url and ":8086" in url:
        return passed(N_("Grafana's data source {uid} points at {url}."), uid=DATASOURCE_UID, url=url)
    return failed(N_("Grafana has no provisioned InfluxDB data source {uid} pointing at {name}."),
                  uid=DATASOURCE_UID, name=INFLUXDB, expected=f"http://{INFLUXDB}:8086", found=url or N_("nothing"),
                  hints=(N_("Grafana reads data sources from files in {folder} when it starts."),
                         N_("Mount the ConfigMap on that folder, the data source in a file named *.yaml or "
                            "*.yml, with `type: influxdb` and `uid: {uid}`."),
                         N_("The url is the Service's name as Grafana's pod sees it: http://{name}:8086.")),
                  folder=DATASOURCES)


@check(N_("InfluxDB refuses queries without credentials"), needs={"data_plane": True})
def influx_requires_login(ctx: Context):
    return influx_auth_enforced(_influx(ctx)[0])


@check(N_("Telegraf's measurements reached InfluxDB in the last two minutes"), points=2, needs={"data_plane": True})
def influx_has_recent_data(ctx: Context):
    fetch, user, password = _influx(ctx)
    return influx_recent_points(fetch, DATABASE, user, password, measurement="cpu", minutes=2)


@check(N_("Grafana's data source reaches InfluxDB, and the dashboard is there"), points=2,
       needs={"data_plane": True})
def grafana_datasource_healthy(ctx: Context):
    service = ctx.view.get("services", GRAFANA)
    target = service_target(service, ctx.view.list("nodes"), 3000) if service else None
    if target is None:
        return failed(N_("Service {name} exposes no node port for Grafana's port 3000."), name=GRAFANA,
                      expected="NodePort", found=N_("no way in"),
                      hints=(N_("The checker logs in to Grafana's API, which needs a node port."),
                             N_("Make Service {name} `type: NodePort`.")))
    secret = ctx.view.get("secrets", GRAFANA_SECRET)
    fetch = fetcher(f"http://{target}", user=decoded(secret, "GF_SECURITY_ADMIN_USER"),
                    password=decoded(secret, "GF_SECURITY_ADMIN_PASSWORD"))
    source = grafana_datasource(fetch, INFLUXDB, uid=DATASOURCE_UID)
    return grafana_dashboards(fetch, [DASHBOARD_UID]) if source.status == "pass" else source


def _oldest_point(ctx: Context) -> int | None:
    """The time (seconds) of the oldest cpu point in InfluxDB, or None when there is none or no answer."""
    fetch, user, password = _influx(ctx)
    query = {"q": 'SELECT first("usage_idle") FROM "cpu"', "db": DATABASE, "u": user, "p": password, "epoch": "s"}
    status, body = fetch("/query?" + urlencode(query))
    try:
        return load_json(body)["results"][0]["series"][0]["values"][0][0] if status == 200 else None
    except (ValueError, KeyError, IndexError, TypeError):
        return None


@check(N_("The data outlived the InfluxDB pod"), points=2, needs={"data_plane": True})
def data_survives_restart(ctx: Context):
    selector = (((ctx.view.get("deployments", INFLUXDB) or {}).get("spec") or {}).get("selector") or {})
    pods = [p for p in ctx.view.list("pods") if labels_match(selector.get("matchLabels"), p["metadata"].get("labels"))
            and (p.get("status") or {}).get("phase") == "Running"]
    oldest = _oldest_point(ctx) if pods else None
    if oldest is None:
        return failed(N_("There is no running InfluxDB pod with data to compare."), expected=N_("points"),
                      found=N_("nothing"), hints=(N_("First make the other checks pass: Telegraf must be writing."),))
    created = max(datetime.fromisoformat(p["metadata"]["creationTimestamp"].replace("Z", "+00:00")) for p in pods)
    if oldest < created.timestamp() - SURVIVAL_MARGIN:
        return passed(N_("InfluxDB's pod started at {created}; its oldest point is older, so the data survived."),
                      created=created.isoformat(timespec="seconds"))
    return failed(N_("Every point is younger than the InfluxDB pod (started at {created})."),
                  created=created.isoformat(timespec="seconds"), expected=N_("points older than the pod"),
                  found=N_("only newer points"),
                  hints=(N_("The proof needs a restart: delete the pod once the data flows, then check again."),
                         N_("If you did delete it, the old points were lost: is {folder} on a claim?"),
                         N_("`kubectl delete pod -l app={name}`, wait for the new pod, run the checks.")),
                  folder=DATA_FOLDER, name=INFLUXDB)
