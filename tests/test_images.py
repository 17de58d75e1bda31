"""labs/images.yaml is the one catalog of the images the labs use: every reference is in it, pinned."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


def test_the_catalog_lists_only_images_the_labs_use():
    used = set()
    for path in lab_files():
        used |= mentions(path.read_text()) | in_code(path.read_text())
    assert PINNED <= used, PINNED - used
