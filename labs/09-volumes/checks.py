"""Checks of the volumes lab: a claim the binder bound, an app that mounts it, a StatefulSet with one claim
per replica (names and mounts set by its controller), and data that outlives a deleted pod."""

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import no_object
from checkers.semantics import claim_unbindable, covers, dig, effective_env, mounts_of, quantity, serving, \
    workload_pods

CLAIM, APP, DB, PROOF = "volumes-data", "volumes-app", "volumes-db", "volumes-proof"
MINIMUM = "1Gi"
WEB_ROOT = "/usr/share/nginx/html"  # where nginx serves from, and where the proof is written
PGDATA = "/var/lib/postgresql/data"  # where postgres keeps its data unless PGDATA says otherwise


def _mounts_claim(pod: dict | None, claim: str, folder: str | None = None) -> bool:
    """Whether a container of ``pod`` mounts PersistentVolumeClaim ``claim`` (over ``folder``, when given)."""
    return any(folder is None or covers(m.path, folder) for m in mounts_of(pod, "persistentVolumeClaim", claim))


def _data_folder(pod: dict | None) -> str:
    """Where the database container keeps its data: $PGDATA, else postgres's default."""
    env = [effective_env(c)[0].get("PGDATA") for c in (dig(pod, "spec", "containers") or []) if isinstance(c, dict)]
    return next((v.value for v in env if v and v.kind == "value" and v.value), PGDATA)


def _app_pods(ctx: Context, deployment: dict) -> list[dict]:
    """The live pods of the Deployment, through the ReplicaSets it owns."""
    return workload_pods(ctx.view, deployment)


@check(N_("The claim volumes-data is Bound to a volume of at least 1Gi"), points=2, settle=10)
def claim_bound(ctx: Context):
    claim = ctx.view.get("persistentvolumeclaims", CLAIM)
    if claim is None:
        return no_object("PersistentVolumeClaim", CLAIM)
    phase = dig(claim, "status", "phase") or "Pending"
    capacity = dig(claim, "status", "capacity", "storage")
    if phase != "Bound":
        never = claim_unbindable(ctx.view, claim)
        outcome = not_yet if phase == "Pending" and not never else failed
        return outcome(N_("Claim {name} is {phase}: no volume has been bound to it."), name=CLAIM, phase=phase,
                       expected="Bound", found=phase,
                       hints=(N_("`kubectl describe pvc {name}`: its Events say why it waits."),
                              N_("A claim binds to a PersistentVolume with the same storageClassName and access "
                                 "mode and at least the size it asks for: compare with `kubectl get pv`."),
                              N_("Create the PersistentVolume of the step \"A volume by hand\" (its claimRef names "
                                 "{name}), or, on a cluster with a default StorageClass, remove storageClassName "
                                 "from the claim and create it again.")))
    size, minimum = quantity(capacity), quantity(MINIMUM)
    if size is not None and size >= minimum:
        return passed(N_("Claim {name} is Bound to volume {volume} of {capacity}."), name=CLAIM, capacity=capacity,
                      volume=dig(claim, "spec", "volumeName") or "?")
    return failed(N_("Claim {name} is Bound, but to only {capacity}; the app needs at least {minimum}."),
                  name=CLAIM, capacity=capacity, minimum=MINIMUM, expected=MINIMUM, found=str(capacity),
                  hints=(N_("The binder gives a claim a volume at least as big as it asks for."),
                         N_("`kubectl get pvc {name}` shows its CAPACITY; the claim's request is in "
                            "spec.resources.requests.storage."),
                         N_("A claim's request cannot shrink: delete the claim (and the Released volume), then "
                            "create both again with storage: 1Gi.")))


@check(N_("The app volumes-app runs with the claim volumes-data mounted"), points=2)
def app_uses_claim(ctx: Context):
    deployment = ctx.view.get("deployments", APP)
    if deployment is None:
        return no_object("Deployment", APP)
    pods = _app_pods(ctx, deployment)
    mounting = [p for p in pods if _mounts_claim(p, CLAIM)]
    elsewhere = [m.path for p in mounting for m in mounts_of(p, "persistentVolumeClaim", CLAIM)]
    if mounting and not any(_mounts_claim(p, CLAIM, WEB_ROOT) for p in mounting):
        return failed(N_("The pods of {name} mount the claim {claim} at {path}, but nginx serves and keeps its files "
                         "in {folder}."), name=APP, claim=CLAIM, path=elsewhere[0], folder=WEB_ROOT,
                      expected=WEB_ROOT, found=elsewhere[0],
                      hints=(N_("A claim keeps only what is written inside its mount path."),
                             N_("`kubectl get pod -l app={name} -o yaml`: look at spec.volumes and the container's "
                                "volumeMounts."),
                             N_("Set the mountPath of the claim's volume to {folder}.")))
    if pods and len(mounting) == len(pods) and all(serving(p) for p in pods):
        return passed(N_("Pod {pod} of {name} runs with claim {claim} mounted."), pod=pods[0]["metadata"]["name"],
                      name=APP, claim=CLAIM)
    hints = (N_("`kubectl get pod -l app={name} -o yaml`: look at spec.volumes and the container's volumeMounts."),
             N_("The volume must be of type persistentVolumeClaim with claimName {claim}; an emptyDir is deleted "
                "with its pod."),
             N_("`kubectl describe pod -l app={name}`: a Pending pod often waits for an unbound claim."))
    if pods and not mounting:
        return failed(N_("The pods of {name} do not mount the claim {claim}."), name=APP, claim=CLAIM,
                      expected=CLAIM, found=N_("no claim mounted"), hints=hints)
    verdict = failed if claim_unbindable(ctx.view, ctx.view.get("persistentvolumeclaims", CLAIM)) else not_yet
    return verdict(N_("No pod of {name} is running with the claim {claim} mounted yet."), name=APP, claim=CLAIM,
                   expected="Running", found=N_("{count} pods, {ready} ready"), count=len(pods),
                   ready=sum(map(serving, pods)), hints=hints)


