"""Checks of the FTPS lab: a TLS Secret, credentials by reference, one server, its control and passive ports
exposed with equal numbers; on a real cluster, an upload and a download over TLS, and no cleartext login."""

import re
from datetime import datetime, timezone

from checkers import N_, Context, check, failed, labels_match, not_yet, passed
from checkers.kube import containers, passive_range, ready_endpoints, there_is_no
from checkers.probes import ftps_probe, ftps_refuses_plain, service_target
from checkers.semantics import decoded, effective_env, mounts_of, plaintext_places, secret_refs, secret_values, \
    target_port

SERVER, SERVICE, CREDENTIALS, TLS = "ftps-server", "ftps-server", "ftps-credentials", "ftps-tls"
CONTROL_PORT = 21
SENSITIVE_NAME = re.compile(r"PASSWORD|PASSWD|SECRET", re.I)


def _server(ctx: Context):
    """(the Deployment, the container that runs the FTP server), or (None, an outcome saying what is missing)."""
    deployment = ctx.view.get("deployments", SERVER)
    pod_spec = (((deployment or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    found = containers({"spec": pod_spec})
    if deployment is None or not found:
        return None, None, there_is_no("Deployment", SERVER, expected="Deployment",
                                       hints=(N_("`kubectl get deployments` lists what exists."),
                                              N_("Apply the Deployment of the lesson; its name must be {name}.")))
    return deployment, next((c for c in found if "MIN_PORT" in effective_env(c, ctx.view)[0]), found[0]), None




def _passive_range(ctx: Context, container: dict) -> range | None:
    """The passive ports the image is told to use (MIN_PORT..MAX_PORT), or None when either is not a number."""
    return passive_range(effective_env(container, ctx.view)[0])


def _target(ctx: Context):
    """Where the control port answers from outside, and the FTP user's credentials; or an outcome."""
    service = ctx.view.get("services", SERVICE)
    target = service_target(service, ctx.view.list("nodes"), CONTROL_PORT) if service else None
    if target is None:
        return None, ("", ""), failed(N_("Service {name} exposes no node port for port {port}."), name=SERVICE,
                                      port=CONTROL_PORT, expected="NodePort", found=N_("no way in"),
                                      hints=(N_("`kubectl get service {name}` shows its type and ports."),
                                             N_("Make it `type: NodePort` with a port 21.")))
    secret = ctx.view.get("secrets", CREDENTIALS)
    return target, (decoded(secret, "username"), decoded(secret, "password")), None


@check(N_("The server's certificate is in a TLS Secret"))
def tls_secret(ctx: Context):
    secret = ctx.view.get("secrets", TLS)
    hints = (N_("A TLS Secret holds a certificate (tls.crt) and its private key (tls.key)."),
             N_("Make a self-signed pair with `openssl req -x509 -newkey rsa:2048 -nodes ...`."),
             N_("`kubectl create secret tls {name} --cert=tls.crt --key=tls.key` makes the Secret."))
    if secret is None or secret.get("type") != "kubernetes.io/tls":
        found = N_("nothing") if secret is None else secret.get("type")
        return failed(N_("There is no Secret {name} of type kubernetes.io/tls."), name=TLS,
                      expected="kubernetes.io/tls", found=found, hints=hints)
    from cryptography import x509  # only when checking: `kubelab labs` loads every lab's checks

    try:
        certificate = x509.load_pem_x509_certificate(decoded(secret, "tls.crt").encode())
    except ValueError:
        return failed(N_("The tls.crt of Secret {name} is not a PEM certificate."), name=TLS,
                      expected="PEM", found=N_("something else"), hints=hints)
    if certificate.not_valid_after_utc < datetime.now(timezone.utc):
        return failed(N_("The certificate in Secret {name} expired on {date}."), name=TLS,
                      date=certificate.not_valid_after_utc.date().isoformat(), expected=N_("a valid certificate"),
                      found=N_("expired"), hints=hints)
    return passed(N_("Secret {name} holds a certificate for {subject}."), name=TLS,
                  subject=certificate.subject.rfc4514_string())


@check(N_("The server reads its certificate and key from the TLS Secret"))
def tls_enabled(ctx: Context):
    deployment, container, missing = _server(ctx)
    if missing:
        return missing
    folders = [m.path for m in mounts_of(deployment, "secret", TLS) if m.container == container.get("name")]
    env = effective_env(container, ctx.view)[0]
    files = [str(getattr(env.get(name), "value", "") or "") for name in ("TLS_CERT", "TLS_KEY")]
    if folders and all(any(f.startswith(folder + "/") for folder in folders) for f in files):
        return passed(N_("The server takes TLS_CERT and TLS_KEY from Secret {name}, mounted at {path}."), name=TLS,
                      path=folders[0])
    return failed(N_("The server does not read TLS_CERT and TLS_KEY from a mount of Secret {name}."), name=TLS,
                  expected=N_("a secret volume and TLS_CERT, TLS_KEY inside it"),
                  found=", ".join(f or "-" for f in files),
                  hints=(N_("Without TLS_CERT and TLS_KEY the image serves plain FTP: passwords cross the "
                            "network readable."),
                         N_("Mount a volume of type `secret` (secretName {name}) on a folder."),
                         N_("Then set TLS_CERT=<folder>/tls.crt and TLS_KEY=<folder>/tls.key.")))


@check(N_("The server takes the user and password from the Secret"), points=2)
def credentials_from_secret(ctx: Context):
    _, container, missing = _server(ctx)
    if missing:
        return missing
    uses = [key for name, key in secret_refs({"spec": {"containers": [container]}}) if name == CREDENTIALS]
    keys = set((ctx.view.get("secrets", CREDENTIALS) or {}).get("data") or {})
    hints = (N_("`kubectl describe secret {name}` lists its keys: username and password."),
             N_("Give each key to a variable with `valueFrom: secretKeyRef`, then build USERS from them: "
                "`$(FTP_USER)|$(FTP_PASSWORD)`."),
             N_("`- name: FTP_PASSWORD`, `valueFrom:`, `secretKeyRef:`, `name: {name}`, `key: password`."))
    wrong = [k for k in uses if k is not None and k not in keys]
    if wrong or not (None in uses or {"username", "password"} <= set(uses)):
        return failed(N_("The server does not take both username and password from Secret {name}."),
                      name=CREDENTIALS, expected="username, password",
                      found=", ".join(str(k) for k in uses) or N_("no reference"), hints=hints)
    return passed(N_("The server takes its user and password from Secret {name}."), name=CREDENTIALS)


@check(N_("No password is written in plain text in the server's spec"), points=2)
def no_plaintext_password(ctx: Context):
    _, container, missing = _server(ctx)
    if missing:
        return missing
    texts = [(e.get("name", "?"), e.get("value") or "") for e in container.get("env") or []]
    leaks = [name for name, text in texts if text and SENSITIVE_NAME.search(name) and "$(" not in text]
    own = secret_values(ctx.view, names=ctx.lab.secret_names)
    leaks += [leak.variable or leak.place
              for leak in plaintext_places(ctx.view, [ctx.view.get("deployments", SERVER)], own)]
    if leaks:  # the variable's name only: a result must never carry a secret value
        return failed(N_("{variable} of {name} carries a password written in plain text."), name=SERVER,
                      variable=leaks[0], expected="valueFrom.secretKeyRef", found=N_("a literal value"),
                      hints=(N_("Whoever may read the Deployment reads its env values, and they end up in Git."),
                             N_("Pass the password in a variable from the Secret, and refer to it as "
                                "`$(FTP_PASSWORD)` where the image needs it."),
                             N_("Replace the literal password in {variable} with `$(FTP_PASSWORD)`.")))
    return passed(N_("No value in the spec of {name} carries a password."), name=SERVER)


@check(N_("Exactly one FTP server pod is ready"))
def single_server_ready(ctx: Context):
    deployment, _, missing = _server(ctx)
    if missing:
        return missing
    wanted, status = deployment["spec"].get("replicas", 1), deployment.get("status") or {}
    if wanted != 1:
        return failed(N_("Deployment {name} asks for {count} replicas; FTP needs exactly one."), name=SERVER,
                      count=wanted, expected=1, found=wanted,
                      hints=(N_("A passive data connection is a new TCP connection: the Service may send it to "
                                "another pod than the one holding your session."),
                             N_("`kubectl scale deployment {name} --replicas=1`")))
    if status.get("readyReplicas", 0) != 1 or status.get("updatedReplicas", 0) != 1:
        return not_yet(N_("The pod of {name} is not ready yet."), name=SERVER, expected=1,
                       found=status.get("readyReplicas", 0),
                       hints=(N_("`kubectl rollout status deployment/{name}` waits for it."),
                              N_("`kubectl describe pod -l app={name}` shows why a pod does not start.")))
    return passed(N_("One pod of {name} is ready."), name=SERVER)


def _number(port: dict, container: dict):
    """A Service port's targetPort as a number (a name is looked up among the container's ports)."""
    return target_port(port, {"spec": {"containers": [container]}})


@check(N_("Every passive port is exposed with port = targetPort = nodePort"), points=2)
def passive_ports_exposed(ctx: Context):
    _, container, missing = _server(ctx)
    if missing:
        return missing
    passive = _passive_range(ctx, container)
    if passive is None or not 0 < len(passive) <= 50:
        return failed(N_("The server's passive range (MIN_PORT, MAX_PORT) is not set."), expected="30030-30034",
                      found=N_("the image's default, 21000-21010"),
                      hints=(N_("The default range lies outside the NodePort range (30000-32767)."),
                             N_("Set MIN_PORT and MAX_PORT in the container's env, e.g. 30030 and 30034.")))
    ports = ((ctx.view.get("services", SERVICE) or {}).get("spec") or {}).get("ports") or []
    exposed = {p.get("port") for p in ports if p.get("port") == p.get("nodePort") == _number(p, container)}
    lacking = [n for n in passive if n not in exposed]
    if lacking:
        return failed(N_("Passive port {port} is not exposed by Service {name} with equal port, targetPort and "
                         "nodePort."), port=lacking[0], name=SERVICE, expected=f"{passive[0]}-{passive[-1]}",
                      found=", ".join(f"{p.get('port')}/{p.get('nodePort')}" for p in ports) or N_("no ports"),
                      hints=(N_("The server tells the client which port to dial for each transfer; the client "
                                "dials that number on the node, so nothing may translate it."),
                             N_("`kubectl get service {name} -o yaml` shows port, targetPort and nodePort."),
                             N_("For each passive port write `port: 30030`, `targetPort: 30030`, `nodePort: 30030`.")))
    return passed(N_("Service {name} exposes the passive ports {first}-{last} unchanged."), name=SERVICE,
                  first=passive[0], last=passive[-1])


@check(N_("The Service's control port 21 reaches the server"))
def control_port_exposed(ctx: Context):
    deployment, container, missing = _server(ctx)
    if missing:
        return missing
    service = ctx.view.get("services", SERVICE) or {}
    spec = service.get("spec") or {}
    control = [p for p in spec.get("ports") or [] if p.get("port") == CONTROL_PORT]
    hints = (N_("`kubectl describe service {name}` shows its type, ports and endpoints."),
             N_("The selector must match the labels of the server's pods."),
             N_("Write `type: NodePort` and a port `ftp` with port 21 and targetPort 21."))
    if spec.get("type") not in ("NodePort", "LoadBalancer") or not control or _number(control[0], container) != 21:
        return failed(N_("Service {name} has no NodePort port 21 leading to the container's port 21."), name=SERVICE,
                      expected="NodePort 21 -> 21", found=spec.get("type") or N_("nothing"), hints=hints)
    if not ready_endpoints(ctx.view, SERVICE):
        pod_labels = (deployment["spec"]["template"].get("metadata") or {}).get("labels")
        if not labels_match(spec.get("selector"), pod_labels):
            return failed(N_("Service {name} does not select the server's pods."), name=SERVICE,
                          expected=N_("ready endpoints"), found="0", hints=hints)
        return not_yet(N_("Service {name} has no ready endpoint yet."), name=SERVICE,
                       expected=N_("ready endpoints"), found="0", hints=hints)
    return passed(N_("Service {name} sends port 21 to the server."), name=SERVICE)


@check(N_("A client logs in over TLS, uploads and downloads a file"), points=3, needs={"data_plane": True})
def ftps_transfer(ctx: Context):
    target, (user, password), missing = _target(ctx)
    return missing or ftps_probe(target, user, password)


@check(N_("A login without TLS is refused"), points=2, needs={"data_plane": True})
def plain_login_refused(ctx: Context):
    target, (user, password), missing = _target(ctx)
    return missing or ftps_refuses_plain(target, user, password)
