"""Checks of the deployments lab, on controller-owned facts: ready replicas, ownerReferences, pod ages."""

from checkers import N_, Context, check, failed, not_yet, owned_by, passed
from checkers.kube import replaced_pods_of
from checkers.semantics import never_schedulable, replicasets_of

NAME = "deploy-web"
WANTED = 5


def _deployment(ctx: Context):
    deployment = ctx.view.get("deployments", NAME)
    if deployment is None:
        return None, failed(N_("There is no Deployment called {name}."), name=NAME, expected=N_("a Deployment"),
                            found=N_("nothing"),
                            hints=(N_("`kubectl get deployments` lists what exists."),
                                   N_("Create it with `kubectl apply -f -` and the manifest of the lesson."),
                                   N_("metadata.name must be exactly {name}.")))
    return deployment, None


def _active_replicaset(ctx: Context, deployment: dict):
    """The ReplicaSet the Deployment owns that has pods wanted (the newest one during a rollout)."""
    owned = owned_by(ctx.view.list("replicasets"), deployment)
    active = [rs for rs in owned if (rs.get("spec") or {}).get("replicas")]
    return max(active, key=lambda rs: rs["metadata"].get("creationTimestamp", ""), default=None)


@check(N_("Every replica of the Deployment is ready"), points=2)
def deployment_ready(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    wanted, ready = spec.get("replicas", 1), status.get("readyReplicas", 0)
    if ready == wanted and status.get("observedGeneration") == deployment["metadata"].get("generation"):
        return passed(N_("All {ready} replicas of {name} are ready."), name=NAME, ready=ready)
    hints = (N_("`kubectl get pods -l app={name}` shows each replica's state."),
             N_("`kubectl describe pod <one of them>`: the Events at the bottom say why it is not ready."),
             N_("A Pending pod that no node accepts points at nodeSelector, affinity or resource requests."))
    never = never_schedulable(ctx.view, deployment)
    if never and ready < wanted:
        return failed(N_("{ready} of {wanted} replicas are ready: pods cannot be scheduled ({detail})."),
                      ready=ready, wanted=wanted, detail=never, name=NAME, expected=str(wanted), found=str(ready),
                      hints=hints)
    pods = owned_by(ctx.view.list("pods"), _active_replicaset(ctx, deployment) or {"metadata": {}})
    for pod in pods:
        for cond in (pod.get("status") or {}).get("conditions") or []:
            if cond.get("type") == "PodScheduled" and cond.get("reason") == "Unschedulable":
                return failed(N_("{ready} of {wanted} replicas are ready: pods cannot be scheduled ({detail})."),
                              ready=ready, wanted=wanted, detail=cond.get("message", ""), name=NAME,
                              expected=str(wanted), found=str(ready), hints=hints)
    return not_yet(N_("{ready} of {wanted} replicas of {name} are ready."), name=NAME, ready=ready, wanted=wanted,
                   expected=str(wanted), found=str(ready), hints=hints)


@check(N_("The Deployment owns a ReplicaSet, which owns the pods"))
def replicaset_owned(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    replicaset = _active_replicaset(ctx, deployment)
    if replicaset is None:
        return failed(N_("Deployment {name} owns no ReplicaSet with replicas."), name=NAME,
                      hints=(N_("`kubectl describe rs` shows which Deployment controls each ReplicaSet (Controlled By)."),))
    pods = owned_by(ctx.view.list("pods"), replicaset)
    wanted = replicaset["spec"]["replicas"]
    rs_name = replicaset["metadata"]["name"]
    if len(pods) == wanted:
        return passed(N_("ReplicaSet {rs} belongs to {name} and owns its {count} pods."), rs=rs_name, name=NAME,
                      count=len(pods))
    return not_yet(N_("ReplicaSet {rs} owns {count} pods but wants {wanted}."), rs=rs_name, count=len(pods),
                   wanted=wanted, expected=str(wanted), found=str(len(pods)),
                   hints=(N_("`kubectl get pods --show-labels` shows which pods carry pod-template-hash."),))


@check(N_("A deleted pod was replaced by the ReplicaSet"), points=2)
def self_healing(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    replicaset = _active_replicaset(ctx, deployment)
    rs_name = (replicaset or {}).get("metadata", {}).get("name")
    pods = owned_by(ctx.view.list("pods"), replicaset or {"metadata": {}})
    current = sorted(p["metadata"]["name"] for p in pods)
    replaced = replaced_pods_of(ctx.view, replicasets_of(ctx.view, deployment))
    full = replicaset is not None and len(current) >= replicaset["spec"]["replicas"]
    if replaced and full:
        return passed(N_("Pod {pod} was deleted and the ReplicaSet {rs} created a replacement."), pod=replaced[0],
                      rs=rs_name, evidence={"replacements": replaced, "current": current})
    return failed(N_("No pod of {name} has been deleted and replaced yet."), name=NAME,
                  expected=N_("a replacement pod"), found=N_("the original pods"),
                  hints=(N_("Delete one of the Deployment's pods and watch what happens."),
                         N_("`kubectl delete pod <name>`, then `kubectl rollout status deployment/deploy-web --timeout=120s`.")),
                  evidence={"current": current})


@check(N_("The Deployment was scaled to five replicas"))
def scaled_to_five(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    wanted = (deployment.get("spec") or {}).get("replicas", 1)
    have = (deployment.get("status") or {}).get("replicas", 0)
    if wanted == WANTED and have == WANTED:
        return passed(N_("{name} runs {count} replicas."), name=NAME, count=have)
    result = not_yet if wanted == WANTED else failed
    return result(N_("{name} has {have} replicas; the exercise asks for {wanted}."), name=NAME, have=have,
                  wanted=WANTED, expected=str(WANTED), found=str(wanted),
                  hints=(N_("Scaling changes spec.replicas; the ReplicaSet then adds or removes pods."),
                         N_("`kubectl scale deployment {name} --replicas=5`.")))
