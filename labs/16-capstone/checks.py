"""Checks of the capstone (after 42's ft_services): seven workloads, LoadBalancer Services sharing one IP,
databases on claims, credentials only in Secrets, nginx's configuration and certificate mounted, FTPS passive
ports, crash tests, and what the stack answers on the network.

API-state checks come first; the checks that need containers that really run or an external IP come after.
"""

import json
import re
from datetime import datetime

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import containers, no_object, passive_range, replaced_pods_of
from checkers.semantics import claim_unbindable, decoded, dig, effective_env, mounts_of, never_schedulable, \
    plaintext_places, replicasets_of, secret_values, serving, target_port, workload_pods
from checkers.probes import Verdict, fetcher, ftps_probe, grafana_datasource, http_redirect, http_status, service_target

NGINX, WORDPRESS, MYSQL, PMA = "capstone-nginx", "capstone-wordpress", "capstone-mysql", "capstone-phpmyadmin"
FTPS, INFLUXDB, GRAFANA = "capstone-ftps", "capstone-influxdb", "capstone-grafana"
DEPLOYMENTS = (NGINX, WORDPRESS, MYSQL, PMA, FTPS, INFLUXDB, GRAFANA)
EXTERNAL, INTERNAL = (NGINX, WORDPRESS, PMA, FTPS, GRAFANA), (MYSQL, INFLUXDB)
SHARING_KEYS = ("metallb.io/allow-shared-ip", "metallb.universe.tf/allow-shared-ip")  # current first (MetalLB 0.14.9)
LEGACY_SHARING_KEY = SHARING_KEYS[1]
CLAIMS = {MYSQL: ("capstone-mysql", "/var/lib/mysql"), INFLUXDB: ("capstone-influxdb", "/var/lib/influxdb")}
CREDENTIALS = {MYSQL: "capstone-mysql", WORDPRESS: "capstone-mysql", FTPS: "capstone-ftps",
               INFLUXDB: "capstone-influxdb", GRAFANA: "capstone-grafana"}
NGINX_CONFIG, TLS_SECRET = "capstone-nginx", "capstone-tls"
WORDPRESS_PORT = 5050
SENSITIVE_NAME = re.compile(r"PASSWORD|PASSWD|(^|_)PASS($|_)|TOKEN|SECRET", re.I)
SHORTEST_SECRET = 8  # shorter Secret values ("admin", "ftpuser") are too common to count as a leak


def _missing(kind: str, name: str):
    return no_object(kind, name, hints=(
        N_("`kubectl get {kind} {name}` shows whether it exists, and in which namespace."),
        N_("Apply the manifest of the milestone that creates {name}."),
        N_("Every object of the capstone is called capstone-<component>.")))


def _pod_spec(deployment: dict) -> dict:
    return dig(deployment, "spec", "template", "spec") or {}


def _pods(ctx: Context, name: str) -> list[dict]:
    """The live pods of Deployment ``name``, through the ReplicaSets it owns."""
    return workload_pods(ctx.view, ctx.view.get("deployments", name))


def _secret(ctx: Context, name: str, key: str) -> str | None:
    return decoded(ctx.view.get("secrets", name), key) or None


def _secrets_used(pod_spec: dict) -> set[str]:
    """The Secrets a pod spec refers to: secretKeyRef, envFrom.secretRef or a secret volume."""
    used = {dig(v, "secret", "secretName") for v in pod_spec.get("volumes") or []}
    for container in containers({"spec": pod_spec}):
        used |= {dig(s, "secretRef", "name") for s in container.get("envFrom") or []}
        used |= {dig(e, "valueFrom", "secretKeyRef", "name") for e in container.get("env") or []}
    return used - {None}


def _mounted(pod_spec: dict, source: str, name: str) -> bool:
    """Whether a container mounts a volume (plain or projected) of type ``source`` that names ``name``."""
    return bool(mounts_of({"spec": pod_spec}, source, name))


