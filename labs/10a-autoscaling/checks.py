"""Checks of the autoscaling lab, on facts the cluster sets: the requests the pods really received (after
defaulting and LimitRanges), the HPA controller's status conditions and decisions, and the metrics it read."""

from decimal import Decimal

from checkers import N_, Context, check, error, failed, not_yet, passed
from checkers.kube import no_object
from checkers.semantics import all_containers, dig, quantity, serving, workload_pods

WEB, LOAD, HPA = "autoscale-web", "autoscale-load", "autoscale-web"
MIN, MAX, TARGET = 1, 5, 50  # what the exercise asks: 1 to 5 pods, at 50% of the CPU requested


def _condition(hpa: dict, kind: str) -> dict:
    return next((c for c in dig(hpa, "status", "conditions") or [] if isinstance(c, dict) and c.get("type") == kind),
                {})


def _requested(container: dict, resource: str) -> Decimal | None:
    return quantity(dig(container, "resources", "requests", resource))


@check(N_("Every container of autoscale-web requests CPU and memory"))
def web_requests(ctx: Context):
    deployment = ctx.view.get("deployments", WEB)
    if deployment is None:
        return no_object("Deployment", WEB)
    pods = workload_pods(ctx.view, deployment)
    running = [p for p in pods if serving(p)]
    if not running:
        return not_yet(N_("No pod of {name} is running yet."), name=WEB, expected=N_("a running pod"),
                       found=N_("no pods"), hints=(N_("`kubectl get pods -l app={name}` shows their state."),))
    missing = sorted({f"{c.get('name')}: {resource}" for p in running for c in all_containers(p)
                      for resource in ("cpu", "memory") if not _requested(c, resource)})
    if missing:
        return failed(N_("Some containers of {name} request nothing for {missing}."), name=WEB,
                      missing=", ".join(missing), expected=N_("CPU and memory requests"), found=", ".join(missing),
                      hints=(N_("`kubectl get pods -l app={name} -o "
                                "jsonpath='{{.items[0].spec.containers[*].resources}}'` shows what the pods really "
                                "received."),
                             N_("The HPA counts CPU use as a percentage of the CPU request; the scheduler places a "
                                "pod by its requests. Without them, neither can do its job."),
                             N_("Under resources.requests, set cpu: 50m and memory: 64Mi, apply the Deployment again "
                                "and wait for the rollout.")))
    cpu = sum(_requested(c, "cpu") for c in all_containers(running[0]))
    return passed(N_("The pods of {name} request {cpu} CPU each: the HPA measures their use against it."),
                  name=WEB, cpu=f"{int(cpu * 1000)}m")


def _cpu_target(hpa: dict, view) -> tuple[bool, str]:
    """Whether one of the HPA's metrics is CPU at 50% of the request, in any spelling, and how it reads. The
    request is the one the pods received (a LimitRange or the limits may have set it), as the HPA reads it."""
    deployment = view.get("deployments", WEB)
    running = [p for p in workload_pods(view, deployment) if serving(p)]
    containers = all_containers(running[0] if running else deployment) if deployment else []
    seen = []
    for metric in dig(hpa, "spec", "metrics") or []:
        kind = metric.get("type") if isinstance(metric, dict) else None
        source = {"Resource": "resource", "ContainerResource": "containerResource"}.get(kind)
        body = metric.get(source) if source else None
        if not isinstance(body, dict) or body.get("name") != "cpu":
            seen.append(str(dig(body, "name") or kind))
            continue
        chosen = [c for c in containers if kind == "Resource" or c.get("name") == body.get("container")]
        if kind == "ContainerResource" and not chosen:  # naming no container of the pods
            seen.append(f"cpu ({body.get('container')})")
            continue
        request = sum((_requested(c, "cpu") or 0 for c in chosen), Decimal(0))
        target = body.get("target") or {}
        if target.get("type") == "Utilization":
            seen.append(f"cpu {target.get('averageUtilization')}%")
            if target.get("averageUtilization") == TARGET:
                return True, seen[-1]
        elif target.get("type") == "AverageValue":
            value = quantity(target.get("averageValue"))
            seen.append(f"cpu {target.get('averageValue')}")
            if value is not None and request and value == request * TARGET / 100:
                return True, seen[-1]
        else:
            seen.append(f"cpu {target.get('type')}")
    return False, ", ".join(seen)


