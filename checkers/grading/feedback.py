"""One feedback file per student, in the student's language: each lab's score, what failed and a first hint."""

from __future__ import annotations

from pathlib import Path

from clusters.i18n import N_, translate

from ..lab import Lab
from .roster import Student

MARKS = {"pass": "✅", "fail": "❌", "error": "⚠️", "skip": "⏭️"}


def write_feedback(folder: Path, students: list[Student], labs: list[Lab], records: dict,
                   default_lang: str) -> list[Path]:
    """``folder/<student id>.md`` for every student; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for student in students:
        path = folder / f"{student.id}.md"
        path.write_text(feedback_text(student, labs, records, student.lang or default_lang), encoding="utf-8")
        written.append(path)
    return written


def feedback_text(student: Student, labs: list[Lab], records: dict, lang: str) -> str:
    """Markdown feedback for ``student`` in ``lang`` (messages come rendered in it from the journal)."""
    def t(message: str, lab: Lab | None = None, **params) -> str:
        return translate(message, lang, lab.locales if lab else None, params)

    lines = [f"# {t(N_('Feedback for {name}'), name=student.name)}", ""]
    for lab in labs:
        record = records.get((student.id, lab.id))
        lines.append(f"## {t(lab.title, lab)} ({lab.id})")
        if record is None:
            lines += [t(N_("Not graded yet.")), ""]
            continue
        doc = record["document"]
        lines.append(t(N_("Score: {score}/{max}"), score=doc["score"], max=doc["max"]))
        if doc["counts"]["error"]:
            lines.append(t(N_("{count} check(s) could not be decided; they cost you nothing and will be graded "
                              "again."), count=doc["counts"]["error"]))
        lines.append("")
        for item in doc["checks"]:
            lines.append(f"- {MARKS[item['status']]} **{item['title']}** ({item['points']})")
            if item["status"] != "pass":
                lines.append(f"  {item['message']}")
            if item["status"] == "fail":
                if item["expected"] is not None:
                    lines.append("  " + t(N_("Expected: {expected}; found: {found}."),
                                          expected=t(item["expected"], lab), found=t(str(item["found"]), lab)))
                if item["hints"]:
                    lines.append("  " + t(N_("Hint: {hint}"), hint=item["hints"][0]))
        lines.append("")
    return "\n".join(lines)
