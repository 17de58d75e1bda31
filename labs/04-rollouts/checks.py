"""Checks of the rollouts lab, on the ReplicaSets the Deployment owns.

`kubectl rollout undo` gives the old ReplicaSet a new revision number, so revision numbers prove nothing
about what happened: the checks compare the images of the ReplicaSets instead, and use revisions only to
tell which ReplicaSet is the newest.
"""

import math

from checkers import N_, Context, check, failed, not_yet, owned_by, passed
from checkers.kube import containers, image_parts, there_is_no
from checkers.probes import stand_in
from checkers.semantics import never_schedulable, revision, serving

NAME, OLD, NEW = "rollout-web", "nginx:1.28", "nginx:1.30"
UNSCHEDULABLE = ("PodScheduled", "Unschedulable")


def _deployment(ctx: Context):
    deployment = ctx.view.get("deployments", NAME)
    if deployment is None:
        return None, there_is_no("Deployment", NAME, expected=N_("a Deployment"),
                                 hints=(N_("`kubectl get deployments` lists what exists."),
                                        N_("Run the setup cell again: `lab.start()` creates {name} on {image}."),
                                        N_("Or `kubelab start 04-rollouts` from a terminal.")), image=OLD)
    return deployment, None


def _image(replicaset: dict) -> str:
    """The image of the ReplicaSet's pod template, normalised (``docker.io/library/nginx:1.30`` → ``nginx:1.30``)."""
    found = [c.get("image", "") for c in containers((replicaset.get("spec") or {}).get("template") or {})]
    return ":".join(image_parts(found[0])) if found else ""


def _pods_for(value, replicas: int, round_up: bool) -> int | None:
    """maxSurge / maxUnavailable as a number of pods: a percentage of the replicas is rounded up for the surge
    and down for the unavailable pods, as the Deployment controller does."""
    text = str(value).strip()
    if text.endswith("%") and text[:-1].isdigit():
        share = int(text[:-1]) * replicas / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(text) if text.isdigit() else None


def _active(replicasets: list[dict]) -> dict | None:
    """The newest ReplicaSet that still wants pods: the one the Deployment runs (or is moving to)."""
    wanted = [rs for rs in replicasets if (rs.get("spec") or {}).get("replicas")]
    return max(wanted, key=revision, default=None)


def _unschedulable(ctx: Context, deployment: dict) -> tuple[str, str] | None:
    """(name, scheduler's message) of a pod of the Deployment that no node accepts, if there is one."""
    for replicaset in owned_by(ctx.view.list("replicasets"), deployment):
        for pod in owned_by(ctx.view.list("pods"), replicaset):
            for cond in (pod.get("status") or {}).get("conditions") or []:
                if isinstance(cond, dict) and (cond.get("type"), cond.get("reason")) == UNSCHEDULABLE:
                    return pod["metadata"]["name"], cond.get("message", "")
    return None


