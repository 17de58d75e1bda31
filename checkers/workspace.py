"""The learner's working copy of the notebooks, apart from the package's (running a notebook never touches
the package, nor a git checkout).

``copy_notebooks`` copies every ``<lang>/<lab>.ipynb`` of the package into the working folder and
never loses the learner's work: a notebook the learner has not changed since it was copied is
replaced by the package's new version, one they changed (or ran and saved) is kept, and nothing is
ever deleted. What was copied is remembered in ``.kubelab-notebooks.json`` in the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from platformdirs import user_data_path

from clusters.errors import UsageError
from clusters.files import read_bounded, write_atomic, writable_folder
from clusters.i18n import _

MANIFEST = ".kubelab-notebooks.json"


def default_workspace() -> Path:
    """The folder JupyterLab opens, whose ``notebooks/`` holds the learner's copies: ``$KUBELAB_WORKSPACE``, else
    ``workspace/`` in kubelab's folder of the user's data (``~/.local/share/kubelab/workspace`` on Linux)."""
    return Path(os.environ.get("KUBELAB_WORKSPACE") or user_data_path("kubelab") / "workspace")


def copy_notebooks(source: Path, target: Path) -> dict[str, list[str]]:
    """Bring ``target`` up to date with the notebooks in ``source`` without overwriting a changed one.
    Returns the notebooks (``<lang>/<lab>.ipynb``) "added", "updated" and "kept" (changed by the learner)."""
    notebooks = sorted(source.glob("*/*.ipynb"))
    if not notebooks:
        raise UsageError(_("There are no notebooks in {folder}: run `kubelab build`.", folder=source))
    writable_folder(target)
    copied = _read_manifest(target)
    report = {"added": [], "updated": [], "kept": []}
    for notebook in notebooks:
        name = notebook.relative_to(source).as_posix()
        new, mine = notebook.read_bytes(), target / name
        current = _digest(mine.read_bytes()) if mine.is_file() else None
        if current == _digest(new):
            copied[name] = current
            continue
        if mine.exists() and (current is None or copied.get(name) != current):
            report["kept"].append(name)
            continue
        writable_folder(mine.parent)
        write_atomic(mine, new)
        copied[name] = _digest(new)
        report["added" if current is None else "updated"].append(name)
    write_atomic(target / MANIFEST, json.dumps(copied, indent=1, sort_keys=True) + "\n")
    return report


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    """What was copied before: name → digest; a missing or unreadable manifest is an empty one (then every
    notebook already there that differs from the package's counts as the learner's, and is kept)."""
    try:
        data = json.loads(read_bounded(target / MANIFEST))
    except (UsageError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: digest for name, digest in data.items() if isinstance(digest, str)}
