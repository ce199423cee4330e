"""Previews (docs/releases.md), in Chromium: `make serve NOW=… AUDIENCE=instructor` serves its own
folder with a banner on every page and leaves the published site alone; a live `make serve`
republishes on its own when a release moment passes, and the reader's open schedule page shows the
session once it is out."""

from __future__ import annotations

import datetime as dt
import subprocess

from conftest import site_digest, write_lab
from helpers import get, serve, wait_for


def stop(server: subprocess.Popen) -> str:
    server.terminate()
    out, _ = server.communicate(timeout=60)
    return out


def later_lab(root, release: str):
    lab = write_lab(root, "labs/week09/session01-later.md", "## Later\n\nThe okapidawn.\n")
    lab.write_text(
        lab.read_text().replace("  authors: [Test]\n", f"  authors: [Test]\n  release: {release}\n")
    )


def open_page(page, url: str) -> None:
    """Open ``url``; the preview's pages reload themselves when the server publishes a build, which
    can interrupt a navigation: open it again then."""
    from playwright.sync_api import Error

    for _ in range(5):
        try:
            page.goto(url)
            return
        except Error:
            page.wait_for_timeout(1000)
    page.goto(url)


BANNER = "Instructor view as of 2027-01-10 09:00: everything, with what students do not"


def test_serve_a_moment_for_the_instructor_into_its_own_folder_with_a_banner(course, browser):
    later_lab(course, "2099-01-10T09:00")
    published = site_digest(course / "_build" / "html")
    server, base = serve(course, "--now", "2027-01-10T09:00", "--audience", "instructor")
    page = browser.new_page()
    try:
        wait_for(lambda: get(f"{base}/labs/week09/session01-later.html"), 600)
        for path in ("labs/week09/session01-later.html", "intro.html", "genindex.html"):
            open_page(page, f"{base}/{path}")
            banner = page.locator(".course-preview-banner")
            assert banner.is_visible() and BANNER in banner.inner_text(), path
        open_page(page, f"{base}/labs/week09/session01-later.html")
        assert page.get_by_text("The okapidawn.").is_visible()
    finally:
        page.close()
        out = stop(server)
    assert (course / "_build/instructor/html/labs/week09/session01-later.html").is_file(), out
    assert site_digest(course / "_build" / "html") == published  # never the published site


def test_a_live_server_publishes_a_session_when_its_release_moment_passes(course, browser):
    release = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=150)
    later_lab(course, release.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    server, base = serve(course)
    page = browser.new_page()
    try:
        # the server's first build: the later session is on the schedule, upcoming, not linked
        wait_for(lambda: "schedule-upcoming" in get(f"{base}/schedule.html"), 600)
        open_page(page, f"{base}/schedule.html")
        assert page.locator(".schedule-upcoming").count() >= 1, "upcoming before its moment"
        assert "okapidawn" not in page.content()
        assert dt.datetime.now(dt.UTC) < release, "the first build came after the release moment"
        # nobody edits: past the moment the server republishes, and the schedule links the session
        wait_for(lambda: "session01-later.html" in get(f"{base}/schedule.html"), 400)
        open_page(page, f"{base}/schedule.html")
        assert page.locator(".course-schedule a[href$='session01-later.html']").count() == 1
        open_page(page, f"{base}/labs/week09/session01-later.html")
        assert page.get_by_text("The okapidawn.").is_visible()
    finally:
        page.close()
        out = stop(server)
    assert "passed: rebuilding" in out, out
