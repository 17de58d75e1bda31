"""Checks of the containers lab: a pod runs the learner's own image, pinned, with a pull policy that keeps it local."""

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import STUCK, container_statuses, containers, image_parts, pod_running, running_images, \
    there_is_no, waiting_reasons
from checkers.view import condition

POD, REPOSITORY, TAG = "containers-hello", "kubelab.local/hello", "1.0"
LOCAL_POLICIES = ("Never", "IfNotPresent")
PULL_ERRORS = {"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"}


def _no_pod():
    return there_is_no("pod", POD, expected=N_("a pod"),
                       hints=(N_("Create the pod in the step \"Exercise: run your image\"."),
                              N_("`kubectl get pods` lists what exists in the namespace kubectl uses.")))


@check(N_("The hello pod is running"), points=2)
def hello_pod_running(ctx: Context):
    return pod_running(ctx.view, POD)


@check(N_("The hello pod runs your image with a pinned tag"), points=2)
def hello_image_pinned(ctx: Context):
    pod = ctx.view.get("pods", POD)
    images = running_images(pod) if pod else []
    if not images:
        return _no_pod()
    repository, tag = image_parts(images[0])
    if repository != REPOSITORY:
        return failed(N_("Pod {name} runs {image}, not the image you built ({repository})."), name=POD,
                      image=images[0], repository=REPOSITORY, expected=f"{REPOSITORY}:{TAG}", found=images[0],
                      hints=(N_("The image name is everything before the colon; it must be the name you built."),
                             N_("`kubectl get pod {name} -o jsonpath='{{.spec.containers[0].image}}'` shows it."),
                             N_("Delete the pod and create it again with `image: {repository}:1.0`.")))
    if tag == "latest":
        return failed(N_("Pod {name} runs {image}: `latest` does not say which build it is."), name=POD,
                      image=images[0], expected=f"{REPOSITORY}:{TAG}", found=images[0],
                      hints=(N_("A tag names one build of an image; `latest` is just the default name, and moves."),
                             N_("Build with a version tag: `-t {repository}:1.0`, and use that tag in the pod."),
                             N_("`kubectl delete pod {name}`, then apply it again with `image: {repository}:1.0`.")),
                      repository=REPOSITORY)
    return passed(N_("Pod {name} runs {image}."), name=POD, image=images[0])


@check(N_("The hello pod never pulls your image from a registry"))
def hello_pull_policy(ctx: Context):
    pod = ctx.view.get("pods", POD)
    if pod is None:
        return _no_pod()
    policies = [c.get("imagePullPolicy", "") for c in containers(pod)]
    if policies and all(p in LOCAL_POLICIES for p in policies):
        return passed(N_("Pod {name} uses imagePullPolicy {policy}."), name=POD, policy=policies[0])
    found = ", ".join(p for p in policies if p) or N_("none")
    return failed(N_("Pod {name} uses imagePullPolicy {policy}: the node will look for your image in a registry."),
                  name=POD, policy=found, expected=" / ".join(LOCAL_POLICIES), found=found,
                  hints=(N_("Your image exists only inside the cluster; no registry on the internet has it."),
                         N_("`Always` (the default for `latest`) always asks a registry; `Never` and `IfNotPresent` "
                            "use the node's copy."),
                         N_("Delete the pod, add `imagePullPolicy: Never` to its container and apply it again.")))


@check(N_("The node started the hello container from its local image"), needs={"data_plane": True})
def hello_image_local(ctx: Context):
    pod = ctx.view.get("pods", POD)
    if pod is None:
        return _no_pod()
    reasons = waiting_reasons(pod)
    started = [s.get("imageID") for s in container_statuses(pod) if s.get("imageID")]
    if started and not reasons:
        return passed(N_("The container of {name} started from image {image}."), name=POD, image=started[0])
    stuck = [r for r in reasons if r in PULL_ERRORS | STUCK]
    outcome = failed if stuck else not_yet
    return outcome(N_("The container of {name} did not start from a local image: {reason}."), name=POD,
                   reason=", ".join(reasons) or N_("not started yet"), expected=N_("a started container"),
                   found=", ".join(reasons) or N_("no image ID"),
                   hints=(N_("ErrImageNeverPull means the node does not have the image: it was built somewhere else."),
                          N_("`minikube image ls | grep hello` shows the images minikube's node has."),
                          N_("Build inside the cluster with `minikube image build --all -t {image} hello` (on "
                             "kubelab's embedded cluster: `kubelab images build-context -t {image} hello`), then "
                             "delete and re-create the pod.")),
                   image=f"{REPOSITORY}:{TAG}")


@check(N_("The hello pod serves the page baked into your image"), needs={"data_plane": True})
def hello_serves_own_page(ctx: Context):
    pod = ctx.view.get("pods", POD)
    if pod is None:
        return _no_pod()
    status, body = ctx.view.proxy_get("pods", POD, 80, "/")
    if status == 200 and REPOSITORY.encode() in body:
        return passed(N_("Pod {name} answered with the page of {repository}."), name=POD, repository=REPOSITORY)
    starting = condition(pod, "Ready") != "True" and not set(waiting_reasons(pod)) & (PULL_ERRORS | STUCK)
    outcome = not_yet if starting else failed  # a pod still starting has no address to proxy to yet
    return outcome(N_("Pod {name} did not answer with your page (HTTP {status})."), name=POD, status=status,
                   expected="200", found=str(status),
                   hints=(N_("`kubectl port-forward pod/{name} 8080:80`, then open http://localhost:8080."),
                          N_("If you see the nginx welcome page, the image was built without your index.html: check "
                             "the COPY line of the Dockerfile and build again with a new tag."),
                          N_("A volume mounted at /usr/share/nginx/html hides the files your image put there: "
                             "remove the volume from the pod.")))
