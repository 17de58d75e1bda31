"""The documentation site: it builds with --strict in five languages, renders every lab, and its links resolve.

One build per session (into a temporary folder, without the network). Lab pages are checked for
rendered cells, because the static-i18n + mkdocs-jupyter bug (raw notebook JSON as the page) passes
``--strict``. Screenshots of the home page and a lab page in every language go to
``docs/`` of the test artifacts folder (tests/conftest.py) so that a person can look at them.
"""

from __future__ import annotations

import functools
import html as markup
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "ro", "fr", "it", "es")
HAND_WRITTEN = ("", "getting-started-minikube/", "getting-started-embedded/", "getting-started-jupyterhub/")
GENERATED = ("labs/", "reference/cli/", "reference/troubleshooting/")


def prefix(lang: str) -> str:
    return "" if lang == "en" else f"{lang}/"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs_jupyter", reason="the docs extras are not installed (pip install -e '.[docs]')")
    pytest.importorskip("mkdocs_static_i18n", reason="the docs extras are not installed (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stdout}\n{build.stderr}"
    return out


def lab_ids() -> list[str]:
    from checkers.lab import all_labs
    return [lab.id for lab in all_labs(ROOT / "labs")]


def built_notebook(lab: str, lang: str) -> Path:
    """The notebook the docs build made for ``lab`` in ``lang`` (docs/hooks/kubelab.py)."""
    return ROOT / "docs" / "labs" / f"{lab}{'' if lang == 'en' else '.' + lang}.ipynb"


class Links(HTMLParser):
    """Every href/src of a page, with hreflang when the link has one."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str | None]] = []  # (tag, url, hreflang)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.found.append((tag, values[name], values.get("hreflang")))


def links(page: Path) -> list[tuple[str, str, str | None]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def test_every_language_has_every_page(site):
    english = {p.relative_to(site).as_posix() for p in site.rglob("index.html")
               if p.relative_to(site).parts[0] not in LANGUAGES[1:]}
    expected = {f"{page}index.html" for page in HAND_WRITTEN + GENERATED}
    expected |= {f"labs/{lab}/index.html" for lab in lab_ids()}
    assert expected <= english, f"missing English pages: {sorted(expected - english)}"
    for lang in LANGUAGES[1:]:
        missing = sorted(page for page in english if not (site / lang / page).is_file())
        assert not missing, f"{lang}: missing {missing}"
        html = (site / lang / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hand_written_pages_are_translated(site, lang):
    """Home and the three getting-started pages exist in every language, so no fallback banner shows on them."""
    for page in HAND_WRITTEN:
        assert (ROOT / "docs" / f"{page.rstrip('/') or 'index'}{'' if lang == 'en' else '.' + lang}.md").is_file()
        assert "kubelab-banner" not in (site / prefix(lang) / page / "index.html").read_text(encoding="utf-8")


def test_untranslated_guides_fall_back_to_english_with_a_banner(site):
    for lang in LANGUAGES[1:]:
        html = (site / lang / "architecture" / "index.html").read_text(encoding="utf-8")
        assert 'class="kubelab-banner"' in html and f'<html lang="{lang}"' in html
    assert "kubelab-banner" not in (site / "architecture" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", lab_ids())
def test_lab_page_is_rendered_in_its_language(site, lab, lang):
    notebook = built_notebook(lab, lang)
    page = site / prefix(lang) / "labs" / lab / "index.html"
    assert page.is_file(), f"{lang}/{lab} has no page"
    html = page.read_text(encoding="utf-8")
    assert "jp-Cell" in html and "jp-MarkdownCell" in html and "jp-CodeCell" in html, "no rendered cells"
    assert '"cell_type"' not in html and '"nbformat"' not in html, "raw notebook JSON in the page"
    assert f'<html lang="{lang}"' in html
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    heading = "".join(cells[0]["source"]).lstrip("# ").strip()
    assert heading.split("`")[0][:30] in markup.unescape(html), "the page does not show this language's notebook"
    assert "kubelab-lab-note" in html
    meta = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["kubelab"]
    assert ("kubelab-banner" in html) == bool(lang != "en" and (meta["untranslated"] or meta["outdated"]))


@pytest.mark.parametrize("lab", lab_ids())
def test_every_lab_has_a_page_in_every_language(site, lab):
    for lang in LANGUAGES:
        assert (site / prefix(lang) / "labs" / lab / "index.html").is_file(), f"{lab} has no {lang} page"
        catalog = (site / prefix(lang) / "labs" / "index.html").read_text(encoding="utf-8")
        assert f'href="{lab}/"' in catalog, f"the {lang} catalog does not link {lab}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switcher_stays_on_the_lab(site, lang):
    lab = lab_ids()[0]
    page = site / prefix(lang) / "labs" / lab / "index.html"
    alternates = {hreflang: url for _tag, url, hreflang in links(page) if hreflang}
    assert set(alternates) == set(LANGUAGES)
    for other, url in alternates.items():
        target = (page.parent / url).resolve() / "index.html"
        assert target == (site / prefix(other) / "labs" / lab / "index.html").resolve(), (other, url)


def test_internal_links_resolve(site):
    broken = []
    for page in site.rglob("*.html"):
        for _tag, url, _lang in links(page):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "data:")) or not parts.path:
                continue
            base = site if parts.path.startswith("/") else page.parent  # the site is served at the root
            target = (base / parts.path.lstrip("/")).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {url}")
    assert not broken, "broken links:\n" + "\n".join(sorted(set(broken))[:50])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_is_per_language(site, lang):
    """Each language searches its own pages, plus the English ones it falls back to, and no other language."""
    index = json.loads((site / prefix(lang) / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {entry["location"].split("#")[0] for entry in index["docs"]}
    assert {"", "getting-started-minikube/", "labs/"} <= pages
    assert not [page for page in pages if page.split("/")[0] in LANGUAGES], "another language's pages"
    assert all((site / prefix(lang) / page / "index.html").is_file() for page in pages)
    home = (site / prefix(lang) / "index.html").read_text(encoding="utf-8")
    assert (f'"/{lang}/"' in home) == (lang != "en"), "the page does not point Material at its language's index"
    titles = {entry["title"] for entry in index["docs"] if entry["location"] == "getting-started-minikube/"}
    english = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert (titles & {e["title"] for e in english["docs"]}) == (titles if lang == "en" else set())


def test_generated_pages_come_from_kubelab(site):
    """The CLI reference lists every command; troubleshooting lists every doctor finding that needs a fix."""
    import typer

    from checkers.cli import app
    from clusters.doctor import CATALOG, OK

    group = typer.main.get_command(app)
    commands = group.list_commands(typer.Context(group, info_name="kubelab"))
    for lang in LANGUAGES:
        cli = (site / prefix(lang) / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
        assert all(f"kubelab {name}" in cli for name in commands)
        trouble = (site / prefix(lang) / "reference" / "troubleshooting" / "index.html").read_text(encoding="utf-8")
        assert all(f'id="{finding}"' in trouble for finding, entry in CATALOG.items() if entry.severity != OK)


def test_hook_keeps_a_translated_notebook_a_page(monkeypatch):
    """The bug: static-i18n rebuilds a notebook as a plain File, an asset; the hook makes it a page again."""
    from mkdocs.structure.files import File
    from mkdocs_static_i18n.suffix import create_i18n_file

    from clusters.i18n import set_language

    config = SimpleNamespace(docs_dir=str(ROOT / "docs"), site_dir="/tmp/site", use_directory_urls=True)
    notebook = File("labs/02-pods.ro.ipynb", config.docs_dir, config.site_dir, True)
    monkeypatch.setattr(File, "is_documentation_page", File.is_documentation_page)  # undone after the test
    assert not create_i18n_file(notebook, "ro", "en", list(LANGUAGES), config).is_documentation_page()
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "hooks"))
    import importlib.util
    spec = importlib.util.spec_from_file_location("kubelab_docs_hook", ROOT / "docs" / "hooks" / "kubelab.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    set_language(None)
    assert create_i18n_file(notebook, "ro", "en", list(LANGUAGES), config).is_documentation_page()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def best_translated_lab() -> str:
    """The lab with the fewest untranslated cells: the screenshots show a lab in each language."""
    def untranslated(lab: str) -> int:
        return sum(len(json.loads(p.read_text(encoding="utf-8"))["metadata"]["kubelab"]["untranslated"])
                   for p in (built_notebook(lab, lang) for lang in LANGUAGES))
    return min(lab_ids(), key=untranslated)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screenshots(served, lang, artifacts):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("chromium is not installed (Debian package: chromium)")
    folder = artifacts / "docs"
    folder.mkdir(exist_ok=True)
    for name, path in (("home", ""), ("lab", f"labs/{best_translated_lab()}/")):
        url = urljoin(served, prefix(lang) + path)
        assert urllib.request.urlopen(url).status == 200
        out = folder / f"{name}-{lang}.png"
        out.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--no-first-run",
                            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no CDN: offline look
                            f"--user-data-dir={profile}", "--window-size=1280,1800", f"--screenshot={out}", url],
                           capture_output=True, timeout=120)
        assert out.is_file() and out.stat().st_size > 50_000, f"{out.name}: no screenshot, or a blank one"


def test_search_finds_pages_of_the_readers_language(served):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("chromium is not installed (Debian package: chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extras)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        page = chromium.new_page()
        for lang, query in (("en", "embedded"), ("fr", "embarqué"), ("es", "integrado")):
            page.goto(urljoin(served, prefix(lang)))
            page.fill("input.md-search__input", query)
            page.wait_for_selector(".md-search-result__item", timeout=20_000)
            found = page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")
            assert any("getting-started-embedded/" in url for url in found), (lang, found)
            folders = {urlsplit(url).path.split("/")[1] for url in found}
            assert folders == {lang} if lang != "en" else not folders & set(LANGUAGES), (lang, found)
        chromium.close()
