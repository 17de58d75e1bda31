"""Translation of every user-facing string, in five languages.

The bottom layer, so clusters, checkers and the CLI all translate through it.
The language is resolved as: an explicit ``set_language`` (``--lang``, a
notebook's folder), then ``KUBELAB_LANG``, then the locale, then English.
Catalogs are gettext PO files read with polib; a lab adds its own catalog.
"""

from __future__ import annotations

import locale
import os
import stat
import string
from functools import lru_cache
from pathlib import Path

import polib

LANGUAGES = ("en", "ro", "fr", "it", "es")
CATALOG_DIR = Path(__file__).parent / "locales"
MAX_CATALOG_BYTES = 4 * 1024 * 1024  # the largest catalog is ~70 KB

_chosen: str | None = None


def normalize(lang: str | None) -> str | None:
    """Map ``fr_FR.UTF-8`` or ``FR`` to ``fr``; None when not a shipped language."""
    if not lang:
        return None
    code = lang.split(".")[0].split("_")[0].split("-")[0].lower()
    return code if code in LANGUAGES else None


def set_language(lang: str | None) -> None:
    """Choose the language for this process (None goes back to auto-detection)."""
    global _chosen
    if lang is not None and normalize(lang) is None:
        raise ValueError(lang)
    _chosen = normalize(lang)


def current_language() -> str:
    """The language in force: explicit choice, KUBELAB_LANG, the locale, else English."""
    for candidate in (_chosen, os.environ.get("KUBELAB_LANG"), _locale_language()):
        code = normalize(candidate)
        if code:
            return code
    return "en"


def _locale_language() -> str | None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return os.environ[var]
    return locale.getlocale()[0]


@lru_cache(maxsize=None)
def load_catalog(path: Path) -> dict[str, str]:
    """msgid → msgstr for the translated, non-fuzzy entries of one PO file whose placeholders are safe.

    A broken or oversized catalog gives English (``kubelab build --check`` reports it); so does an entry whose
    placeholders are not the msgid's own (see ``safe_translation``).
    """
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CATALOG_BYTES:
                return {}
            raw = handle.read()
        # a leading newline: polib takes a string naming an existing file as that file's name
        entries = polib.pofile("\n" + raw.decode("utf-8"), encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError, IndexError, KeyError, RecursionError):
        return {}
    return {e.msgid: e.msgstr for e in entries if e.msgstr and not e.fuzzy and not e.obsolete and not e.msgctxt
            and isinstance(e.msgid, str) and safe_translation(e.msgid, e.msgstr)}


def _fields(text: str) -> set[tuple] | None:
    """The replacement fields of a format string as (name, conversion, spec); None when it is malformed."""
    try:
        return {(name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text)
                if name is not None}
    except ValueError:
        return None


def safe_translation(msgid: str, msgstr: str) -> bool:
    """Whether ``msgstr`` may stand for ``msgid``: each of its placeholders is a plain ``{name}`` of a field the
    msgid has, or a field exactly as the msgid writes it. Anything else (``{name.attr}``, ``{name[0]}``,
    ``{name:>999999999}``, ``{0}``, an unknown name) could crash or allocate without bound when filled."""
    theirs, ours = _fields(msgstr), _fields(msgid)
    if ours is None:  # never filled (English shows unfilled too): any translation without fields will do
        return theirs is None or not theirs
    if theirs is None:
        return False
    names = {name for name, _, _ in ours}
    return all(field in ours or (name in names and not conversion and not spec) for field in theirs
               for name, conversion, spec in [field])


def translate(message: str, lang: str | None = None, extra: Path | None = None, params: dict | None = None) -> str:
    """Translate ``message`` (a catalog key) and fill its named ``{params}``; never raises for a catalog's sake.

    ``extra`` names a lab's catalog folder, searched before the core catalog. The parameters
    come as one dict, so a placeholder may be called anything (``{lang}``, ``{message}``).
    """
    lang = lang or current_language()
    text = message
    if lang != "en":
        folders = ([extra] if extra else []) + [CATALOG_DIR]
        for folder in folders:
            found = load_catalog(folder / f"{lang}.po").get(message)
            if found:
                text = found
                break
    if not params:
        return text
    for candidate in (text, message):
        try:
            return candidate.format(**params)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):  # a missing or mistyped parameter
            continue
    return text


class Msgid(str):
    """A message marked with ``N_``: kept in English, translated when it is shown."""


def N_(message: str) -> Msgid:
    """Mark ``message`` for extraction; it is translated later, in the reader's language.

    Used as a parameter of another message, it is translated too when that one is shown.
    """
    return Msgid(message)


def _(message: str, /, **params) -> str:
    """Translate a core message in the current language and fill its ``{params}``."""
    return translate(message, params=params)