@check(N_("The rolling update adds one pod at a time and never removes one first"))
def rollout_strategy(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    strategy = (deployment.get("spec") or {}).get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    surge, unavailable = str(rolling.get("maxSurge", "25%")), str(rolling.get("maxUnavailable", "25%"))
    kind = strategy.get("type", "RollingUpdate")
    replicas = (deployment.get("spec") or {}).get("replicas")  # the API server always sets it
    pods = (_pods_for(surge, replicas, True), _pods_for(unavailable, replicas, False)) \
        if isinstance(replicas, int) else None
    if kind == "RollingUpdate" and pods == (1, 0):
        return passed(N_("{name} rolls with maxSurge 1 and maxUnavailable 0."), name=NAME)
    where = N_("The strategy lives in the Deployment's spec.strategy.rollingUpdate.")
    if kind != "RollingUpdate":  # maxSurge and maxUnavailable mean nothing there
        message, found = N_("{name} uses strategy {kind}: it stops every old pod before it starts new ones."), kind
        where = N_("Set spec.strategy.type to RollingUpdate (the default), then its rollingUpdate settings.")
    else:
        message = N_("{name} uses strategy {kind} with maxSurge {surge} and maxUnavailable {unavailable}.")
        found = f"{kind}, maxSurge {surge}, maxUnavailable {unavailable}"
    return failed(message, name=NAME, kind=kind, surge=surge, unavailable=unavailable,
                  expected="RollingUpdate, maxSurge 1, maxUnavailable 0", found=found,
                  hints=(where,
                         N_("maxSurge is how many extra pods may exist during the update; maxUnavailable how many "
                            "may be missing."),
                         N_("`kubectl edit deployment {name}`: under spec.strategy.rollingUpdate set maxSurge: 1 and "
                            "maxUnavailable: 0.")))


@check(N_("The Deployment was updated to nginx:1.30"), points=2)
def updated_to_new_image(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    replicasets = owned_by(ctx.view.list("replicasets"), deployment)
    updated = [rs["metadata"]["name"] for rs in replicasets if _image(rs) == NEW]
    if updated:
        return passed(N_("ReplicaSet {rs} of {name} was made for {image}."), rs=updated[0], name=NAME, image=NEW)
    images = sorted({_image(rs) for rs in replicasets})
    return failed(N_("No ReplicaSet of {name} was ever made for {image}."), name=NAME, image=NEW, expected=NEW,
                  found=", ".join(images) or N_("no ReplicaSet"),
                  hints=(N_("Changing the pod template's image makes the Deployment create a new ReplicaSet."),
                         N_("`kubectl get rs -o wide` shows the image of every ReplicaSet of {name}."),
                         N_("`kubectl set image deployment/{name} web={image}`, then "
                            "`kubectl rollout status deployment/{name}`.")))


@check(N_("The Deployment was rolled back to nginx:1.28"), points=2)
def rolled_back(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    replicasets = owned_by(ctx.view.list("replicasets"), deployment)
    active = _active(replicasets)
    current = _image(active) if active else ""
    previous = sorted({_image(rs) for rs in replicasets} - {OLD})
    hints = (N_("`kubectl rollout history deployment/{name}` lists the revisions."),
             N_("`kubectl get rs -o wide`: the ReplicaSet with pods is the one that runs now."),
             N_("`kubectl rollout undo deployment/{name}` goes back to the previous revision."))
    if current != OLD:
        return failed(N_("{name} runs {image}, not {old}."), name=NAME, image=current or N_("nothing"), old=OLD,
                      expected=OLD, found=current or N_("nothing"), hints=hints)
    if not previous:
        return failed(N_("{name} runs {old}, but no update was made, so nothing was rolled back."), name=NAME, old=OLD,
                      expected=N_("a ReplicaSet with another image, scaled to 0"), found=N_("only {old}"), hints=hints)
    return passed(N_("{name} runs {old} again (ReplicaSet {rs}); {images} is kept, scaled to 0."), name=NAME, old=OLD,
                  rs=active["metadata"]["name"], images=", ".join(previous))


@check(N_("Every replica runs the current template and is ready"), points=2)
def replicas_ready(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    wanted = spec.get("replicas", 1)
    counts = [status.get(k, 0) for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")]
    settled = status.get("observedGeneration") == deployment["metadata"].get("generation")
    if settled and counts == [wanted] * 4:
        return passed(N_("All {count} replicas of {name} are up to date and ready."), name=NAME, count=wanted)
    hints = (N_("`kubectl rollout status deployment/{name}` says what the rollout is waiting for."),
             N_("`kubectl describe pod <a Pending pod>`: the Events say why no node accepts it."),
             N_("A rollout stuck on a bad template is fixed by `kubectl rollout undo deployment/{name}`."))
    never = never_schedulable(ctx.view, deployment)
    stuck = _unschedulable(ctx, deployment) or (("-", never) if never else None)
    if stuck:
        return failed(N_("The rollout of {name} is stuck: pod {pod} cannot be scheduled ({detail})."), name=NAME,
                      pod=stuck[0], detail=stuck[1], expected=f"{wanted}/{wanted}", found=f"{counts[2]}/{wanted}",
                      hints=hints)
    return not_yet(N_("{updated} of {wanted} replicas of {name} are up to date, {ready} ready."), name=NAME,
                   updated=counts[1], ready=counts[2], wanted=wanted, expected=f"{wanted}/{wanted}",
                   found=f"{counts[2]}/{wanted}", hints=hints)


@check(N_("The pods really run nginx 1.28"), needs={"data_plane": True})
def pods_serve_old_version(ctx: Context):
    deployment, missing = _deployment(ctx)
    if missing:
        return missing
    active = _active(owned_by(ctx.view.list("replicasets"), deployment))
    pods = [p for p in owned_by(ctx.view.list("pods"), active) if serving(p)] if active else []
    if not pods:
        return not_yet(N_("{name} has no pods to ask."), name=NAME, expected=N_("running pods"), found=N_("none"),
                       hints=(N_("`kubectl get pods -l app={name}` shows them."),))
    pod = pods[0]["metadata"]["name"]
    status, body = ctx.view.proxy_get("pods", pod, 80, "/kubelab-no-such-page")
    if b"nginx/1.28" in body:
        return passed(N_("Pod {pod} answers as nginx/1.28."), pod=pod)
    # The embedded cluster's real node runs Debian's nginx for every tag; its images say which tag each stands in for.
    declared = stand_in(lambda path: ctx.view.proxy_get("pods", pod, 80, path))
    if declared and OLD in declared["names"]:
        return passed(N_("Pod {pod} runs kubelab's stand-in for {image} ({contents})."), pod=pod, image=OLD,
                      contents=", ".join(f"{k} {v}" for k, v in (declared.get("contains") or {}).items()))
    return failed(N_("Pod {pod} does not answer as nginx/1.28 (HTTP {status})."), pod=pod, status=status,
                  expected="nginx/1.28", found=", ".join(declared["names"]) if declared else str(status),
                  hints=(N_("nginx names its version at the bottom of its error pages."),
                         N_("`kubectl exec {pod} -- nginx -v` prints the version the container runs.")))
