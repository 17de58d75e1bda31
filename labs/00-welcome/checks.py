"""Checks of the welcome lab: the scheduler put a first pod on a Ready node; the learner labelled the namespace.

Reaching the cluster is not a check of its own: a cluster kubelab cannot read turns every check into an
error (never a lost point), with the reason. Reading nodes needs a cluster-wide right: where it is
refused (a shared classroom cluster), the node check is an error too.
"""

from checkers import N_, Context, check, condition, failed, not_yet, passed
from checkers.kube import STUCK, container_statuses, there_is_no, waiting_reasons
from checkers.semantics import never_schedulable

POD = "welcome-hello"
OWNER = "kubelab.dev/owner"


def _missing_pod():
    return there_is_no("pod", POD, expected=N_("a pod"),
                       hints=(N_("The step \"The conductor at work\" creates it."),
                              N_("`kubectl get pods` lists what exists in the namespace kubectl uses."),
                              N_("`kubectl run {name} --image=nginx:1.30`, then wait for it.")))


@check(N_("The scheduler placed your first pod on a Ready node"), points=2)
def first_pod_on_ready_node(ctx: Context):
    pod = ctx.view.get("pods", POD)
    if pod is None:
        return _missing_pod()
    node_name = (pod.get("spec") or {}).get("nodeName")
    ready = [n["metadata"]["name"] for n in ctx.view.list("nodes") if condition(n, "Ready") == "True"]
    hints = (N_("`kubectl get nodes` shows each node and whether it is Ready."),
             N_("`kubectl describe pod {name}`: the Events say why the scheduler found no node."),
             N_("Delete the pod and create it again without a nodeSelector: `kubectl delete pod {name}`."))
    if not node_name:
        scheduled = next((c for c in (pod.get("status") or {}).get("conditions") or []
                          if isinstance(c, dict) and c.get("type") == "PodScheduled"), {})
        never = never_schedulable(ctx.view, pod)
        outcome = failed if scheduled.get("reason") == "Unschedulable" or never else not_yet
        return outcome(N_("Pod {name} has not been placed on a node: {detail}"), name=POD,
                       detail=never or scheduled.get("message", ""), expected=N_("a Ready node"), found=N_("no node"),
                       hints=hints)
    if node_name not in ready:
        return failed(N_("Pod {name} is on node {node}, which is not Ready."), name=POD, node=node_name,
                      expected=", ".join(ready) or N_("a Ready node"), found=node_name, hints=hints)
    return passed(N_("Pod {name} runs on node {node}, one of {count} Ready nodes."), name=POD, node=node_name,
                  count=len(ready))


@check(N_("Your namespace carries your owner label"))
def namespace_labelled(ctx: Context):
    labels = (ctx.view.own_namespace().get("metadata") or {}).get("labels") or {}
    if labels.get(OWNER):
        return passed(N_("Namespace {namespace} is labelled {label}={value}."), namespace=ctx.namespace,
                      label=OWNER, value=labels[OWNER])
    return failed(N_("Namespace {namespace} has no label {label}."), namespace=ctx.namespace, label=OWNER,
                  expected=f"{OWNER}=<you>", found=", ".join(f"{k}={v}" for k, v in labels.items()) or N_("no labels"),
                  hints=(N_("`kubectl get namespace {namespace} --show-labels` shows its labels; the key must be "
                            "exactly {label}."),
                         N_("If kubectl answers Forbidden, your account may not change this namespace (common on a "
                            "shared classroom cluster): that is not your mistake; tell your instructor."),
                         N_("`kubectl label namespace {namespace} {label}=<your name> --overwrite`.")))


@check(N_("The first pod's container really started"), needs={"data_plane": True})
def first_pod_container_started(ctx: Context):
    pod = ctx.view.get("pods", POD)
    if pod is None:
        return _missing_pod()
    started = [s for s in container_statuses(pod) if (s.get("state") or {}).get("running") and s.get("imageID")]
    if started:
        return passed(N_("The container of {name} runs image {image}."), name=POD, image=started[0]["imageID"])
    reasons = ", ".join(waiting_reasons(pod)) or N_("not started yet")
    outcome = failed if set(waiting_reasons(pod)) & STUCK else not_yet
    return outcome(N_("The container of {name} is not running: {reason}."), name=POD, reason=reasons,
                   expected="running", found=reasons,
                   hints=(N_("`kubectl describe pod {name}`: the Events show the kubelet pulling and starting."),
                          N_("ErrImagePull means the node could not download the image: check the name and the "
                             "node's internet access.")))
