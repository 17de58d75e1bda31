"""MkDocs hook of the kubelab site: every lab notebook rendered in every language, and the generated pages.

1. static-i18n 1.3.1 rebuilds every file as a plain ``File``, for which a notebook is an asset, so a
   lab page became the notebook's raw JSON, and ``--strict`` did not notice
   (ultrabug/mkdocs-static-i18n#198). ``File.is_documentation_page`` is patched so that a notebook
   stays a page; mkdocs-jupyter, which matches notebooks by path, then renders it.
   tests/test_docs.py proves it; run it again when either plugin is upgraded.
2. ``on_pre_build`` fills ``docs/labs/`` and ``docs/reference/`` (git-ignored, never edited by hand):
   the notebooks, built from the labs here as `kubelab build` builds them (``<lang>/<id>.ipynb`` →
   ``labs/<id>.ipynb``, ``labs/<id>.<lang>.ipynb``),
   then, in every language, the lab catalog, the CLI reference (from the Typer app) and the
   troubleshooting page (from the doctor's catalog), and, in English, the lab.yaml reference (from the
   schema in ``checkers/lab.py``). It writes only what changed, so ``mkdocs serve``
   does not loop on its own writes, and removes what no longer belongs.
3. ``on_config`` lists every lab under "Labs" in the nav; each is titled by its notebook's heading.
4. ``on_page_context`` sets the banner of a page shown in English in another language, or of a lab
   whose notebook lists untranslated or outdated cells (``metadata.kubelab``); ``on_page_content``
   adds the note that the lab is done in JupyterLab.
5. ``on_post_build`` splits static-i18n's merged search index into one per language
   (``<lang>/search/search_index.json``), which docs/overrides/main.html points Material's search at.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import typer
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from site_text import text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from checkers.lab import FAULT_KEYS, LAB_KEYS, SECRET_KEYS, Lab, all_labs, field_table  # noqa: E402
from checkers.l10n import catalog_status  # noqa: E402
from checkers.notebook_build import all_notebooks  # noqa: E402
from clusters.base import capability_needs  # noqa: E402
from clusters.doctor import CATALOG, PROBLEM, WARNING  # noqa: E402
from clusters.i18n import LANGUAGES, set_language, translate  # noqa: E402

set_language("en")  # the CLI translates its help when imported: keep the English msgids
from checkers.cli import ExitCode, command_tree  # noqa: E402

DEFAULT = "en"
GENERATED = ("labs", "reference")  # folders of docs/ that this hook owns


# 1. A notebook is a page, also after static-i18n has rebuilt its File.
_is_markdown_page = File.is_documentation_page


def _is_page(file: File) -> bool:
    return file.src_uri.endswith(".ipynb") or _is_markdown_page(file)


File.is_documentation_page = _is_page


# 2. The generated files.
def on_pre_build(config) -> None:
    docs = Path(config.docs_dir)
    labs = all_labs(ROOT / "labs")
    notebooks = all_notebooks(labs, Path())
    wanted = {}
    for lang in LANGUAGES:
        suffix = "" if lang == DEFAULT else f".{lang}"
        for lab in labs:
            wanted[docs / "labs" / f"{lab.id}{suffix}.ipynb"] = notebooks[Path(lang) / f"{lab.id}.ipynb"]
        wanted[docs / "labs" / f"index{suffix}.md"] = catalog_page(labs, lang)
        wanted[docs / "reference" / f"cli{suffix}.md"] = cli_page(lang)
        wanted[docs / "reference" / f"troubleshooting{suffix}.md"] = troubleshooting_page(lang)
    wanted[docs / "reference" / "lab-yaml.md"] = lab_yaml_page()  # for authors: English, the others fall back
    for path, content in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    for folder in GENERATED:
        for path in (docs / folder).glob("*"):
            if path.is_file() and path not in wanted:
                path.unlink()


# 3. The labs in the nav.
def on_config(config):
    for section in config.nav or []:
        if isinstance(section, dict) and "Labs" in section:
            catalog = section["Labs"][0]
            section["Labs"] = [catalog] + [f"labs/{lab.id}.ipynb" for lab in all_labs(ROOT / "labs")]
    return config


# 4. Banners and the lab note.
def on_page_context(context, page, config, nav):
    lang = getattr(page.file, "locale_alternate_of", DEFAULT)
    if getattr(page.file, "locale", lang) != lang:
        page.meta["kubelab_banner"] = text(lang, "untranslated")
    elif page.file.src_uri.endswith(".ipynb") and lang != DEFAULT:
        page.meta["kubelab_banner"] = notebook_banner(Path(page.file.abs_src_path), lang)
    return context


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    lang = getattr(page.file, "locale_alternate_of", DEFAULT)
    note = f'<div class="admonition info kubelab-lab-note"><p>{text(lang, "lab_note")}</p></div>'
    second_cell = html.find('<div class="jp-Cell ', html.find("</h1>"))  # the note goes under the title's cell
    cut = second_cell if second_cell >= 0 else 0
    return html[:cut] + note + html[cut:]


def notebook_banner(path: Path, lang: str) -> str:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    meta = notebook.get("metadata", {}).get("kubelab", {})
    untranslated, outdated = meta.get("untranslated", []), meta.get("outdated", [])
    total = sum(1 for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    parts = []
    if untranslated and len(untranslated) >= total:
        parts.append(text(lang, "lab_untranslated"))
    elif untranslated:
        parts.append(text(lang, "lab_partial", count=len(untranslated), total=total))
    if outdated:
        parts.append(text(lang, "lab_outdated", count=len(outdated)))
    return " ".join(parts)


# 5. Search in each language: one index per language, its pages plus the English ones it falls back to.
@event_priority(-200)  # after static-i18n has merged every language into site/search/search_index.json
def on_post_build(config) -> None:
    site = Path(config.site_dir)
    merged = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    by_lang = {lang: [] for lang in LANGUAGES}
    for entry in merged["docs"]:
        head = entry["location"].split("/", 1)[0]
        lang = head if head in LANGUAGES else DEFAULT
        location = entry["location"][len(lang) + 1:] if lang != DEFAULT else entry["location"]
        by_lang[lang].append({**entry, "location": location})
    english_pages = by_lang[DEFAULT]
    for lang, entries in by_lang.items():
        own_pages = {entry["location"].split("#")[0] for entry in entries}
        fallbacks = [entry for entry in english_pages if entry["location"].split("#")[0] not in own_pages]
        index = site / ("" if lang == DEFAULT else lang) / "search" / "search_index.json"
        index.parent.mkdir(parents=True, exist_ok=True)
        index.write_text(json.dumps({**merged, "docs": entries + fallbacks}, ensure_ascii=False), encoding="utf-8")


# The lab catalog.
def catalog_page(labs: list[Lab], lang: str) -> str:
    rows = [f"| | {text(lang, 'col_lab')} | {text(lang, 'col_time')} | {text(lang, 'col_needs')} "
            f"| {text(lang, 'col_translation')} |", "|---|---|---|---|---|"]
    for lab in labs:
        title = translate(lab.title, lang, extra=lab.locales)
        rows.append(f"| {lab.id[:2]} | [{_cell(title)}]({lab.id}.ipynb) | {text(lang, 'minutes', minutes=lab.minutes)} "
                    f"| {_needs(lab, labs, lang)} | {_translation(lab, lang)} |")
    return "\n\n".join([f"# {text(lang, 'catalog_title')}", text(lang, "catalog_intro"), "\n".join(rows),
                        f"<small>{text(lang, 'catalog_status_note')}</small>"]) + "\n"


def _needs(lab: Lab, labs: list[Lab], lang: str) -> str:
    own = _capabilities(lab.needs, lang)
    parts = [own] if own else []
    by_checks = {}
    for check in lab.checks:
        by_checks.update({name: value for name, value in check.needs.items() if value and name not in lab.needs})
    if by_checks:
        parts.append(text(lang, "some_checks", needs=_capabilities(by_checks, lang)))
    if lab.requires:
        known = {other.id for other in labs}
        parts.append(text(lang, "after", labs=", ".join(f"[{r}]({r}.ipynb)" if r in known else r
                                                       for r in lab.requires)))
    return "<br>".join(parts) or "–"


def _capabilities(needs: dict, lang: str) -> str:
    """What ``needs`` asks for beyond a one-node cluster, which every lab has."""
    return ", ".join(translate(capability_needs(name), lang, params={"count": value})
                     for name, value in needs.items() if value and not (name == "nodes" and value <= 1))


def _translation(lab: Lab, lang: str) -> str:
    if lang == DEFAULT:
        return text(lang, "original")
    status = catalog_status(lab.locales / f"{lang}.po")
    if status.total and status.translated == status.total:
        return "✓ " + text(lang, "complete")
    percent = round(100 * status.translated / status.total) if status.total else 0
    found = text(lang, "percent", percent=percent)
    return found + (", " + text(lang, "to_review", count=status.fuzzy) if status.fuzzy else "")


# The lab.yaml reference: the schema the loader applies (checkers/lab.py), so the two cannot drift.
def lab_yaml_page() -> str:
    return "\n".join([
        "# lab.yaml and fault.yaml", "",
        "Generated from the schema in `checkers/lab.py`, the one the loader applies: a key not listed here, a missing "
        "required key or a value of the wrong type is refused with the file, the field and what is expected. "
        "A lab's id is its folder's name (see [Writing a lab](../authoring.md)).", "",
        "## lab.yaml", "", field_table(LAB_KEYS),
        "## Each entry of `secrets`", "", field_table(SECRET_KEYS),
        "## `faults/<name>/fault.yaml`", "", field_table(FAULT_KEYS)])


# The CLI reference: typer (0.29) vendors its own click, so the commands are read through typer.
def cli_page(lang: str) -> str:
    group = command_tree()
    context = typer.Context(group, info_name="kubelab")
    lines = [f"# {text(lang, 'cli_title')}", "", text(lang, "cli_intro"), "",
             _help(group.help, lang), "", f"## {text(lang, 'global_options')}", "",
             *_params_table(group, context, lang), "", f"## {text(lang, 'exit_codes')}", "",
             f"| {text(lang, 'code')} | {text(lang, 'meaning')} |", "|---|---|"]
    lines += [f"| `{code.value}` | {text(lang, 'exit_' + code.name)} |" for code in ExitCode]
    for name, command, sub in _commands(group, context):
        lines += ["", f"## {name}", "", _help(command.help, lang), "", f"**{text(lang, 'usage')}**", "",
                  "```", f"{name} {' '.join(command.collect_usage_pieces(sub))}".rstrip(), "```", ""]
        lines += _params_table(command, sub, lang)
    return "\n".join(lines) + "\n"


def _commands(group, context, prefix: str = "kubelab"):
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        sub = typer.Context(command, info_name=name, parent=context)
        if hasattr(command, "list_commands"):
            yield from _commands(command, sub, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command, sub


def _params_table(command, context, lang: str) -> list[str]:
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if not params:
        return []
    rows = [f"| {text(lang, 'option')} | {text(lang, 'meaning')} |", "|---|---|"]
    for param in params:
        name = param.get_help_record(context)[0]
        notes = [text(lang, "required")] if param.required else []
        if param.default not in (None, False, "") and not callable(param.default):
            notes.append(f"{text(lang, 'default')}: `{param.default}`")
        if getattr(param, "min", None) is not None and getattr(param, "max", None) is not None:
            notes.append(f"{param.min}–{param.max}")
        about = _help(getattr(param, "help", None) or "", lang)
        rows.append(f"| `{name}` | {_cell(about)}{' (' + '; '.join(notes) + ')' if notes else ''} |")
    return rows


def _help(message: str | None, lang: str) -> str:
    return _escape(translate(message.strip(), lang)) if message else ""


# The troubleshooting page.
def troubleshooting_page(lang: str) -> str:
    lines = [f"# {text(lang, 'trouble_title')}", "", text(lang, "trouble_intro")]
    for severity, title, intro in ((PROBLEM, "problems", "problems_intro"), (WARNING, "warnings", "warnings_intro")):
        lines += ["", f"## {text(lang, title)}", "", text(lang, intro)]
        for finding_id, entry in CATALOG.items():
            if entry.severity != severity:
                continue
            seen = _escape(_placeholders(translate(entry.seen, lang)))
            lines += ["", f"### {seen} {{#{finding_id}}}", "", f"`{finding_id}`"]
            if entry.fix:
                fix = _escape(_placeholders(translate(entry.fix, lang)))
                lines += ["", f'!!! tip "{text(lang, "fix")}"', "", f"    {fix}"]
    return "\n".join(lines) + "\n"


def _placeholders(message: str) -> str:
    """``{profile}`` → ``<profile>``: what the doctor fills in, shown as a placeholder."""
    return re.sub(r"\{(\w+)\}", r"<\1>", message)


def _escape(message: str) -> str:
    """Markdown-safe text: ``<`` and ``&`` escaped outside code spans (markdown escapes them inside)."""
    parts = message.split("`")
    for index in range(0, len(parts), 2):
        parts[index] = parts[index].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def _cell(message: str) -> str:
    return message.replace("|", "\\|").replace("\n", " ")
