"""Translation catalogs: extract every translatable string and keep the PO files in step with it.

A lab's catalog (``labs/<lab>/locales/<lang>.po``) holds its lesson's prose
(one entry per markdown cell, the cell's key as context), its title, and the
``N_`` messages of its checks. The core catalog (``clusters/locales``) holds
the strings of the engine, the backends and the CLI. When an English text
changes, its translation is kept, marked fuzzy, with the previous English
beside it, until a translator confirms it. Python's own parser finds the marked strings; polib edits the catalogs.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path

import jupytext
import polib

from clusters.i18n import CATALOG_DIR, LANGUAGES, _

from .lab import Lab, LabError

TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
MARKERS = ("_", "N_")
CORE_SOURCES = ("clusters", "checkers")


@dataclass(frozen=True)
class Message:
    """One string to translate: its context (a lesson cell's key, or None), English text and origin."""

    context: str | None
    text: str
    origin: str


def python_messages(files: list[Path], root: Path) -> list[Message]:
    """Every ``_("…")`` and ``N_("…")`` literal in ``files`` (f-strings included), in source order."""
    found = []
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        calls = sorted((node for node in ast.walk(tree) if _is_marked(node)), key=lambda n: (n.lineno, n.col_offset))
        found += [Message(None, call.args[0].value, str(file.relative_to(root))) for call in calls]
    return _unique(found)


def _is_marked(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS
            and bool(node.args) and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and bool(node.args[0].value))


def lesson_cells(lab: Lab) -> list:
    """The lesson's cells; each must carry a unique ``key``."""
    source = lab.path / "lesson.py"
    if not source.is_file():
        raise LabError(_("{file}: missing; every lab has a lesson.", file=source))
    cells = jupytext.read(source).cells
    keys = [cell.metadata.get("key") for cell in cells]
    for index, key in enumerate(keys):
        if not key or keys.count(key) > 1:
            raise LabError(_("{file}: cell {number} needs a unique key=\"…\"; found {key!r}.", file=source,
                             number=index + 1, key=key))
    return cells


def lab_messages(lab: Lab) -> list[Message]:
    prose = [Message(c.metadata["key"], c.source, "lesson.py") for c in lesson_cells(lab) if c.cell_type == "markdown"]
    title = [Message(None, lab.title, "lab.yaml")]
    return prose + title + python_messages([lab.path / "checks.py"], lab.path)


def core_messages(root: Path) -> list[Message]:
    files = sorted(f for package in CORE_SOURCES for f in (root / package).rglob("*.py"))
    return python_messages(files, root)


def _unique(messages: list[Message]) -> list[Message]:
    seen, unique = set(), []
    for message in messages:
        if (message.context, message.text) not in seen:
            seen.add((message.context, message.text))
            unique.append(message)
    return unique


def updated_catalog(path: Path, messages: list[Message], lang: str) -> polib.POFile:
    """The catalog at ``path`` brought in step with ``messages`` (nothing is written)."""
    old = read_po(path) if path.is_file() else polib.POFile()
    new = polib.POFile(wrapwidth=100)
    new.metadata = {"Project-Id-Version": "kubelab", "Language": lang, "MIME-Version": "1.0",
                    "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    live = [e for e in old if not e.obsolete]
    exact = {(e.msgctxt, e.msgid): e for e in live}
    by_context = {e.msgctxt: e for e in live if e.msgctxt}
    loose = {e.msgid: e for e in live if not e.msgctxt}
    for message in messages:
        entry = polib.POEntry(msgctxt=message.context, msgid=message.text, occurrences=[(message.origin, "")])
        previous = exact.get((message.context, message.text))
        if previous is not None:
            entry.msgstr, entry.flags, entry.previous_msgid = previous.msgstr, list(previous.flags), previous.previous_msgid
        else:
            previous = by_context.get(message.context) if message.context else _closest(message.text, loose)
            if previous is not None and previous.msgstr:
                entry.msgstr, entry.previous_msgid, entry.flags = previous.msgstr, previous.msgid, ["fuzzy"]
        new.append(entry)
    return new


def _closest(text: str, candidates: dict[str, polib.POEntry]) -> polib.POEntry | None:
    match = difflib.get_close_matches(text, list(candidates), n=1, cutoff=0.8)
    return candidates[match[0]] if match else None


def read_po(path: Path) -> polib.POFile:
    """A PO file, or LabError naming it when it is malformed."""
    try:
        return polib.pofile(str(path))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise LabError(_("{file}: not a valid PO file ({error}).", file=path, error=exc)) from exc


def catalog_text(catalog: polib.POFile) -> str:
    return str(catalog).rstrip("\n") + "\n"


def lab_catalogs(lab: Lab) -> dict[Path, str]:
    """Every PO file of ``lab`` as it should be: path → content."""
    messages = lab_messages(lab)
    return {lab.locales / f"{lang}.po": catalog_text(updated_catalog(lab.locales / f"{lang}.po", messages, lang))
            for lang in TRANSLATED}


def core_catalogs(root: Path) -> dict[Path, str]:
    messages = core_messages(root)
    return {CATALOG_DIR / f"{lang}.po": catalog_text(updated_catalog(CATALOG_DIR / f"{lang}.po", messages, lang))
            for lang in TRANSLATED}


@dataclass(frozen=True)
class Status:
    """How complete one catalog is."""

    total: int
    translated: int
    fuzzy: int

    @property
    def untranslated(self) -> int:
        return self.total - self.translated - self.fuzzy

    def as_dict(self) -> dict:
        return {"total": self.total, "translated": self.translated, "fuzzy": self.fuzzy,
                "untranslated": self.untranslated}


def catalog_status(path: Path) -> Status:
    """Counts of a PO file's entries; a missing file counts as empty."""
    if not path.is_file():
        return Status(0, 0, 0)
    entries = [e for e in read_po(path) if not e.obsolete]
    fuzzy = sum(1 for e in entries if e.fuzzy and e.msgstr)
    translated = sum(1 for e in entries if e.msgstr and not e.fuzzy)
    return Status(len(entries), translated, fuzzy)
