"""Nothing early (issue 23), end to end: what the release withholds is absent from every
published file (Pagefind's compressed index and ``objects.inv`` decoded), whatever way the lab
writes it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import copy_built, copy_course, leaked, run_book, run_build, write_lab

BIG_WORD = "pangolinbytes"
RELEASE = "2099-01-10T09:00"


def big_notebook(root: Path, rel: str) -> None:
    """A notebook lab over 8 kB whose ``release`` sits in its metadata past byte 8000."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": f"## Part {i}\n\n" + "words " * 40}
        for i in range(40)
    ]
    cells.insert(1, {"cell_type": "markdown", "metadata": {}, "source": f"The {BIG_WORD} page."})
    cells.append(
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": f"print('{BIG_WORD}' + 'ran')",
        }
    )
    lab = {
        "template": "scratch",
        "course": "Course 4",
        "week": 9,
        "session": 1,
        "title": "Big notebook",
        "authors": ["Test"],
        "release": RELEASE,
    }
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": kernel, "lab": lab},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(nb, indent=1)
    assert text.index('"release"') > 8000
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def early(built_course, tmp_path_factory) -> tuple[Path, str]:
    root = copy_built(built_course, tmp_path_factory.mktemp("early") / "course")
    write_lab(root, "labs/week09/session01-big.md", "x", toc=True)  # the toc entry and template
    (root / "labs/week09/session01-big.md").unlink()
    big_notebook(root, "labs/week09/session01-big.ipynb")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


def test_a_big_notebooks_release_past_byte_8000_withholds_it(early):
    root, log = early
    site = root / "_build" / "html"
    assert not (site / "labs/week09/session01-big.html").exists()
    assert leaked(site, BIG_WORD, "session01-big") == []
    assert "1 session(s) not yet released are left out" in log
    cache = root / "_build" / ".jupyter_cache"
    assert not any(
        BIG_WORD.encode() + b"ran" in p.read_bytes() for p in cache.rglob("*") if p.is_file()
    )


# Solutions in the spellings MyST accepts, in the places they can sit; each secret word is in
# one solution only, each kept word outside every solution.
SPELLINGS = {
    "hyenaspace": "``` {solution} ex-1\nThe hyenaspace answer.\n```\n",
    "ibexcapital": ":::{Solution} ex-1\nThe ibexcapital answer.\n:::\n",
    "jackaltilde": "~~~~{solution} ex-1\nThe jackaltilde answer.\n~~~~\n",
    "koalaquote": "> ```{solution} ex-1\n> The koalaquote answer.\n> ```\n",
    "lemurnested": (
        "`````{note}\nA note.\n\n```{SOLUTION} ex-1\nThe lemurnested answer.\n```\n`````\n"
    ),
    "marmotspan": (
        "```` {Solution-Start} ex-1\n:class: dropdown\n````\n\n"
        "```{code-cell} ipython3\nprint('marmot' + 'span')\n```\n\n"
        "```` {solution-end}\n````\n"
    ),
    "narwhalrst": "```{eval-rst}\n.. solution:: ex-1\n\n   The narwhalrst answer.\n```\n",
}
INCLUDED = "ocelotinclude"
NOTEBOOK_WORD, QMD_WORD = "pumanotebook", "quailquarto"


def exercise(label: str) -> str:
    return f":::{{exercise}}\n:label: {label}\n\nAdd two numbers (keptexercise).\n:::\n\n"


SOLUTIONS_LATER = "2099-02-01"


def scratch_front(week: int, title: str) -> str:
    return (
        "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
        f"lab:\n  template: scratch\n  course: Course 4\n  week: {week}\n  session: 1\n"
        f"  title: {title}\n  authors: [Test]\n  solutions: {SOLUTIONS_LATER}\n---\n\n"
    )


