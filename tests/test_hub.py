"""The JupyterHub classroom on the embedded cluster, with real RBAC and each identity's own token.

30 students are provisioned; each one works in their own namespace and can neither read nor change a
classmate's (Secrets included), nor RBAC, nor kubelab's own objects (the grader's access, the quota); every lab a
student does runs with the student's own identity; the grader reads every kind the checks read everywhere and
writes nothing.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import typer
import yaml
from kubernetes.utils import parse_quantity
from typer.testing import CliRunner

from checkers import actions, hub, solving
from checkers.cli import hub as hub_cli
from checkers.cli import main
from checkers.lab import all_labs
from checkers.runner import run_lab
from checkers.view import KINDS
from clusters.api import ApiError, ApiForbidden, ApiNotFound, get, request
from clusters.base import Connection, detect_capabilities
from clusters.files import write_atomic
from tests.helpers import wait_for

pytestmark = pytest.mark.cluster
CLASS_SIZE = 30
PRIVILEGED_POD = {"metadata": {"name": "root"}, "spec": {"containers": [
    {"name": "c", "image": "busybox:1.36", "securityContext": {"privileged": True}}]}}


@pytest.fixture(scope="module")
def room(cluster, tmp_path_factory):
    """A provisioned class of 30 and an ApiClient per student (by id) and for the grader, from the kubeconfigs."""
    tag = uuid.uuid4().hex[:4]
    ids = [f"h{tag}-{n:02d}" for n in range(1, CLASS_SIZE + 1)]
    classroom = hub.Classroom(hub_namespace=f"hub-{tag}")
    admin = cluster.api_client()
    folder = tmp_path_factory.mktemp("kubeconfigs")
    hub.provision(admin, ids, classroom)
    hub.write_kubeconfigs(admin, ids, classroom, folder, hours=2)
    clients = {name: _connection(folder, classroom, name).api_client() for name in ids + ["grader"]}
    yield ids, classroom, clients, admin, folder
    for api in clients.values():
        api.close()
    hub.deprovision(admin, hub.deprovision_plan(admin, ids, classroom))
    admin.close()


def _connection(folder, classroom, name: str) -> Connection:
    account = hub.GRADER if name == "grader" else classroom.account(name)
    return Connection(kubeconfig=hub.kubeconfig_path(folder, account))


def _allowed(call) -> bool:
    try:
        call()
        return True
    except ApiForbidden:
        return False


def _readable(call) -> bool:
    """``_allowed``, where a 429 (the API server still initialising the storage of CRDs just installed) is a "not
    yet" to wait out rather than an answer."""
    try:
        return _allowed(call)
    except ApiError as error:
        if error.status == 429:
            return False
        raise


def test_dry_run_prints_the_yaml_and_changes_nothing(cluster, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ndry-run-ana,Ana\n")
    app = typer.Typer()
    hub_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `hub` a sub-command
    result = CliRunner().invoke(app, ["hub", "provision", "--roster", str(roster), "--dry-run"])
    assert result.exit_code == 0, result.output
    kinds = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(result.stdout)}
    assert ("Namespace", "lab-dry-run-ana") in kinds and ("ServiceAccount", "kubelab-grader") in kinds
    policy = hub.hub_pods(hub.Classroom())["metadata"]["name"]
    assert {("ValidatingAdmissionPolicy", policy), ("ValidatingAdmissionPolicyBinding", policy)} <= kinds
    admin = cluster.api_client()
    with pytest.raises(ApiNotFound):
        get(admin, "/api/v1/namespaces/lab-dry-run-ana")
    admin.close()


