"""The learner's own images for the real node: a Dockerfile built with buildah on the course's base images.

``FROM`` names an image of the course (``images.RECIPES``, e.g. ``nginx:1.30-alpine``): its cached archive is
put into buildah's storage under that name, so nothing is pulled from a registry. buildah keeps everything in
``<cache>/buildah`` (storage, runc state, temporary files, configs) and runs in a private mount namespace with
a tmpfs on ``/var/lib``, where its blob cache would otherwise land: the host's ``/var/lib/containers`` is never
touched. ``RUN`` steps have no network; on a base with apt they see, as apt's only source, a local repository of the
Debian packages the course's Dockerfiles install (``OFFLINE_PACKAGES``, downloaded once into the cache), so
``apt-get update && apt-get install`` works as on any Debian image. The result is exported as an OCI archive and
imported into the real node's containerd (namespace ``k8s.io``) under the tag, so a pod with
``imagePullPolicy: Never`` runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from ..base import Progress, quiet
from ..errors import UsageError
from ..files import read_bounded, write_atomic
from ..i18n import _
from . import images
from .components import cache_root
from .containerd import ctr
from .registry import qualified

DOCKERFILES = ("Dockerfile", "Containerfile")
_DOMAIN = r"(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
TAG = re.compile(rf"{_DOMAIN}{_COMPONENT}(?:/{_COMPONENT})*:[\w][\w.-]{{0,127}}")
FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE | re.MULTILINE)
POLICY = {"default": [{"type": "insecureAcceptAnything"}]}  # only local archives ever reach buildah
# What a Dockerfile's RUN may install with apt here (the course's install only these: tests/test_images.py), with
# everything they depend on beyond Debian's essential packages; where RUN steps see the repository.
OFFLINE_PACKAGES = ("openssh-server", "procps")
REPOSITORY = "/mnt"  # empty in every Debian image, so no mount point is left in the result
APT = re.compile(r"\bapt(-get)?\s")  # a Dockerfile that runs apt gets the repository


def home() -> Path:
    return cache_root() / "buildah"


def check_tag(tag: str) -> str:
    if not TAG.fullmatch(tag):
        raise UsageError(_("{tag} is not an image name with a tag; write it like kubelab.local/hello:1.0.", tag=tag))
    return tag


def dockerfile(context: Path) -> Path:
    for name in DOCKERFILES:
        if (context / name).is_file():
            return context / name
    raise UsageError(_("No Dockerfile in {folder}: the folder you build must hold a file named Dockerfile.",
                       folder=context))


def bases(text: str) -> list[str]:
    """The images the Dockerfile's stages start from (not ``scratch``, not an earlier stage)."""
    stages, found = set(), []
    for image, stage in FROM.findall(text):
        if image.lower() != "scratch" and image not in stages and image not in found:
            found.append(image)
        if stage:
            stages.add(stage)
    return found


def recipe_for(name: str) -> images.Recipe:
    """The course image a ``FROM`` names; bad input when it is none of them."""
    for recipe in images.RECIPES.values():
        if qualified(name) in {qualified(n) for n in recipe.all_names}:
            return recipe
    choices = ", ".join(n for r in images.RECIPES.values() if r.key != "pause" for n in r.names)
    raise UsageError(_("FROM {image}: not one of the course's images, and nothing is pulled from a registry. "
                       "Start from one of: {names}.", image=name, names=choices))


def missing() -> str:
    """Why the builder cannot run here, or ''."""
    if os.geteuid() != 0:
        return _("Building an image for the real node needs root, like the node itself; run it with sudo.")
    if home().resolve().is_relative_to("/var/lib"):
        return _("The image builder hides /var/lib while it runs, so its cache cannot be there ({folder}); set "
                 "KUBELAB_CACHE to another folder.", folder=home())
    if shutil.which("buildah") is None:
        return _("buildah is not installed; install it with `sudo apt-get install buildah` (or `make "
                 "system-packages`).")
    return ""


