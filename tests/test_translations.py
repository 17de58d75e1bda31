"""Translations that cannot go wrong silently: every catalog complete, its placeholders and inline code
kept, and every outcome message of every check filled in every language.

The messages are gathered from the source (every ``passed``/``failed``/``not_yet``/``error``/``skipped``
call, its ``N_`` texts and the parameter names it passes), so a branch no fixture reaches is covered
too; ``tests/test_labs.py`` renders the real results of the solutions, faults and empty namespaces.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from checkers.l10n import read_po
from checkers.lab import all_labs
from checkers.outcome import RESERVED, failed, passed, placeholders
from clusters.i18n import CATALOG_DIR, LANGUAGES, translate

ROOT = Path(__file__).resolve().parent.parent
LABS = all_labs()
CATALOGS = sorted(CATALOG_DIR.glob("*.po")) + sorted(p for lab in LABS for p in lab.locales.glob("*.po"))
OUTCOMES = {"passed", "failed", "not_yet", "error", "skipped"}
INLINE_CODE = re.compile(r"`([^`]+)`")
FENCE = re.compile(r"```.*?```", re.S)


def _code_spans(text: str) -> set[str]:
    return {" ".join(span.split()) for span in INLINE_CODE.findall(FENCE.sub("", text))}


@pytest.mark.parametrize("path", CATALOGS, ids=[str(p.relative_to(ROOT)) for p in CATALOGS])
def test_catalog_is_complete_and_keeps_placeholders_and_code(path):
    problems = []
    for entry in read_po(path):
        if entry.obsolete:
            continue
        where = f"{entry.msgctxt or ''} {entry.msgid[:70]!r}"
        if not entry.msgstr:
            problems.append(f"empty: {where}")
        elif entry.fuzzy:
            problems.append(f"fuzzy (English changed; confirm the translation): {where}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append(f"placeholders {sorted(placeholders(entry.msgstr))} instead of "
                            f"{sorted(placeholders(entry.msgid))}: {where}")
        elif _code_spans(entry.msgid) - _code_spans(entry.msgstr):
            problems.append(f"code dropped {sorted(_code_spans(entry.msgid) - _code_spans(entry.msgstr))}: {where}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


# -- outcome messages, gathered from the source ------------------------------------------------------

def _marked(node: ast.AST) -> list[str]:
    """Every ``N_("…")`` literal inside ``node``."""
    return [n.args[0].value for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id == "N_" and n.args and isinstance(n.args[0], ast.Constant)]


def _assigned(name: str, scope: ast.AST) -> list[ast.AST]:
    """The values ``name`` is given in ``scope`` (``a, b = x, y`` pairs them up)."""
    values = []
    for node in ast.walk(scope):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                values.append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                values += [v for t, v in zip(target.elts, node.value.elts) if isinstance(t, ast.Name) and t.id == name]
    return values


def _texts(node: ast.AST, scope: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return [text for value in _assigned(node.id, scope) for text in _texts(value, scope)]
    return _marked(node)


def _params(call: ast.Call, scope: ast.AST) -> set[str] | None:
    """The parameter names ``call`` passes; None when a ``**mapping`` cannot be read."""
    names = set()
    for keyword in call.keywords:
        if keyword.arg is not None:
            names.add(keyword.arg)
            continue
        mappings = _assigned(keyword.value.id, scope) if isinstance(keyword.value, ast.Name) else []
        if not mappings:
            return None
        for mapping in mappings:
            if isinstance(mapping, ast.Call) and getattr(mapping.func, "id", "") == "dict":
                names |= {k.arg for k in mapping.keywords if k.arg}
            elif isinstance(mapping, ast.Dict) and all(isinstance(k, ast.Constant) for k in mapping.keys):
                names |= {k.value for k in mapping.keys}
            else:
                return None
    return names - RESERVED


@functools.cache
def outcome_calls(path: Path) -> list[tuple[int, list[str], set[str] | None]]:
    """(line, texts shown, parameter names) of every outcome ``path`` builds, read in its function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scope_of = {}
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
        scope_of.update({id(node): scope for node in ast.walk(scope)})  # inner functions come later: they win
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in OUTCOMES and node.args:
            scope = scope_of[id(node)]
            texts = _texts(node.args[0], scope)
            for keyword in node.keywords:
                texts += _texts(keyword.value, scope) if keyword.arg == "hints" else _marked(keyword.value)
            found.append((node.lineno, texts, _params(node, scope)))
    return found


SOURCES = [(lab.path / "checks.py", lab.locales) for lab in LABS] + [
    (path, None) for path in sorted((ROOT / "checkers").rglob("*.py")) if path.name != "outcome.py"]


def test_the_sources_are_read():
    calls = [call for path, _locales in SOURCES for call in outcome_calls(path)]
    assert len(calls) > 300 and sum(1 for _line, texts, _params in calls if texts) > 300
    unknown = [call for call in calls if call[2] is None]
    assert len(unknown) < 5, unknown  # a **mapping the scan cannot read: prefer plain keywords


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_outcome_message_is_filled_in_every_language(lang):
    problems = []
    for path, locales in SOURCES:
        for line, texts, params in outcome_calls(path):
            for text in texts:
                clash = placeholders(text) & RESERVED
                if clash:
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {{{min(clash)}}} is an outcome's own argument")
                shown = translate(text, lang, locales)
                if params is not None and placeholders(shown) - params:
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {shown!r} is never given "
                                    f"{sorted(placeholders(shown) - params)}")
    assert not problems, "\n".join(problems)


def test_a_placeholder_named_like_an_outcome_argument_is_refused():
    with pytest.raises(ValueError, match="found"):
        failed("A request goes to {found}.", found="web")
    with pytest.raises(ValueError, match="expected"):
        failed("Fine.", hints=("Set it to {expected}.",))
    with pytest.raises(ValueError, match="evidence"):
        passed("Seen {evidence}.")
    assert failed("Goes to {backend}.", backend="web", found="web").params == {"backend": "web"}
