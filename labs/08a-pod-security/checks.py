"""Checks of the pod security lab. A classroom namespace enforces `baseline` and a learner cannot change its labels,
and checks never write (no server-side dry-run): so the checker evaluates the Pod Security Standards' `restricted`
rules itself, on the Deployment's pod template, and reads the kubelet's verdict from the pods (ready, containers
not refused, not restarting)."""

import re

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import STUCK, container_statuses, containers, no_object, waiting_reasons
from checkers.semantics import covers, dig, mounts_of, pod_spec, restricted_violations, serving, workload_pods

APP = "secure-app"
WRITABLE = ("emptyDir", "ephemeral", "persistentVolumeClaim")  # volumes a container may write to
# the files a shell command writes: after a redirection, touch, tee or mkdir
WRITES = re.compile(r"(?:>>?|\btouch|\btee(?:\s+-a)?|\bmkdir(?:\s+-p)?)\s*(/[\w.@%+/-]+)")


def _app(ctx: Context):
    deployment = ctx.view.get("deployments", APP)
    if deployment is None:
        return None, no_object("Deployment", APP, hints=(
            N_("`kubectl get deployments` lists what exists; `kubelab start` creates the starting {name}."),
            N_("Apply the manifest of the exercise: it keeps the name {name}.")))
    return deployment, None


def _effective(container: dict, spec: dict, field: str):
    """A securityContext field as the kubelet applies it: the container's value, else the pod's."""
    own = dig(container, "securityContext", field)
    return own if own is not None else dig(spec, "securityContext", field)


@check(N_("secure-app meets every rule of the restricted level"), points=2)
def app_passes_restricted(ctx: Context):
    deployment, missing = _app(ctx)
    if missing:
        return missing
    broken = restricted_violations(deployment) or ([] if containers(deployment) else
                                                   [("containers", "spec.template.spec.containers")])
    if broken:
        control, field = broken[0]
        return failed(N_("{count} settings keep {name} out of the restricted level; the first: {field} ({control})."),
                      count=len(broken), name=APP, field=field, control=control, expected="restricted",
                      found=", ".join(sorted({c for c, _ in broken})),
                      hints=(N_("restricted asks, in every container: allowPrivilegeEscalation false, capabilities "
                                "drop ALL, runAsNonRoot true and a RuntimeDefault seccomp profile."),
                             N_("Settings under spec.template.spec.securityContext apply to every container; a "
                                "container's own securityContext wins over them."),
                             N_("`drop: [\"ALL\"]` is written in capitals; only NET_BIND_SERVICE may be added back.")))
    return passed(N_("The pod template of {name} meets the restricted level."), name=APP)


@check(N_("secure-app's root filesystem is read-only"))
def app_read_only_root(ctx: Context):
    deployment, missing = _app(ctx)
    if missing:
        return missing
    every = containers(deployment)
    writable = [str(c.get("name")) for c in every if _effective(c, {}, "readOnlyRootFilesystem") is not True]
    if writable or not every:
        return failed(N_("Container {container} of {name} can still write over its own image."),
                      container=writable[0] if writable else "-",
                      name=APP, expected="readOnlyRootFilesystem: true", found=N_("writable"),
                      hints=(N_("restricted does not ask for it, but a read-only root filesystem stops an intruder "
                                "from changing the program files."),
                             N_("It is a container setting: securityContext.readOnlyRootFilesystem."),
                             N_("Set readOnlyRootFilesystem: true in the securityContext of {container}.")))
    return passed(N_("The containers of {name} cannot change their image's files."), name=APP)


def _refusal(deployment: dict) -> tuple[str, str] | None:
    """Why the kubelet will refuse or crash a container of the template: (container, reason), or None."""
    spec = pod_spec(deployment)
    for container in containers(deployment):
        name = str(container.get("name"))
        if _effective(container, spec, "runAsNonRoot") is True and not _effective(container, spec, "runAsUser"):
            return name, "runAsNonRoot"
        if _effective(container, {}, "readOnlyRootFilesystem") is True:
            mounts = [m.path for kind in WRITABLE for m in mounts_of(deployment, kind) if m.container == name]
            words = " ".join(str(w) for f in ("command", "args") for w in container.get(f) or [])
            unwritable = [p for p in WRITES.findall(words) if not any(covers(m, p) for m in mounts)]
            if unwritable:
                return name, unwritable[0]
    return None


@check(N_("secure-app really starts, hardened, and keeps running"), points=2, settle=60)
def app_starts(ctx: Context):
    deployment, missing = _app(ctx)
    if missing:
        return missing
    hints = (N_("`kubectl describe pod -l app={name}`: the Events say why a container does not start."),
             N_("The kubelet refuses runAsNonRoot when the image would run as root (busybox does): also set a "
                "runAsUser such as 1000."),
             N_("A read-only root filesystem needs a writable volume (an emptyDir) where the app writes: /tmp."))
    refused = _refusal(deployment)
    if refused:
        container, reason = refused
        message = (N_("The kubelet will refuse to start {container}: runAsNonRoot without a runAsUser, and busybox "
                      "runs as root.") if reason == "runAsNonRoot" else
                   N_("{container} writes {path} on a read-only root filesystem: it will crash."))
        return failed(message, container=container, path=reason, name=APP, expected=N_("a container that can start"),
                      found=reason, hints=hints)
    return _running(ctx, deployment, hints)


def _running(ctx: Context, deployment: dict, hints: tuple):
    """The kubelet's verdict on the app's pods: ready and never restarted, or why not."""
    pods = workload_pods(ctx.view, deployment)
    stuck = [r for p in pods for r in waiting_reasons(p) if r in STUCK]
    restarts = sum(s.get("restartCount", 0) for p in pods for s in container_statuses(p)
                   if isinstance(s.get("restartCount"), int))
    if stuck or restarts:
        return failed(N_("The pods of {name} do not stay up ({reason})."), name=APP,
                      reason=stuck[0] if stuck else f"restartCount {restarts}", expected="Running",
                      found=stuck[0] if stuck else "restarts", hints=hints)
    if pods and all(map(serving, pods)):
        return passed(N_("The {count} pods of {name} run hardened, without a restart."), count=len(pods), name=APP)
    return not_yet(N_("The pods of {name} are not running yet."), name=APP, expected="Running",
                   found=N_("starting"), hints=hints)


@check(N_("On a node that runs containers, the kubelet starts secure-app as asked"), needs={"data_plane": True},
       settle=60)
def app_runs_on_node(ctx: Context):
    deployment, missing = _app(ctx)
    if missing:
        return missing
    return _running(ctx, deployment, (
        N_("`kubectl describe pod -l app={name}`: the Events say why a container does not start."),
        N_("CreateContainerConfigError with runAsNonRoot: the image runs as root; set runAsUser: 1000."),
        N_("CrashLoopBackOff: `kubectl logs deploy/{name} --previous` shows the write that failed.")))
