"""Every distribution the code imports is declared in pyproject.toml, with a lower and an upper bound."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN = {"checkers", "clusters", "tests", "site_text"}
#: The notebook runtime runs in a Jupyter kernel: its imports come with the `lab` extra.
LAB_ONLY = {"checkers/notebook_api.py", "checkers/widget.py"}


def _declared(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        found[re.sub(r"[-_.]+", "-", name).lower()] = requirement
    return found


def _imports(folders: list[str], skip: set[str] = frozenset()) -> dict[str, str]:
    """Top-level module → a file importing it, for every non-standard, non-kubelab import under ``folders``."""
    found = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in skip:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and not node.level and node.module else [])
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OWN:
                        found.setdefault(top, relative)
    return found


def _undeclared(imports: dict[str, str], declared: dict[str, str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for module, where in imports.items():
        names = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        if not names & declared.keys():
            missing.append(f"{module} (imported by {where})")
    return missing


def test_every_import_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    runtime = _declared(project["dependencies"])
    assert _undeclared(_imports(["checkers", "clusters"], LAB_ONLY), runtime) == []
    assert _undeclared(_imports(["checkers"]), {**runtime, **_declared(extras["lab"])}) == []
    assert _undeclared(_imports(["tests"]), {**runtime, **_declared(extras["test"] + extras["docs"])}) == []


def test_every_dependency_has_a_lower_and_an_upper_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    unbounded = [r for r in requirements if ">=" not in r or "<" not in r.replace("<=", "")]
    assert unbounded == []
