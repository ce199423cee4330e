"""Bibliographies of imported material merged into the course's: several .bib files, a key
repeated with the same entry kept once, with a different entry a named error; ``{bibliography}``
paths read and per-page filters added (also to the course's existing labs)."""

from __future__ import annotations

import pytest

from book.course.labs import read_labs
from book.errors import BookError
from book.importing.bibliography import add_bibliography, entries, filter_existing, merge, same

KNUTH = (
    "@book{knuth1984,\n  title = {The {TeX}book},\n  author = {Knuth, Donald},\n  year = 1984\n}"
)
KNUTH_AGAIN = "@BOOK{ knuth1984,\n author={Knuth, Donald}, year={1984},\n title={The {TeX}book}}"
OTHER = "@article{knuth1984,\n  title = {Literate programming},\n  author = {Knuth, Donald}\n}"
TUFTE = "@book{tufte2001,\n  title = {The Visual Display of Quantitative Information}\n}"


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    (root / "labs/week01").mkdir(parents=True)
    (root / "_config.yml").write_text("title: C\nbibtex_bibfiles: [refs.bib]\n")
    (root / "refs.bib").write_text(KNUTH + "\n")
    return root


def test_entries_and_sameness():
    found = entries(f"% a comment\n{KNUTH}\n\n@comment{{x}}\n{TUFTE}\n")
    assert list(found) == ["knuth1984", "tufte2001"]
    assert found["tufte2001"][1] == 9, "the entry's line"
    assert same(KNUTH, KNUTH_AGAIN), "spacing, case and field order aside"
    assert not same(KNUTH, OTHER)


def test_several_bib_files_merge_and_the_same_entry_is_kept_once(course, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "refs.bib").write_text(KNUTH_AGAIN + "\n" + TUFTE + "\n")
    (src / "more.bib").write_text("@misc{web2020,\n  title = {A page}\n}\n")
    log: list[str] = []
    merge(course, [src / "refs.bib", src / "more.bib"], log.append)
    refs = (course / "refs.bib").read_text()
    assert refs.count("knuth1984") == 1 and "tufte2001" in refs
    assert "web2020" in (course / "more.bib").read_text()
    assert "bibtex_bibfiles: [refs.bib, more.bib]" in (course / "_config.yml").read_text()
    assert "  refs.bib: 1 bibliography entries from refs.bib" in log


def test_a_key_naming_another_work_is_a_named_error(course, tmp_path):
    (tmp_path / "theirs.bib").write_text("\n" + OTHER + "\n")
    with pytest.raises(BookError) as err:
        merge(course, [tmp_path / "theirs.bib"], lambda _: None)
    text = str(err.value)
    assert "theirs.bib:2" in text and "'knuth1984'" in text and "refs.bib:1" in text
    assert "rename it" in text


def test_a_bib_file_of_the_same_name_but_not_the_courses_is_not_overwritten(course, tmp_path):
    (course / "_config.yml").write_text("title: C\n")
    (course / "refs.bib").write_text("% someone else's\n")
    (tmp_path / "refs.bib").write_text(TUFTE)
    merge(course, [tmp_path / "refs.bib"], lambda _: None)
    assert (course / "refs.bib").read_text() == "% someone else's\n"
    assert "tufte2001" in (course / "refs-2.bib").read_text()
    assert "bibtex_bibfiles: [refs-2.bib]" in (course / "_config.yml").read_text()


def test_the_directive_path_is_read_and_the_page_filtered(course, tmp_path):
    project = tmp_path / "book"
    (project / "docs").mkdir(parents=True)
    (project / "_bib").mkdir()
    (project / "_bib/refs.bib").write_text(TUFTE)
    (project / "decoy.bib").write_text(OTHER)  # not named by the directive: not read
    src = project / "docs/lecture.md"
    body = "See {cite}`tufte2001`.\n\n```{bibliography} ../_bib/refs.bib\n```\n"
    out = add_bibliography(body, src, project, {}, course, lambda _: None, [])
    assert "```{bibliography}\n:filter: docname in docnames\n```" in out
    assert "tufte2001" in (course / "refs.bib").read_text()


def test_existing_unfiltered_bibliographies_get_the_filter(course):
    lab = course / "labs/week01/session01-a.md"
    lab.write_text(
        "---\nlab: {week: 1, session: 1}\n---\n\n```{bibliography}\n:style: plain\n```\n"
    )
    filter_existing(course, read_labs(course), lambda _: None)
    assert ":filter: docname in docnames\n:style: plain\n```" in lab.read_text()
    before = lab.read_text()
    filter_existing(course, read_labs(course), lambda _: None)
    assert lab.read_text() == before, "once"
