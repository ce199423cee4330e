"""``make import`` of a whole book: the plan (weeks, sessions, course page, fragments, files,
packages), then all of it in one step; fragments stay fragments, each lab's files in its own
folder, `!pip` cells become notes and pinned requirements, authors and licence kept."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest

from book.course.labs import lab_paths
from book.course.toc import read_toc
from book.errors import BookError
from book.importing import packages as pkgs
from book.importing.project import make_plan, run_import
from book.importing.sources import read_source

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
REPO = Path(__file__).parents[2]


def no_registry(name: str) -> str | None:
    """pip's answer for the packages of the fixtures (no network in unit tests)."""
    return {"scikit-learn": "1.9.1", "opencv-python": "4.12.0.88"}.get(name) or (
        "0.1" if name.replace("_", "-") == "fixture-only-package" else None
    )


def pinned(name: str) -> str:
    """The fixture's version of ``name``, or the one installed here (the venv may have it)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return str(no_registry(name))


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    for name in ("_config.yml", "_toc.yml", "labs", "requirements"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    return root


@pytest.fixture
def book(tmp_path):
    return shutil.copytree(FIXTURES / "minibook", tmp_path / "minibook")


def test_a_jupyter_book_is_read_in_order_with_its_root_page_and_fragments(book):
    source = read_source(book / "_toc.yml")
    assert source.kind == "Jupyter Book" and source.title == "A Tiny Book"
    assert source.author == "Ada Lovelace and Alan Turing" and source.license == "CC-BY-SA-4.0"
    names = [(e.path.relative_to(book).as_posix(), e.part, e.root_page) for e in source.entries]
    assert names == [
        ("index.md", None, True),
        ("chapters/arrays.md", "Basics", False),
        ("chapters/plots.md", "Basics", False),
        ("chapters/fitting.md", "Models", False),
    ], "the url: entry is a link out of the book, not a document"
    assert [f.relative_to(book).as_posix() for f in source.fragments] == ["_admonition/gpu.md"]
    assert read_source(book).kind == "Jupyter Book", "the folder of a book is the book"


def test_a_plain_folder_skips_underscore_folders_and_included_fragments(book):
    (book / "_toc.yml").unlink()
    source = read_source(book)
    assert source.kind == "folder"
    assert [e.path.name for e in source.entries] == [
        "arrays.md",
        "fitting.md",
        "plots.md",
        "index.md",
    ]


def test_the_plan_maps_parts_to_weeks_and_chapters_to_sessions(course, book):
    lines = []
    plan = run_import(course, book, plan_only=True, log=lines.append, look_up=no_registry)
    text = "\n".join(lines)
    assert "index.md" in text and "-> course page" in text
    assert "chapters/arrays.md                       -> Week 3, Session 1" in text
    assert "chapters/plots.md                        -> Week 3, Session 2" in text
    assert "chapters/fitting.md                      -> Week 4, Session 1" in text
    assert "_admonition/gpu.md" in text and "fragment" in text
    assert "brings _static/img/logo.png" in text and "brings data/points.csv" in text
    assert f"package scikit-learn=={pinned('scikit-learn')}" in text and "`import sklearn`" in text
    assert f"package opencv-python=={pinned('opencv-python')}" in text, "cv2 is opencv-python"
    assert "package fixture_only_package==0.1" in text, "a %pip install line's package, once"
    assert "package fixture-only-package" not in text
    assert "numpy" not in text, "already in requirements/build.txt"
    assert "downloads https://example.org/logo.png (an image it shows from the network)" in text
    assert "PLAN=1: nothing written" in text
    assert len(plan.steps) == 4 and lab_paths(course) == lab_paths(REPO)


def test_week_and_session_given_number_the_first_lab_and_the_rest_follow(course, book):
    plan = make_plan(course, book, week="2", session="5", look_up=no_registry)
    assert [(s.week, s.session) for s in plan.steps if not s.page] == [(2, 5), (2, 6), (3, 1)]
    with pytest.raises(BookError, match="Week 2, Session 3 is taken"):
        make_plan(course, book, week="2", session="3", look_up=no_registry)


def test_the_import_applies_the_plan_in_one_step(course, book):
    log: list[str] = []
    run_import(course, book, log=log.append, look_up=no_registry)
    labs = [p for p in lab_paths(course) if "week03" in p or "week04" in p]
    assert labs == [
        "labs/week03/session01-arrays.md",
        "labs/week03/session02-plots.md",
        "labs/week04/session01-fitting.md",
    ], "the fragment and the images in each lab's own folder are not labs"
    own = course / "labs/week03/session01-arrays"
    assert (own / "_admonition/gpu.md").is_file() and (own / "_static/img/logo.png").is_file()
    arrays = (course / "labs/week03/session01-arrays.md").read_text()
    assert "{include} session01-arrays/_admonition/gpu.md" in arrays
    fragment = (own / "_admonition/gpu.md").read_text()
    assert "](../_static/img/logo.png)" in fragment, "the fragment's own link still resolves"
    assert "!pip" not in arrays and "This course installs it once" in arrays
    assert "authors:\n  - Ada Lovelace\n  - Alan Turing" in arrays
    assert "license: CC-BY-SA-4.0" in arrays
    fitting = (course / "labs/week04/session01-fitting.md").read_text()
    assert "](session01-fitting/data/points.csv)" in fitting
    assert "%pip" not in fitting and "import fixture_only_package" in fitting
    assert (course / "labs/week04/session01-fitting/data/points.csv").is_file()
    assert "{doc}`/labs/week03/session01-arrays`" in fitting, "a sibling's link follows it"
    assert "{doc}`the plots </labs/week03/session02-plots>`" in fitting, "MyST's [text](page)"
    assert "[an unknown page](nowhere)" in fitting, "not a page of the book: left alone"
    page = (course / "a-tiny-book.md").read_text()
    assert "{doc}`/labs/week03/session02-plots`" in page, "the course page links to the labs"
    docs = [e.docname for e in read_toc(course)]
    assert "a-tiny-book" in docs and "labs/week04/session01-fitting" in docs
    reqs = (course / "requirements/course.txt").read_text()
    assert f"scikit-learn=={pinned('scikit-learn')}" in reqs
    assert f"opencv-python=={pinned('opencv-python')}" in reqs
    assert "fixture_only_package==0.1" in reqs


def test_nothing_is_written_when_a_session_of_the_plan_is_taken(course, book):
    before = (course / "_toc.yml").read_text()
    (course / "labs/week04").mkdir()
    (course / "labs/week04/session01-other.md").write_text("---\n---\n")
    with pytest.raises(BookError, match="in the plan's way"):
        run_import(course, book, log=lambda _: None, look_up=no_registry)
    assert (course / "_toc.yml").read_text() == before
    assert not (course / "labs/week03").exists()


def test_module_names_map_to_distributions():
    found = pkgs.Found()
    found.add_code(
        "import sklearn.svm\nfrom PIL import Image\nimport os, json\n%matplotlib inline", "x"
    )
    found.add_code("!pip install -q 'umap-learn>=0.5'", "y")
    assert set(found.modules) == {"sklearn", "PIL", "os", "json"}
    assert found.pip == {"umap-learn>=0.5": ["y"]}
    assert pkgs.distribution_of("sklearn", {}, {})[0] == "scikit-learn"
    assert pkgs.distribution_of("cv2", {}, {})[0] == "opencv-python"
    assert pkgs.distribution_of("yaml", {"yaml": ["PyYAML"]}, {}) == ("PyYAML", "installed here")
    assert pkgs.distribution_of("foo", {}, {"foo": "foo-bar"}) == ("foo-bar", "pipreqs mapping")


def test_a_quarto_book_maps_its_parts_and_keeps_includes_as_fragments(course, tmp_path):
    book = shutil.copytree(FIXTURES / "quartobook", tmp_path / "quartobook")
    source = read_source(book / "_quarto.yml")
    assert source.kind == "Quarto project" and source.title == "Small Quarto Book"
    assert source.author == "Hadley Example, Mine Example" and source.license == "CC BY-NC 4.0"
    assert [(e.path.name, e.part, e.root_page) for e in source.entries] == [
        ("index.qmd", None, True),
        ("basics.qmd", "Foundations", False),
        ("models.qmd", "Models", False),  # a part given by a file: its page, then its chapters
        ("regression.qmd", "Models", False),
    ]
    assert [f.name for f in source.fragments] == ["_setup.qmd"]
    plan = make_plan(course, book, look_up=no_registry)
    assert [(s.src.name, s.week, s.session, s.page) for s in plan.steps] == [
        ("index.qmd", 0, 0, True),
        ("basics.qmd", 3, 1, False),
        ("models.qmd", 4, 1, False),
        ("regression.qmd", 4, 2, False),
    ]


def test_a_quarto_book_imports_with_its_include_pasted_and_inline_code_kept(course, tmp_path):
    book = shutil.copytree(FIXTURES / "quartobook", tmp_path / "quartobook")
    run_import(course, book / "_quarto.yml", log=lambda _: None, look_up=no_registry)
    basics = (course / "labs/week03/session01-basics.qmd").read_text()
    assert "{{< include" not in basics and "Shared setup text." in basics
    assert "`{python} sum(x) / len(x)`" in basics, "evaluated when the lab is read and run"
    assert "- Hadley Example\n  - Mine Example" in basics and "license: CC BY-NC 4.0" in basics
    from book.reading.quarto import to_myst

    text, _ = to_myst(basics, "labs/week03/session01-basics.qmd")
    assert "{glue}`quarto-inline-1`" in text and ":::{note}" in text
    docs = [e.docname for e in read_toc(course)]
    assert "labs/week04/session02-regression" in docs and "small-quarto-book" in docs


def test_a_figure_without_alt_text_gets_its_captions_words():
    from book.importing.assets import figure_alt

    text = (
        "```{figure} /_static/x.png\n:scale: 50%\n\nThe **popularity** of [Python](https://p) "
        "vs {ref}`R <r-lang>`\n```\n\n```{figure} y.png\n:alt: kept as written\n\nCaption\n```\n"
    )
    out = figure_alt(text)
    assert ":scale: 50%\n:alt: The popularity of Python vs R\n\nThe **popularity**" in out
    assert out.count(":alt:") == 2 and ":alt: kept as written\n" in out
