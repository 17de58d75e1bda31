"""labs/images.yaml is the one catalog of the images the labs use: every reference is in it, pinned. And the
course image (JupyterHub's single-user server) is built from tracked sources only: no secret reaches its layer."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from clusters.embedded import images
from clusters.files import load_yaml

LABS = Path(__file__).resolve().parent.parent / "labs"
CATALOG = load_yaml((LABS / "images.yaml").read_text())["images"]
# Where an image is written in code: a YAML `image:` field, `--image=`, a JSON "image" value, `set image` c=image,
# a Dockerfile's FROM.
CODE_REFERENCE = re.compile(r"""(?:image:\s*|--image=|"image":\s*"|\b[a-z]+=|^FROM\s+)"""
                            r"""([a-z0-9][\w./-]*(?::[\w.-]+|@sha256:[0-9a-f]{64}))""", re.M)


def reference(entry: dict) -> str:
    return f"{entry['image']}@{entry['digest']}" if "digest" in entry else f"{entry['image']}:{entry['tag']}"


PINNED = {reference(entry) for entry in CATALOG}
REPOSITORIES = {entry["image"] for entry in CATALOG}
BUILT = {entry["image"] for entry in CATALOG if "build" in entry}  # the learner's own: prose may name other tags


def lab_files() -> list[Path]:
    return sorted(p for p in LABS.glob("*/**/*") if p.is_file() and (p.suffix in (".py", ".yaml", ".yml")
                  or p.name == "Dockerfile") and "locales" not in p.parts)


def mentions(text: str) -> set[str]:
    """Every catalogued repository written with a tag or digest in ``text`` (ports such as influxdb:8086 are
    not tags: a tag here has a letter or a dot)."""
    found = set()
    for repository in REPOSITORIES - BUILT:
        pattern = rf"(?<![\w./-]){re.escape(repository)}(:[\w.-]*[A-Za-z.][\w.-]*|@sha256:[0-9a-f]{{64}})"
        found |= {repository + m.group(1).rstrip(".") for m in re.finditer(pattern, text)}
    return found


def in_code(text: str) -> set[str]:
    return {m.group(1) for m in CODE_REFERENCE.finditer(text) if "/" in m.group(1) or "." in m.group(1)
            or m.group(1).split(":")[0].split("@")[0] in REPOSITORIES}


def latest_allowed(path: Path) -> bool:
    """A fault that teaches why `latest` is wrong (it trips a check about pinning)."""
    fault = path.parent / "fault.yaml"
    return "faults" in path.parts and fault.is_file() and "pinned" in str(load_yaml(fault.read_text()).get("trips", ""))


def test_each_image_is_listed_once_with_its_reasons():
    assert len(PINNED) == len(CATALOG)
    for entry in CATALOG:
        assert ("tag" in entry) != ("digest" in entry), entry
        assert entry.get("tag") != "latest" and entry.get("what") and entry.get("why"), entry


@pytest.mark.parametrize("path", lab_files(), ids=lambda p: str(p.relative_to(LABS)))
def test_every_image_reference_is_in_the_catalog(path):
    text = path.read_text()
    code = in_code(text)
    for ref in code | mentions(text):
        if ref.endswith(":latest") and (latest_allowed(path) or path.name in ("lesson.py", "checks.py", "fault.yaml")
                                        and ref not in code):
            continue  # named as the mistake, in prose or in the fault that makes it
        assert ref in PINNED, f"{ref} is not in labs/images.yaml"


def test_images_list_says_which_images_the_learner_builds_from_the_catalog_alone(tmp_path):
    """`kubelab images list` reads the learner's images from the catalog's `build:` entries (no second list)."""
    rows = {row["image"]: row for row in images.catalog(LABS / "images.yaml")}
    for entry in CATALOG:
        if "build" in entry:
            assert rows[entry["image"]]["learner_builds"] == entry["build"], entry
            assert reference(entry) in rows[entry["image"]]["names"]
            assert entry["image"] not in images.UNAVAILABLE
    assert {"kubelab.local/hello", "kubelab.local/ft-grafana"} <= set(rows)
    for text in ("images: [", "images: 3", "a: &x [1]\nb: *x", "\xff"):  # broken or odd: the recipes are still listed
        broken = tmp_path / "images.yaml"
        broken.write_bytes(text.encode("latin-1"))
        assert not any(row.get("learner_builds") for row in images.catalog(broken))
        assert images.learner_built(broken) == {}
    assert images.learner_built(tmp_path / "missing.yaml") == {}


def test_the_catalog_lists_only_images_the_labs_use():
    used = set()
    for path in lab_files():
        used |= mentions(path.read_text()) | in_code(path.read_text())
    assert PINNED <= used, PINNED - used


# `apt-get install -y --no-install-recommends a b \` and its continuation lines, up to the next && or ;
APT_INSTALL = re.compile(r"apt-get\s+install\s+((?:\\\n|[^&;\n])*)")


def test_the_course_dockerfiles_install_only_what_the_embedded_builder_has():
    """`RUN` steps on the embedded cluster's builder have no network: apt finds only builder.OFFLINE_PACKAGES."""
    from clusters.embedded import builder

    installed = {word for path in LABS.glob("*/**/Dockerfile")
                 for args in APT_INSTALL.findall(path.read_text())
                 for word in args.split() if not word.startswith(("-", "\\"))}
    assert "openssh-server" in installed
    assert installed <= set(builder.OFFLINE_PACKAGES), installed - set(builder.OFFLINE_PACKAGES)