def test_each_student_works_in_their_own_namespace_and_nowhere_else(room):
    ids, classroom, clients, _admin, _folder = room
    for index, sid in enumerate(ids):
        me, own = clients[sid], classroom.namespace(sid)
        other = classroom.namespace(ids[(index + 1) % len(ids)])
        wait_for(lambda: _allowed(lambda: get(me, f"/api/v1/namespaces/{own}/configmaps")), what=f"{sid} RBAC")
        request(me, "POST", f"/api/v1/namespaces/{own}/configmaps", body={"metadata": {"name": "mine"}})
        request(me, "POST", f"/api/v1/namespaces/{own}/secrets",
                body={"metadata": {"name": "mine"}, "stringData": {"password": sid}})
        assert get(me, f"/api/v1/namespaces/{own}/secrets/mine")["data"]["password"]
        assert get(me, "/api/v1/nodes")["items"], "students may see the nodes"
        for forbidden in (
            lambda: get(me, f"/api/v1/namespaces/{other}/secrets"),
            lambda: get(me, f"/api/v1/namespaces/{other}/secrets/mine"),
            lambda: get(me, f"/api/v1/namespaces/{other}/pods"),
            lambda: get(me, f"/api/v1/namespaces/{other}/configmaps/mine"),
            lambda: request(me, "POST", f"/api/v1/namespaces/{other}/configmaps", body={"metadata": {"name": "x"}}),
            lambda: request(me, "DELETE", f"/api/v1/namespaces/{other}/configmaps/mine"),
            lambda: request(me, "PATCH", f"/api/v1/namespaces/{other}",
                            body={"metadata": {"labels": {"x": "y"}}},
                            content_type="application/merge-patch+json"),
            lambda: get(me, "/api/v1/namespaces"),  # names of classmates
            lambda: get(me, "/api/v1/persistentvolumes"),
        ):
            assert not _allowed(forbidden), f"{sid} reached into a classmate's or the cluster's objects"


def test_pod_security_baseline_refuses_a_privileged_pod(room):
    ids, classroom, clients, _admin, _folder = room
    own = classroom.namespace(ids[0])
    with pytest.raises(ApiError) as refused:
        request(clients[ids[0]], "POST", f"/api/v1/namespaces/{own}/pods", body=PRIVILEGED_POD)
    assert "PodSecurity" in str(refused.value) or "privileged" in str(refused.value)


def test_grader_reads_every_kind_everywhere_and_writes_nothing(room):
    ids, classroom, clients, _admin, _folder = room
    grader = clients["grader"]
    wait_for(lambda: _allowed(lambda: get(grader, "/api/v1/nodes")), what="grader RBAC")
    for sid in ids:
        ns = classroom.namespace(sid)
        for kind, (prefix, namespaced) in KINDS.items():
            path = f"{prefix}/namespaces/{ns}/{kind}" if namespaced else f"{prefix}/{kind}"
            wait_for(lambda: _readable(lambda: get(grader, path)), timeout=30, what=f"grader list {path}")
        for write in (
            lambda: request(grader, "POST", f"/api/v1/namespaces/{ns}/configmaps", body={"metadata": {"name": "g"}}),
            lambda: request(grader, "DELETE", f"/api/v1/namespaces/{ns}/secrets/mine"),
            lambda: request(grader, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/mine", body={"data": {"a": "b"}},
                            content_type="application/merge-patch+json"),
            lambda: request(grader, "POST", f"/api/v1/namespaces/{ns}/pods/x/exec"),
        ):
            assert not _allowed(write), f"the grader could write in {ns}"
    assert not _allowed(lambda: request(grader, "POST", "/api/v1/namespaces", body={"metadata": {"name": "g"}}))


def test_provisioning_again_changes_nothing(room):
    ids, classroom, _clients, admin, _folder = room
    policy = hub.hub_pods(classroom)["metadata"]["name"]
    paths = [f"/api/v1/namespaces/{classroom.namespace(ids[0])}/resourcequotas/kubelab-quota",
             f"/api/v1/namespaces/{classroom.hub_namespace}",
             f"{ADMISSION}/validatingadmissionpolicies/{policy}",
             f"{ADMISSION}/validatingadmissionpolicybindings/{policy}"]

    def versions() -> list:  # a policy's status (its type checking) is the API server's: its spec's generation
        return [(meta := get(admin, path)["metadata"]).get("generation", meta["resourceVersion"]) for path in paths]

    before = versions()
    hub.provision(admin, ids, classroom)
    assert versions() == before


def test_kubeconfigs_are_private_and_default_to_the_students_namespace(room):
    ids, classroom, _clients, _admin, folder = room
    path = hub.kubeconfig_path(folder, classroom.account(ids[0]))
    assert path.stat().st_mode & 0o077 == 0
    config = yaml.safe_load(path.read_text())
    assert config["contexts"][0]["context"]["namespace"] == classroom.namespace(ids[0])


def _phase(api, namespace: str) -> str | None:
    try:
        return get(api, f"/api/v1/namespaces/{namespace}")["status"].get("phase") == "Terminating" and "Terminating"
    except ApiNotFound:
        return "gone"