@check(N_("Each replica of the StatefulSet volumes-db has its own Bound claim"), points=2)
def db_claim_per_replica(ctx: Context):
    statefulset = ctx.view.get("statefulsets", DB)
    if statefulset is None:
        return no_object("StatefulSet", DB)
    templates = [dig(t, "metadata", "name") for t in dig(statefulset, "spec", "volumeClaimTemplates") or []]
    replicas = dig(statefulset, "spec", "replicas")
    if not templates or not isinstance(replicas, int) or replicas < 2:
        return failed(N_("{name} does not give each of at least two replicas a claim of its own."), name=DB,
                      expected=N_("volumeClaimTemplates, replicas: 2"),
                      found=N_("{count} templates, replicas: {replicas}"), count=len(templates), replicas=replicas,
                      hints=(N_("One volume for the whole app is a Deployment's pattern; a database needs one per "
                                "replica."),
                             N_("A StatefulSet's volumeClaimTemplates make one claim per replica, named "
                                "<template>-{name}-<index>."),
                             N_("Move the claim from spec.template.spec.volumes to spec.volumeClaimTemplates, set "
                                "replicas: 2, then delete and apply the StatefulSet again.")))
    claims = {c["metadata"]["name"]: c for c in ctx.view.list("persistentvolumeclaims")}
    wanted = [f"{templates[0]}-{DB}-{index}" for index in range(replicas)]
    pods = {p["metadata"]["name"]: p for p in ctx.view.list("pods")}
    missing = [claim for index, claim in enumerate(wanted)
               if dig(claims.get(claim), "status", "phase") != "Bound"
               or not _mounts_claim(pods.get(f"{DB}-{index}"), claim, _data_folder(pods.get(f"{DB}-{index}")))
               or not serving(pods.get(f"{DB}-{index}"))]
    if not missing:
        return passed(N_("Each of the {count} replicas of {name} runs on its own Bound claim: {claims}."),
                      count=replicas, name=DB, claims=", ".join(wanted))
    verdict = failed if any(claim_unbindable(ctx.view, claims.get(claim)) for claim in missing) else not_yet
    return verdict(N_("These claims of {name} are not Bound and mounted by a running replica yet: {claims}."),
                   name=DB, claims=", ".join(missing), expected=N_("Bound"), found=", ".join(missing),
                   hints=(N_("`kubectl get pvc,pods -l app={name}` shows each claim and replica."),
                          N_("On a cluster without a default StorageClass, each claim needs a PersistentVolume; "
                             "`kubectl describe pvc {claim}` says what it waits for."),), claim=missing[0])


@check(N_("Data written before the pod was deleted is still served by its replacement"), points=2,
       needs={"data_plane": True})
def data_survives_pod(ctx: Context):
    nonce = dig(ctx.view.get("configmaps", PROOF), "data", "nonce")
    deployment = ctx.view.get("deployments", APP)
    if not nonce or deployment is None:
        return failed(N_("There is no ConfigMap {proof} with the nonce you wrote, or no Deployment {name}."),
                      proof=PROOF, name=APP, hints=(N_("Run the cells of the step \"Proof that the data stays\"."),))
    recorded = ctx.view.get("configmaps", PROOF)["metadata"].get("creationTimestamp", "")
    younger = [p for p in _app_pods(ctx, deployment)
               if serving(p) and p["metadata"].get("creationTimestamp", "") > recorded]
    if not younger:
        return failed(N_("No pod of {name} was started after the nonce was recorded."), name=APP,
                      expected=N_("a replacement pod"), found=N_("the original pod"),
                      hints=(N_("Delete the app's pod: `kubectl delete pod -l app={name}`."),))
    pod = younger[0]["metadata"]["name"]
    status, body = ctx.view.proxy_get("pods", pod, 80, "/proof.txt")
    if status == 200 and body.strip() == nonce.encode():
        return passed(N_("Pod {pod}, started after the deletion, still serves the nonce {nonce}."), pod=pod,
                      nonce=nonce)
    return failed(N_("Pod {pod} does not serve the nonce {nonce} (HTTP {status})."), pod=pod, nonce=nonce,
                  status=status, name=APP, expected=nonce, found=body[:40].decode(errors="replace"),
                  hints=(N_("Was the nonce written into the mounted folder /usr/share/nginx/html?"),
                         N_("If the app mounts an emptyDir, the file was deleted with the old pod."),
                         N_("`kubectl exec deploy/{name} -- cat /usr/share/nginx/html/proof.txt`.")))
