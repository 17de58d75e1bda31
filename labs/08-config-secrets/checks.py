"""Checks of the configuration lab: a ConfigMap and a generated Secret, handed to a Deployment by reference only."""

import hashlib
import re

from checkers import N_, Context, check, failed, not_yet, passed
from checkers.kube import containers, there_is_no
from checkers.semantics import decoded, effective_env, literal_env, mounts_of, plaintext_places, replicasets_of, \
    secret_refs, secret_values, serving, workload_pods

CONFIG, SECRET, APP = "config-app", "config-db-credentials", "config-app"
CONFIG_KEYS = ("APP_MODE", "DB_HOST", "app.properties")
SECRET_KEY = "password"
MODE_VARIABLE, PASSWORD_VARIABLE = "APP_MODE", "DB_PASSWORD"  # the variables the app's command reads
CONFIG_FOLDER = "/usr/share/nginx/html/config"  # where the app serves the settings file from
SENSITIVE_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|(^|_)(API_?)?KEY($|_)", re.I)


def _app(ctx: Context):
    """The Deployment's pod spec once its current pods are ready, else an outcome saying why not."""
    deployment = ctx.view.get("deployments", APP)
    if deployment is None:
        return None, there_is_no("Deployment", APP, expected="Deployment",
                                 hints=(N_("`kubectl get deployments` lists what exists."),
                                        N_("Write the Deployment described in the exercise and apply it."),
                                        N_("metadata.name must be exactly {name}.")))
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    current = status.get("observedGeneration") == deployment["metadata"].get("generation")
    if not current or status.get("updatedReplicas", 0) < 1 or status.get("readyReplicas", 0) < 1:
        return None, not_yet(N_("Deployment {name} has no ready, up-to-date pod yet."), name=APP,
                             expected=N_("a ready pod"), found=str(status.get("readyReplicas", 0)),
                             hints=(N_("`kubectl rollout status deployment/{name}` waits for it."),
                                    N_("`kubectl describe pod -l app={name}` shows why a pod does not start: a "
                                       "missing ConfigMap, Secret or key stops it in CreateContainerConfigError.")))
    return (spec.get("template") or {}).get("spec") or {}, None


@check(N_("The ConfigMap holds the settings and the settings file"))
def configmap_keys(ctx: Context):
    config = ctx.view.get("configmaps", CONFIG)
    keys = set((config or {}).get("data") or {}) | set((config or {}).get("binaryData") or {})
    lacking = [k for k in CONFIG_KEYS if k not in keys]
    if config is not None and not lacking:
        return passed(N_("ConfigMap {name} has the keys {keys}."), name=CONFIG, keys=", ".join(CONFIG_KEYS))
    return failed(N_("ConfigMap {name} lacks the keys {keys}."), name=CONFIG, keys=", ".join(lacking),
                  expected=", ".join(CONFIG_KEYS), found=", ".join(sorted(keys)) or N_("nothing"),
                  hints=(N_("`kubectl describe configmap {name}` lists its keys."),
                         N_("A key may hold one word (APP_MODE) or a whole file (app.properties, with `|`)."),
                         N_("Add the missing keys under `data:` and apply the ConfigMap again.")))


@check(N_("The app reads its settings from the ConfigMap as environment variables"), points=2)
def configmap_as_env(ctx: Context):
    pod_spec, waiting = _app(ctx)
    if waiting:
        return waiting
    for container in containers({"spec": pod_spec}):
        variable = effective_env(container, ctx.view)[0].get(MODE_VARIABLE)
        if variable and (variable.kind, variable.source) == ("configMap", CONFIG):
            return passed(N_("Container {container} takes its settings from ConfigMap {name}."),
                          container=container.get("name"), name=CONFIG)
    return failed(N_("No container of {app} reads ConfigMap {name} into its environment."), app=APP, name=CONFIG,
                  expected="envFrom.configMapRef / configMapKeyRef", found=N_("values written in the Deployment"),
                  hints=(N_("Values copied into `env[].value` do not follow the ConfigMap when it changes."),
                         N_("`envFrom` with `configMapRef` turns every key into a variable; `configMapKeyRef` "
                            "takes one key."),
                         N_("Under the container, add `envFrom:`, then `- configMapRef:` with `name: {name}`.")))


@check(N_("The app sees the ConfigMap as files in a volume"))
def configmap_as_file(ctx: Context):
    pod_spec, waiting = _app(ctx)
    if waiting:
        return waiting
    mounts = mounts_of({"spec": pod_spec}, "configMap", CONFIG)
    good = [m for m in mounts if m.path == CONFIG_FOLDER and not m.sub_path]
    if good:
        return passed(N_("ConfigMap {name} is mounted at {path}."), name=CONFIG, path=good[0].path)
    hints = (N_("A volume is declared under `spec.volumes` and mounted under `volumeMounts`."),
             N_("The volume's type must be `configMap` with `name: {name}` (not emptyDir)."),
             N_("Mount it at /usr/share/nginx/html/config; avoid `subPath`, which never refreshes."))
    if mounts:
        return failed(N_("ConfigMap {name} is mounted at {path}{sub_path}; the app reads it from {folder}."),
                      name=CONFIG, path=mounts[0].path, sub_path=f" (subPath {mounts[0].sub_path})"
                      if mounts[0].sub_path else "", folder=CONFIG_FOLDER, expected=CONFIG_FOLDER,
                      found=mounts[0].path, hints=hints)
    return failed(N_("No container of {app} mounts ConfigMap {name} as a volume."), app=APP, name=CONFIG,
                  expected=N_("a configMap volume, mounted"), found=N_("no such mount"), hints=hints)


