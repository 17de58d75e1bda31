"""The class report: one self-contained HTML file (inline CSS and SVG charts, no script, no network)."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from pathlib import Path
from statistics import mean, median

from clusters.files import write_atomic
from clusters.i18n import _, current_language

from ..lab import Lab
from .exports import PRIVATE, cell
from .grade import errors_of
from .roster import Student

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2rem;color:#1f2933;
background:#fafbfc}h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:2px solid #e4e7eb;padding-bottom:.3rem}
.muted{color:#616e7c}.tiles{display:flex;gap:1rem;flex-wrap:wrap}.tile{background:#fff;border:1px solid #e4e7eb;
border-radius:8px;padding:.8rem 1.2rem;min-width:9rem}.tile b{display:block;font-size:1.6rem}
table{border-collapse:collapse;background:#fff;font-size:.9rem}td,th{border:1px solid #e4e7eb;padding:.3rem .6rem;
text-align:left}th{background:#f0f4f8}.num{text-align:right}.err{color:#8d2b0b}svg text{font-size:12px;
fill:#1f2933}.bar{fill:#3e7cb1}.low{fill:#d64545}.mid{fill:#f0b429}.high{fill:#3f9142}
"""


def write_report(path: Path, students: list[Student], labs: list[Lab], records: dict) -> Path:
    write_atomic(path, report_html(students, labs, records), PRIVATE)
    return path


def report_html(students: list[Student], labs: list[Lab], records: dict) -> str:
    percents = [p for p in (_percent(s, labs, records) for s in students) if p is not None]
    rates = _pass_rates(labs, records)
    errors = [(sid, lab_id, e) for (sid, lab_id), r in sorted(records.items()) for e in errors_of(r)]
    hardest = sorted((r for r in rates if r[3]), key=lambda r: (r[2] / r[3], r[0], r[1]))[:5]
    parts = [
        f"<!DOCTYPE html><html lang=\"{current_language()}\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(_('kubelab class report'))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(_('kubelab class report'))}</h1>",
        f"<p class=\"muted\">{escape(_('{students} students, labs {labs}. Generated {when}.', students=len(students), labs=', '.join(lab.id for lab in labs), when=datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')))}</p>",
        "<div class=\"tiles\">",
        _tile(_("Students graded"), f"{len(percents)}/{len(students)}"),
        _tile(_("Mean score"), f"{mean(percents):.0f}%" if percents else "–"),
        _tile(_("Median score"), f"{median(percents):.0f}%" if percents else "–"),
        _tile(_("Checks not decided"), str(len(errors))),
        "</div>",
        f"<h2>{escape(_('Score distribution'))}</h2>", _histogram(percents),
        f"<h2>{escape(_('Pass rate per check'))}</h2>", _rate_bars(rates),
        f"<h2>{escape(_('Hardest checks'))}</h2>", _hardest_table(hardest),
        f"<h2>{escape(_('Could not be decided'))}</h2>", _errors_table(errors),
        f"<h2>{escape(_('Class'))}</h2>", _class_table(students, labs, records),
        "</body></html>",
    ]
    return "\n".join(parts)


def _percent(student: Student, labs: list[Lab], records: dict) -> float | None:
    cells = [cell(records.get((student.id, lab.id))) for lab in labs]
    maximum = sum(c.max for c in cells)
    return 100 * sum(c.score for c in cells) / maximum if maximum else None


def _pass_rates(labs: list[Lab], records: dict) -> list[tuple[str, str, int, int]]:
    """(lab id, check id, passed, decided) for every check of every lab."""
    rates = []
    for lab in labs:
        for check in lab.checks:
            statuses = [c["status"] for (_, lab_id), r in records.items() if lab_id == lab.id
                        for c in r["document"]["checks"] if c["id"] == check.id]
            rates.append((lab.id, check.id, statuses.count("pass"), statuses.count("pass") + statuses.count("fail")))
    return rates


def _tile(label: str, value: str) -> str:
    return f"<div class=\"tile\"><span class=\"muted\">{escape(label)}</span><b>{escape(value)}</b></div>"


