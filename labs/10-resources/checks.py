"""Checks of the resources lab, on facts the cluster sets: the QoS class Kubernetes gives each pod, the scheduler's
verdict in a pod's PodScheduled condition, the LimitRanger admission's mark on a pod, and the quota controller's usage report."""

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import no_object
from checkers.semantics import dig, quantity, quota_hard, quota_used, serving, workload_pods

API, GREEDY, PLAIN = "resources-api", "resources-greedy", "resources-plain"
DEFAULTS, QUOTA = "resources-defaults", "resources-quota"
# what the exercise asks the quota to allow (cpu means requests.cpu, in any unit: 2 = 2000m)
QUOTA_ASKED = {"requests.cpu": "2", "requests.memory": "1Gi", "limits.cpu": "4", "limits.memory": "1Gi", "pods": "10"}
# what the exercise asks the LimitRange to fill in for a Container
DEFAULTS_ASKED = {("defaultRequest", "cpu"): "100m", ("defaultRequest", "memory"): "128Mi",
                  ("default", "cpu"): "200m", ("default", "memory"): "128Mi"}
QUOTA_KEYS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
LIMIT_RANGER = "kubernetes.io/limit-ranger"  # the annotation the LimitRanger admission plugin writes


def _no_object(kind: str, name: str):
    return no_object(kind, name, hints=(
        N_("`kubectl get {kind} {name}` shows whether it exists, and in which namespace."),
        N_("Apply the manifest of the lesson's step that creates {name}.")))


@check(N_("Every pod of resources-api is in the Guaranteed QoS class"), points=2)
def api_guaranteed(ctx: Context):
    deployment = ctx.view.get("deployments", API)
    if deployment is None:
        return _no_object("Deployment", API)
    pods = workload_pods(ctx.view, deployment)
    classes = sorted({str(dig(p, "status", "qosClass")) for p in pods})
    if pods and classes == ["Guaranteed"] and all(map(serving, pods)):
        return passed(N_("The {count} pods of {name} run in the Guaranteed QoS class."), count=len(pods), name=API)
    hints = (N_("`kubectl get pods -l app={name} -o custom-columns=NAME:.metadata.name,QOS:.status.qosClass`."),
             N_("Guaranteed needs, in every container, a CPU and a memory limit equal to the request."),
             N_("Set requests and limits to the same values (cpu: 250m, memory: 128Mi) and apply the Deployment "
                "again: its pods are replaced with the new class."))
    if pods and "Guaranteed" not in classes:
        return failed(N_("The pods of {name} are {classes}, not Guaranteed."), name=API, classes=", ".join(classes),
                      expected="Guaranteed", found=", ".join(classes), hints=hints)
    return not_yet(N_("The pods of {name} are not all running in the Guaranteed class yet."), name=API,
                   expected="Guaranteed", found=", ".join(classes) or N_("no pods"), hints=hints)


@check(N_("resources-greedy asks for what a node can give, and runs"), points=2)
def greedy_fits(ctx: Context):
    """Graded on the pod's own state, never on the FailedScheduling event, which the API server deletes after an
    hour: a pod the scheduler cannot place says why in its PodScheduled condition for as long as it waits."""
    pod = ctx.view.get("pods", GREEDY)
    if pod is None:
        return _no_object("pod", GREEDY)
    if serving(pod):
        return passed(N_("{name} runs: the scheduler found a node with the CPU and memory it asks for."), name=GREEDY)
    scheduled = next((c for c in dig(pod, "status", "conditions") or []
                      if isinstance(c, dict) and c.get("type") == "PodScheduled"), {})
    if scheduled.get("status") == "False" and scheduled.get("reason") == "Unschedulable":
        return failed(N_("The scheduler cannot place {name}: {reason}"), name=GREEDY,
                      reason=str(scheduled.get("message") or "")[:200], expected=N_("a node that fits"),
                      found=N_("no node fits"),
                      hints=(N_("`kubectl describe pod {name}`: the Events show FailedScheduling and why."),
                             N_("A pod's requests cannot be raised or lowered while it waits: delete it first."),
                             N_("`kubectl delete pod {name}`, then apply it again with requests cpu: 250m.")))
    return not_yet(N_("{name} is not running yet."), name=GREEDY, expected="Running",
                   found=str(dig(pod, "status", "phase") or N_("nothing")),
                   hints=(N_("`kubectl get pod {name}` shows its status; `kubectl describe pod {name}` says why."),))