@pytest.fixture(scope="module")
def spelled(built_course, tmp_path_factory) -> tuple[Path, str]:
    """Labs with solutions in every spelling and place (a .md, its include, a notebook's
    markdown cell, a .qmd), solutions released in 2099, built today."""
    root = copy_built(built_course, tmp_path_factory.mktemp("spelled") / "course")
    config = root / "_config.yml"
    config.write_text(
        config.read_text().replace("book.sphinx]", "sphinx_exercise, book.sphinx]", 1)
    )
    (root / "parts").mkdir()
    (root / "parts" / "answer.md").write_text(
        f":::{{solution}} ex-1\nThe {INCLUDED} answer.\n:::\n"
    )
    body = exercise("ex-1") + "\n".join(
        f"Kept text keptword{i}.\n\n{text}" for i, text in enumerate(SPELLINGS.values())
    )
    body += "\n```{include} ../../parts/answer.md\n```\n\nKept text keptwordlast.\n"
    write_lab(root, "labs/week11/session01-spelled.md", "x", week=11, title="Spelled")
    (root / "labs/week11/session01-spelled.md").write_text(scratch_front(11, "Spelled") + body)
    write_lab(root, "labs/week12/session01-nb.md", "x", week=12, title="Nb")
    (root / "labs/week12/session01-nb.md").unlink()
    front = yaml.safe_load(scratch_front(12, "Nb").split("---")[1])
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": exercise("ex-2")},
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": f"> ::: {{Solution}} ex-2\n> The {NOTEBOOK_WORD} answer.\n> :::\n",
        },
        {"cell_type": "markdown", "metadata": {}, "source": "Kept keptwordnb."},
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell{i}"
    nb = {"cells": cells, "metadata": front, "nbformat": 4, "nbformat_minor": 5}
    (root / "labs/week12/session01-nb.ipynb").write_text(json.dumps(nb, default=str))
    write_lab(root, "labs/week13/session01-qmd.md", "x", week=13, title="Qmd")
    (root / "labs/week13/session01-qmd.md").unlink()
    (root / "labs/week13/session01-qmd.qmd").write_text(
        scratch_front(13, "Qmd")
        + exercise("ex-3")
        + f":::{{solution}} ex-3\nThe {QMD_WORD} answer.\n:::\n\nKept keptwordqmd.\n"
    )
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


SECRETS = [*SPELLINGS, INCLUDED, NOTEBOOK_WORD, QMD_WORD]


def test_no_solution_in_any_spelling_is_published_before_its_time(spelled):
    root, _ = spelled
    site = root / "_build" / "html"
    assert leaked(site, *SECRETS) == []
    pages = [
        (site / f"labs/week{w}/session01-{name}.html").read_text()
        for w, name in ((11, "spelled"), (12, "nb"), (13, "qmd"))
    ]
    assert all("keptexercise" in page for page in pages)  # the exercises stay
    kept = [f"keptword{i}" for i in range(len(SPELLINGS))] + ["keptwordlast"]
    assert all(word in pages[0] for word in kept)
    assert "keptwordnb" in pages[1] and "keptwordqmd" in pages[2]
    assert not any("release-banner" in page for page in pages)  # banners: instructors only
    cache = root / "_build" / ".jupyter_cache"
    assert not any(b"marmotspan" in p.read_bytes() for p in cache.rglob("*") if p.is_file())


def test_the_instructor_build_shows_each_of_them_as_a_solution(spelled):
    """So each spelling above is one MyST really reads as a solution."""
    root, _ = spelled
    result = run_build(root, "--audience", "instructor")
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "_build" / "instructor" / "html"
    pages = {
        name: (site / f"labs/week{w}/session01-{name}.html").read_text()
        for w, name in ((11, "spelled"), (12, "nb"), (13, "qmd"))
    }
    inside = set().union(*(words_in_solutions(page) for page in pages.values()))
    assert set(SECRETS) <= inside
    # the solution {include} brings in has its own "not yet released" banner, just before it
    page = pages["spelled"]
    starts = [m.start() for m in SOLUTION_DIV.finditer(page)]
    included = max(i for i, at in enumerate(starts) if at < page.index(INCLUDED))
    before = page[starts[included - 1] : starts[included]]
    assert "release-banner" in before and "2099" in before.split("release-banner", 1)[1]


SOLUTION_DIV = re.compile(r'<div class="[^"]*\bsolution\b[^"]*"', re.I)  # the class is as written
DIV = re.compile(r"<div\b|</div>")


def words_in_solutions(page: str) -> set[str]:
    """The secret words inside one of sphinx-exercise's solution elements (a ``<div>`` with the
    class ``solution``, to its matching ``</div>``)."""
    found = set()
    for start in SOLUTION_DIV.finditer(page):
        depth = 0
        for tag in DIV.finditer(page, start.start()):
            depth += 1 if tag.group(0) == "<div" else -1
            if depth == 0:
                text = page[start.start() : tag.end()].replace("'marmot'", "marmotspan")
                found |= {word for word in SECRETS if word in text}
                break
    return found


LEFT_WORD = "wombatleftover"


def test_a_page_another_tool_left_in_the_site_never_reaches_the_next_one(course):
    """A plain ``jupyter-book build .`` writes every page, released or not, into
    ``_build/html``; the next build neither returns as a no-op nor starts from that tree."""
    later = write_lab(course, "labs/week09/session01-later.md", f"## Later\n\nThe {LEFT_WORD}.\n")
    text = later.read_text().replace(
        "  authors: [Test]\n", f"  authors: [Test]\n  release: {RELEASE}\n"
    )
    later.write_text(text)
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    site = course / "_build" / "html"
    assert leaked(site, LEFT_WORD) == []
    plain = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", "."],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert leaked(site, LEFT_WORD)  # the other tool published it
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leaked(site, LEFT_WORD) == []
    assert not (site / "labs/week09/session01-later.html").exists()


