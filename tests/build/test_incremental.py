"""Rebuilds: nothing changed returns at once; edits rewrite what they affect and nothing stale
stays."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import copy_course, run_build, write_lab

LAB = "labs/week02/session03-tabular-nn-torch"


def nav_links(site, page):
    soup = BeautifulSoup((site / f"{page}.html").read_text(), "html.parser")
    return [a.get_text(strip=True) for a in soup.select("nav.bd-docs-nav a")]


def test_noop_edit_title_change_and_removed_lab(tmp_path):
    root = copy_course(tmp_path / "course")
    extra = write_lab(
        root,
        "labs/week09/session01-extra.md",
        "## Extra\n\n```{code-cell} ipython3\nprint('extra lab')\n```\n",
    )
    first = run_build(root)
    assert first.returncode == 0, first.stderr
    site = root / "_build/html"

    again = run_build(root)
    assert again.returncode == 0
    assert "nothing changed since the last build" in again.stdout
    assert "executed" not in again.stdout

    # a title change reaches the navigation of every page, not only the edited one
    extra.write_text(extra.read_text().replace("title: Scratch lab", "title: Renamed lab"))
    renamed = run_build(root)
    assert renamed.returncode == 0, renamed.stderr
    assert "labs/week09/session01-extra.md: cached" in renamed.stdout  # code unchanged
    for page in ("intro", "setup", LAB):
        assert "Session 1 — Renamed lab" in nav_links(site, page), page

    # a lab removed from the course leaves no page behind
    toc = root / "_toc.yml"
    toc.write_text(toc.read_text().split("  - caption: Week 9")[0])
    extra.unlink()
    removed = run_build(root)
    assert removed.returncode == 0, removed.stderr
    assert not (site / "labs/week09/session01-extra.html").exists()
    assert all("Renamed" not in link for link in nav_links(site, "intro"))

    # --force rebuilds even when nothing changed
    forced = run_build(root, "--force")
    assert forced.returncode == 0 and "cached" in forced.stdout


def test_a_no_op_is_answered_from_file_stats_until_anything_changes(course):
    """After a no-op found by the full road, the next one is answered from the files' stats
    (book.build.quick) without loading the configuration; an edit, a flag or another writer in
    the site takes the full road again."""
    import os
    import subprocess
    import sys
    import time

    assert run_build(course).returncode == 0  # a copied site is another tree: built again
    time.sleep(2.1)  # the copied files' change times are older than quick.RACY
    assert "nothing changed" in run_build(course).stdout  # the full road, which records
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    quick = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "book", "build"],
        cwd=course,
        env={**env, "BOOK_FLAGS": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "nothing changed since the last build: _build/html is up to date" in quick.stdout
    assert "book.config.course" not in quick.stderr  # the configuration was not loaded

    lab = course / f"{LAB}.md"
    lab.write_text(lab.read_text().replace("## ", "Edited prose.\n\n## ", 1))
    edited = run_build(course)  # at once: within the clock's resolution
    assert edited.returncode == 0 and "nothing changed" not in edited.stdout, edited.stderr
    assert "Edited prose." in (course / f"_build/html/{LAB}.html").read_text()

    time.sleep(2.1)
    assert "nothing changed" in run_build(course).stdout
    flagged = run_build(course, flags="-torch")  # another flag request: the full road
    assert "nothing changed" in flagged.stdout and flagged.returncode == 0
    (course / "_build/html/stray.html").write_text("written by another tool")
    stray = run_build(course)
    assert "nothing changed" not in stray.stdout
    assert not (course / "_build/html/stray.html").exists()
