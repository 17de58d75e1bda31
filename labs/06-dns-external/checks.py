"""Checks of the DNS lab: a selectorless Service with hand-made endpoints, an ExternalName alias, a lookup Job."""

import ipaddress
import re

from checkers import N_, Context, check, condition, failed, not_yet, owned_by, passed
from checkers.kube import there_is_no

DB, DOCS, LOOKUP = "dns-db", "dns-docs", "dns-lookup"
DB_PORT = 3306
DOCS_TARGET = "kubernetes.io"  # the name the exercise asks the alias to point at
SELECTOR_CONTROLLER = "endpointslice-controller.k8s.io"  # the slices it writes come from a selector, not by hand


def _service(ctx: Context, name: str, kind: str):
    service = ctx.view.get("services", name)
    if service is None:
        return None, there_is_no("Service", name, expected=kind,
                                 hints=(N_("`kubectl get services` lists what exists."),
                                        N_("Write the Service manifest and apply it with `kubectl apply -f`."),
                                        N_("metadata.name must be exactly {name}.")))
    return service, None


@check(N_("The database Service has no selector"), points=2)
def db_service_selectorless(ctx: Context):
    service, missing = _service(ctx, DB, "ClusterIP")
    if missing:
        return missing
    spec = service.get("spec") or {}
    if spec.get("selector"):
        return failed(N_("Service {name} has a selector, so Kubernetes fills its endpoints from pods."), name=DB,
                      expected=N_("no selector"), found=", ".join(f"{k}={v}" for k, v in spec["selector"].items()),
                      hints=(N_("The database runs outside the cluster: no pod can match a selector."),
                             N_("With a selector, Kubernetes replaces hand-made Endpoints with the pods it finds."),
                             N_("Delete the `selector:` block, then `kubectl apply` the Service again.")))
    ports = [p.get("port") for p in spec.get("ports") or [] if isinstance(p, dict)]
    if spec.get("type", "ClusterIP") != "ClusterIP" or DB_PORT not in ports:
        return failed(N_("Service {name} should be a ClusterIP Service on port {port}."), name=DB, port=DB_PORT,
                      expected=f"ClusterIP {DB_PORT}", found=f"{spec.get('type', 'ClusterIP')} {ports}",
                      hints=(N_("MySQL listens on port 3306; leave `type` out so the Service gets a ClusterIP."),))
    return passed(N_("Service {name} has no selector and listens on port {port}."), name=DB, port=DB_PORT)


def _hand_made_endpoints(ctx: Context) -> list[tuple[str, str, int]]:
    """(address, port name, port number) from the Endpoints object and the slices not made from a selector."""
    found = []
    endpoints = ctx.view.get("endpoints", DB) or {}
    for subset in endpoints.get("subsets") or []:
        ports = [(p.get("name", ""), p.get("port")) for p in subset.get("ports") or []]
        found += [(a.get("ip", ""), *port) for a in subset.get("addresses") or [] for port in ports]
    for piece in ctx.view.list("endpointslices"):
        labels = piece["metadata"].get("labels") or {}
        if labels.get("kubernetes.io/service-name") != DB or labels.get(
                "endpointslice.kubernetes.io/managed-by") == SELECTOR_CONTROLLER:
            continue
        ports = [(p.get("name", ""), p.get("port")) for p in piece.get("ports") or []]
        found += [(a, *port) for e in piece.get("endpoints") or [] for a in e.get("addresses") or [] for port in ports]
    return found


