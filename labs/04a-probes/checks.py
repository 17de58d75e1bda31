"""Checks of the probes lab, on what the kubelet and the EndpointSlice controller report: pods' Ready condition,
the ready conditions of the Service's endpoints, restart counts and the last state of restarted containers."""

from checkers import N_, Context, check, condition, failed, not_yet, passed
from checkers.kube import container_statuses, containers, no_object
from checkers.semantics import dig, probe, service_chain, workload_pods

WEB, HUNG, SLOW = "probes-web", "probes-hung", "probes-slow"
NGINX_PORT = 80  # the only port nginx listens on
START_BUDGET = 30  # seconds the exercise asks the startup probe to allow


def _missing(kind: str, name: str):
    return no_object(kind, name, hints=(
        N_("`kubectl get {kind} {name}` shows whether it exists, and in which namespace."),
        N_("Apply the manifest of the lesson's step that creates {name}.")))


def _restarts(pod: dict) -> int:
    return sum(s.get("restartCount", 0) for s in container_statuses(pod) if isinstance(s.get("restartCount"), int))


def _slice_ready(pod: dict, ready: list[str]) -> bool:
    return dig(pod, "status", "podIP") in ready


@check(N_("A readiness probe decides which probes-web pods get traffic"), points=2)
def readiness_gates_traffic(ctx: Context):
    deployment, service = ctx.view.get("deployments", WEB), ctx.view.get("services", WEB)
    if deployment is None or service is None:
        return _missing("Deployment" if deployment is None else "Service", WEB)
    hints = (N_("A readiness probe is written under each container: httpGet, tcpSocket, grpc or exec."),
             N_("A probe's port is a number or the name of one of the container's ports; nginx listens on 80."),
             N_("`kubectl describe pod -l app={name}` shows the probe and why it fails (Readiness probe failed)."))
    for container in containers(deployment):
        readiness = probe(container, "readinessProbe")
        if readiness is None:
            return failed(N_("Container {container} of {name} has no readiness probe: it gets traffic as soon as "
                             "it starts."), container=container.get("name"), name=WEB,
                          expected="readinessProbe", found=N_("nothing"), hints=hints)
        if readiness.kind != "exec" and readiness.port != NGINX_PORT:
            return failed(N_("The readiness probe of {container} asks port {port}, where nginx does not listen."),
                          container=container.get("name"), port=str(readiness.written_port), name=WEB,
                          expected=str(NGINX_PORT), found=str(readiness.written_port), hints=hints)
    chain = service_chain(ctx.view, service, deployment)
    pods = workload_pods(ctx.view, deployment)
    ready = [p for p in pods if condition(p, "Ready") == "True"]
    wrong = [p["metadata"]["name"] for p in pods if _slice_ready(p, chain.ready) != (p in ready)]
    if ready and not wrong:
        return passed(N_("{ready} of {count} pods of {name} are ready, and exactly those receive traffic."),
                      ready=len(ready), count=len(pods), name=WEB)
    return not_yet(N_("No pod of {name} is ready and listed as a ready endpoint yet."), name=WEB,
                   expected=N_("ready pods in the EndpointSlice"), found=", ".join(wrong) or N_("no ready pods"),
                   hints=hints)


@check(N_("One probes-web pod is out of rotation, but still running"), points=2, needs={"data_plane": True})
def drained_pod_kept(ctx: Context):
    deployment, service = ctx.view.get("deployments", WEB), ctx.view.get("services", WEB)
    if deployment is None or service is None:
        return _missing("Deployment" if deployment is None else "Service", WEB)
    pods = workload_pods(ctx.view, deployment)
    restarted = [p["metadata"]["name"] for p in pods if _restarts(p)]
    if restarted:
        return failed(N_("Pod {pod} was restarted: its liveness probe failed along with its readiness probe."),
                      pod=restarted[0], expected="restartCount 0", found=N_("restarted"),
                      hints=(N_("Liveness asks \"should this container be killed?\", readiness \"should it get "
                                "traffic?\"."),
                             N_("A liveness probe that reads the same page as readiness turns maintenance into a "
                                "restart, and the restart brings the page back."),
                             N_("Make the liveness probe check only that nginx answers: tcpSocket on port 80.")))
    ready = service_chain(ctx.view, service, deployment).ready
    out = [p for p in pods if dig(p, "status", "phase") == "Running" and condition(p, "Ready") == "False"
           and not _slice_ready(p, ready)]
    if out and any(condition(p, "Ready") == "True" for p in pods):
        return passed(N_("Pod {pod} runs, is not ready and gets no traffic; the other pods serve."),
                      pod=out[0]["metadata"]["name"])
    return failed(N_("No pod of {name} is running while out of rotation."), name=WEB,
                  expected=N_("one pod Running but not Ready"), found=N_("{count} such pods"), count=len(out),
                  hints=(N_("Do the exercise: hide the page the readiness probe asks for in one pod."),
                         N_("`kubectl exec <pod> -- mv /usr/share/nginx/html/index.html /tmp/`."),
                         N_("Only one pod: with every pod out of rotation, nothing serves the Service.")))