@check(N_("The app receives the password by reference to the Secret"), points=2)
def secret_referenced(ctx: Context):
    pod_spec, waiting = _app(ctx)
    if waiting:
        return waiting
    uses = [key for name, key in secret_refs({"spec": pod_spec}) if name == SECRET]
    keys = set((ctx.view.get("secrets", SECRET) or {}).get("data") or {})
    hints = (N_("`kubectl describe secret {name}` lists its keys (never their values)."),
             N_("Reference the Secret with `secretKeyRef` (one key), `envFrom.secretRef` or a `secret` volume."),
             N_("For DB_PASSWORD write `valueFrom:`, then `secretKeyRef:` with `name: {name}` and `key: password`."))
    wrong = [k for k in uses if k is not None and k not in keys]
    if wrong:
        return failed(N_("Secret {name} has no key {key}."), name=SECRET, key=wrong[0], expected=SECRET_KEY,
                      found=wrong[0], hints=hints)
    if not uses:
        return failed(N_("The pod of {app} does not reference Secret {name}."), app=APP, name=SECRET,
                      expected="secretKeyRef", found=N_("no reference"), hints=hints)
    produced = [effective_env(c, ctx.view)[0].get(PASSWORD_VARIABLE) for c in containers({"spec": pod_spec})]
    literal = any(v and v.kind == "value" for v in produced)  # a copied password: the next check's business
    if not literal and not any(v and (v.kind, v.source, v.key) == ("secret", SECRET, SECRET_KEY) for v in produced):
        return failed(N_("The app reads {variable}, but no reference to Secret {name} gives it that variable."),
                      variable=PASSWORD_VARIABLE, name=SECRET, app=APP, expected=f"{PASSWORD_VARIABLE} ← {SECRET_KEY}",
                      found=N_("variables from the Secret: {variables}"), variables=", ".join(sorted(
                          {v.name for c in containers({"spec": pod_spec})
                           for v in effective_env(c, ctx.view)[0].values() if v.source == SECRET})) or "-",
                      hints=(N_("`envFrom` names each variable after a key of the Secret (here `password`), "
                                "not after what the app reads."), hints[1], hints[2]))
    return passed(N_("The pod of {app} references Secret {name}."), app=APP, name=SECRET)


@check(N_("No password is written in plain text in the pod spec"), points=2)
def no_plaintext_password(ctx: Context):
    pod_spec, waiting = _app(ctx)
    if waiting:
        return waiting
    leaks = [variable for variable, _ in literal_env({"spec": pod_spec}, SENSITIVE_NAME)]
    places = plaintext_places(ctx.view, [ctx.view.get("deployments", APP)],
                              secret_values(ctx.view, names=ctx.lab.secret_names))
    variables = leaks + [leak.variable for leak in places if leak.variable]
    hints = (N_("Whoever may read the Deployment reads env values, and they end up in Git."),
             N_("Secret values belong in the Secret; the pod refers to it."),
             N_("Replace `value:` of {variable} with `valueFrom: secretKeyRef:`."))
    if variables:  # the variable's name only: a check result must never carry a secret value
        return failed(N_("The variable {variable} of {app} carries a secret written in plain text."), app=APP,
                      variable=variables[0], expected="valueFrom.secretKeyRef", found=N_("env[].value"), hints=hints)
    if places:
        return failed(N_("{place} carries a password written in plain text."), place=places[0].place, app=APP,
                      variable=PASSWORD_VARIABLE, expected=N_("references to Secrets"), found=N_("a literal password"),
                      hints=hints)
    return passed(N_("No environment variable of {app} carries a secret in plain text."), app=APP)


@check(N_("The running pod really received the settings and the password"), needs={"data_plane": True})
def pod_sees_config(ctx: Context):
    _, waiting = _app(ctx)
    if waiting:
        return waiting
    newest = replicasets_of(ctx.view, ctx.view.get("deployments", APP))[-1:]  # not a pod the rollout replaces
    pods = [p for rs in newest for p in workload_pods(ctx.view, rs) if serving(p)]
    config = ((ctx.view.get("configmaps", CONFIG) or {}).get("data")) or {}
    password = decoded(ctx.view.get("secrets", SECRET), SECRET_KEY).encode()
    wanted = {"/password.sha256": hashlib.sha256(password).hexdigest(), "/mode.txt": config.get("APP_MODE"),
              "/config/app.properties": config.get("app.properties")}
    if not pods:
        return not_yet(N_("Deployment {app} has no running pod to ask."), app=APP, expected=N_("a running pod"),
                       found=N_("nothing"), hints=(N_("`kubectl get pods -l app={app}` shows its pods."),))
    for path, value in wanted.items():
        status, body = ctx.view.proxy_get("pods", pods[0]["metadata"]["name"], 80, path)
        if status != 200 or value is None or body.decode(errors="replace").strip() != value.strip():
            return failed(N_("{path} in the pod does not hold what the ConfigMap or the Secret says (HTTP {status})."),
                          path=path, status=status, expected=N_("the same value"), found=N_("another value"),
                          hints=(N_("`kubectl exec deploy/{app} -- printenv APP_MODE` shows what the pod got."),
                                 N_("Variables are read once, at start: `kubectl rollout restart deployment/{app}` "
                                    "after changing the ConfigMap or the Secret.")), app=APP)
    return passed(N_("The pod received the ConfigMap's settings, its file and the Secret's password."))
