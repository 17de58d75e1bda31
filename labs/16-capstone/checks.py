"""Checks of the capstone (after 42's ft_services): eight workloads from images the learner built, pinned, each
with a liveness probe, LoadBalancer Services sharing one IP, databases on claims, credentials only in Secrets,
nginx's configuration and certificate mounted, FTPS passive ports, Telegraf watching every service and a Grafana
dashboard per service, crash tests, and what the stack answers on the network (SSH included).

API-state checks come first; the checks that need containers that really run or an external IP come after.
"""

import re
from datetime import datetime

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import containers, no_object, passive_range, replaced_pods_of
from checkers.semantics import claim_unbindable, configmap_files, covers, decoded, dig, effective_env, items, \
    literal_env, mounts_of, never_schedulable, parse_image, plaintext_places, probe, replicasets_of, secret_refs, \
    secret_values, serving, target_port, workload_pods
from checkers.probes import Verdict, fetcher, ftps_probe, grafana_datasource, http_redirect, http_status, \
    service_target, ssh_banner
from clusters.errors import UsageError
from clusters.files import load_json, load_yaml

NGINX, WORDPRESS, MYSQL, PMA = "capstone-nginx", "capstone-wordpress", "capstone-mysql", "capstone-phpmyadmin"
FTPS, INFLUXDB, GRAFANA, TELEGRAF = "capstone-ftps", "capstone-influxdb", "capstone-grafana", "capstone-telegraf"
SERVICES = (NGINX, WORDPRESS, MYSQL, PMA, FTPS, INFLUXDB, GRAFANA)  # what Telegraf and Grafana watch
DEPLOYMENTS = SERVICES + (TELEGRAF,)
EXTERNAL, INTERNAL = (NGINX, WORDPRESS, PMA, FTPS, GRAFANA), (MYSQL, INFLUXDB)
SHARING_KEYS = ("metallb.io/allow-shared-ip", "metallb.universe.tf/allow-shared-ip")  # current first (MetalLB 0.14.9)
LEGACY_SHARING_KEY = SHARING_KEYS[1]
CLAIMS = {MYSQL: ("capstone-mysql", "/var/lib/mysql"), INFLUXDB: ("capstone-influxdb", "/var/lib/influxdb")}
CREDENTIALS = {MYSQL: "capstone-mysql", WORDPRESS: "capstone-mysql", FTPS: "capstone-ftps",
               INFLUXDB: "capstone-influxdb", GRAFANA: "capstone-grafana", NGINX: "capstone-ssh",
               TELEGRAF: "capstone-influxdb"}
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
    public = [ctx.view.get("services", name) for name in EXTERNAL]
    asked = {_requested_ip(service) for service in public} - {""}
    if len(asked) > 1:
        problems.append("loadBalancerIPs: " + ", ".join(sorted(asked)))
    local = [name for name, service in zip(EXTERNAL, public) if dig(service, "spec", "externalTrafficPolicy") == "Local"]
    if local and len({repr(sorted((dig(s, "spec", "selector") or {}).items())) for s in public}) > 1:
        problems.append("externalTrafficPolicy Local: " + ", ".join(local))  # shared only by identical selectors
    return problems