def _address(ctx: Context, name: str, port: int):
    """(the Target where Service ``name`` answers ``port`` from here, None) or (None, an outcome saying why not)."""
    service = ctx.view.get("services", name)
    if service is None:
        return None, _missing("Service", name)
    target = service_target(service, ctx.view.list("nodes"), port)
    if target is None:
        return None, failed(N_("Service {name} has no external address for port {port}."), name=name, port=port,
                            expected=N_("a LoadBalancer IP or a node port"), found=N_("nothing"),
                            hints=(N_("`kubectl get service {name}` shows its type, ports and EXTERNAL-IP."),
                                   N_("The Service must be of type LoadBalancer and list port {port}.")))
    return target, None


# --- the state of the cluster ------------------------------------------------------------------------------


@check(N_("Every component of the stack runs with all its replicas ready"), points=3)
def workloads_ready(ctx: Context):
    waiting = []
    for name in DEPLOYMENTS:
        deployment = ctx.view.get("deployments", name)
        if deployment is None:
            return _missing("Deployment", name)
        status = deployment.get("status") or {}
        wanted = dig(deployment, "spec", "replicas")
        current = status.get("observedGeneration") == deployment["metadata"].get("generation")
        if not (current and wanted and status.get("readyReplicas") == wanted):
            waiting.append(name)
    if not waiting:
        return passed(N_("All {count} Deployments of the stack are ready."), count=len(DEPLOYMENTS))
    stuck = [n for n in waiting for p in _pods(ctx, n)
             if any(c.get("reason") == "Unschedulable" for c in dig(p, "status", "conditions") or [])]
    stuck += [n for n in waiting if never_schedulable(ctx.view, ctx.view.get("deployments", n))]
    verdict = failed if stuck else not_yet
    return verdict(N_("These Deployments are not ready: {names}."), names=", ".join(waiting), name=waiting[0],
                   expected=N_("all ready"), found=", ".join(waiting),
                   hints=(N_("`kubectl get deployments,pods` shows which replicas are missing."),
                          N_("`kubectl describe pod -l app={name}`: the Events say why a pod waits (a claim, a "
                             "Secret, a node)."),
                          N_("A pod that no node accepts points at a nodeSelector, affinity or resources.")))


def _sharing_problems(ctx: Context) -> list[str] | None:
    """What keeps the public Services from sharing one IP (types, keys, ports used twice); None if one is missing."""
    problems, keys, seen = [], set(), set()
    for name in EXTERNAL + INTERNAL:
        service = ctx.view.get("services", name)
        if service is None:
            return None
        kind = dig(service, "spec", "type") or "ClusterIP"
        if kind != ("LoadBalancer" if name in EXTERNAL else "ClusterIP"):
            problems.append(f"{name}: type {kind}")
        if name not in EXTERNAL:
            continue
        annotations = service["metadata"].get("annotations") or {}
        keys.add(next((annotations[k] for k in SHARING_KEYS if annotations.get(k)), "-"))
        for port in dig(service, "spec", "ports") or []:
            entry = (port.get("port"), port.get("protocol", "TCP"))
            if entry in seen:
                problems.append(f"{name}: port {entry[0]} used twice")
            seen.add(entry)
    if len(keys) != 1 or "-" in keys:
        problems.append("allow-shared-ip: " + ", ".join(sorted(keys)))
    return problems


def _legacy_sharing_key(ctx: Context) -> list[str]:
    """The public Services whose sharing key is written only with MetalLB's deprecated prefix."""
    legacy = []
    for name in EXTERNAL:
        annotations = dig(ctx.view.get("services", name), "metadata", "annotations") or {}
        if annotations.get(LEGACY_SHARING_KEY) and not annotations.get(SHARING_KEYS[0]):
            legacy.append(name)
    return legacy


