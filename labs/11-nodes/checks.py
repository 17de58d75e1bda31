"""Checks of the nodes lab, on facts the cluster keeps: where the scheduler put each pod (spec.nodeName) and when
its ReplicaSet made it, the nodes' labels and unschedulable flag, and the DaemonSet controller's counts."""

from checkers import N_, Context, check, failed, not_yet, owned_by, passed
from checkers.kube import replacements, there_is_no
from checkers.semantics import dig, never_schedulable, node_fits, serving, workload_pods

WEB, AGENT = "nodes-web", "nodes-agent"
LABEL, VALUE = "kubelab.dev/nodes-lab", "web"


def _web(ctx: Context):
    """The Deployment nodes-web and its live pods, or (None, the failure to report)."""
    deployment = ctx.view.get("deployments", WEB)
    if deployment is None:
        return None, there_is_no("Deployment", WEB, expected=N_("a Deployment"),
                                 hints=(N_("`kubectl get deployments` lists what exists."),
                                        N_("Apply the manifest of the step \"Choosing nodes\".")))
    return workload_pods(ctx.view, deployment), None


def _selects_label(template_spec, nodes: list[dict]) -> bool:
    """Whether a pod spec's nodeSelector and required node affinity, whatever their spelling, admit a node only
    when it carries the lab's label with its value: tried on each node without the label, with another value, and
    with the value."""
    probes = [{"metadata": {"name": "kubelab-probe", "labels": {}}}] + nodes
    for node in probes:
        labels = {k: v for k, v in (node["metadata"].get("labels") or {}).items() if k != LABEL}
        def fits(extra):
            return node_fits(template_spec or {}, {"metadata": {"name": node["metadata"].get("name"),
                                                                "labels": {**labels, **extra}}})
        if fits({}) or fits({LABEL: VALUE + "-other"}):
            return False
    return any(node_fits(template_spec or {}, {"metadata": {"name": n["metadata"].get("name"), "labels": {
        **(n["metadata"].get("labels") or {}), LABEL: VALUE}}}) for n in probes)


@check(N_("The pods of nodes-web run only on the nodes labelled kubelab.dev/nodes-lab=web"), points=2)
def web_on_labelled_nodes(ctx: Context):
    pods, missing = _web(ctx)
    if missing:
        return missing
    labelled = {n["metadata"]["name"] for n in ctx.view.list("nodes")
                if (n["metadata"].get("labels") or {}).get(LABEL) == VALUE}
    if not _selects_label(dig(ctx.view.get("deployments", WEB), "spec", "template", "spec"), ctx.view.list("nodes")):
        return failed(N_("{name} does not ask for nodes labelled {label}={value}."), name=WEB, label=LABEL, value=VALUE,
                      expected=f"nodeSelector {LABEL}: {VALUE}", found=N_("no nodeSelector"),
                      hints=(N_("Without a nodeSelector, the scheduler may use any node that accepts pods."),
                             N_("The nodeSelector goes in the pod template: spec.template.spec.nodeSelector."),
                             N_("Under the template's nodeSelector, put `{label}: {value}`, then apply again.")))
    elsewhere = sorted({str(dig(p, "spec", "nodeName")) for p in pods} - labelled)
    if pods and not elsewhere and all(map(serving, pods)):
        return passed(N_("The {count} pods of {name} run on labelled nodes: {nodes}."), count=len(pods), name=WEB,
                      nodes=", ".join(sorted({p["spec"]["nodeName"] for p in pods})))
    verdict = failed if never_schedulable(ctx.view, ctx.view.get("deployments", WEB)) else not_yet
    return verdict(N_("Not every pod of {name} runs on a labelled node yet ({nodes})."), name=WEB, label=LABEL,
                   value=VALUE, nodes=", ".join(elsewhere) or N_("pods not ready"),
                   expected=", ".join(sorted(labelled)), found=", ".join(elsewhere),
                   hints=(N_("`kubectl get nodes -L {label}` shows which nodes carry the label."),
                          N_("`kubectl describe pod <a Pending pod>`: no labelled node may have room or be "
                             "schedulable."),
                          N_("Label the worker nodes: `kubectl label nodes -l '!node-role.kubernetes.io/"
                             "control-plane' {label}={value}`.")))


