"""The engine's loader of lab scripts: ``solve.py``, ``reset.py`` and the modules beside them are files, not an
importable package, so each is loaded as a fresh module."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def load_module(path: Path, name: str = ""):
    """The Python file at ``path`` as a fresh module (named ``name``, or after the path)."""
    spec = importlib.util.spec_from_file_location(name or f"kubelab_{path.stem}_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sibling(script: str, name: str):
    """The module ``name`` beside ``script`` (a solve.py's ``__file__``): its shared setup steps."""
    return load_module(Path(script).parent / name)
