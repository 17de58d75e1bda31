"""Render a lab's lesson into one notebook per language, deterministically.

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

from clusters.i18n import LANGUAGES

from .l10n import lesson_cells, read_po
from .lab import Lab, labs_root

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def notebooks_root() -> Path:
    return labs_root().parent / "notebooks"


def notebook_path(lab: Lab, lang: str) -> Path:
    return notebooks_root() / lang / f"{lab.id}.ipynb"


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


def all_notebooks(labs: list[Lab]) -> dict[Path, str]:
    """Every notebook of every lab in every language: path → content."""
    return {notebook_path(lab, lang): render(lab, lang) for lab in labs for lang in LANGUAGES}