def _requested_ip(service: dict) -> str:
    """The address a Service asks MetalLB for (its annotation, or the deprecated spec.loadBalancerIP); "" if none."""
    annotations = dig(service, "metadata", "annotations") or {}
    return (annotations.get("metallb.io/loadBalancerIPs") or annotations.get("metallb.universe.tf/loadBalancerIPs")
            or dig(service, "spec", "loadBalancerIP") or "")


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
                  hints=(N_("MetalLB gives Services one IP when they carry the same allow-shared-ip key, ask for "
                            "no different addresses and use no port twice; with `externalTrafficPolicy: Local` "
                            "their selectors must also be identical."),
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
        leaks = [variable for variable, _ in literal_env({"spec": pod_spec}, SENSITIVE_NAME)]
        leaks += [leak.variable or leak.place for leak in plaintext_places(ctx.view, [deployment] if deployment else [],
                                                                           secrets, configmaps=False)]
        if leaks:  # the variable's name only: a check result must never carry a secret value
            return failed(N_("The variable {variable} of {name} carries a secret written in plain text."),
                          name=name, variable=leaks[0], expected="valueFrom.secretKeyRef", found=N_("env[].value"),
                          hints=(N_("Whoever may read the Deployment reads env values, and they end up in Git."),
                                 N_("Replace `value:` of {variable} with `valueFrom: secretKeyRef:`.")))
        if name in CREDENTIALS and CREDENTIALS[name] not in {used for used, _ in secret_refs({"spec": pod_spec})}:
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


# --- images, probes and monitoring -------------------------------------------------------------------------

# Public images the stack could be made of: the capstone asks for an image built per service instead.
UPSTREAM = {"nginx", "wordpress", "mysql", "mariadb", "phpmyadmin", "phpmyadmin/phpmyadmin",
            "delfer/alpine-ftp-server", "stilliard/pure-ftpd", "fauria/vsftpd", "influxdb", "grafana/grafana",
            "grafana/grafana-oss", "grafana/grafana-enterprise", "telegraf", "alpine", "debian", "ubuntu", "busybox"}
LOCAL_REGISTRY = re.compile(r"^(localhost|[\w.-]+\.(local|localhost|internal|lan|test))(:\d+)?$")
WHOLE_CLUSTER_INPUTS = {"kubernetes", "kube_inventory", "docker"}  # Telegraf inputs that see every pod at once
SECTION = re.compile(r"^\[\[\s*(inputs|outputs|processors|aggregators)\.([\w-]+)\s*\]\]")
DASHBOARD_NAMES = {NGINX: ("nginx",), WORDPRESS: ("wordpress",), MYSQL: ("mysql", "mariadb"),
                   PMA: ("phpmyadmin", "pma"), FTPS: ("ftp",), INFLUXDB: ("influx",), GRAFANA: ("grafana",)}


def _workloads(ctx: Context, kinds=("deployments", "statefulsets")) -> list[tuple[str, dict]]:
    """("kind/name", object) of every workload of the namespace, the stack's components first."""
    found = {f"{kind[:-1]}/{dig(o, 'metadata', 'name')}": o for kind in kinds for o in ctx.view.list(kind)}
    return sorted(found.items(), key=lambda item: (item[0].split("/")[1] not in DEPLOYMENTS, item[0]))


def _component(ctx: Context, name: str) -> dict | None:
    return ctx.view.get("deployments", name) or ctx.view.get("statefulsets", name) or ctx.view.get("daemonsets", name)


def _containers(workload: dict | None, init: bool = False) -> list[dict]:
    spec = _pod_spec(workload or {})
    return items(dig(spec, "initContainers")) * init + items(dig(spec, "containers"))


def _first_missing(ctx: Context, names=DEPLOYMENTS):
    """The outcome for the first component that does not exist (or runs no container), else None."""
    missing = next((n for n in names if not _containers(_component(ctx, n))), None)
    return _missing("Deployment", missing) if missing else None


@check(N_("Every Deployment and StatefulSet of the stack has a liveness probe"), points=2)
def liveness_probes(ctx: Context):
    if missing := _first_missing(ctx):
        return missing
    lacking, broken = [], []
    for where, workload in _workloads(ctx):
        for container in _containers(workload):
            found = probe(container, "livenessProbe")
            place = f"{where} ({container.get('name')})"
            if found is None:
                lacking.append(place)
            elif found.written_port is not None and found.port is None:
                broken.append(f"{place}: {found.written_port}")
    if lacking:
        return failed(N_("These containers have no liveness probe: {places}."), places=", ".join(lacking),
                      expected="livenessProbe", found=N_("none"),
                      hints=(N_("Without a liveness probe the kubelet restarts a container only when its main "
                                "process ends: a hung server stays up, dead."),
                             N_("Any handler counts: httpGet, tcpSocket, grpc, or an exec command such as "
                                "`pgrep -x nginx`."),
                             N_("`kubectl explain deployment.spec.template.spec.containers.livenessProbe`")))
    if broken:
        return failed(N_("These liveness probes name a port their container does not declare: {places}."),
                      places=", ".join(broken), expected=N_("a declared port"), found=", ".join(broken),
                      hints=(N_("A named port must be one of the container's `ports[].name`."),))
    return passed(N_("Every container of the stack's {count} workloads has a liveness probe."),
                  count=len(_workloads(ctx)))


@check(N_("Every image of the stack is pinned: a version tag or a digest, never latest"), points=2)
def images_pinned(ctx: Context):
    if missing := _first_missing(ctx):
        return missing
    loose = []
    for where, workload in _workloads(ctx, ("deployments", "statefulsets", "daemonsets")):
        for container in _containers(workload, init=True):
            ref = parse_image(container.get("image"))
            if ref.tag == "latest" and not ref.digest:
                loose.append(f"{where}: {container.get('image') or '-'}")
    if loose:
        return failed(N_("These images are not pinned: {images}."), images=", ".join(loose),
                      expected=N_("a version tag or @sha256 digest"), found=", ".join(loose),
                      hints=(N_("An image without a tag is `latest`, and `latest` names whatever was built last: "
                                "two pods of one Deployment may run different code."),
                             N_("Tag every build with a version (`-t kubelab.local/ft-nginx:1.0`) and write that "
                                "tag in the manifest.")))
    return passed(N_("Every image of the stack names a version or a digest."))


def _not_local(container: dict) -> str | None:
    """Why the image of ``container`` is not one the learner built into the cluster, or None."""
    ref = parse_image(container.get("image"))
    default = "Always" if ref.tag == "latest" and not ref.digest else "IfNotPresent"
    policy = container.get("imagePullPolicy") or default
    if ref.registry == "docker.io" and ref.name in UPSTREAM:
        return "public"
    if policy == "Always":
        return "pull"
    if policy != "Never" and ref.registry != "docker.io" and not LOCAL_REGISTRY.match(ref.registry):
        return "pull"
    return None


@check(N_("Every service runs an image of its own, built into the cluster"), points=3)
def images_built_locally(ctx: Context):
    if missing := _first_missing(ctx):
        return missing
    public, pulled, repositories = [], [], {}
    for name in DEPLOYMENTS:
        for container in _containers(_component(ctx, name)):
            reason, image = _not_local(container), str(container.get("image") or "-")
            (public if reason == "public" else pulled if reason else []).append(f"{name}: {image}")
            repositories.setdefault(parse_image(image).name, []).append(name)
    if public:
        return failed(N_("These components run public images instead of one you built: {images}."),
                      images=", ".join(public), expected=N_("your image, e.g. kubelab.local/ft-nginx:1.0"),
                      found=", ".join(public),
                      hints=(N_("Build one image per service from its Dockerfile (the lesson's images/ folder) "
                                "into the cluster: `minikube image build -t kubelab.local/ft-nginx:1.0 "
                                "capstone-images/nginx`."),
                             N_("Then point the Deployment at it and set `imagePullPolicy: Never`.")))
    if pulled:
        return failed(N_("The node would fetch these images from a registry: {images}."), images=", ".join(pulled),
                      expected="imagePullPolicy: Never", found=", ".join(pulled),
                      hints=(N_("An image you built exists only on the node: with `Always`, or with a registry "
                                "in its name, the kubelet asks a registry and fails with ErrImagePull."),
                             N_("Set `imagePullPolicy: Never` on each container.")))
    shared = {repository: names for repository, names in repositories.items() if len(names) > 1}
    if shared:
        found = "; ".join(f"{r}: {', '.join(n)}" for r, n in shared.items())
        return failed(N_("Several services share one image: {shared}."), shared=found,
                      expected=N_("one image per service"), found=found,
                      hints=(N_("Each service gets its own small image, with only what that service needs."),))
    return passed(N_("The {count} components run {count} images built into the cluster."), count=len(DEPLOYMENTS))


def _sections(text: str) -> list[tuple[str, str, str]]:
    """(kind, plugin, body) of each ``[[inputs.x]]``/``[[outputs.x]]``… table of a Telegraf configuration."""
    sections, current = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if header := SECTION.match(stripped):
            current = [header.group(1), header.group(2), ""]
            sections.append(current)
        elif re.match(r"^\[\s*(agent|global_tags)\s*\]", stripped):
            current = None
        elif current is not None:
            current[2] += stripped + "\n"
    return [tuple(s) for s in sections]


def _names(service: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(service)}(?![\w-])", text) is not None


@check(N_("Telegraf watches every service and writes to InfluxDB"), points=2)
def telegraf_watches_every_service(ctx: Context):
    telegraf = _component(ctx, TELEGRAF)
    if telegraf is None:
        return _missing("Deployment", TELEGRAF)
    sections = [s for text in configmap_files(ctx.view, telegraf).values() for s in _sections(text)]
    hints = (N_("Telegraf reads /etc/telegraf/telegraf.conf: mount ConfigMap {name} there."),
             N_("One input per service, naming its Service: `[[inputs.http_response]]` with "
                "`urls = [\"http://capstone-wordpress:5050/\"]`, `[[inputs.net_response]]` with "
                "`address = \"capstone-mysql:3306\"`…"),
             N_("`[[outputs.influxdb]]` with `urls = [\"http://capstone-influxdb:8086\"]` and the write user."))
    if not any(kind == "outputs" and plugin.startswith("influxdb") and _names(INFLUXDB, body)
               for kind, plugin, body in sections):
        return failed(N_("Telegraf's configuration has no output to {influxdb}."), influxdb=INFLUXDB, name=TELEGRAF,
                      expected=f"[[outputs.influxdb]] → {INFLUXDB}", found=N_("none"), hints=hints)
    inputs = [(plugin, body) for kind, plugin, body in sections if kind == "inputs"]
    if any(plugin in WHOLE_CLUSTER_INPUTS for plugin, _ in inputs):
        return passed(N_("Telegraf reads every pod of the stack and writes to {influxdb}."), influxdb=INFLUXDB)
    unwatched = [s for s in SERVICES if not any(_names(s, body) for _, body in inputs)]
    if unwatched:
        return failed(N_("No Telegraf input watches these services: {services}."), services=", ".join(unwatched),
                      name=TELEGRAF, expected=N_("an input per service"), found=", ".join(unwatched), hints=hints)
    return passed(N_("Telegraf has an input for each of the {count} services and writes to {influxdb}."),
                  count=len(SERVICES), influxdb=INFLUXDB)


def _dashboards(files: dict[str, str]) -> tuple[list[str], list[dict]]:
    """(the folders Grafana's dashboard providers read, the dashboards in those folders) among ``files``."""
    folders = []
    for path, text in files.items():
        if covers("/etc/grafana/provisioning/dashboards", path.rsplit("/", 1)[0]) and path.endswith((".yaml", ".yml")):
            try:
                document = load_yaml(text, path)
            except UsageError:
                continue
            providers = items(document.get("providers")) if isinstance(document, dict) else []
            folders += [str(dig(p, "options", "path")) for p in providers if dig(p, "options", "path")]
    boards = []
    for path, text in files.items():
        if path.endswith(".json") and any(covers(folder, path) for folder in folders):
            try:
                board = load_json(text)
            except ValueError:
                continue
            board = board.get("dashboard", board) if isinstance(board, dict) else None
            boards += [board] if isinstance(board, dict) else []
    return folders, boards


@check(N_("Grafana is provisioned with a dashboard for each service"), points=2)
def grafana_dashboard_per_service(ctx: Context):
    grafana = _component(ctx, GRAFANA)
    if grafana is None:
        return _missing("Deployment", GRAFANA)
    folders, boards = _dashboards(configmap_files(ctx.view, grafana))
    if not folders:
        return failed(N_("Grafana has no dashboard provider in /etc/grafana/provisioning/dashboards."),
                      expected=N_("a provider file"), found=N_("none"),
                      hints=(N_("A provider is a YAML file: `apiVersion: 1`, then `providers:` with `type: file` "
                                "and `options.path`, the folder where the dashboards' JSON files are."),
                             N_("Put it and the dashboards in a ConfigMap mounted at "
                                "/etc/grafana/provisioning/dashboards.")))
    titles = [f"{b.get('title') or ''} {b.get('uid') or ''}".lower() for b in boards]
    lacking = [s for s in SERVICES if not any(a in t for a in DASHBOARD_NAMES[s] for t in titles)]
    if lacking:
        return failed(N_("No provisioned dashboard is about these services: {services}."),
                      services=", ".join(lacking), expected=N_("a dashboard per service"),
                      found=", ".join(b.get("title") or "?" for b in boards) or N_("no dashboard"),
                      hints=(N_("Grafana loads only .json files in the folder its provider names ({folder})."),
                             N_("One dashboard per service, its title naming the service (`\"title\": \"MySQL\"`), "
                                "with panels querying what Telegraf writes for it.")),
                      folder=", ".join(folders))
    return passed(N_("Grafana loads {count} dashboards, one for each service."), count=len(boards))


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


@check(N_("nginx answers SSH on port 22 of the shared IP"), needs={"data_plane": True})
def nginx_answers_ssh(ctx: Context):
    target, problem = _address(ctx, NGINX, 22)
    return problem or ssh_banner(target)


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
        first = load_json(body)[0]
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
