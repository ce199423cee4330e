"""Shared fixtures: real builds of the real course, each in a temporary copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(
    ".venv", "_build", ".git", "__pycache__", ".pytest_cache", "artifacts", "*.egg-info"
)
# The tiers are folders: tests/unit (no build, no browser: `make test-fast`), tests/build,
# tests/browser and tests/cluster. Each test carries its folder's marker (pytest -m build).
TIERS = ("build", "browser", "cluster")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        tier = item.path.parent.name
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))


def copy_course(dest: Path) -> Path:
    """A copy of the course (sources, config, generator) to build without touching the checkout."""
    shutil.copytree(REPO, dest, ignore=IGNORE)
    return dest


def run_book(
    root: Path, *args: str, env: dict | None = None, timeout: int = 900
) -> subprocess.CompletedProcess:
    """``python -m book ARGS`` in ``root``: by default the test's environment without flags."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    return subprocess.run(
        [sys.executable, "-m", "book", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_build(
    root: Path, *args: str, flags: str = "", timeout: int = 900
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    return run_book(root, "build", *args, env={**env, "BOOK_FLAGS": flags}, timeout=timeout)


@pytest.fixture(scope="session")
def built_course(tmp_path_factory) -> Path:
    """The bundled course, built once with default flags (torch off)."""
    root = copy_course(tmp_path_factory.mktemp("site") / "course")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def copy_built(built: Path, dest: Path) -> Path:
    """A copy of a built course (site and execution cache), to change and rebuild."""
    shutil.copytree(built, dest, symlinks=True)
    return dest


@pytest.fixture
def course(built_course, tmp_path) -> Path:
    """A copy of the built bundled course (site and execution cache), to change and rebuild."""
    return copy_built(built_course, tmp_path / "course")


@pytest.fixture(scope="session")
def site(built_course) -> Path:
    return built_course / "_build" / "html"


# The workflow template's sections, in order (book/course/templates/workflow.yml)
WORKFLOW_SECTIONS = [
    "Learning objectives",
    "Prerequisites",
    "Background",
    "Setup",
    "1. Goal",
    "2. Approach",
    "3. Execution",
    "4. Check",
    "5. Report",
    "Common pitfalls",
    "Further reading",
    "Session info",
]

SCRATCH_TEMPLATE = (
    "# free-form labs for tests: the usual front matter, any headings\n"
    "name: scratch\nfront_matter:\n  template: str\n  course: str\n  week: int\n"
    "  session: int\n  title: str\n  authors: list[str]\nsections: []\n"
)


def write_lab(
    root: Path,
    relpath: str,
    body: str,
    week: int = 9,
    session: int = 1,
    title: str = "Scratch lab",
    toc: bool = True,
    template: str = "scratch",
) -> Path:
    """Add a small lab to a course copy (and to its _toc.yml under its week).

    The default ``scratch`` template is a free-form course template (``templates/scratch.yml``,
    written here), so a lab of a few cells passes the course checks that every build runs.
    """
    if template == "scratch":
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates" / "scratch.yml").write_text(SCRATCH_TEMPLATE, encoding="utf-8")
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
        f"lab:\n  template: {template}\n  course: Course 4\n  week: {week}\n  session: {session}\n"
        f"  title: {title}\n  authors: [Test]\n---\n\n" + body,
        encoding="utf-8",
    )
    if toc:
        with open(root / "_toc.yml", "a", encoding="utf-8") as toc_file:
            toc_file.write(
                f"  - caption: Week {week}\n    chapters:\n"
                f"      - file: {relpath.removesuffix('.md')}\n"
            )
    return path


CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium, driven by Playwright
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """The session's one Chromium (Playwright's sync API allows one per process)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "the browser tests need Chromium: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def site_digest(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


# A course in another language (docs/language.md): the bundled course with `language:` set, a lab
# of German prose (a search for an inflected word), a cell never run, a gated cell whose recording
# is stale, and a session and a solution not yet released; built once per language per test run
# for the instructor (everything shown, banners included, in _build/instructor/html).
LANGUAGE_NOW = "2026-11-30T12:00"
LANGUAGE_LAB = "labs/week09/session01-sprachlabor"
LANGUAGE_LABELS = {"de": {"week": "Kurswoche"}}  # an override, read in the browser
GERMAN_PROSE = (
    "## Vergleich\n\nDas lineare Modell dient als Vergleich.\n\n"
    ":::{exercise}\n:label: ex-vergleich\n\nVergleichen Sie die Fehler.\n:::\n\n"
    ":::{solution} ex-vergleich\nDer Fehler ist kleiner.\n:::\n\n"
    "```{code-cell} ipython3\n#| eval: false\nprint('nie')\n```\n\n"
    "```{code-cell} ipython3\n#| eval: torch\nprint('torch')\n```\n"
)


def _stale_recording(root: Path, lab: str) -> None:
    """A recording of the lab's gated cell made for other code: the page says it is out of date."""
    import json

    from book.reading.recordings import FORMAT, checksum, recording_path

    record = {
        "format": FORMAT,
        "lab": lab,
        "recorded": "2026-11-20",
        "device": "CPU",
        "packages": {"torch": "2.0.0"},
        "cells": [
            {"code_cell": 2, "code_sha256": "0" * 64, "flag": "torch", "outputs": []},
        ],
    }
    record["checksum"] = checksum(record)
    path = recording_path(root, lab)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record), encoding="utf-8")


def build_in_language(dest: Path, language: str) -> Path:
    """The bundled course built in ``language`` (see above); the instructor's site folder."""
    import json

    root = copy_course(dest)
    config = root / "_config.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  config:\n", f"  config:\n    language: {language}\n", 1)
    text = text.replace("book.sphinx]", "sphinx_exercise, book.sphinx]", 1)
    labels = LANGUAGE_LABELS.get(language)
    if labels:
        text += "labels:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in labels.items())
    config.write_text(text, encoding="utf-8")
    lab = write_lab(root, LANGUAGE_LAB + ".md", GERMAN_PROSE, week=9, title="Sprachlabor")
    dates = "  date: 2027-01-12\n  release: 2027-01-10T09:00\n  solutions: 2027-01-20T09:00\n"
    lab.write_text(lab.read_text().replace("  authors: [Test]\n", "  authors: [Test]\n" + dates))
    _stale_recording(root, LANGUAGE_LAB + ".md")
    result = run_build(root, "--audience", "instructor", "--now", LANGUAGE_NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="session")
def in_language(tmp_path_factory):
    """``in_language("de")``: the course root of its build (made once per run)."""
    built: dict[str, Path] = {}

    def get(language: str) -> Path:
        if language not in built:
            dest = tmp_path_factory.mktemp(f"lang-{language}") / "course"
            built[language] = build_in_language(dest, language)
        return built[language]

    return get


def published_texts(site: Path) -> dict[str, bytes]:
    """Every published file as a reader of the site could get at its words: Pagefind's index and
    fragments gunzipped, ``objects.inv`` inflated after its header, the rest as it is."""
    import gzip
    import zlib

    texts = {}
    for path, data in site_digest(site).items():
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif path.endswith("objects.inv"):
            header_end = 0
            for _ in range(4):
                header_end = data.index(b"\n", header_end) + 1
            data = data[:header_end] + zlib.decompress(data[header_end:])
        texts[path] = data
    return texts


def leaked(site: Path, *words: str) -> list[str]:
    """``file: word`` for each word found in a published file (case-insensitive)."""
    return [
        f"{path}: {word}"
        for path, data in published_texts(site).items()
        for word in words
        if word.lower().encode() in data.lower()
    ]
