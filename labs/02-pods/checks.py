"""Checks of the pods lab: a pinned, labelled web pod; a pod whose two containers share a volume."""

from checkers import N_, Context, check, failed, passed
from checkers.kube import containers, image_parts, pod_running, running_images
from checkers.semantics import Mount, command_paths, covers, mounts_of

WEB, SIDECAR = "pods-web", "pods-sidecar"
NGINX_ROOT = "/usr/share/nginx/html"  # where the nginx image serves files from


@check(N_("The web pod is running"), points=2)
def web_pod_running(ctx: Context):
    return pod_running(ctx.view, WEB)


@check(N_("The web pod runs nginx with a pinned version"))
def web_pod_image_pinned(ctx: Context):
    pod = ctx.view.get("pods", WEB)
    images = running_images(pod) if pod else []
    if not images:
        return failed(N_("There is no pod {name} to look at."), name=WEB,
                      hints=(N_("Create the pod first: see the step \"Your first pod\"."),))
    repository, tag = image_parts(images[0])
    if repository != "nginx":
        return failed(N_("Pod {name} runs {image}, not nginx."), name=WEB, image=images[0], expected="nginx:<version>",
                      found=images[0], hints=(N_("Look at `image:` in your manifest."),))
    if tag == "latest":
        return failed(N_("Pod {name} uses the tag `latest`, which can change under you."), name=WEB,
                      expected="nginx:1.30", found=images[0],
                      hints=(N_("Pin a version: `latest` moves whenever a new image is published."),
                             N_("Use a tag such as nginx:1.30 in `image:`."),
                             N_("Most fields of a Pod cannot change; delete the pod and apply the fixed "
                                "manifest.")))
    return passed(N_("Pod {name} runs {image}."), name=WEB, image=images[0])


@check(N_("The web pod carries the label app=pods-web"))
def web_pod_labelled(ctx: Context):
    pod = ctx.view.get("pods", WEB)
    labels = (pod or {}).get("metadata", {}).get("labels") or {}
    if labels.get("app") == WEB:
        return passed(N_("Pod {name} is labelled app={name}."), name=WEB)
    return failed(N_("Pod {name} does not carry the label app={name}."), name=WEB, expected=f"app={WEB}",
                  found=", ".join(f"{k}={v}" for k, v in labels.items()) or N_("no labels"),
                  hints=(N_("Labels are how Services and Deployments find pods."),
                         N_("`kubectl get pod {name} --show-labels` shows its labels."),
                         N_("Add it with `kubectl label pod {name} app={name} --overwrite`.")))


@check(N_("The web pod declares container port 80"))
def web_pod_port(ctx: Context):
    pod = ctx.view.get("pods", WEB)
    ports = [p.get("containerPort") for c in containers(pod or {}) for p in c.get("ports") or []]
    if 80 in ports:
        return passed(N_("Pod {name} declares port 80."), name=WEB)
    return failed(N_("Pod {name} does not declare container port 80."), name=WEB, expected="80",
                  found=", ".join(map(str, ports)) or N_("no ports"),
                  hints=(N_("nginx listens on port 80; say so under `ports:` of the container."),
                         N_("`containerPort: 80` goes in the container's `ports` list.")))


def _shared_mounts(pod: dict) -> dict[tuple[str, str], list[Mount]]:
    """(volume, subPath) → the mounts of that emptyDir, for those mounted by two containers or more."""
    by_volume: dict[tuple[str, str], list[Mount]] = {}
    for mount in mounts_of(pod, "emptyDir"):
        by_volume.setdefault((mount.volume, mount.sub_path), []).append(mount)
    return {k: v for k, v in by_volume.items() if len({m.container for m in v}) >= 2}


def _misplaced(pod: dict, mounts: list[Mount]) -> tuple[str, str, str] | None:
    """(container, mount path, the path it uses) of a container that mounts the shared volume where it neither
    serves (nginx's document root) nor writes (the paths its command names); None when every mount is used."""
    by_name = {c.get("name"): c for c in containers(pod)}
    for mount in mounts:
        container = by_name.get(mount.container) or {}
        if image_parts(container.get("image", ""))[0] == "nginx":
            used = [NGINX_ROOT]
        else:
            used = command_paths(container)
        if used and not any(covers(mount.path, path) for path in used):
            return mount.container, mount.path, used[0]
    return None


@check(N_("The two containers of the sidecar pod share one volume"), points=2)
def sidecar_shares_volume(ctx: Context):
    running = pod_running(ctx.view, SIDECAR)
    if running.status != "pass":
        return running
    pod = ctx.view.get("pods", SIDECAR)
    shared = _shared_mounts(pod)
    mounts = [{m.get("name") for m in c.get("volumeMounts") or [] if isinstance(m, dict)} for c in containers(pod)]
    if not shared:
        return failed(N_("The containers of {name} do not mount a common emptyDir volume."), name=SIDECAR,
                      expected=N_("two containers mounting the same volume"),
                      found=N_("{count} containers; volumes mounted: {mounts}"), count=len(mounts),
                      mounts="; ".join(",".join(sorted(map(str, m))) or "-" for m in mounts),
                      hints=(N_("A volume is declared once under `spec.volumes` and mounted by each container."),
                             N_("Both `volumeMounts` must use the same `name`."),
                             N_("The mount paths may differ: /usr/share/nginx/html for nginx, /html for the "
                                "writer.")))
    problems = [_misplaced(pod, m) for m in shared.values()]
    if all(problems):
        container, path, used = problems[0]
        return failed(N_("Container {container} of {name} mounts the shared volume at {path}, but it uses {used}."),
                      name=SIDECAR, container=container, path=path, used=used, expected=used, found=path,
                      hints=(N_("Sharing a volume helps only if each container mounts it where it reads or writes."),
                             N_("nginx serves /usr/share/nginx/html; the writer writes where its command says."),
                             N_("Change the mountPath of {container} to the folder it uses.")))
    volume = next(key for key, problem in zip(shared, problems) if not problem)[0]
    return passed(N_("Both containers of {name} mount the emptyDir volume {volume}."), name=SIDECAR, volume=volume)


@check(N_("The web pod answers HTTP"), needs={"data_plane": True})
def web_pod_serves_http(ctx: Context):
    status, body = ctx.view.proxy_get("pods", WEB, 80, "/")
    if status == 200 and b"nginx" in body.lower():
        return passed(N_("Pod {name} answered HTTP 200 with the nginx page."), name=WEB)
    return failed(N_("Pod {name} did not serve the nginx page (HTTP {status})."), name=WEB, status=status,
                  expected="200", found=str(status),
                  hints=(N_("`kubectl logs {name}` shows nginx's own messages."),
                         N_("`kubectl port-forward pod/{name} 8080:80`, then open http://localhost:8080.")))