def _environment() -> dict[str, str]:
    """buildah's configs, all private: storage, no registries to search, no CNI config of the host's."""
    root = home()
    for sub in ("overlay-storage", "run", "tmp", "cni"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    files = {  # overlay, as the node's containerd: its mounts live and die in buildah()'s mount namespace
        "storage.conf": f'[storage]\ndriver = "overlay"\nrunroot = "{root / "run"}"\n'
                        f'graphroot = "{root / "overlay-storage"}"\n',
        "registries.conf": "unqualified-search-registries = []\n",
        "containers.conf": f'[engine]\nimage_copy_tmp_dir = "{root / "tmp"}"\n'
                           f'[network]\nnetwork_config_dir = "{root / "cni"}"\n',
        "policy.json": json.dumps(POLICY),
    }
    for name, content in files.items():
        if not (root / name).is_file() or (root / name).read_text() != content:
            write_atomic(root / name, content)
    return {**os.environ, "CONTAINERS_STORAGE_CONF": str(root / "storage.conf"),
            "CONTAINERS_REGISTRIES_CONF": str(root / "registries.conf"),
            "CONTAINERS_CONF": str(root / "containers.conf"), "TMPDIR": str(root / "tmp")}


def buildah(*args: str, log: Path | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run buildah with our private configuration, in a mount namespace whose /var/lib is a tmpfs."""
    argv = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            'mount -t tmpfs -o size=64m,mode=0755 kubelab-buildah /var/lib && exec "$@"', "sh",
            "buildah", f"--short-name-alias-conf={home() / 'aliases.conf'}", *args]
    if log is None:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=_environment())
    with open(log, "a") as out:
        out.write("$ buildah " + " ".join(args) + "\n")
        out.flush()
        return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                              env=_environment())


def _stored() -> dict[str, str]:
    """Every name in buildah's storage and its manifest digest."""
    done = buildah("images", "--json")
    rows = json.loads(done.stdout or "[]") if done.returncode == 0 else []
    return {name: row.get("digest", "") for row in rows or [] for name in row.get("names") or []}


def _policy() -> str:
    return f"--signature-policy={home() / 'policy.json'}"


def stored_name(name: str) -> str:
    """The name the course image ``name`` has in buildah's storage: its own, but for a name pinned by digest,
    which buildah gives only to the very image it hashes (ours is not upstream's): that goes by its recipe's tag."""
    return recipe_for(name).names[0] if "@" in name else name


def provide_base(name: str, log: Path, progress: Progress = quiet) -> None:
    """Put the course image ``name`` into buildah's storage under its ``stored_name`` (built first if it never
    was)."""
    recipe = recipe_for(name)
    entry = images.build(recipe, progress)
    name = stored_name(name)
    if _stored().get(qualified(name)) == entry["digest"]:
        return
    done = buildah("pull", "--quiet", _policy(), f"oci-archive:{entry['archive']}", log=log)
    if done.returncode == 0 and qualified(name) != qualified(recipe.names[0]):  # the archive's own name
        done = buildah("tag", qualified(recipe.names[0]), qualified(name), log=log)
    if done.returncode != 0:
        raise images.ImageBuildFailed(_("Preparing the base image {name} failed; see {log}", name=name, log=log))


def package_repository(log: Path, progress: Progress = quiet) -> Path:
    """The local apt repository of OFFLINE_PACKAGES (a flat one: the .deb files and their Packages index),
    downloaded from Debian the first time and cached by what it holds."""
    identity = hashlib.sha256(json.dumps([images.SUITE, OFFLINE_PACKAGES]).encode()).hexdigest()[:16]
    repository = cache_root() / "packages" / identity
    if (repository / "Packages").is_file():
        return repository
    repository.parent.mkdir(parents=True, exist_ok=True)
    progress(_("Downloading the Debian packages a Dockerfile may install here: {packages}",
               packages=", ".join(OFFLINE_PACKAGES)))
    with tempfile.TemporaryDirectory(dir=repository.parent, prefix=".download-") as tmp:
        debs = Path(tmp) / identity
        debs.mkdir()
        argv = ["mmdebstrap", "--variant=essential", f"--include={','.join(('apt', *OFFLINE_PACKAGES))}",
                "--skip=download/empty", f"--customize-hook=sync-out /var/cache/apt/archives {debs}",
                images.SUITE, "/dev/null"]
        with open(log, "a") as out:
            out.write("$ " + " ".join(argv) + "\n")
            out.flush()
            done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
        if done.returncode != 0:
            raise images.ImageBuildFailed(_("Downloading the Debian packages failed; see {log}", log=log))
        write_atomic(debs / "Packages", "".join(_index_entry(deb) for deb in sorted(debs.glob("*.deb"))))
        debs.replace(repository)
    return repository


def _index_entry(deb: Path) -> str:
    """The Packages stanza of ``deb``: its control fields, where it is, its size and hash."""
    control = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    digest = hashlib.sha256(deb.read_bytes()).hexdigest()
    return f"{control.rstrip()}\nFilename: ./{deb.name}\nSize: {deb.stat().st_size}\nSHA256: {digest}\n\n"


def _offline_apt(repository: Path) -> list[str]:
    """buildah's volumes that make ``repository`` apt's only source in RUN steps (the image keeps its own)."""
    sources = home() / "sources.list"
    content = f"deb [trusted=yes] file:{REPOSITORY} ./\n"
    if not sources.is_file() or sources.read_text() != content:
        write_atomic(sources, content)
    (home() / "sources.list.d").mkdir(exist_ok=True)
    return [f"--volume={repository}:{REPOSITORY}:ro", f"--volume={sources}:/etc/apt/sources.list:ro",
            f"--volume={home() / 'sources.list.d'}:/etc/apt/sources.list.d:ro"]


def _tail(log: Path, lines: int = 6) -> str:
    return "\n".join(read_bounded(log).splitlines()[-lines:])


def build(context: Path, tag: str, node_dir: Path, progress: Progress = quiet) -> str:
    """Build ``context``'s Dockerfile as ``tag`` and import it into the node; return the image's digest."""
    check_tag(tag)
    recipe = dockerfile(context)
    log = cache_root() / "logs" / f"build-{re.sub(r'[^A-Za-z0-9_.-]+', '-', tag)}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    text = read_bounded(recipe)
    starts_from = bases(text)
    for base in starts_from:
        provide_base(base, log, progress)
    uses_apt = APT.search(text) and any("apt" in recipe_for(base).packages for base in starts_from)
    volumes = _offline_apt(package_repository(log, progress)) if uses_apt else []
    progress(_("Building {tag} from {dockerfile}; log: {log}", tag=tag, dockerfile=recipe, log=log))
    with tempfile.TemporaryDirectory(dir=home() / "tmp", prefix="dockerfile-") as tmp:
        pinned = {base: stored_name(base) for base in starts_from if stored_name(base) != base}
        read = Path(tmp) / "Dockerfile" if pinned else recipe
        if pinned:  # buildah reads a copy that names each base pinned by digest as it is stored
            for base, name in pinned.items():
                text = text.replace(base, name)
            write_atomic(read, text)
        done = buildah("build", _policy(), "--pull=never", "--isolation=oci", "--network=none", *volumes,
                       f"--runtime-flag=root={home() / 'run' / 'runc'}", "--file", str(read), "--tag",
                       qualified(tag), str(context), log=log)
    if done.returncode != 0:
        raise images.ImageBuildFailed(_("Building {tag} failed; the end of {log}:\n{tail}", tag=tag, log=log,
                                        tail=_tail(log)))
    try:
        return _import(tag, node_dir, log)
    finally:
        buildah("rmi", qualified(tag), log=log)  # the node keeps the image; buildah keeps only the bases


def _import(tag: str, node_dir: Path, log: Path) -> str:
    """Export the built image as an OCI archive named ``tag`` and import it into the node's containerd."""
    with tempfile.TemporaryDirectory(dir=home() / "tmp", prefix="export-") as tmp:
        layout = Path(tmp) / "layout"
        done = buildah("push", _policy(), qualified(tag), f"oci:{layout}", log=log)
        if done.returncode != 0:
            raise images.ImageBuildFailed(_("Exporting {tag} failed; see {log}", tag=tag, log=log))
        index = json.loads((layout / "index.json").read_text())
        manifest = index["manifests"][0]
        manifest["annotations"] = {"io.containerd.image.name": qualified(tag),
                                   "org.opencontainers.image.ref.name": tag}
        index["manifests"] = [manifest]
        write_atomic(layout / "index.json", json.dumps(index))
        archive = Path(tmp) / "image.tar"
        with tarfile.open(archive, "w") as tar:
            for item in sorted(layout.iterdir()):
                tar.add(item, arcname=item.name)
        imported = ctr(node_dir, "images", "import", str(archive))
        if imported.returncode != 0:
            raise images.ImageBuildFailed(_("Importing image {name} into the node failed: {error}",
                                            name=tag, error=imported.stderr.strip()))
        return manifest["digest"]