@check(N_("The five public Services are LoadBalancers sharing one IP without port clashes"), points=2)
def services_share_one_ip(ctx: Context):
    problems = _sharing_problems(ctx)
    if problems is None:
        return _missing("Service", next(n for n in EXTERNAL + INTERNAL if ctx.view.get("services", n) is None))
    if not problems and (legacy := _legacy_sharing_key(ctx)):
        return passed(N_("The {count} public Services are LoadBalancers with one sharing key and distinct ports; "
                         "{services} carry only the deprecated `metallb.universe.tf/allow-shared-ip`: add "
                         "`metallb.io/allow-shared-ip`, the key current MetalLB releases read."),
                      count=len(EXTERNAL), services=", ".join(legacy))
    if not problems:
        return passed(N_("The {count} public Services are LoadBalancers with one sharing key and distinct ports."),
                      count=len(EXTERNAL))
    return failed(N_("The Services cannot share one IP: {problems}."), problems="; ".join(problems),
                  expected=N_("one sharing key, distinct ports"), found="; ".join(problems),
                  hints=(N_("MetalLB gives Services one IP when they carry the same allow-shared-ip key and no "
                            "port is used twice."),
                         N_("The databases stay inside the cluster (ClusterIP); the five others are LoadBalancers."),
                         N_("Annotate each public Service with `metallb.io/allow-shared-ip: capstone`.")))


@check(N_("MySQL and InfluxDB keep their data on Bound claims"), points=2, settle=20)
def data_on_claims(ctx: Context):
    for name, (claim, path) in CLAIMS.items():
        pvc = ctx.view.get("persistentvolumeclaims", claim)
        if pvc is None:
            return _missing("PersistentVolumeClaim", claim)
        if dig(pvc, "status", "phase") != "Bound":
            verdict = failed if claim_unbindable(ctx.view, pvc) else not_yet
            return verdict(N_("Claim {claim} is not Bound yet."), claim=claim, expected="Bound",
                           found=dig(pvc, "status", "phase") or "Pending",
                           hints=(N_("`kubectl describe pvc {claim}`: its Events say what it waits for."),
                                  N_("Without a default StorageClass (`kubectl get storageclass`), create a "
                                     "PersistentVolume for it, as in the volumes lab.")))
        pod_spec = _pod_spec(ctx.view.get("deployments", name) or {})
        if not any(m.path == path for m in mounts_of({"spec": pod_spec}, "persistentVolumeClaim", claim)):
            return failed(N_("{name} does not keep {path} on claim {claim}."), name=name, path=path, claim=claim,
                          expected=f"{claim} → {path}", found=N_("another volume, or none"),
                          hints=(N_("Data written anywhere else dies with the container."),
                                 N_("`kubectl get deployment {name} -o yaml`: look at volumes and volumeMounts."),
                                 N_("Add a persistentVolumeClaim volume with claimName {claim}, mounted at {path}.")))
    return passed(N_("MySQL and InfluxDB keep their data on Bound claims."))


@check(N_("Every credential comes from a Secret, none is written in the manifests"), points=2)
def credentials_in_secrets(ctx: Context):
    secrets = secret_values(ctx.view, shortest=SHORTEST_SECRET, names=ctx.lab.secret_names)
    for name in DEPLOYMENTS:
        deployment = ctx.view.get("deployments", name) or {}
        pod_spec = _pod_spec(deployment)
        everyone = containers({"spec": pod_spec}) + [c for c in pod_spec.get("initContainers") or []
                                                      if isinstance(c, dict)]
        leaks = [e.get("name", "?") for c in everyone for e in c.get("env") or []
                 if e.get("value") and SENSITIVE_NAME.search(e.get("name", ""))]
        leaks += [leak.variable or leak.place for leak in plaintext_places(ctx.view, [deployment] if deployment else [],
                                                                           secrets, configmaps=False)]
        if leaks:  # the variable's name only: a check result must never carry a secret value
            return failed(N_("The variable {variable} of {name} carries a secret written in plain text."),
                          name=name, variable=leaks[0], expected="valueFrom.secretKeyRef", found=N_("env[].value"),
                          hints=(N_("Whoever may read the Deployment reads env values, and they end up in Git."),
                                 N_("Replace `value:` of {variable} with `valueFrom: secretKeyRef:`.")))
        if name in CREDENTIALS and CREDENTIALS[name] not in _secrets_used(pod_spec):
            return failed(N_("{name} does not take its credentials from Secret {secret}."), name=name,
                          secret=CREDENTIALS[name], expected=CREDENTIALS[name], found=N_("no reference"),
                          hints=(N_("`kubectl describe secret {secret}` lists its keys (never their values)."),
                                 N_("Use `valueFrom: secretKeyRef:` with `name: {secret}` for each password.")))
    return passed(N_("Every password reaches the stack by reference to a Secret."))