@check(N_("The hung container of probes-hung was restarted by its liveness probe"), points=2,
       needs={"data_plane": True}, settle=60)
def hung_restarted(ctx: Context):
    pod = ctx.view.get("pods", HUNG)
    if pod is None:
        return _missing("Pod", HUNG)
    hints = (N_("A process can hang without exiting: only a liveness probe tells the kubelet to restart it."),
             N_("`kubectl describe pod {name}` shows \"Liveness probe failed\" and the restart."),
             N_("Add a livenessProbe that runs `cat /tmp/healthy`, as in the lesson."))
    if any(probe(c, "livenessProbe") is None for c in containers(pod)):
        return failed(N_("Pod {name} has no liveness probe: its hung container is never restarted."), name=HUNG,
                      expected="livenessProbe", found=N_("nothing"), hints=hints)
    killed = [s for s in container_statuses(pod) if dig(s, "lastState", "terminated")]
    if _restarts(pod) and killed:
        return passed(N_("The kubelet restarted the hung container {restarts} times (exit code {code})."),
                      restarts=_restarts(pod), code=dig(killed[0], "lastState", "terminated", "exitCode"))
    return not_yet(N_("The container of {name} has not been restarted yet."), name=HUNG,
                   expected="restartCount ≥ 1", found="restartCount 0", hints=hints)


@check(N_("probes-slow gets time to start before its liveness probe counts"), points=2, settle=60)
def slow_start_protected(ctx: Context):
    deployment = ctx.view.get("deployments", SLOW)
    if deployment is None:
        return _missing("Deployment", SLOW)
    hints = (N_("A startup probe holds back the liveness and readiness probes until it succeeds once."),
             N_("Its budget is initialDelaySeconds + failureThreshold × periodSeconds; the app needs up to "
                "{seconds} seconds."),
             N_("Give {name} a startupProbe `test -f /tmp/started` with periodSeconds 5 and failureThreshold 12."))
    for container in containers(deployment):
        startup, liveness = probe(container, "startupProbe"), probe(container, "livenessProbe")
        if startup is None or liveness is None:
            return failed(N_("Container {container} of {name} needs a startup probe and a liveness probe."),
                          container=container.get("name"), name=SLOW, seconds=START_BUDGET,
                          expected="startupProbe + livenessProbe",
                          found=", ".join(k for k, v in (("startupProbe", startup), ("livenessProbe", liveness)) if v)
                          or N_("nothing"), hints=hints)
        if startup.budget < START_BUDGET:
            return failed(N_("The startup probe of {container} gives up after {budget} seconds; the app needs up "
                             "to {seconds}."), container=container.get("name"), budget=startup.budget,
                          seconds=START_BUDGET, name=SLOW, expected=f"≥ {START_BUDGET} s", found=f"{startup.budget} s",
                          hints=hints)
    pods = workload_pods(ctx.view, deployment)
    restarted = [p for p in pods if _restarts(p)]
    if restarted:
        return failed(N_("Pod {pod} was restarted {restarts} times before it finished starting."),
                      pod=restarted[0]["metadata"]["name"], restarts=_restarts(restarted[0]), name=SLOW,
                      seconds=START_BUDGET, expected="restartCount 0", found=str(_restarts(restarted[0])), hints=hints)
    started = [p for p in pods if condition(p, "Ready") == "True"
               and all(s.get("started") is not False for s in container_statuses(p))]
    if pods and len(started) == len(pods):
        return passed(N_("{name} started without a single restart."), name=SLOW)
    return not_yet(N_("{name} has not finished starting yet."), name=SLOW, seconds=START_BUDGET,
                   expected=N_("started and ready"), found=N_("starting"), hints=hints)
