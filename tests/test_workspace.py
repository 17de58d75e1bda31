"""The learner's working copy of the notebooks (`kubelab notebooks`): new and unchanged notebooks follow the
package's, a notebook the learner changed is never overwritten, nothing is deleted, and bad folders are
clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkers.cli import main
from checkers.workspace import MANIFEST, copy_notebooks
from clusters.errors import UsageError


@pytest.fixture
def package(tmp_path) -> Path:
    root = tmp_path / "package"
    for name in ("en/01-a.ipynb", "en/02-b.ipynb", "fr/01-a.ipynb"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f'{{"v": 1, "name": "{name}"}}\n')
    return root


def test_first_copy_adds_every_notebook(package, tmp_path):
    mine = tmp_path / "work" / "notebooks"
    report = copy_notebooks(package, mine)
    assert report == {"added": ["en/01-a.ipynb", "en/02-b.ipynb", "fr/01-a.ipynb"], "updated": [], "kept": []}
    assert (mine / "fr" / "01-a.ipynb").read_text() == (package / "fr" / "01-a.ipynb").read_text()
    assert copy_notebooks(package, mine) == {"added": [], "updated": [], "kept": []}


def test_a_changed_notebook_is_kept_and_an_unchanged_one_follows_the_package(package, tmp_path):
    mine = tmp_path / "notebooks"
    copy_notebooks(package, mine)
    (mine / "en" / "01-a.ipynb").write_text('{"my": "work"}\n')
    (mine / "en" / "hello").mkdir()
    (mine / "en" / "hello" / "Dockerfile").write_text("FROM scratch\n")
    for name in ("en/01-a.ipynb", "en/02-b.ipynb"):
        (package / name).write_text('{"v": 2}\n')
    (mine / "fr" / "01-a.ipynb").unlink()
    report = copy_notebooks(package, mine)
    assert report == {"added": ["fr/01-a.ipynb"], "updated": ["en/02-b.ipynb"], "kept": ["en/01-a.ipynb"]}
    assert (mine / "en" / "01-a.ipynb").read_text() == '{"my": "work"}\n'
    assert (mine / "en" / "02-b.ipynb").read_text() == '{"v": 2}\n'
    assert (mine / "en" / "hello" / "Dockerfile").is_file()
    assert copy_notebooks(package, mine)["kept"] == ["en/01-a.ipynb"], "still the learner's, on every copy"


def test_without_a_record_of_what_was_copied_every_different_notebook_is_kept(package, tmp_path):
    mine = tmp_path / "notebooks"
    copy_notebooks(package, mine)
    (package / "en" / "02-b.ipynb").write_text('{"v": 2}\n')
    (mine / MANIFEST).write_text("not json")
    assert copy_notebooks(package, mine)["kept"] == ["en/02-b.ipynb"]
    (mine / MANIFEST).write_text("[1, 2]")
    assert copy_notebooks(package, mine)["kept"] == ["en/02-b.ipynb"]


def test_a_folder_where_a_notebook_goes_is_kept(package, tmp_path):
    mine = tmp_path / "notebooks"
    (mine / "en" / "01-a.ipynb").mkdir(parents=True)
    assert copy_notebooks(package, mine)["kept"] == ["en/01-a.ipynb"]


def test_no_notebooks_or_an_unusable_folder_is_a_clear_error(package, tmp_path):
    with pytest.raises(UsageError, match="run `kubelab build`"):
        copy_notebooks(tmp_path / "nothing", tmp_path / "work")
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="cannot be used as an output folder"):
        copy_notebooks(package, tmp_path / "file" / "notebooks")


def test_the_command_copies_into_the_workspace(package, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("checkers.cli.build.notebooks_root", lambda: package)
    monkeypatch.setenv("KUBELAB_WORKSPACE", str(tmp_path / "ws"))
    assert main(["notebooks", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["folder"] == str(tmp_path / "ws" / "notebooks") and len(report["added"]) == 3
    (tmp_path / "ws" / "notebooks" / "en" / "01-a.ipynb").write_text("{}")
    (package / "en" / "01-a.ipynb").write_text('{"v": 2}\n')
    assert main(["notebooks", str(tmp_path / "ws")]) == 0
    assert "kept your changed en/01-a.ipynb" in capsys.readouterr().out
    monkeypatch.setattr("checkers.cli.build.notebooks_root", lambda: tmp_path / "none")
    assert main(["notebooks"]) == 2
