"""Checks of the services lab: endpoints the controller published, ports that reach containers."""

from checkers import N_, Context, check, failed, not_yet, passed, skipped
from checkers.kube import there_is_no
from checkers.semantics import declared_ports, dig, service_chain

DEPLOYMENT, CLUSTER_IP, NODE_PORT = "svc-web", "svc-web", "svc-web-nodeport"
NODE_PORT_RANGE = range(30000, 32768)


def _service(ctx: Context, name: str, kind: str):
    service = ctx.view.get("services", name)
    if service is None:
        return None, there_is_no("Service", name, expected=kind,
                                 hints=(N_("`kubectl get services` lists what exists."),
                                        N_("Write the Service manifest and create it with `kubectl apply -f -`."),
                                        N_("metadata.name must be exactly {name}.")))
    return service, None


def _selects_ready_pods(ctx: Context, service: dict):
    """Pass when the Service's selector matches the Deployment's pods (and no others) and its endpoints are
    ready."""
    name = service["metadata"]["name"]
    selector = (service.get("spec") or {}).get("selector") or {}
    chain = service_chain(ctx.view, service, ctx.view.get("deployments", DEPLOYMENT))
    hints = (N_("A Service sends traffic to the pods whose labels match its selector."),
             N_("Compare `kubectl get svc {name} -o wide` (SELECTOR) with `kubectl get pods --show-labels`."),
             N_("`kubectl get endpointslices -l kubernetes.io/service-name={name}` shows the pods it found."))
    if not chain.selected:
        found = ", ".join(f"{k}={v}" for k, v in selector.items()) or N_("no selector")
        return failed(N_("The selector of Service {name} matches no pod."), name=name, expected="app=svc-web",
                      found=found, hints=hints)
    if chain.foreign:
        others = ", ".join(sorted(p["metadata"]["name"] for p in chain.foreign))
        return failed(N_("The selector of Service {name} also matches pods that are not {deployment}'s: {pods}."),
                      name=name, deployment=DEPLOYMENT, pods=others, expected="app=svc-web",
                      found=", ".join(f"{k}={v}" for k, v in selector.items()),
                      hints=(N_("Traffic for {deployment} would also reach the other app's pods."), hints[1],
                             N_("Select a label only {deployment}'s pods carry, such as app: svc-web.")))
    if not chain.ready:
        return not_yet(N_("Service {name} selects {count} pods but has no ready endpoints yet."), name=name,
                       count=len(chain.selected), expected=N_("ready endpoints"), found="0", hints=hints)
    return passed(N_("Service {name} has {count} ready endpoints."), name=name, count=len(chain.ready),
                  evidence={"endpoints": sorted(chain.ready)})


def _wrong_target(ctx: Context, service: dict):
    """None when a port of ``service`` reaches a port the web containers declare (a name resolved like the
    EndpointSlice controller does), else the failure."""
    template = dig(ctx.view.get("deployments", DEPLOYMENT), "spec", "template") or {}
    declared = declared_ports(template)
    chain = service_chain(ctx.view, service, ctx.view.get("deployments", DEPLOYMENT))
    if any(targets and targets <= declared for targets in chain.targets.values()):
        return None
    ports = [p for p in (service.get("spec") or {}).get("ports") or [] if isinstance(p, dict)]
    targets = ", ".join(str(p.get("targetPort", p.get("port"))) for p in ports)
    return failed(N_("No port of Service {name} targets a port the pods declare."), name=service["metadata"]["name"],
                  expected=", ".join(map(str, sorted(declared))) or "80", found=targets or N_("no ports"),
                  hints=(N_("`port` is what clients call; `targetPort` is where the container listens."),
                         N_("The pods of {deployment} listen on port 80 (named http)."),
                         N_("Set `targetPort: 80` (or `targetPort: http`).")), deployment=DEPLOYMENT)


@check(N_("The ClusterIP Service sends traffic to the web pods"), points=2)
def clusterip_selects_pods(ctx: Context):
    service, missing = _service(ctx, CLUSTER_IP, "ClusterIP")
    if missing:
        return missing
    kind = (service.get("spec") or {}).get("type", "ClusterIP")
    if kind != "ClusterIP":
        return failed(N_("Service {name} is of type {kind}; this one should be ClusterIP."), name=CLUSTER_IP,
                      kind=kind, expected="ClusterIP", found=kind,
                      hints=(N_("Leave `type` out, or write `type: ClusterIP`."),))
    return _selects_ready_pods(ctx, service)