@check(N_("nginx reads its configuration from a ConfigMap and its certificate from a TLS Secret"))
def nginx_config_mounted(ctx: Context):
    deployment = ctx.view.get("deployments", NGINX)
    if deployment is None:
        return _missing("Deployment", NGINX)
    pod_spec, tls = _pod_spec(deployment), ctx.view.get("secrets", TLS_SECRET)
    hints = (N_("nginx reads files: a ConfigMap and a Secret become files through volumes and volumeMounts."),
             N_("`kubectl create secret tls {secret} --cert=tls.crt --key=tls.key` makes the TLS Secret."),
             N_("Mount ConfigMap {config} at /etc/nginx/conf.d and Secret {secret} at /etc/nginx/tls."))
    if ctx.view.get("configmaps", NGINX_CONFIG) is None or not _mounted(pod_spec, "configMap", NGINX_CONFIG):
        return failed(N_("nginx does not mount the ConfigMap {config}."), config=NGINX_CONFIG, secret=TLS_SECRET,
                      expected=NGINX_CONFIG, found=N_("no such mount"), hints=hints)
    if dig(tls, "type") != "kubernetes.io/tls" or not _mounted(pod_spec, "secret", TLS_SECRET):
        return failed(N_("nginx does not mount the TLS Secret {secret}."), config=NGINX_CONFIG, secret=TLS_SECRET,
                      expected="kubernetes.io/tls", found=dig(tls, "type") or N_("nothing"), hints=hints)
    return passed(N_("nginx mounts ConfigMap {config} and TLS Secret {secret}."), config=NGINX_CONFIG,
                  secret=TLS_SECRET)


def _passive_range(ctx: Context, pod_spec: dict) -> range | None:
    """The passive ports the FTP server is told to use: MIN_PORT/MAX_PORT (vsftpd) or FTP_PASSIVE_PORTS a:b."""
    env = {name: v for c in containers({"spec": pod_spec}) for name, v in effective_env(c, ctx.view)[0].items()}
    return passive_range(env)


@check(N_("The FTPS Service exposes port 21 and every passive port, unchanged"))
def ftps_passive_ports(ctx: Context):
    deployment, service = ctx.view.get("deployments", FTPS), ctx.view.get("services", FTPS)
    if deployment is None or service is None:
        return _missing("Deployment" if deployment is None else "Service", FTPS)
    wanted = _passive_range(ctx, _pod_spec(deployment))
    template = dig(deployment, "spec", "template")  # a named targetPort is resolved against its containers
    same = {p.get("port") for p in dig(service, "spec", "ports") or [] if isinstance(p, dict)
            and target_port(p, template) == p.get("port")}
    lacking = [port for port in [21, *(wanted or [])] if port not in same]
    if wanted and not lacking:
        return passed(N_("Service {name} exposes 21 and the passive ports {low}–{high}."), name=FTPS,
                      low=wanted[0], high=wanted[-1])
    return failed(N_("Service {name} lacks these ports (with port = targetPort): {ports}."), name=FTPS,
                  ports=", ".join(map(str, lacking)) if wanted else N_("the passive range is not set"),
                  expected=N_("21 and every passive port"), found=", ".join(map(str, sorted(same))) or "-",
                  hints=(N_("After login, each transfer opens a new connection to a passive port the server "
                            "names: the Service must carry it unchanged."),
                         N_("Set the range on the server (MIN_PORT/MAX_PORT) and list each port in the Service."),
                         N_("One entry per port: `- {{name: pasv-21000, port: 21000, targetPort: 21000}}`.")))