MERGE = "application/merge-patch+json"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
ADMISSION = "/apis/admissionregistration.k8s.io/v1"


def test_students_cannot_switch_off_their_grading_or_touch_rbac(room):
    """The grader's binding, the quota and the limits are the instructor's; RBAC is nobody's in class."""
    ids, classroom, clients, _admin, _folder = room
    sid, classmate = ids[1], ids[2]
    me, own = clients[sid], classroom.namespace(sid)
    quota, limits = f"/api/v1/namespaces/{own}/resourcequotas/kubelab-quota", \
        f"/api/v1/namespaces/{own}/limitranges/kubelab-limits"
    binding = f"{RBAC}/namespaces/{own}/rolebindings/{hub.GRADER}"

    def patch(path, body):
        return lambda: request(me, "PATCH", path, body=body, content_type=MERGE)

    # the policies take a moment to reach the API server: wait until a no-op change of the quota is refused
    wait_for(lambda: not _allowed(patch(quota, {})), what="admission policies in force")
    classmate_admin = {"metadata": {"name": "friend"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                                   "kind": "ClusterRole", "name": "admin"},
                       "subjects": [{"kind": "ServiceAccount", "name": classroom.account(classmate),
                                     "namespace": classroom.hub_namespace}]}
    for attempt in (
        lambda: request(me, "DELETE", binding),
        patch(binding, {"metadata": {"labels": {"x": "y"}}}),
        lambda: request(me, "DELETE", quota),
        patch(quota, {"spec": {"hard": {"pods": "1000"}}}),
        patch(quota, {"metadata": {"labels": {"app.kubernetes.io/managed-by": None}}}),
        lambda: request(me, "DELETE", limits),
        patch(limits, {"spec": {"limits": [{"type": "Container", "max": {"cpu": "64"}}]}}),
        lambda: request(me, "POST", f"{RBAC}/namespaces/{own}/rolebindings", body=classmate_admin),
        lambda: request(me, "POST", f"{RBAC}/namespaces/{own}/roles", body={"metadata": {"name": "r"}, "rules": []}),
        patch(f"/api/v1/namespaces/{own}",
              {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}),
        patch(f"/api/v1/namespaces/{own}", {"metadata": {"labels": {hub.STUDENT_LABEL: None}}}),
        lambda: request(me, "DELETE", f"/api/v1/namespaces/{own}"),
        patch(f"/api/v1/namespaces/{classroom.namespace(classmate)}", {"metadata": {"labels": {"x": "y"}}}),
    ):
        assert not _allowed(attempt), "a student changed what grading or isolation relies on"
    # what the labs do that `edit` alone would not allow
    request(me, "PATCH", f"/api/v1/namespaces/{own}", body={"metadata": {"labels": {"kubelab.dev/owner": sid}}},
            content_type=MERGE)
    request(me, "POST", f"/api/v1/namespaces/{own}/resourcequotas",
            body={"metadata": {"name": "mine"}, "spec": {"hard": {"pods": "20"}}})
    request(me, "PATCH", f"/api/v1/namespaces/{own}/resourcequotas/mine", body={"spec": {"hard": {"pods": "21"}}},
            content_type=MERGE)
    request(me, "DELETE", f"/api/v1/namespaces/{own}/resourcequotas/mine")
    assert get(clients["grader"], f"/api/v1/namespaces/{own}/secrets")["items"] is not None