@check(N_("The HPA autoscale-web scales the Deployment from 1 to 5 pods at 50% CPU"), points=2, settle=30)
def hpa_targets_web(ctx: Context):
    hpa = ctx.view.get("horizontalpodautoscalers", HPA)
    if hpa is None:
        return no_object("HorizontalPodAutoscaler", HPA)
    spec = hpa.get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    if ref.get("kind") != "Deployment" or ref.get("name") != WEB:
        scaled = f"{ref.get('kind')}/{ref.get('name')}"
        return failed(N_("The HPA scales {ref}, not Deployment {name}."), ref=scaled, name=WEB, found=scaled,
                      expected=f"Deployment/{WEB}", hints=(
                          N_("`kubectl describe hpa {hpa}` shows its target (Reference) and its events."),
                          N_("scaleTargetRef names the workload to scale: apiVersion apps/v1, kind Deployment."),
                          N_("Set scaleTargetRef to apiVersion: apps/v1, kind: Deployment, name: {name}.")), hpa=HPA)
    low, high = spec.get("minReplicas") or 1, spec.get("maxReplicas")
    if (low, high) != (MIN, MAX):
        return failed(N_("The HPA keeps between {low} and {high} pods; the exercise asks for {min} to {max}."),
                      low=low, high=high, min=MIN, max=MAX, expected=f"{MIN}-{MAX}", found=f"{low}-{high}",
                      hints=(N_("`kubectl get hpa {hpa}` shows MINPODS and MAXPODS."),
                             N_("maxReplicas is a ceiling that protects the cluster; minReplicas keeps the service "
                                "up when it is idle."),
                             N_("Set minReplicas: {min} and maxReplicas: {max}, then apply the HPA again.")),
                      hpa=HPA)
    ok, seen = _cpu_target(hpa, ctx.view)
    if not ok:
        return failed(N_("The HPA's metrics are {seen}; the exercise asks for CPU at {target}% of the request."),
                      seen=seen or N_("none"), target=TARGET, expected=f"cpu {TARGET}%", found=seen or N_("none"),
                      hints=(N_("`kubectl describe hpa {hpa}` lists its metrics and targets."),
                             N_("A Resource metric named cpu with a target of type Utilization is a percentage of "
                                "the pods' CPU request."),
                             N_("Under metrics, use type: Resource, resource name: cpu, target type: Utilization, "
                                "averageUtilization: {target}.")), hpa=HPA)
    if dig(spec, "behavior", "scaleUp", "selectPolicy") == "Disabled":
        return failed(N_("The HPA's behavior disables scaling up, so it can never add a pod."),
                      expected=N_("scaling up allowed"), found="scaleUp.selectPolicy: Disabled",
                      hints=(N_("A behavior stanza tunes how fast the HPA scales; selectPolicy Disabled turns a "
                                "direction off."),
                             N_("Remove behavior.scaleUp.selectPolicy, or set it to Max.")))
    able = _condition(hpa, "AbleToScale")
    if able.get("status") == "False":
        return failed(N_("The HPA controller cannot scale {name}: {reason} ({message})."), name=WEB,
                      reason=able.get("reason"), message=able.get("message"), expected="AbleToScale",
                      found=str(able.get("reason")), hints=(
                          N_("`kubectl describe hpa {hpa}` shows the controller's conditions and events."),
                          N_("FailedGetScale means the target does not exist or cannot be scaled."),
                          N_("Check that Deployment {name} exists in the same namespace as the HPA.")), hpa=HPA)
    if able.get("status") != "True":
        return not_yet(N_("The HPA controller has not looked at the HPA yet (it does every 15 seconds)."),
                       expected="AbleToScale", found=N_("no conditions"),
                       hints=(N_("Wait a few seconds and run the check again."),))
    return passed(N_("The HPA controller scales {name} between {min} and {max} pods on {seen}; it now has {current}."),
                  name=WEB, min=MIN, max=MAX, seen=seen, current=dig(hpa, "status", "currentReplicas") or 0)