def _outside_address(address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


@check(N_("The database Service points at the address outside the cluster"), points=2)
def db_endpoints_external(ctx: Context):
    service, missing = _service(ctx, DB, "ClusterIP")
    if missing:
        return missing
    port = next((p for p in (service.get("spec") or {}).get("ports") or [] if p.get("port") == DB_PORT), {})
    wanted = (port.get("name", ""), port.get("targetPort") if isinstance(port.get("targetPort"), int) else DB_PORT)
    found = _hand_made_endpoints(ctx)
    good = [a for a, *named_port in found if _outside_address(a) and tuple(named_port) == wanted]
    if good:
        return passed(N_("Service {name} sends port {port} to {addresses}."), name=DB, port=DB_PORT,
                      addresses=", ".join(sorted(set(good))))
    return failed(N_("Service {name} has no usable endpoint outside the cluster."), name=DB,
                  expected=f"{wanted[0] or '-'}:{wanted[1]} @ IPv4",
                  found="; ".join(f"{n or '-'}:{p} @ {a}" for a, n, p in found) or N_("no endpoints"),
                  hints=(N_("A Service without a selector gets no endpoints until you write them yourself."),
                         N_("The port name and number in the EndpointSlice must be the Service's ({port_name}, "
                            "{port}); the address must not be 127.x or 169.254.x."),
                         N_("Apply an EndpointSlice labelled kubernetes.io/service-name={name}, addressType IPv4, "
                            "with the host's address (on minikube: host.minikube.internal).")),
                  port_name=wanted[0] or "-", port=wanted[1])


@check(N_("The docs Service is an alias for an outside name"))
def docs_externalname(ctx: Context):
    service, missing = _service(ctx, DOCS, "ExternalName")
    if missing:
        return missing
    spec = service.get("spec") or {}
    target = str(spec.get("externalName") or "")
    if spec.get("type") == "ExternalName" and target.lower().rstrip(".") == DOCS_TARGET:
        return passed(N_("Service {name} is an alias for {target}."), name=DOCS, target=target)
    if spec.get("type") == "ExternalName" and target and not _outside_address(target):
        return failed(N_("Service {name} is an alias for {target}, not for {wanted}."), name=DOCS, target=target,
                      wanted=DOCS_TARGET, expected=DOCS_TARGET, found=target,
                      hints=(N_("DNS answers with exactly the name you write: a typo resolves to nothing, or to "
                                "someone else's site."),
                             N_("`kubectl get service {name} -o jsonpath='{{.spec.externalName}}'` shows it."),
                             N_("Set `externalName: {wanted}`.")))
    return failed(N_("Service {name} is not an ExternalName alias for a DNS name."), name=DOCS,
                  expected="ExternalName kubernetes.io", found=f"{spec.get('type', 'ClusterIP')} {target}".strip(),
                  hints=(N_("An ExternalName Service has no ClusterIP and no endpoints: DNS answers with a CNAME."),
                         N_("`externalName` takes a DNS name, not an IP address or a URL."),
                         N_("Set `type: ExternalName` and `externalName: kubernetes.io`, with no selector and no "
                            "ports.")))


@check(N_("The lookup Job ran with the cluster's DNS"))
def lookup_job_complete(ctx: Context):
    job = ctx.view.get("jobs", LOOKUP)
    hints = (N_("`kubectl describe job {name}` and `kubectl logs job/{name}` show what it did."),
             N_("Pods find Services by name only with dnsPolicy ClusterFirst (the default)."),
             N_("A Job's pod template cannot change: `kubectl delete job {name}`, then apply it again."))
    if job is None:
        return there_is_no("Job", LOOKUP, expected="Job", hints=hints)
    policy = (((job.get("spec") or {}).get("template") or {}).get("spec") or {}).get("dnsPolicy", "ClusterFirst")
    if policy not in ("ClusterFirst", "ClusterFirstWithHostNet"):
        return failed(N_("Job {name} uses dnsPolicy {policy}: its pod cannot resolve cluster names."), name=LOOKUP,
                      policy=policy, expected="ClusterFirst", found=policy, hints=hints)
    if condition(job, "Complete") == "True":
        return passed(N_("Job {name} completed."), name=LOOKUP)
    if condition(job, "Failed") == "True":
        return failed(N_("Job {name} failed."), name=LOOKUP, expected="Complete", found="Failed", hints=hints)
    return not_yet(N_("Job {name} has not completed yet."), name=LOOKUP, expected="Complete", found=N_("running"),
                   hints=hints)


def _lookup_report(ctx: Context) -> str:
    """What the lookup pods wrote to their termination log (the kubelet copies it into the pod's status)."""
    job = ctx.view.get("jobs", LOOKUP)
    pods = owned_by(ctx.view.list("pods"), job) if job else []
    return "\n".join(str(((s.get("state") or {}).get("terminated") or {}).get("message") or "")
                     for p in pods for s in (p.get("status") or {}).get("containerStatuses") or [])


@check(N_("Inside the cluster, the names resolve"), needs={"data_plane": True})
def lookup_resolves_names(ctx: Context):
    db, docs = ctx.view.get("services", DB), ctx.view.get("services", DOCS)
    cluster_ip = ((db or {}).get("spec") or {}).get("clusterIP") or "-"
    target = ((docs or {}).get("spec") or {}).get("externalName") or "-"
    report = _lookup_report(ctx)
    hints = (N_("`kubectl logs job/{job}` shows the answers of nslookup."),
             N_("Run the Job again after fixing the Services: `kubectl delete job {job}`, then apply it."))
    job = ctx.view.get("jobs", LOOKUP)
    if job is not None and "True" not in (condition(job, "Complete"), condition(job, "Failed")):
        return not_yet(N_("Job {name} has not completed yet."), name=LOOKUP, expected="Complete",
                       found=N_("running"), hints=hints, job=LOOKUP)
    if not re.search(rf"^Address:\s*{re.escape(cluster_ip)}\s*$", report, re.M):
        return failed(N_("The lookup did not resolve {name} to its ClusterIP {ip}."), name=DB, ip=cluster_ip,
                      job=LOOKUP, expected=cluster_ip, found=N_("another answer, or none"), hints=hints)
    if not re.search(rf"canonical name = {re.escape(target)}\.?\s*$", report, re.M):
        return failed(N_("The lookup did not resolve {name} to the alias {target}."), name=DOCS, target=target,
                      job=LOOKUP, expected=f"CNAME {target}", found=N_("another answer, or none"), hints=hints)
    return passed(N_("{db} resolved to {ip} and {docs} to {target}."), db=DB, ip=cluster_ip, docs=DOCS,
                  target=target)
