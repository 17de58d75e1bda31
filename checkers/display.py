"""The one reading of a result document (``kubelab.result/v1``) for display: a row per check.

The CLI (rich text), the notebook (widget, HTML and plain text) and the per-student feedback (Markdown) each
format these rows in their own markup and escaping; what a row shows is decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass

SYMBOLS = {"pass": "✓", "fail": "✗", "error": "⚠", "skip": "⏭"}


@dataclass(frozen=True)
class Row:
    """One check as shown: a pass shows its title only; a fail also its expected/found and hints."""

    status: str
    id: str
    title: str
    points: int
    message: str | None  # None for a pass, and for an error already said by an earlier row
    expected: str | None  # a fail's, when it says what it expected
    found: str | None
    hints: tuple[str, ...]  # a fail's, general → specific

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]


def rows(document: dict, errors_once: bool = False) -> list[Row]:
    """The checks of ``document`` as rows; ``errors_once`` says an error shared by several checks (no namespace,
    no cluster) only at the first of them."""
    said: set[str] = set()
    shown = []
    for item in document["checks"]:
        status, message = item["status"], item["message"]
        if status == "pass" or (errors_once and message in said):
            message = None
        elif status == "error" and errors_once:
            said.add(message)
        failed = status == "fail"
        expected = item["expected"] if failed else None
        shown.append(Row(status, item["id"], item["title"], item.get("points", 0), message, expected,
                         None if expected is None else str(item["found"]),
                         tuple(item["hints"]) if failed else ()))
    return shown