LINKS = (
    "## Now\n\nSee {doc}`session01-later` first.\n\n"
    "Then {ref}`the dawn part <sec-dawn>`.\n\n"
    "Or [the later page](session01-later.md).\n"
)


def test_links_to_a_page_not_yet_released_are_its_text_and_its_date(course):
    later = write_lab(course, "labs/week09/session01-later.md", "(sec-dawn)=\n## Dawn\n\nText.\n")
    later.write_text(
        later.read_text().replace(
            "  authors: [Test]\n", f"  authors: [Test]\n  release: {RELEASE}\n"
        )
    )
    now = write_lab(course, "labs/week09/session02-now.md", LINKS, session=2, toc=False)
    toc = course / "_toc.yml"
    toc.write_text(toc.read_text() + "      - file: labs/week09/session02-now\n")
    lines = now.read_text().splitlines()
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    for start, written in (
        ("See {doc}", "{doc}`session01-later`"),
        ("Then {ref}", "{ref}`the dawn part <sec-dawn>`"),
        ("Or [the", "(session01-later.md)"),
    ):
        line = next(n for n, row in enumerate(lines, 1) if row.startswith(start))
        assert (
            f"warning: labs/week09/session02-now.md:{line}: {written} links "
            f"labs/week09/session01-later, not released until 2099-01-10 09:00"
        ) in result.stderr
    page = (course / "_build/html/labs/week09/session02-now.html").read_text()
    assert "the dawn part (from 2099-01-10 09:00)" in page
    assert "the later page (from 2099-01-10 09:00)" in page
    assert "Week 9, Session 1 — Scratch lab (from 2099-01-10 09:00)" in page
    assert "session01-later" not in page
    # the label is only in the linking page's own source
    assert leaked(course / "_build" / "html", "sec-dawn") == [
        "_sources/labs/week09/session02-now.md: sec-dawn"
    ]
    config = course / "_config.yml"
    config.write_text(config.read_text() + "\nrelease:\n  links: error\n")
    result = run_book(course, "check")
    assert result.returncode == 1
    assert (
        "labs/week09/session02-now.md:" in result.stderr
        and "not allowed under release: {links: error}" in result.stderr
    )


def test_the_schedule_as_a_calendar_file_linked_from_the_schedule_page(course):
    events = course / "schedule.yml"
    events.write_text(
        events.read_text()
        + "- date: 2026-12-14T10:30\n  title: Mid-term exam\n  location: Room B12\n"
        "  url: https://example.org/exam\n"
    )
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    site = course / "_build" / "html"
    page = (site / "schedule.html").read_text()
    assert 'href="schedule.ics"' in page and "(Room B12)" in page and "10:30" in page
    ics = (site / "schedule.ics").read_text().replace("\n ", "")
    assert "X-WR-TIMEZONE:" in ics and "LOCATION:Room B12" in ics
    assert "SUMMARY:Project proposals due" in ics  # the course's own events, as before


def test_bad_dates_and_orphaned_recordings_in_make_check(tmp_path):
    root = copy_course(tmp_path / "course")
    lab = write_lab(root, "labs/week09/session01-x.md", "## X\n\nText.\n")
    lab.write_text(
        lab.read_text().replace("  authors: [Test]\n", "  authors: [Test]\n  release: 2026-02-30\n")
    )
    line = next(n for n, row in enumerate(lab.read_text().splitlines(), 1) if "2026-02-30" in row)
    orphan = root / "_freeze/labs/week09/session02-gone.json"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("{}")
    result = run_book(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        f"labs/week09/session01-x.md:{line}: invalid YAML front matter: '2026-02-30' is not a "
        "date (day is out of range for month); write a real date as 2026-12-05"
    ) in result.stderr
    lab.write_text(lab.read_text().replace("2026-02-30", "2026-02-28"))
    events = root / "schedule.yml"
    events.write_text(events.read_text() + "- date: 2026-02-30\n  title: Exam\n")
    line = len(events.read_text().splitlines()) - 1
    result = run_book(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"schedule.yml:{line}: cannot be read: '2026-02-30' is not a date" in result.stderr
    assert (
        "warning: _freeze/labs/week09/session02-gone.json: a recording of "
        "labs/week09/session02-gone, which no longer exists"
    ) in result.stderr