@check(N_("The database pod was deleted and its Deployment started a new one"), points=2)
def database_pod_replaced(ctx: Context):
    deployment = ctx.view.get("deployments", MYSQL)
    if deployment is None:
        return _missing("Deployment", MYSQL)
    replaced = replaced_pods_of(ctx.view, replicasets_of(ctx.view, deployment))
    current = sorted(p["metadata"]["name"] for p in _pods(ctx, MYSQL) if serving(p))
    if replaced and current:
        return passed(N_("A pod of {name} was deleted and its Deployment started a new one ({new})."), name=MYSQL,
                      new=current[0], evidence={"replaced": replaced, "current": current})
    return failed(N_("No pod of {name} has been deleted and replaced yet."), name=MYSQL,
                  expected=N_("a replacement pod"), found=N_("the original pod"),
                  hints=(N_("This is the crash test: delete the database pod and watch a new one start."),
                         N_("`kubectl delete pod -l app={name}`, then `kubectl rollout status deployment/{name}`."),
                         N_("`kubectl get pods -l app={name}`: the new pod is younger than its ReplicaSet's last change.")))


# --- crash tests and the network (containers that really run) ------------------------------------------------


def _restarted(pod: dict) -> dict | None:
    """The status of a container of ``pod`` that ended and was started again, if the pod is Ready again."""
    if not serving(pod):
        return None
    return next((s for s in dig(pod, "status", "containerStatuses") or []
                 if isinstance(s, dict) and (s.get("restartCount") or 0) >= 1
                 and dig(s, "lastState", "terminated")), None)


@check(N_("A container whose main process was killed was restarted and is ready again"), points=2,
       needs={"data_plane": True})
def process_restarted(ctx: Context):
    for name in DEPLOYMENTS:
        for pod in _pods(ctx, name):
            status = _restarted(pod)
            if status:
                ended = dig(status, "lastState", "terminated")
                return passed(N_("Container {container} of {pod} ended ({reason}, exit code {code}), restarted "
                                 "{count} times, and is ready."), container=status.get("name"),
                              pod=pod["metadata"]["name"], reason=ended.get("reason") or "?",
                              code=ended.get("exitCode"), count=status.get("restartCount"))
    return failed(N_("No container of the stack has been restarted after its process died."),
                  expected=N_("restartCount ≥ 1, Ready"), found="0",
                  hints=(N_("This is the other crash test: kill a container's main process (PID 1) and watch "
                            "the kubelet start it again."),
                         N_("`kubectl get pods` shows the RESTARTS column; `kubectl describe pod` the last state."),
                         N_("`kubectl exec deploy/capstone-nginx -- kill 1`, then `kubectl get pods -w` for a "
                            "few seconds.")))


@check(N_("nginx redirects plain HTTP to HTTPS with a 301"), needs={"data_plane": True})
def http_redirects_to_https(ctx: Context):
    target, problem = _address(ctx, NGINX, 80)
    return problem or http_redirect(f"http://{target}/", 301, to="https://")


@check(N_("nginx answers /wordpress with a 307 to WordPress's port"), needs={"data_plane": True})
def wordpress_redirect(ctx: Context):
    target, problem = _address(ctx, NGINX, 443)
    if problem:
        return problem
    outcome = http_redirect(f"https://{target}/wordpress", 307, to="http")
    location = outcome.params.get("location", "")
    if outcome.status == "pass" and f":{WORDPRESS_PORT}" not in location:
        return failed(N_("/wordpress redirects to {location}, not to port {port}."), location=location,
                      port=WORDPRESS_PORT, expected=f"http://<IP>:{WORDPRESS_PORT}/", found=location,
                      hints=(N_("In the HTTPS server block: `location /wordpress {{ return 307 "
                                "http://$host:{port}/; }}`."),))
    return outcome


@check(N_("nginx serves phpMyAdmin under /phpmyadmin/ as a reverse proxy"), needs={"data_plane": True})
def phpmyadmin_proxied(ctx: Context):
    target, problem = _address(ctx, NGINX, 443)
    return problem or http_status(f"https://{target}/phpmyadmin/", 200, contains=b"phpMyAdmin")


@check(N_("FTPS works on port 21 of the shared IP: login over TLS and a passive transfer"), points=2,
       needs={"data_plane": True, "load_balancer": True})