def test_every_lab_runs_with_a_students_own_identity(room, cluster, monkeypatch):
    """Each lab students do in class: its solution, applied with the student's own token in their namespace,
    passes every check the cluster can run, and the class quota holds every lab at once (a student who never
    resets a lab)."""
    ids, classroom, clients, admin, folder = room
    labs = [lab for lab in all_labs() if lab.classroom == "students"]
    grader = clients["grader"]
    capabilities = detect_capabilities(grader)
    reserve = solving.reserve_volume

    def as_instructor(kubectl, *args, **kwargs):  # the lessons' "administrator's part": a PersistentVolume
        reserve(actions.Kubectl(cluster, kubectl.namespace), *args, **kwargs)

    monkeypatch.setattr(solving, "reserve_volume", as_instructor)

    def do(index: int, lab):
        sid = ids[-1 - index]  # students the other tests leave alone
        namespace = classroom.namespace(sid)
        try:
            actions.solve(lab, _connection(folder, classroom, sid), namespace)
        except actions.ActionFailed as exc:
            return lab, sid, str(exc)
        return lab, sid, run_lab(lab, grader, namespace, capabilities)

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda pair: do(*pair), enumerate(labs)))
    used: dict[str, float] = {}
    problems = []
    for lab, sid, result in results:
        if isinstance(result, str):
            problems.append(f"{lab.id} as {sid}: {result}")
            continue
        wrong = [f"  {c['id']}: {c['status']} — {c['message']}" for c, item in
                 zip(result.as_dict("en")["checks"], result.results)
                 if item.outcome.status != ("skip" if capabilities.missing(item.check.needs) else "pass")]
        if wrong or not result.score == result.max > 0:
            problems.append(f"{lab.id} as {sid}:\n" + "\n".join(wrong))
        status = get(admin, f"/api/v1/namespaces/{classroom.namespace(sid)}/resourcequotas/kubelab-quota")["status"]
        for name, value in (status.get("used") or {}).items():
            used[name] = used.get(name, 0) + float(parse_quantity(value))
    print("quota used by all labs together:", used)
    assert not problems, "\n".join(problems)
    for name, value in used.items():
        assert value <= float(parse_quantity(hub.QUOTA[name])), f"all labs together use {value} {name}"
    assert {lab.id for lab in all_labs() if lab.classroom == "instructor"} == {"11-nodes", "12-ftps", "16-capstone"}


def test_deprovision_deletes_only_kubelabs_objects_and_asks_first(cluster, tmp_path):
    admin = cluster.api_client()
    tag = uuid.uuid4().hex[:4]
    classroom = hub.Classroom(hub_namespace=f"hub-{tag}")
    sid, foreign = f"gone-{tag}", f"keep-{tag}"
    hub.provision(admin, [sid, "grader"], classroom)
    request(admin, "POST", "/api/v1/namespaces", body={"metadata": {"name": classroom.namespace(foreign)}})
    # a student called `grader` gets their own kubeconfig, never the grader's
    files = hub.write_kubeconfigs(admin, [sid, "grader"], classroom, tmp_path / "kubeconfigs", hours=1)
    users = {f.name: yaml.safe_load(f.read_text())["users"][0]["name"] for f in files}
    assert users == {f"student-{sid}.kubeconfig": f"student-{sid}", "student-grader.kubeconfig": "student-grader",
                     "grader.kubeconfig": hub.GRADER}
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name\n{sid},Ana\n{foreign},Bob\n")
    args = ["hub", "deprovision", "--roster", str(roster), "--hub-namespace", classroom.hub_namespace,
            "--kubeconfig", str(cluster.kubeconfig), *(["--context", cluster.context] if cluster.context else [])]
    plan = {hub.describe(o) for o in hub.deprovision_plan(admin, [sid, foreign], classroom)}
    assert f"Namespace {classroom.namespace(sid)}" in plan and not any(foreign in line for line in plan)
    assert main(args) == 2, "without --yes and without a terminal to ask on, nothing is deleted"
    assert get(admin, f"/api/v1/namespaces/{classroom.namespace(sid)}")["status"]["phase"] == "Active"
    assert main([*args, "--yes"]) == 0
    with pytest.raises(ApiNotFound):
        get(admin, f"/api/v1/namespaces/{classroom.hub_namespace}/serviceaccounts/{classroom.account(sid)}")
    with pytest.raises(ApiNotFound):
        get(admin, f"{RBAC}/clusterrolebindings/kubelab-student-{sid}")
    assert hub.deprovision(admin, hub.deprovision_plan(admin, ["grader"], classroom)) == 3
    for gone in (sid, "grader"):
        assert wait_for(lambda: _phase(admin, classroom.namespace(gone)), what="namespace deletion started")
    assert get(admin, f"/api/v1/namespaces/{classroom.namespace(foreign)}")["status"]["phase"] == "Active"
    request(admin, "DELETE", f"/api/v1/namespaces/{classroom.namespace(foreign)}")
    admin.close()



