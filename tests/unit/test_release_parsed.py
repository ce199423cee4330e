"""The release state is decided on the lab as its page's reader parses it (issue 23): the whole
notebook metadata, the front matter as MyST finds it; and the page's reader refuses to make a
page whose own dates differ from the state's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.config.course import load_config
from book.course.labs import front_matter, read_lab_file
from book.errors import BookError
from book.reading.reader import LabReader
from book.release.state import release_state, sessions_of
from conftest import REPO

RELEASE = "2099-01-10T09:00"


def course_with(tmp_path: Path, rel: str, data: str) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    path = root / rel
    path.parent.mkdir(parents=True)
    path.write_text(data, encoding="utf-8")
    return root


def big_notebook(release: str) -> str:
    """A notebook over 8 kB whose ``release`` is past byte 8000 (the cells come first)."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": f"Paragraph {i}. " + "words " * 40}
        for i in range(40)
    ]
    lab = {"template": "scratch", "week": 9, "session": 1, "title": "Big", "release": release}
    nb = {"cells": cells, "metadata": {"lab": lab}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1)


def test_a_notebooks_release_past_byte_8000_is_read(tmp_path):
    text = big_notebook(RELEASE)
    assert text.index('"release"') > 8000
    root = course_with(tmp_path, "labs/week09/session01-big.ipynb", text)
    state = release_state(load_config(root))
    assert not state.released("labs/week09/session01-big.ipynb")
    assert not state.shows("labs/week09/session01-big.ipynb")


@pytest.mark.parametrize("fence", ["---", "----", "---   "])
def test_front_matter_is_what_mysts_parser_finds(tmp_path, fence):
    """Whatever opens and closes the front matter for MyST opens and closes it for the state."""
    text = f"{fence}\nlab:\n  week: 9\n  release: {RELEASE}\n{fence}\n\n# Body\n"
    root = course_with(tmp_path, "labs/week09/session01-x.md", text)
    assert read_lab_file(root, "labs/week09/session01-x.md").lab["release"]
    assert not release_state(load_config(root)).released("labs/week09/session01-x.md")


def test_a_page_whose_own_dates_differ_from_the_state_is_refused(tmp_path):
    """A page outside labs/ with a release date: the state never read it, the page's reader
    does, and stops rather than publish it."""
    text = f"---\nlab:\n  release: {RELEASE}\n---\n\n# Early\n\nText.\n"
    root = course_with(tmp_path, "labs/week09/session01-x.md", text)
    (root / "early.md").write_text(text, encoding="utf-8")
    config = load_config(root)
    reader = LabReader(root, {}, {}, release=release_state(config))
    reader.read("labs/week09/session01-x.md")  # agrees: read
    with pytest.raises(BookError, match="release dates on the page differ"):
        reader.read("early.md")


def test_a_draft_is_not_released_and_a_draft_that_is_not_true_or_false_names_its_line(tmp_path):
    text = "---\nlab:\n  week: 9\n  draft: true\n---\n\n# Body\n"
    root = course_with(tmp_path, "labs/week09/session01-x.md", text)
    state = release_state(load_config(root))
    assert not state.shows("labs/week09/session01-x.md")
    assert state.drafts() == ["labs/week09/session01-x.md"]
    lab = read_lab_file(root, "labs/week09/session01-x.md")
    lab.lab["draft"] = "yes"
    _, problems = sessions_of([lab], ZoneInfo("UTC"))
    assert [p.format() for p in problems] == [
        "labs/week09/session01-x.md:4: lab: 'draft' must be true or false, not 'yes'\n"
        "  write 'draft: true' (not published) or remove the line (published)"
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["---", "----", " ---", "--- ", "...", "a: 1", "", "    ---", "- x", "# H"]
        ),
        max_size=12,
    )
)
def test_front_matter_is_the_token_the_whole_page_parse_gives(lines):
    """Reading only up to a closing line gives what MyST's parse of the whole page gives."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    text = "\n".join(["---", *lines, "text"])
    tokens = create_md_parser(MdParserConfig(), RendererHTML).parse(text + "\n")  # myst-nb's
    whole = (
        (tokens[0].content, tokens[0].map[1] + 1)
        if tokens and tokens[0].type == "front_matter"
        else None
    )
    assert front_matter(text) == whole


def test_a_preview_builds_into_its_own_folder_with_its_banner_in_the_fingerprint():
    from book.build.fingerprint import course_fingerprint
    from book.release.preview import for_moment

    config = load_config(REPO)
    live = for_moment(config)
    assert live.layout.html == REPO / "_build" / "html" and live.schedule.preview == ""
    moment = for_moment(config, "2027-01-10T09:00")
    assert moment.layout.html == REPO / "_build" / "preview" / "html"
    assert moment.schedule.preview.startswith("Preview as of 2027-01-10 09:00")
    teacher = for_moment(config, "", "instructor")
    assert teacher.layout.html == REPO / "_build" / "instructor" / "html"
    assert teacher.schedule.preview.startswith("Instructor view: everything")
    other = for_moment(config, "2027-01-11T09:00")  # nothing released between: same state
    assert course_fingerprint(moment, {}) != course_fingerprint(other, {})  # the banner differs
    with pytest.raises(BookError, match="NOW: not a date"):
        for_moment(config, "next week")
