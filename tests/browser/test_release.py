"""Sessions and solutions released on their dates, as readers find them (docs/releases.md).

The built course gains a session and a solution released later (``release_course``). Before their
dates no published file holds their words, and Pagefind's own API in Chromium finds neither; past
the dates both appear, in a preview's own folder, never the published site; the schedule page opens
in a browser. The builds without a browser (instructor view, bad dates, links) are in
tests/build/test_release.py.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from conftest import copy_built, run_build, site_digest
from release_course import (
    LATER,
    SESSION_SENTENCE,
    SESSION_WORD,
    SOLUTION_WORD,
    build_timed,
)

WORDS = [SESSION_WORD, SOLUTION_WORD]


@pytest.fixture(scope="module")
def timed(built_course, tmp_path_factory) -> tuple[Path, str]:
    """The built course with a future session and a future solution, built today."""
    return build_timed(built_course, tmp_path_factory.mktemp("release") / "course")


def files_with(site: Path, words: list[str]) -> dict[str, list[str]]:
    """Every file of the site (pages, _sources, notebooks, build-info, ...) holding each word."""
    found: dict[str, list[str]] = {word: [] for word in words}
    for name, data in site_digest(site).items():
        for word in words:
            if word.encode() in data.lower():
                found[word].append(name)
    return found


@contextlib.contextmanager
def served(site: Path):
    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


PAGEFIND_JS = """async (words) => {
    const pagefind = await import('/pagefind/pagefind.js');
    const out = {};
    for (const word of words) {  // pages whose indexed text holds the word (not near matches)
        out[word] = 0;
        for (const result of (await pagefind.search(word)).results) {
            if ((await result.data()).content.toLowerCase().includes(word)) { out[word] += 1; }
        }
    }
    return out;
}"""


def search_hits(browser, site: Path, words: list[str]) -> dict[str, int]:
    """How many pages Pagefind's own search API, in Chromium, finds with each word."""
    with served(site) as url:
        page = browser.new_page()
        try:
            page.goto(f"{url}/intro.html")
            return page.evaluate(PAGEFIND_JS, words)
        finally:
            page.close()


def test_unreleased_parts_are_absent_from_everything_published(timed, browser):
    root, log = timed
    site = root / "_build" / "html"
    assert "release: 1 session(s) not yet released are left out" in log
    assert "labs/week09/session01-later.md" not in log  # not executed
    assert files_with(site, WORDS) == {SESSION_WORD: [], SOLUTION_WORD: []}
    assert search_hits(browser, site, WORDS) == {SESSION_WORD: 0, SOLUTION_WORD: 0}
    assert search_hits(browser, site, ["numbers"])["numbers"] >= 1  # the index answers
    assert not (site / "labs" / "week09").exists()
    assert not [name for name in site_digest(site) if "session01-later" in name]
    for page in site.rglob("*.html"):  # navigation, prev/next: no link to it anywhere
        assert "session01-later" not in page.read_text(), page
    assert (
        "labs/week09/session01-later"
        not in json.loads((site / "build-info.json").read_text())["labs"]
    )
    practice = (site / "labs" / "week10" / "session01-practice.html").read_text()
    assert "Add two numbers." in practice and "after the solution" in practice  # exercise stays
    schedule = (site / "schedule.html").read_text()
    assert "Session 1 — Later" in schedule and "upcoming (2027-01-10)" in schedule
    again = run_build(root)  # before the release time, nothing changed: a no-op
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout + again.stderr


def test_past_the_dates_both_appear_in_a_preview_not_in_the_published_site(
    timed, browser, tmp_path
):
    """``--now`` (make html NOW=) is a preview: its own folder, a banner on every page; the
    published site is untouched."""
    root = copy_built(timed[0], tmp_path / "course")
    published = site_digest(root / "_build" / "html")
    preview = root / "_build" / "preview" / "html"
    before = run_build(root, "--now", "2027-01-10T08:59")
    assert before.returncode == 0, before.stdout + before.stderr
    assert files_with(preview, WORDS) == {SESSION_WORD: [], SOLUTION_WORD: []}
    result = run_build(root, "--now", LATER)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "labs/week09/session01-later.md: executed" in result.stdout
    assert "built _build/preview/html" in result.stdout
    found = files_with(preview, WORDS)
    for name in ("labs/week09/session01-later.html", "_sources/labs/week09/session01-later.ipynb"):
        assert name in found[SESSION_WORD]
    for name in (
        "labs/week10/session01-practice.html",
        "_sources/labs/week10/session01-practice.md",
        "_sources/labs/week10/session01-practice.ipynb",
    ):
        assert name in found[SOLUTION_WORD]
    hits = search_hits(browser, preview, WORDS)
    assert hits[SESSION_WORD] >= 1 and hits[SOLUTION_WORD] >= 1
    page = (preview / "labs" / "week09" / "session01-later.html").read_text()
    assert SESSION_SENTENCE in page and "Not yet released" not in page
    banner = "Preview as of 2027-03-01 00:00, as students will see it. Not the published site."
    for html in preview.rglob("*.html"):  # every page (not the theme's own _static files)
        if "_static" not in html.parts and "http-equiv" not in html.read_text()[:2000]:
            assert banner in html.read_text(), html
    assert site_digest(root / "_build" / "html") == published


def test_the_schedule_page_lists_the_bundled_sessions(site, browser):
    with served(site) as url:
        page = browser.new_page(viewport={"width": 360, "height": 800})
        try:
            page.goto(f"{url}/schedule.html")
            sessions = page.locator("table.course-schedule tr.schedule-session")
            assert sessions.count() == 2
            first = sessions.nth(0).locator("td")
            assert first.nth(0).inner_text() == "1"
            assert first.nth(1).inner_text() == "Tue 24 Nov 2026"
            assert page.locator("table.course-schedule tr.schedule-event").count() == 2
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            table = page.locator(".course-schedule-wrap")  # the table fits: nothing cut or scrolled
            assert table.evaluate("(wrap) => wrap.scrollWidth <= wrap.clientWidth")
            sessions.nth(1).get_by_role("link").click()
            page.wait_for_load_state()
            assert page.url.endswith("/labs/week02/session03-tabular-nn-torch.html")
        finally:
            page.close()