def test_provisioning_again_repairs_the_grader_binding_and_drops_admin(room):
    """A grader binding whose roleRef was replaced (immutable) is made again, and the `admin` binding students
    had before this classroom version is removed."""
    ids, classroom, _clients, admin, _folder = room
    own = classroom.namespace(ids[3])
    bindings = f"{RBAC}/namespaces/{own}/rolebindings"
    request(admin, "DELETE", f"{bindings}/{hub.GRADER}")
    subject = {"kind": "ServiceAccount", "name": hub.GRADER, "namespace": classroom.hub_namespace}
    for name, role in ((hub.GRADER, "view"), ("kubelab-student-admin", "admin")):
        request(admin, "POST", bindings, body={"metadata": {"name": name}, "subjects": [subject], "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}})
    hub.provision(admin, [ids[3]], classroom)
    assert get(admin, f"{bindings}/{hub.GRADER}")["roleRef"]["name"] == hub.GRADER
    with pytest.raises(ApiNotFound):
        get(admin, f"{bindings}/kubelab-student-admin")


def test_an_instructor_run_lab_says_so_in_a_hub_notebook(cluster, monkeypatch, capsys):
    from checkers.notebook_api import open_lab

    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    assert open_lab("11-nodes", connection=cluster) is not None
    assert "your instructor runs this lab" in capsys.readouterr().out
    open_lab("03-deployments", connection=cluster)
    assert "instructor" not in capsys.readouterr().out


def test_the_hub_spawns_in_its_namespace_and_does_nothing_else(room, tmp_path):
    """The hub's ServiceAccount: pods, claims and events in the hub's namespace (what KubeSpawner does); no Secret,
    no RBAC, no student namespace. Students can neither change its binding nor take its token."""
    ids, classroom, clients, admin, _folder = room
    me = _hub_client(admin, classroom, tmp_path)
    own, lab = f"/api/v1/namespaces/{classroom.hub_namespace}", f"/api/v1/namespaces/{classroom.namespace(ids[0])}"
    pod = {"metadata": {"name": "jupyter-x"}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
    claim = {"metadata": {"name": "claim-x"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                       "resources": {"requests": {"storage": "1Gi"}}}}
    dry = {"dryRun": "All"}
    wait_for(lambda: _allowed(lambda: get(me, f"{own}/pods")), what="the hub's RBAC")
    for allowed in (lambda: request(me, "POST", f"{own}/pods", body=pod, query=dry),
                    lambda: request(me, "POST", f"{own}/persistentvolumeclaims", body=claim, query=dry),
                    lambda: get(me, f"{own}/events")):
        assert _allowed(allowed)
    binding = {"metadata": {"name": "x"}, "subjects": [], "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                                     "kind": "ClusterRole", "name": "admin"}}
    for refused in (lambda: get(me, f"{own}/secrets"), lambda: get(me, f"{lab}/secrets"),
                    lambda: get(me, "/api/v1/namespaces/kube-system/secrets"), lambda: get(me, "/api/v1/secrets"),
                    lambda: request(me, "POST", f"{lab}/pods", body=pod, query=dry),
                    lambda: request(me, "POST", f"{own}/services", body={"metadata": {"name": "s"}}, query=dry),
                    lambda: request(me, "POST", f"{RBAC}/namespaces/{classroom.hub_namespace}/rolebindings",
                                    body=binding, query=dry),
                    lambda: request(me, "POST", f"{own}/serviceaccounts/{hub.GRADER}/token", body={"spec": {}}),
                    lambda: get(me, "/api/v1/namespaces")):
        assert not _allowed(refused), "the hub has a right KubeSpawner does not use"
    me.close()
    student = clients[ids[0]]
    for refused in (lambda: request(student, "DELETE", f"{RBAC}/namespaces/{classroom.hub_namespace}/rolebindings/"
                                                       f"{hub.HUB}"),
                    lambda: request(student, "POST", f"{own}/serviceaccounts/{hub.HUB}/token", body={"spec": {}}),
                    lambda: request(student, "PATCH", f"{RBAC}/clusterroles/{hub.HUB}", body={"rules": []},
                                    content_type=MERGE)):
        assert not _allowed(refused), "a student reached the hub's identity"


def _hub_client(admin, classroom, folder):
    """An ApiClient with the hub's own token (what KubeSpawner runs with)."""
    path = folder / "hub.kubeconfig"
    write_atomic(path, yaml.safe_dump(hub.kubeconfig(admin, hub.HUB, classroom, classroom.hub_namespace, 1)),
                 mode=0o600)
    return Connection(kubeconfig=path).api_client()


def test_the_hub_runs_pods_only_as_students_and_its_namespace_enforces_baseline(room, tmp_path):
    """Whoever creates pods in the hub's namespace could run them as any ServiceAccount there: the hub may use a
    student's or ``default`` (KubeSpawner's, for anyone not on the roster), never the grader's or its own; an admin
    still may. A privileged pod is refused there by Pod Security ``baseline``, from anyone."""
    ids, classroom, _clients, admin, _folder = room
    me = _hub_client(admin, classroom, tmp_path)
    pods = f"/api/v1/namespaces/{classroom.hub_namespace}/pods"

    def create(api, account: str, pod: dict | None = None):
        pod = pod or {"metadata": {"name": "jupyter-x"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        body = {**pod, "spec": {**pod["spec"], "serviceAccountName": account}}
        return request(api, "POST", pods, body=body, query={"dryRun": "All"})

    def refused(account: str) -> str:
        try:
            create(me, account)
        except ApiForbidden as error:
            return str(error) if hub.hub_pods(classroom)["metadata"]["name"] in str(error) else ""
        return ""

    message = wait_for(lambda: refused(hub.GRADER), what="the hub's pod policy in force")
    assert f"({classroom.hub_user}) may not run a pod as ServiceAccount {hub.GRADER}: " in message
    assert f"may not run a pod as ServiceAccount {hub.HUB}: " in refused(hub.HUB)
    for account in (classroom.account(ids[0]), "default"):  # `default` exists once the controller made it
        wait_for(lambda: _allowed(lambda: create(me, account)), what=f"the hub running a pod as {account}")
    for account in (hub.GRADER, hub.HUB):
        assert create(admin, account)["spec"]["serviceAccountName"] == account
    for api in (me, admin):
        with pytest.raises(ApiError) as baseline:
            create(api, classroom.account(ids[0]), PRIVILEGED_POD)
        assert "PodSecurity" in str(baseline.value) and "privileged" in str(baseline.value)
    assert get(admin, f"/api/v1/namespaces/{classroom.hub_namespace}")["metadata"]["labels"][
        "pod-security.kubernetes.io/enforce"] == "baseline"
    me.close()


def test_deprovisioning_everything_takes_the_hub_identity_too(cluster):
    """(Its hub's namespace enforces ``restricted`` already: provisioning leaves that stricter level alone.)"""
    admin = cluster.api_client()
    classroom = hub.Classroom(hub_namespace=f"hub-{uuid.uuid4().hex[:4]}")
    enforce = "pod-security.kubernetes.io/enforce"
    request(admin, "POST", "/api/v1/namespaces", body={"metadata": {"name": classroom.hub_namespace,
                                                                    "labels": {enforce: "restricted"}}})
    hub.provision(admin, [], classroom)
    assert get(admin, f"/api/v1/namespaces/{classroom.hub_namespace}")["metadata"]["labels"][enforce] == "restricted"
    policy = hub.hub_pods(classroom)["metadata"]["name"]
    plan = [o for o in hub.deprovision_plan(admin, [], classroom, shared=True)  # the cluster-wide roles stay for
            if o["metadata"].get("namespace") == classroom.hub_namespace  # others; this hub's policies go
            or classroom.hub_namespace in o["metadata"]["name"]]
    assert {hub.describe(o) for o in plan} >= {f"ServiceAccount {classroom.hub_namespace}/{hub.HUB}",
                                              f"RoleBinding {classroom.hub_namespace}/{hub.HUB}",
                                              f"ValidatingAdmissionPolicy {policy}",
                                              f"ValidatingAdmissionPolicyBinding {policy}"}
    assert f"ClusterRole {hub.HUB}" in {hub.describe(o) for o in hub.deprovision_plan(admin, [], classroom, True)}
    hub.deprovision(admin, plan)
    with pytest.raises(ApiNotFound):
        get(admin, f"{RBAC}/namespaces/{classroom.hub_namespace}/rolebindings/{hub.HUB}")
    for kind in ("validatingadmissionpolicies", "validatingadmissionpolicybindings"):
        with pytest.raises(ApiNotFound):
            get(admin, f"{ADMISSION}/{kind}/{policy}")
    request(admin, "DELETE", f"/api/v1/namespaces/{classroom.hub_namespace}")
    admin.close()