def ftps_login(ctx: Context):
    target, problem = _address(ctx, FTPS, 21)
    if problem:
        return problem
    if target.via != "load balancer":  # passive ports are reachable only where port == the Service's port
        return not_yet(N_("Service {name} has no external IP yet."), name=FTPS, expected=N_("an IP"),
                       found="<pending>", hints=(N_("`kubectl get service {name}` shows its EXTERNAL-IP."),))
    user, password = _secret(ctx, "capstone-ftps", "user"), _secret(ctx, "capstone-ftps", "password")
    if not user or not password:
        return _missing("Secret", "capstone-ftps")
    return ftps_probe(target, user, password)


@check(N_("The five public Services received the same external IP"), needs={"load_balancer": True}, settle=60)
def one_external_ip(ctx: Context):
    addresses = {}
    for name in EXTERNAL:
        ingress = dig(ctx.view.get("services", name), "status", "loadBalancer", "ingress") or [{}]
        addresses[name] = ingress[0].get("ip") or ingress[0].get("hostname") if isinstance(ingress[0], dict) else None
    pending = [name for name, address in addresses.items() if not address]
    if pending:
        return not_yet(N_("These Services have no external IP yet: {names}."), names=", ".join(pending),
                       expected=N_("an IP"), found="<pending>",
                       hints=(N_("On minikube, `minikube addons enable metallb`, then give it a range of addresses "
                                 "with `minikube addons configure metallb`."),))
    if len(set(addresses.values())) == 1:
        return passed(N_("The stack answers on one IP: {ip}."), ip=addresses[EXTERNAL[0]])
    received = ", ".join(f"{n}={a}" for n, a in addresses.items())
    return failed(N_("The Services received different IPs: {ips}."), ips=received,
                  found=received, expected=N_("one IP"),
                  hints=(N_("MetalLB shares an IP only between Services with the same allow-shared-ip key and "
                            "distinct ports: see the check on the Services."),
                         N_("Delete and re-apply the Services after fixing the key: an IP once given is kept.")))


@check(N_("Grafana reaches InfluxDB through its provisioned data source"), needs={"data_plane": True})
def grafana_reads_influxdb(ctx: Context):
    target, problem = _address(ctx, GRAFANA, 3000)
    if problem:
        return problem
    user, password = _secret(ctx, "capstone-grafana", "admin-user"), _secret(ctx, "capstone-grafana", "admin-password")
    if not user or not password:
        return _missing("Secret", "capstone-grafana")
    return grafana_datasource(fetcher(f"http://{target}", user=user, password=password), url_contains=INFLUXDB)


def _timestamp(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "")).replace(tzinfo=None)
    except ValueError:
        return None


@check(N_("WordPress still shows what it held before the database pod was replaced"), points=2,
       needs={"data_plane": True})
def data_survives_restart(ctx: Context):
    target, problem = _address(ctx, WORDPRESS, WORDPRESS_PORT)
    if problem:
        return problem
    try:
        status, body = fetcher(f"http://{target}")("/?rest_route=/wp/v2/posts&orderby=date&order=asc&per_page=1")
    except Verdict as stop:  # no HTTP answer at all
        return stop.outcome
    try:
        first = json.loads(body)[0]
    except (ValueError, IndexError, KeyError, TypeError):
        first = None
    written = _timestamp(dig(first, "date_gmt"))
    started = [_timestamp(p["metadata"].get("creationTimestamp")) for p in _pods(ctx, MYSQL) if serving(p)]
    if written and started and all(s and written < s for s in started):
        return passed(N_("The post from {written} (UTC) is still there; the database pod started later."),
                      written=written.isoformat(sep=" "))
    return failed(N_("WordPress shows no post written before the current database pod started (HTTP {status})."),
                  status=status, expected=N_("an older post"), found=str(written or "-"),
                  hints=(N_("Install WordPress in your browser at http://<IP>:{port}/ first: it writes a first post."),
                         N_("Then delete the database pod; if the post is gone, MySQL's data was not on the claim."),
                         N_("`kubectl exec deploy/capstone-mysql -- ls /var/lib/mysql` shows the files it keeps.")),
                  port=WORDPRESS_PORT)
