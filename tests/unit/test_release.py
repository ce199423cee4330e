"""Sessions and solutions released on their dates, end to end (README: "A course over time").

The built course gains a session released in the future and a released session whose solution is
released in the future, each with a sentence found nowhere else. Before their dates the published
folder holds neither sentence anywhere: pages, sources, notebooks, build-info, and the search index
(asked through Pagefind's own API in Chromium). With ``--now`` past both dates both appear. The
instructor build shows both under banners, in its own folder. Bad dates, a solution before its
session and a link to a later session name their line; the schedule page opens in a browser.
"""

from __future__ import annotations

from book.course.files import course_sources
from book.release.withhold import blank_solutions
from conftest import REPO

RELEASE, SOLUTIONS, LATER = "2027-01-10T09:00", "2027-01-20T09:00", "2027-03-01T00:00"


def test_the_events_file_is_a_course_source():
    """So the fingerprint covers it and `make serve` rebuilds when it changes."""
    assert "schedule.yml" in course_sources(REPO)


def test_solutions_are_blanked_line_for_line():
    text = (
        "Intro\n:::{solution} ex\nhidden 1\n:::\nkept\n"
        "```{solution-start} ex\n```\nhidden 2\n````{code-cell}\nhidden 3\n````\n"
        "```{solution-end}\n```\nlast"
    )
    lines, count, inside = blank_solutions(text.split("\n"))
    assert len(lines) == len(text.split("\n")) and count == 2 and not inside
    assert [line for line in lines if line] == ["Intro", "kept", "last"]
    lines, count, inside = blank_solutions(["a", "```{solution-start} ex", "```", "b"])
    assert (lines, count, inside) == (["a", "", "", ""], 1, True)  # open: the next cells go too
