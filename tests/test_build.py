"""The multilingual build: catalogs follow the English, notebooks are deterministic and identical in
code across languages, the committed catalogs are what a fresh build gives, and a build leaves exactly
the notebooks of the labs (they are build output, never committed)."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
import yaml

from checkers.cli import main
from checkers.cli.build import expected_catalogs
from checkers.l10n import TRANSLATED, catalog_status, lab_catalogs, read_po, updated_catalog, lab_messages
from checkers.lab import LabError, all_labs, load_lab
from checkers import notebook_build
from checkers.notebook_build import notebook_path, render, write_notebooks
from clusters.i18n import LANGUAGES

LABS = all_labs()

LESSON = '''# %% [markdown] key="title"
# # Demo

# %% key="setup" tags=["setup"]
x = 1

# %% [markdown] key="intro"
# Pods are the smallest unit.

# %% key="show"
x + 1
'''


@pytest.fixture
def demo_lab(tmp_path) -> Path:
    folder = tmp_path / "labs" / "01-demo"
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(yaml.safe_dump(
        {"title": "Demo", "minutes": 5, "namespace": "demo"}))
    (folder / "checks.py").write_text("from checkers import N_, check, passed\n\n"
                                      "@check(N_('A check title'))\ndef a(ctx):\n    return passed(N_('Fine {x}'), x=1)\n")
    (folder / "lesson.py").write_text(LESSON)
    return folder


def _translate_all(path: Path, lab, lang: str) -> None:
    catalog = updated_catalog(path, lab_messages(lab), lang)
    for entry in catalog:
        entry.msgstr = f"[{lang}] {entry.msgid}"
    path.parent.mkdir(exist_ok=True)
    catalog.save(str(path))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Every notebook, as a build writes them, in a folder of the test's."""
    root = tmp_path_factory.mktemp("notebooks")
    write_notebooks(LABS, root)
    return root


def test_committed_catalogs_are_up_to_date_and_notebooks_build():
    assert main(["build", "--check"]) == 0, "run `kubelab build` and commit"


def test_every_language_has_every_lab_and_code_cells_are_identical(built):
    for lab in LABS:
        english = json.loads(notebook_path(lab, "en", built).read_text())
        code = [(c["id"], c["source"], c["metadata"]) for c in english["cells"] if c["cell_type"] == "code"]
        layout = [(c["id"], c["cell_type"]) for c in english["cells"]]
        for lang in LANGUAGES:
            notebook = json.loads(notebook_path(lab, lang, built).read_text())
            assert notebook["metadata"]["kubelab"]["language"] == lang
            assert [(c["id"], c["cell_type"]) for c in notebook["cells"]] == layout
            assert [(c["id"], c["source"], c["metadata"]) for c in notebook["cells"]
                    if c["cell_type"] == "code"] == code
            assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")


def test_no_orphan_notebooks_or_translations(built, demo_lab):
    ids = {lab.id for lab in LABS}
    for path in built.glob("*/*.ipynb"):
        assert path.parent.name in LANGUAGES and path.stem in ids, path
    root = demo_lab.parent.parent / "notebooks"
    for stray in (root / "fr" / "99-gone.ipynb", root / "xx" / "01-demo.ipynb"):
        stray.parent.mkdir(parents=True, exist_ok=True)
        stray.write_text("{}")
    (root / "en" / "hello").mkdir(parents=True)
    (root / "en" / "hello" / "Dockerfile").write_text("FROM scratch\n")
    written, removed = write_notebooks([load_lab(demo_lab)], root)
    assert len(written) == len(LANGUAGES)
    assert set(removed) == {root / "fr" / "99-gone.ipynb", root / "xx" / "01-demo.ipynb"}
    assert (root / "en" / "hello" / "Dockerfile").is_file(), "a build removes notebooks only"
    assert write_notebooks([load_lab(demo_lab)], root) == ([], [])
    for lab in LABS:
        for po in lab.locales.glob("*.po"):
            assert po.stem in LANGUAGES and po.stem != "en", po


def test_render_is_deterministic_and_falls_back_to_english(demo_lab):
    lab = load_lab(demo_lab)
    first, second = render(lab, "fr"), render(lab, "fr")
    assert first == second
    notebook = json.loads(first)
    assert [c["id"] for c in notebook["cells"]] == ["title", "setup", "intro", "show"]
    assert notebook["metadata"]["kubelab"]["untranslated"] == ["title", "intro"]
    assert "Pods are the smallest unit." in first


