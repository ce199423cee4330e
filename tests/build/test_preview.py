"""Previews (issue 23): `make serve NOW=… AUDIENCE=instructor` serves its own folder with a
banner on every page and leaves the published site alone; a live `make serve` republishes on its
own when a release moment passes."""

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


def test_serve_a_moment_for_the_instructor_into_its_own_folder_with_a_banner(course):
    later_lab(course, "2099-01-10T09:00")
    published = site_digest(course / "_build" / "html")
    server, base = serve(course, "--now", "2027-01-10T09:00", "--audience", "instructor")
    try:
        page = wait_for(lambda: get(f"{base}/labs/week09/session01-later.html"), 600)
        banner = "Instructor view as of 2027-01-10 09:00: everything, with what students do not"
        assert banner in page and "okapidawn" in page
        assert banner in get(f"{base}/intro.html") and banner in get(f"{base}/genindex.html")
    finally:
        out = stop(server)
    assert (course / "_build/instructor/html/labs/week09/session01-later.html").is_file(), out
    assert site_digest(course / "_build" / "html") == published  # never the published site


def test_a_live_server_publishes_a_session_when_its_release_moment_passes(course):
    release = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=150)
    later_lab(course, release.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    server, base = serve(course)
    try:
        schedule = wait_for(
            lambda: "okapidawn" not in (page := get(f"{base}/schedule.html")) and page, 600
        )
        assert "upcoming" in schedule, "the first build came after the release moment"
        assert dt.datetime.now(dt.UTC) < release
        wait_for(lambda: get(f"{base}/labs/week09/session01-later.html"), 400)
        assert "okapidawn" in get(f"{base}/labs/week09/session01-later.html")
    finally:
        out = stop(server)
    assert "passed: rebuilding" in out, out
