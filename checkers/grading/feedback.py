"""One feedback file per student, in the student's language: each lab's score, what failed and a first hint."""

from __future__ import annotations

import html
import re
from pathlib import Path

from clusters.files import write_atomic
from clusters.i18n import N_, translate

from ..display import rows
from ..lab import Lab
from .exports import PRIVATE
from .roster import Student

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")
CODE = re.compile(r"`([^`\n]+)`")

MARKS = {"pass": "✅", "fail": "❌", "error": "⚠️", "skip": "⏭️"}


def write_feedback(folder: Path, students: list[Student], labs: list[Lab], records: dict,
                   default_lang: str) -> list[Path]:
    """``folder/<student id>.md`` for every student; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for student in students:
        path = folder / f"{student.id}.md"
        write_atomic(path, feedback_text(student, labs, records, student.lang or default_lang), PRIVATE)
        written.append(path)
    return written


def feedback_text(student: Student, labs: list[Lab], records: dict, lang: str) -> str:
    """Markdown feedback for ``student`` in ``lang`` (messages come rendered in it from the journal)."""
    def t(message: str, lab: Lab | None = None, **params) -> str:
        """Translated, with every parameter escaped (names, images, messages are text, never markup)."""
        return translate(message, lang, lab.locales if lab else None, {k: text(v) for k, v in params.items()})

    lines = [f"# {t(N_('Feedback for {name}'), name=student.name)}", ""]
    for lab in labs:
        record = records.get((student.id, lab.id))
        lines.append(f"## {text(translate(lab.title, lang, lab.locales))} ({lab.id})")
        if record is None:
            lines += [t(N_("Not graded yet.")), ""]
            continue
        doc = record["document"]
        lines.append(t(N_("Score: {score}/{max}"), score=doc["score"], max=doc["max"]))
        if doc["counts"]["error"]:
            lines.append(t(N_("{count} check(s) could not be decided; they cost you nothing and will be graded "
                              "again."), count=doc["counts"]["error"]))
        lines.append("")
        for row in rows(doc):
            lines.append(f"- {MARKS[row.status]} **{text(row.title)}** ({row.points})")
            if row.message is not None:
                lines.append(f"  {own_text(row.message)}")
            if row.expected is not None:
                lines.append("  " + t(N_("Expected: {expected}; found: {found}."),
                                      expected=translate(row.expected, lang, lab.locales),
                                      found=translate(row.found, lang, lab.locales)))
            if row.hints:
                lines.append("  " + translate(N_("Hint: {hint}"), lang, params={"hint": own_text(row.hints[0])}))
        lines.append("")
    return "\n".join(lines)


def own_text(value: str) -> str:
    """A message of kubelab's as Markdown: its `backquoted` parts as code spans (literal in Markdown, whatever a
    learner's value inside them holds), the rest as ``text``."""
    flat = " ".join(value.splitlines())
    return "".join(f"`{part}`" if odd else text(part) for odd, part in _code_split(flat))


def _code_split(value: str):
    """(inside backquotes?, part) for the parts of ``value``; an unpaired backquote stays in the text."""
    end = 0
    for match in CODE.finditer(value):
        yield False, value[end:match.start()]
        yield True, match.group(1)
        end = match.end()
    yield False, value[end:]


def text(value) -> str:
    """``value`` as Markdown that renders as exactly that text, on one line: Markdown's punctuation
    backslash-escaped, ``& < >`` as entities (every renderer decodes them; none runs them)."""
    flat = " ".join(str(value).splitlines())
    return html.escape(MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=False)