def _histogram(percents: list[float]) -> str:
    bins = [0] * 10
    for p in percents:
        bins[min(int(p // 10), 9)] += 1
    width, height, top = 640, 220, max(bins + [1])
    bar = (width - 60) / 10
    shapes = []
    for i, count in enumerate(bins):
        h = (height - 50) * count / top
        x, y = 40 + i * bar, height - 30 - h
        shapes.append(f"<rect class=\"bar\" x=\"{x + 2:.1f}\" y=\"{y:.1f}\" width=\"{bar - 4:.1f}\" height=\"{h:.1f}\">"
                      f"<title>{i * 10}–{i * 10 + 10}%: {count}</title></rect>")
        shapes.append(f"<text x=\"{x + bar / 2:.1f}\" y=\"{y - 4:.1f}\" text-anchor=\"middle\">{count or ''}</text>")
        shapes.append(f"<text x=\"{x + bar / 2:.1f}\" y=\"{height - 12}\" text-anchor=\"middle\">{i * 10}%</text>")
    axis = f"<line x1=\"38\" y1=\"{height - 30}\" x2=\"{width - 18}\" y2=\"{height - 30}\" stroke=\"#9aa5b1\"/>"
    label = escape(_("Students per score band"))
    return (f"<svg role=\"img\" aria-label=\"{label}\" width=\"{width}\" height=\"{height}\" "
            f"xmlns=\"http://www.w3.org/2000/svg\">{axis}{''.join(shapes)}</svg>")


def _rate_bars(rates: list[tuple[str, str, int, int]]) -> str:
    row, width, left = 22, 760, 330
    height = row * len(rates) + 10
    shapes = []
    for i, (lab_id, check_id, passed, decided) in enumerate(rates):
        y = 5 + i * row
        share = passed / decided if decided else 0
        colour = "high" if share >= 0.75 else ("mid" if share >= 0.4 else "low")
        text = f"{100 * share:.0f}% ({passed}/{decided})" if decided else escape(_("not decided"))
        shapes.append(f"<text x=\"{left - 8}\" y=\"{y + 14}\" text-anchor=\"end\">{escape(lab_id)} · "
                      f"{escape(check_id)}</text>")
        shapes.append(f"<rect x=\"{left}\" y=\"{y + 2}\" width=\"{(width - left - 120)}\" height=\"16\" "
                      f"fill=\"#e4e7eb\"/><rect class=\"{colour}\" x=\"{left}\" y=\"{y + 2}\" "
                      f"width=\"{(width - left - 120) * share:.1f}\" height=\"16\"/>")
        shapes.append(f"<text x=\"{width - 112}\" y=\"{y + 14}\">{text}</text>")
    label = escape(_("Share of students passing each check"))
    return (f"<svg role=\"img\" aria-label=\"{label}\" width=\"{width}\" height=\"{height}\" "
            f"xmlns=\"http://www.w3.org/2000/svg\">{''.join(shapes)}</svg>")


def _hardest_table(hardest) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in (_("Lab"), _("Check"), _("Passed"), _("Pass rate")))
    rows = "".join(f"<tr><td>{escape(lab)}</td><td>{escape(check)}</td><td class=\"num\">{p}/{d}</td>"
                   f"<td class=\"num\">{100 * p / d:.0f}%</td></tr>" for lab, check, p, d in hardest)
    return f"<table><tr>{head}</tr>{rows}</table>" if rows else f"<p>{escape(_('Nothing graded yet.'))}</p>"


def _errors_table(errors) -> str:
    if not errors:
        return f"<p>{escape(_('Every check was decided.'))}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in (_("Student"), _("Lab"), _("Check"), _("Why"), _("Message")))
    rows = "".join(f"<tr class=\"err\"><td>{escape(s)}</td><td>{escape(lab)}</td><td>{escape(e['check'])}</td>"
                   f"<td>{escape(e['kind'])}</td><td>{escape(e['message'])}</td></tr>" for s, lab, e in errors)
    return f"<table><tr>{head}</tr>{rows}</table>"


def _class_table(students: list[Student], labs: list[Lab], records: dict) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in [_("Student"), _("Name"), *(lab.id for lab in labs), _("Total")])
    rows = []
    for s in students:
        cells = [cell(records.get((s.id, lab.id))) for lab in labs]
        shown = [("–" if not c.graded else f"{c.score}/{c.max}" + (
            " " + _("obstructed") if c.obstructed else (" ⚠" if c.errors else ""))) for c in cells]
        percent = _percent(s, labs, records)
        total = f"{percent:.0f}%" if percent is not None else "–"
        rows.append(f"<tr><td>{escape(s.id)}</td><td>{escape(s.name)}</td>"
                    + "".join(f"<td class=\"num\" title=\"{escape(c.taken)}\">{escape(v)}</td>"
                              for c, v in zip(cells, shown))
                    + f"<td class=\"num\">{total}</td></tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"