@check(N_("resources-plain received its requests and limits from the LimitRange"))
def defaults_injected(ctx: Context):
    limits = ctx.view.get("limitranges", DEFAULTS)
    if limits is None:
        return _no_object("LimitRange", DEFAULTS)
    container = next((item for item in dig(limits, "spec", "limits") or [] if isinstance(item, dict)
                      and item.get("type") == "Container"), {})
    wrong = [(field, resource) for (field, resource), value in DEFAULTS_ASKED.items()
             if quantity(dig(container, field, resource)) != quantity(value)]
    if wrong:
        field, resource = wrong[0]
        value = dig(container, field, resource) or N_("nothing")
        return failed(N_("LimitRange {limits} sets {field} {resource} to {value}; the exercise asks for {wanted}."),
                      limits=DEFAULTS, field=field, resource=resource, value=value,
                      wanted=DEFAULTS_ASKED[wrong[0]], expected=f"{field}.{resource}: {DEFAULTS_ASKED[wrong[0]]}",
                      found=f"{field}.{resource}: {value}",
                      hints=(N_("`default` holds the limits a container receives, `defaultRequest` its requests; "
                                "both only for type Container."),
                             N_("Quantities may use any unit (0.1 = 100m), but the amount must be the one asked for."),
                             N_("`kubectl edit limitrange {limits}` and set {field}.{resource}: {wanted}.")))
    pod = ctx.view.get("pods", PLAIN)
    if pod is None:
        return _no_object("Pod", PLAIN)
    marked = LIMIT_RANGER in (pod["metadata"].get("annotations") or {})
    limited = all({"cpu", "memory"} <= set(dig(c, "resources", "limits") or {})
                  for c in dig(pod, "spec", "containers") or [None])
    if marked and limited:
        return passed(N_("The LimitRange gave pod {name} its requests and limits ({qos})."), name=PLAIN,
                      qos=dig(pod, "status", "qosClass"))
    return failed(N_("Pod {name} got no defaults from the LimitRange: it has no CPU and memory limits."),
                  name=PLAIN, expected=N_("limits set by the LimitRange"), found=str(dig(pod, "status", "qosClass")),
                  hints=(N_("A LimitRange fills in missing values only when a pod is created."),
                         N_("The LimitRange needs `default` (limits) and `defaultRequest` for cpu and memory; "
                            "`kubectl describe limitrange {limits}`."),
                         N_("Delete the pod and create it again: `kubectl delete pod {name}`, then apply it.")),
                  limits=DEFAULTS)


@check(N_("The ResourceQuota caps the namespace's CPU and memory"), points=2, settle=10)
def quota_in_force(ctx: Context):
    quota = ctx.view.get("resourcequotas", QUOTA)
    if quota is None:
        return _no_object("ResourceQuota", QUOTA)
    hard, used = quota_hard(quota), quota_used(quota)
    written = quota_hard(quota, source="spec")
    missing = [key for key in QUOTA_KEYS if key not in written]
    if missing:
        return failed(N_("Quota {name} does not limit {keys}."), name=QUOTA, keys=", ".join(missing),
                      expected=", ".join(QUOTA_KEYS), found=", ".join(written) or N_("nothing"),
                      hints=(N_("`kubectl describe quota {name}` lists what it limits and what is used."),
                             N_("A quota limits only the resources named under spec.hard."),
                             N_("Add requests.cpu, requests.memory, limits.cpu and limits.memory under spec.hard.")))
    wrong = [key for key, value in QUOTA_ASKED.items() if key in written
             and quantity(written[key]) != quantity(value)]
    if wrong:
        key, value = wrong[0], written[wrong[0]]
        return failed(N_("Quota {name} allows {key}: {value}; the exercise asks for {wanted}."), name=QUOTA, key=key,
                      value=value, wanted=QUOTA_ASKED[key], expected=f"{key}: {QUOTA_ASKED[key]}",
                      found=f"{key}: {value}",
                      hints=(N_("A quota is a ceiling: too high, it protects nothing; too low, it refuses the "
                                "team's pods."),
                             N_("Quantities may use any unit (2 = 2000m, 1Gi = 1024Mi), but the amount must be the "
                                "one asked for."),
                             N_("`kubectl edit resourcequota {name}` and set {key}: {wanted}.")))
    if not all(key in used and key in hard for key in QUOTA_KEYS):
        return not_yet(N_("The quota controller has not counted the namespace's usage yet."), name=QUOTA,
                       hints=(N_("Wait a few seconds and run the check again."),))
    return passed(N_("Quota {name} is in force: {usage}."), name=QUOTA,
                  usage=", ".join(f"{key} {used[key]}/{hard[key]}" for key in QUOTA_KEYS))