def _cpu_now(hpa: dict) -> str | None:
    for metric in dig(hpa, "status", "currentMetrics") or []:
        body = (metric or {}).get("resource") or (metric or {}).get("containerResource") or {}
        if body.get("name") == "cpu":
            current = body.get("current") or {}
            if current.get("averageUtilization") is not None:
                return f"{current['averageUtilization']}%"
            return str(current.get("averageValue") or "") or None
    return None


@check(N_("Under load, the HPA measured the CPU and added pods"), points=2,
       needs={"data_plane": True, "metrics": True}, settle=120)
def scaled_under_load(ctx: Context):
    hpa = ctx.view.get("horizontalpodautoscalers", HPA)
    if hpa is None:
        return no_object("HorizontalPodAutoscaler", HPA)
    load = ctx.view.get("deployments", LOAD)
    if load is None:
        return failed(N_("There is no load generator {load}: idle pods never make the HPA scale up."), load=LOAD,
                      expected=N_("a running load generator"), found=N_("nothing"),
                      hints=(N_("`kubectl get deployments` lists what runs in the namespace."),
                             N_("The load must come from inside the cluster, through the Service {name}."),
                             N_("Apply the lesson's {load} Deployment: a busybox loop of `wget` to http://{name}.")),
                      name=WEB)
    if not any(serving(p) for p in workload_pods(ctx.view, load)):
        return not_yet(N_("The load generator {load} is not running yet."), load=LOAD, expected=N_("a running pod"),
                       found=N_("no pods"), hints=(N_("`kubectl get pods -l app={load}` shows its state."),))
    active = _condition(hpa, "ScalingActive")
    cpu = _cpu_now(hpa)
    if active.get("status") != "True" or cpu is None:
        message = str(active.get("message") or "")
        if "missing request" in message:
            return failed(N_("The HPA cannot compute a percentage: {message}"), message=message,
                          expected=N_("CPU requests"), found=message,
                          hints=(N_("`kubectl describe hpa {hpa}` shows the same message."),
                                 N_("Utilization is a percentage of the request: every container needs one."),
                                 N_("Add resources.requests.cpu to every container of {name}.")), hpa=HPA, name=WEB)
        if active.get("status") == "False":
            return error(N_("The HPA controller cannot read CPU metrics ({message}). This is not your fault; run "
                            "the check again in a minute."), message=message or active.get("reason"))
        return not_yet(N_("The HPA has no CPU reading yet (metrics arrive every 15 seconds)."),
                       expected=N_("a CPU reading"), found=N_("none"),
                       hints=(N_("`kubectl top pods` shows whether the metrics API has them."),))
    low = dig(hpa, "spec", "minReplicas") or 1
    desired, current = dig(hpa, "status", "desiredReplicas") or 0, dig(hpa, "status", "currentReplicas") or 0
    if max(desired, current) > low:
        return passed(N_("At {cpu} of the CPU request, the HPA wants {desired} pods of {name} (it had {low})."),
                      cpu=cpu, desired=desired, name=WEB, low=low)
    return not_yet(N_("The pods use {cpu} of their CPU request: not enough to add a pod yet."), cpu=cpu,
                   expected=f"> {TARGET}%", found=cpu,
                   hints=(N_("`kubectl top pods` shows what each pod uses now."),
                          N_("The load generator must call the Service {name}, in the same namespace, without "
                             "stopping."),
                          N_("Start more load: `kubectl scale deployment {load} --replicas=2`.")), name=WEB, load=LOAD)