@check(N_("The ClusterIP Service targets the port nginx listens on"))
def clusterip_target_port(ctx: Context):
    service, missing = _service(ctx, CLUSTER_IP, "ClusterIP")
    if missing:
        return missing
    wrong = _wrong_target(ctx, service)
    if wrong:
        return wrong
    port = next(p for p in service["spec"]["ports"] if isinstance(p, dict))
    return passed(N_("Service {name} forwards port {port} to container port {target}."), name=CLUSTER_IP,
                  port=port.get("port"), target=port.get("targetPort", port.get("port")))


@check(N_("The NodePort Service opens a port on every node"), points=2)
def nodeport_in_range(ctx: Context):
    service, missing = _service(ctx, NODE_PORT, "NodePort")
    if missing:
        return missing
    spec = service.get("spec") or {}
    if spec.get("type") != "NodePort":
        return failed(N_("Service {name} is of type {kind}, not NodePort."), name=NODE_PORT,
                      kind=spec.get("type", "ClusterIP"), expected="NodePort", found=spec.get("type", "ClusterIP"),
                      hints=(N_("A NodePort Service also gets a ClusterIP, and opens one port on every node."),
                             N_("Write `type: NodePort` in the spec.")))
    node_ports = [p.get("nodePort") for p in spec.get("ports") or []]
    if not any(p in NODE_PORT_RANGE for p in node_ports):
        return failed(N_("Service {name} has no node port between 30000 and 32767."), name=NODE_PORT,
                      expected="30000-32767", found=", ".join(map(str, node_ports)),
                      hints=(N_("Let Kubernetes choose the port, or pick one in 30000–32767."),))
    return _wrong_target(ctx, service) or _selects_ready_pods(ctx, service)


@check(N_("The web pods answer through the ClusterIP Service"), needs={"data_plane": True})
def clusterip_serves_http(ctx: Context):
    status, body = ctx.view.proxy_get("services", CLUSTER_IP, 80, "/")
    if status == 200 and b"nginx" in body.lower():
        return passed(N_("Service {name} answered with the nginx page."), name=CLUSTER_IP)
    outcome = not_yet if status == 503 else failed  # 503: no ready endpoint yet (the pods are still starting)
    return outcome(N_("Service {name} did not answer with the nginx page (HTTP {status})."), name=CLUSTER_IP,
                  status=status, expected="200", found=str(status),
                  hints=(N_("`kubectl port-forward service/{name} 8080:80`, then open http://localhost:8080."),
                         N_("No endpoints means the selector or the pods are wrong; see the checks above.")))


LOAD_BALANCER = "svc-web-lb"


@check(N_("The LoadBalancer Service sends traffic to the web pods"))
def loadbalancer_selects_pods(ctx: Context):
    service, missing = _service(ctx, LOAD_BALANCER, "LoadBalancer")
    if missing:
        return missing
    kind = (service.get("spec") or {}).get("type", "ClusterIP")
    if kind != "LoadBalancer":
        return failed(N_("Service {name} is of type {kind}, not LoadBalancer."), name=LOAD_BALANCER, kind=kind,
                      expected="LoadBalancer", found=kind,
                      hints=(N_("A LoadBalancer Service is a NodePort Service plus an address from outside the "
                                "cluster."),
                             N_("Write `type: LoadBalancer` in the spec.")))
    return _wrong_target(ctx, service) or _selects_ready_pods(ctx, service)


@check(N_("The LoadBalancer Service received an external address"), needs={"load_balancer": True}, settle=60)
def loadbalancer_external_ip(ctx: Context):
    service = ctx.view.get("services", LOAD_BALANCER)
    if service is None or (service.get("spec") or {}).get("type") != "LoadBalancer":
        return skipped(N_("There is no LoadBalancer Service {name} yet; the check above says why."),
                       name=LOAD_BALANCER)
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    addresses = [entry.get("ip") or entry.get("hostname") for entry in ingress if isinstance(entry, dict)]
    if any(addresses):
        return passed(N_("Service {name} has the external address {address}."), name=LOAD_BALANCER,
                      address=", ".join(a for a in addresses if a))
    return not_yet(N_("Service {name} has no external address yet (EXTERNAL-IP <pending>)."), name=LOAD_BALANCER,
                   expected=N_("an external IP"), found="<pending>",
                   hints=(N_("Something outside Kubernetes hands out the address: MetalLB or `minikube tunnel`."),
                          N_("`kubelab doctor` says whether MetalLB has a pool of addresses."),
                          N_("`kubectl describe service {name}` shows the events of the load balancer.")))
