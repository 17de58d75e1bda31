"""What one check concludes: pass, fail, error or skip, with a translatable message.

``error`` means the checker could not decide (API down, forbidden, timeout):
it is never the learner's fault and never costs points. ``skip`` means the
cluster lacks a capability the check needs. Messages are English msgids with
named parameters, translated only when shown, so one result can be shown in
any language. Mark msgids with ``N_`` so they are extracted for translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from clusters.i18n import N_  # noqa: F401  (re-exported for checks)

Status = Literal["pass", "fail", "error", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "skip")


@dataclass(frozen=True)
class Outcome:
    """One check's verdict. ``message`` and each hint are msgids filled from ``params``."""

    status: Status
    message: str
    params: dict = field(default_factory=dict)
    expected: str | None = None
    found: str | None = None
    hints: tuple[str, ...] = ()
    evidence: dict = field(default_factory=dict)  # what the check looked at (for regrade disputes)
    settling: bool = False  # a fail that may still turn into a pass: the engine reads again


def passed(message: str, /, evidence: dict | None = None, **params) -> Outcome:
    return Outcome("pass", message, params, evidence=evidence or {})


def failed(message: str, /, *, expected=None, found=None, hints: tuple[str, ...] | list[str] = (),
           evidence: dict | None = None, **params) -> Outcome:
    """A learner's mistake: what was expected, what was found, and up to three hints (general → specific)."""
    if len(hints) > 3:
        raise ValueError("at most three hints")
    return Outcome("fail", message, params, _text(expected), _text(found), tuple(hints), evidence or {})


def not_yet(message: str, /, *, expected=None, found=None, hints=(), evidence=None, **params) -> Outcome:
    """Like ``failed``, but the state is still changing (a rollout in progress): read again until the timeout."""
    outcome = failed(message, expected=expected, found=found, hints=hints, evidence=evidence, **params)
    return Outcome(**{**outcome.__dict__, "settling": True})


def error(message: str, /, **params) -> Outcome:
    """The environment, not the learner: could not decide."""
    return Outcome("error", message, params)


def skipped(message: str, /, **params) -> Outcome:
    return Outcome("skip", message, params)


def _text(value) -> str | None:
    return None if value is None else str(value)