@check(N_("A node running nodes-web was drained, and is back in service"), points=2)
def node_drained(ctx: Context):
    pods, missing = _web(ctx)
    if missing:
        return missing
    # durable evidence (Events expire after an hour): pods the ReplicaSets made to replace evicted ones, and a
    # node the Deployment may use that runs none of its pods any more
    deployment = ctx.view.get("deployments", WEB)
    replaced = sorted(p["metadata"]["name"] for rs in owned_by(ctx.view.list("replicasets"), deployment)
                      for p in replacements(rs, owned_by(pods, rs)))
    running_on = {str(dig(p, "spec", "nodeName")) for p in pods}
    nodes = {n["metadata"]["name"]: n for n in ctx.view.list("nodes")}
    eligible = [name for name, node in nodes.items() if (dig(node, "metadata", "labels") or {}).get(LABEL) == VALUE]
    emptied = sorted(name for name in eligible if name not in running_on)
    hints = (N_("Draining a node cordons it, then evicts its pods so that their controllers recreate them elsewhere."),
             N_("`kubectl get pods -l app={name} -o wide` shows the NODE of each pod."),
             N_("`kubectl drain <node> --ignore-daemonsets --pod-selector=app={name}`, then "
                "`kubectl uncordon <node>`."))
    if not replaced or not emptied or not all(map(serving, pods)):
        return failed(N_("No node that ran pods of {name} has been emptied of them."), name=WEB, hints=hints,
                      expected=N_("a node without pods of {name}"), found=", ".join(sorted(running_on)))
    cordoned = [node for node in emptied if dig(nodes.get(node), "spec", "unschedulable")]
    if len(cordoned) == len(emptied):
        return failed(N_("Node {node} was drained but is still cordoned: no new pod can go there."), node=cordoned[0],
                      expected=N_("schedulable"), found="SchedulingDisabled",
                      hints=(N_("A drained node stays unschedulable until you uncordon it."),
                             N_("`kubectl uncordon {node}`.")))
    node = next(n for n in emptied if n not in cordoned)
    return passed(N_("Node {node} was drained (its pods {pods} moved away) and accepts pods again."), node=node,
                  pods=", ".join(replaced))


@check(N_("The DaemonSet nodes-agent runs a ready pod on every node it targets"))
def agent_on_every_node(ctx: Context):
    daemonset = ctx.view.get("daemonsets", AGENT)
    if daemonset is None:
        return there_is_no("DaemonSet", AGENT, expected=N_("a DaemonSet"),
                           hints=(N_("`kubectl get daemonsets` lists what exists."),))
    status = daemonset.get("status") if isinstance(daemonset.get("status"), dict) else {}
    desired, ready = status.get("desiredNumberScheduled"), status.get("numberReady")
    if isinstance(desired, int) and desired >= 2 and ready == desired and not status.get("numberMisscheduled"):
        return passed(N_("{name} runs a ready pod on each of its {count} nodes."), name=AGENT, count=desired)
    outcome = not_yet if isinstance(desired, int) and desired >= 2 else failed
    return outcome(N_("{name} has {ready} ready pods for {desired} nodes."), name=AGENT, ready=ready, desired=desired,
                   expected=N_("one pod per node (at least 2)"), found=str(ready),
                   hints=(N_("`kubectl get daemonset {name}` shows DESIRED, READY and NODE SELECTOR."),
                          N_("A DaemonSet runs on every node its nodeSelector and tolerations allow."),
                          N_("Remove the nodeSelector (or use a label the nodes carry) and apply again.")))