def test_changed_english_marks_the_translation_fuzzy(demo_lab):
    lab = load_lab(demo_lab)
    po = lab.locales / "ro.po"
    _translate_all(po, lab, "ro")
    assert catalog_status(po).fuzzy == 0 and catalog_status(po).untranslated == 0
    (demo_lab / "lesson.py").write_text(LESSON.replace("smallest unit", "smallest deployable unit"))
    (demo_lab / "checks.py").write_text((demo_lab / "checks.py").read_text().replace("Fine {x}", "Fine: {x}"))
    updated = polib.pofile(lab_catalogs(lab)[po])
    intro = next(e for e in updated if e.msgctxt == "intro")
    assert intro.fuzzy and intro.previous_msgid == "Pods are the smallest unit."
    assert intro.msgstr == "[ro] Pods are the smallest unit."
    check_message = next(e for e in updated if e.msgid == "Fine: {x}")
    assert check_message.fuzzy and check_message.msgstr == "[ro] Fine {x}"
    notebook = json.loads(render(lab, "ro", updated))
    assert notebook["metadata"]["kubelab"]["outdated"] == ["intro"]
    assert notebook["metadata"]["kubelab"]["untranslated"] == []


def test_removed_cells_leave_no_orphan_entries(demo_lab):
    lab = load_lab(demo_lab)
    _translate_all(lab.locales / "it.po", lab, "it")
    (demo_lab / "lesson.py").write_text(LESSON.split('# %% [markdown] key="intro"')[0])
    updated = polib.pofile(lab_catalogs(lab)[lab.locales / "it.po"])
    assert "intro" not in {e.msgctxt for e in updated}


def test_malformed_po_is_a_clear_error(demo_lab):
    lab = load_lab(demo_lab)
    lab.locales.mkdir()
    (lab.locales / "es.po").write_text('msgid "a"\nmsgstr "b\nthis is not a PO file\n')
    with pytest.raises(LabError, match="es.po: not a valid PO file"):
        read_po(lab.locales / "es.po")
    with pytest.raises(LabError, match="not a valid PO file"):
        render(lab, "es")


def test_missing_lesson_or_key_is_a_clear_error(demo_lab):
    lab = load_lab(demo_lab)
    (demo_lab / "lesson.py").write_text(LESSON.replace(' key="intro"', ""))
    with pytest.raises(LabError, match="needs a unique key"):
        render(lab, "en")
    (demo_lab / "lesson.py").unlink()
    with pytest.raises(LabError, match="every lab has a lesson"):
        render(lab, "en")


def test_build_check_reports_a_missing_language(demo_lab, monkeypatch, capsys):
    monkeypatch.setenv("KUBELAB_LABS", str(demo_lab.parent))
    assert main(["build"]) == 0
    lab = load_lab(demo_lab)
    (lab.locales / "it.po").unlink()
    assert main(["build", "--check"]) == 1
    assert "it.po" in capsys.readouterr().out
    assert main(["build"]) == 0 and main(["build", "--check"]) == 0
    assert set(expected_catalogs()) >= {lab.locales / f"{lang}.po" for lang in TRANSLATED}
    assert all(notebook_path(lab, lang).is_file() for lang in LANGUAGES)
    assert notebook_path(lab, "en").parent.parent == demo_lab.parent.parent / "notebooks"


def test_build_check_reports_a_notebook_that_differs_between_builds(demo_lab, monkeypatch, capsys):
    monkeypatch.setenv("KUBELAB_LABS", str(demo_lab.parent))
    assert main(["build"]) == 0
    builds = iter(range(1000))
    honest = notebook_build.render
    monkeypatch.setattr(notebook_build, "render", lambda *args: honest(*args) + " " * next(builds))
    assert main(["build", "--check"]) == 1
    assert "fr/01-demo.ipynb" in capsys.readouterr().out


def test_notebooks_only_leaves_the_catalogs_alone(demo_lab, monkeypatch):
    monkeypatch.setenv("KUBELAB_LABS", str(demo_lab.parent))
    assert main(["build", "--notebooks-only"]) == 0
    lab = load_lab(demo_lab)
    assert not lab.locales.exists()
    assert all(notebook_path(lab, lang).is_file() for lang in LANGUAGES)
