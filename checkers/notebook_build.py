"""Render a lab's lesson into one notebook per language, deterministically.

Notebooks are build output, never committed: ``kubelab build`` writes them into the checkout's
git-ignored ``notebooks/``, the wheel's build hook (hatch_build.py) into the package's
``share/kubelab/notebooks``, and the learner works in a copy of them (checkers/workspace.py).

Code cells come from the one source, so they are identical in every
language by construction; markdown cells take the catalog's translation of
their key. A cell whose translation is missing falls back to English and is
listed as untranslated; one whose English changed since it was translated
keeps the old translation and is listed as outdated. Cell ids are the keys,
the same in every language; notebooks carry no outputs.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import nbformat
import polib

from clusters.files import write_atomic
from clusters.i18n import LANGUAGES

from .l10n import lab_catalogs, lesson_cells, read_po
from .lab import Lab, labs_root

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def notebooks_root() -> Path:
    """The package's notebooks: the checkout's ``notebooks/``, else the installed ``share/kubelab/notebooks``."""
    return labs_root().parent / "notebooks"


def notebook_path(lab: Lab, lang: str, root: Path | None = None) -> Path:
    return (root or notebooks_root()) / lang / f"{lab.id}.ipynb"


def render(lab: Lab, lang: str, catalog: polib.POFile | None = None) -> str:
    """The notebook of ``lab`` in ``lang`` as JSON text (``catalog`` defaults to the lab's PO file)."""
    if lang not in LANGUAGES:
        raise ValueError(lang)
    if catalog is None and lang != "en":
        path = lab.locales / f"{lang}.po"
        catalog = read_po(path) if path.is_file() else polib.POFile()
    translations = {e.msgctxt: e for e in catalog or [] if e.msgctxt and not e.obsolete}
    untranslated, outdated, cells = [], [], []
    for source_cell in lesson_cells(lab):
        cell = copy.deepcopy(source_cell)
        key = cell.metadata.pop("key")
        cell.id = key
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        elif lang != "en":
            entry = translations.get(key)
            if entry is None or not entry.msgstr:
                untranslated.append(key)
            else:
                if entry.fuzzy or entry.msgid != cell.source:
                    outdated.append(key)
                cell.source = entry.msgstr
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "kubelab": {"lab": lab.id, "language": lang, "untranslated": untranslated, "outdated": outdated,
                    "source_sha256": hashlib.sha256((lab.path / "lesson.py").read_bytes()).hexdigest()},
    })
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    return nbformat.writes(notebook) + "\n"


def all_notebooks(labs: list[Lab], root: Path | None = None) -> dict[Path, str]:
    """Every notebook of every lab in every language, translated by the catalogs as a build updates them
    (without writing them): path under ``root`` → content."""
    files = {}
    for lab in labs:
        catalogs = lab_catalogs(lab)
        for lang in LANGUAGES:
            catalog = polib.pofile(catalogs[lab.locales / f"{lang}.po"]) if lang != "en" else None
            files[notebook_path(lab, lang, root)] = render(lab, lang, catalog)
    return files


def write_notebooks(labs: list[Lab], root: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Make ``root`` hold exactly the notebooks of ``labs``: write those that changed, remove the notebooks of
    labs or languages that no longer exist (nothing else). Returns (written, removed)."""
    root = root or notebooks_root()
    files = all_notebooks(labs, root)
    written = [path for path, text in files.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    removed = [path for path in sorted(root.glob("*/*.ipynb")) if path not in files]
    for path in written:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, files[path])
    for path in removed:
        path.unlink()
    return written, removed