# -- the course image carries no secrets ------------------------------------------------------------------------
# What an instructor following the docs has lying around in the checkout: kubeconfigs with tokens, the roster,
# the grading journal and exports, keys. A Kubernetes ServiceAccount token starts with the JWT header below.
KEY_DATA = "TUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD"
TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjRfYlpJVDAifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzIl19.c2lnbmF0dXJl"
PLANTED = {"roster.csv": "id,name\nana,Ana\n", "kubeconfigs/student-ana.kubeconfig": f"    token: {TOKEN}\n",
           "kubeconfigs/grader.kubeconfig": f"    client-key-data: {KEY_DATA}\n", "grades/journal.jsonl": "{}\n",
           "grades/gradebook.csv": "ana,1\n", "clusters/ca.key": f"-----BEGIN PRIVATE KEY-----\n{KEY_DATA}\n",
           ".kube/config": f"token: {TOKEN}", "checkers/tokens/grader.token": TOKEN}
SECRET_NAME = re.compile(r"(\.kubeconfig$|(^|/)\.kube/|\.csv$|\.jsonl$|\.token$|(^|/)tokens?(/|$)|\.key$|\.pem$)")
SECRET_TEXT = re.compile(rb"eyJhbGciOiJSUzI1NiIsImtpZCI6[\w-]{8,}\.[\w-]{8,}|"  # a token, not the word "token"
                         rb"(client-key|client-certificate|token)(-data)?: ?[\"']?[A-Za-z0-9+/]{32,}|"
                         rb"-----BEGIN (RSA |EC )?PRIVATE KEY-----\s*[A-Za-z0-9+/]{32,}")
# Debian's and PyPI's own files (test keys of tornado, CA bundles): not ours, and not secrets
DISTRIBUTED = ("usr/", "etc/ssl/", "opt/kubelab/lib/python3.11/site-packages/")
OURS = ("opt/kubelab/lib/python3.11/site-packages/checkers/", "opt/kubelab/lib/python3.11/site-packages/clusters/",
        "opt/kubelab/share/kubelab/")


def test_the_course_image_is_built_from_tracked_sources_only(tmp_path, monkeypatch):
    root = tmp_path / "checkout"
    for name in ("pyproject.toml", "checkers/view.py", "labs/00-welcome/lab.yaml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    for name, text in PLANTED.items():  # untracked, as an instructor's files are
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    subprocess.run(["git", "-C", str(root), "add", "-f", "clusters/ca.key"], check=True)  # even a tracked key
    assert images.course_sources(root) == ["checkers/view.py", "labs/00-welcome/lab.yaml", "pyproject.toml"]
    assert images.course_sources(tmp_path / "not-a-checkout") == []
    # the layer test's patterns find these secrets, and not code that merely names them
    assert all(SECRET_NAME.search(name) for name in PLANTED)
    assert all(SECRET_TEXT.search(text.encode()) for text in PLANTED.values() if TOKEN in text or KEY_DATA in text)
    assert not SECRET_TEXT.search(b'user.get("client-key-data"), user.get("token") or read("tokenFile")')


def _layers(archive: str) -> list[str]:
    with tarfile.open(archive) as oci:
        index = json.load(oci.extractfile("index.json"))
        manifest = json.load(oci.extractfile(f"blobs/sha256/{index['manifests'][0]['digest'].split(':')[1]}"))
    return [layer["digest"] for layer in manifest["layers"]]


def _layer_members(archive: str):
    """Each file of each of the image's layers, opened from the OCI archive kubelab imports into the node."""
    with tarfile.open(archive) as oci:
        for digest in _layers(archive):
            with tarfile.open(fileobj=oci.extractfile(f"blobs/sha256/{digest.split(':')[1]}"), mode="r|") as tar:
                for member in tar:
                    yield member, (tar.extractfile(member) if member.isfile() else None)


def test_the_course_image_is_its_dependencies_layer_then_this_checkouts_kubelab(monkeypatch):
    """The first layer (Debian, the venv, every PyPI dependency) does not depend on the sources, so a change
    of the sources rebuilds only the second (kubelab itself)."""
    base, course = images.COURSE_BASE.identity(), images.COURSE.identity()
    monkeypatch.setattr(images, "course_sources_digest", lambda: "other sources")
    assert images.COURSE_BASE.identity() == base and images.COURSE.identity() != course
    assert images.COURSE.base == images.COURSE_BASE.key and images.COURSE.pip == ("kubelab",)
    built = images.cached(images.COURSE_BASE), images.cached(images.COURSE)
    if all(built):
        assert _layers(built[1]["archive"])[0] == _layers(built[0]["archive"])[0]
        assert len(_layers(built[1]["archive"])) == 2


def test_the_course_image_layer_holds_no_token_kubeconfig_roster_key_or_journal():
    entry = images.cached(images.COURSE)
    if not entry:
        pytest.skip("the course image is not built: run `kubelab images build course` (make hub-tools)")
    names, found, leaks = set(), [], []
    for member, data in _layer_members(entry["archive"]):
        name = member.name.removeprefix("./")
        names.add(name)
        if name.startswith(("tmp/", "root/.cache", "var/run/secrets", "run/secrets")) and not member.isdir():
            leaks.append(name)
        if not name.startswith(DISTRIBUTED) or name.startswith(OURS):
            if SECRET_NAME.search(name):
                found.append(name)
            if data is not None and SECRET_TEXT.search(data.read()):
                leaks.append(name)
    assert found == [] and leaks == []
    site = "opt/kubelab/lib/python3.11/site-packages/"
    assert {f"{site}checkers/hub.py", "usr/local/bin/kubelab-start-hook", "opt/kubelab/bin/jupyterhub-singleuser",
            "opt/kubelab/bin/kubelab", "opt/kubelab/share/kubelab/notebooks/ro/00-welcome.ipynb"} <= names
    assert "home/jovyan" in names
