"""The parity table: every Jupyter Book setting placed, each refusal with its line, why and what
instead; the docs page generated from it; the course's own settings merged into Jupyter Book's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from book.config.course import config_problems, load_config
from book.config.parity import (
    ALL,
    OWN,
    PARITY,
    TRANSLATED,
    jupyter_book_settings,
    with_table,
)
from book.errors import BookError
from conftest import REPO

BASE = (REPO / "_config.yml").read_text(encoding="utf-8")
DOCS = REPO / "docs" / "jupyter-book-parity.md"


def test_every_jupyter_book_setting_is_placed_and_no_other():
    declared = set(jupyter_book_settings())
    assert len(declared) > 50  # the schema was found and walked to full depth
    assert "html.analytics.google_analytics_id" in declared
    assert declared - set(PARITY) == set(), "Jupyter Book has settings the table does not place"
    assert set(PARITY) - declared == set(TRANSLATED) | set(OWN)
    for row in PARITY.values():
        assert row.kind in ("same", "differs", "refused", "course")
        assert bool(row.refuse) == bool(row.why) == bool(row.instead), row.key
        assert (row.kind == "refused") == (row.refuse == ALL), row.key


def test_the_docs_page_is_the_table():
    text = DOCS.read_text(encoding="utf-8")
    assert with_table(text) == text, "run: python -m book docs"
    for key in PARITY:
        assert f"| `{key}` |" in text


def _config_setting(tmp_path: Path, dotted: str, value: object, extra: dict | None = None) -> Path:
    data: dict = {"title": "T", **(extra or {})}
    *parents, leaf = dotted.split(".")
    where = data
    for part in parents:
        where = where.setdefault(part, {})
    where[leaf] = value
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path


def _line(root: Path, leaf: str) -> int:
    lines = (root / "_config.yml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.strip().startswith(leaf + ":"))


REFUSED = [
    (row.key, value if row.refuse != ALL else "x")
    for row in PARITY.values()
    if row.refuse
    for value in (row.refuse if row.refuse != ALL else ("x",))
]


@pytest.mark.parametrize("key, value", REFUSED)
def test_each_refused_value_names_line_why_and_instead(tmp_path, key, value):
    root = _config_setting(tmp_path, key, value)
    with pytest.raises(BookError) as err:
        load_config(root)
    row = PARITY[key]
    text = err.value.format()
    line = _line(root, key.rsplit(".", 1)[-1])
    assert text.startswith(f"_config.yml:{line}: '{key}"), text
    assert row.why in text and f"instead: {row.instead}" in text


@pytest.mark.parametrize(
    "key, value",
    [
        ("execute.execute_notebooks", "off"),
        ("execute.execute_notebooks", False),  # YAML's off
        ("execute.execute_notebooks", "force"),
        ("execute.run_in_temp", False),
        ("execute.allow_errors", True),
        ("sphinx.recursive_update", True),
        ("only_build_toc_files", True),
        ("launch_buttons.thebe", False),
    ],
)
def test_values_the_build_honours_are_accepted(tmp_path, key, value):
    load_config(_config_setting(tmp_path, key, value))


def test_a_myst_setting_jupyter_book_would_not_pass_on_is_refused(tmp_path):
    root = _config_setting(tmp_path, "parse.myst_heading_anchors", 2)
    with pytest.raises(BookError, match="set it under 'sphinx: config:' as 'myst_heading_anchors'"):
        load_config(root)


NEEDS = [
    ({"html": {"use_edit_page_button": True}}, "use_edit_page_button", "needs 'repository.url'"),
    (
        {"launch_buttons": {"jupyterhub_url": "https://hub.example.edu"}},
        "jupyterhub_url",
        "needs 'repository.url'",
    ),
    (
        {
            "repository": {"url": "https://gitlab.com/a/b"},
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
        },
        "colab_url",
        "opens notebooks from GitHub only",
    ),
    (
        {"launch_buttons": {"notebook_interface": "lab"}},
        "notebook_interface",
        "must be classic or jupyterlab",
    ),
]


@pytest.mark.parametrize("data, leaf, message", NEEDS)
def test_settings_that_need_others_name_their_line(tmp_path, data, leaf, message):
    (tmp_path / "_config.yml").write_text(yaml.safe_dump({"title": "T", **data}, sort_keys=False))
    with pytest.raises(BookError) as err:
        load_config(tmp_path)
    assert err.value.format().startswith(f"_config.yml:{_line(tmp_path, leaf)}: ")
    assert message in err.value.format()


def test_an_extension_that_cannot_be_imported_names_its_line_and_the_requirements(tmp_path):
    text = BASE.replace(
        "  local_extensions:\n",
        "  extra_extensions: [sphinx.ext.githubpages, sphinxcontrib_no_such_thing]\n"
        "  local_extensions:\n    course_ext: exts\n",
    )
    (tmp_path / "_config.yml").write_text(text)
    (tmp_path / "book" / "sphinx").mkdir(parents=True)  # the course's own, listed in the base
    (tmp_path / "book" / "sphinx" / "__init__.py").write_text("")
    problems = [p.format() for p in config_problems(tmp_path)]
    extra = next(n for n, t in enumerate(text.splitlines(), 1) if "extra_extensions" in t)
    local = next(n for n, t in enumerate(text.splitlines(), 1) if "course_ext:" in t)
    assert len(problems) == 2, problems
    assert problems[0].startswith(f"_config.yml:{extra}: the Sphinx extension ")
    assert "'sphinxcontrib_no_such_thing'" in problems[0]
    assert "requirements/course.txt" in problems[0]
    assert problems[1].startswith(f"_config.yml:{local}: the Sphinx extension 'course_ext'")
    (tmp_path / "exts").mkdir()
    (tmp_path / "exts" / "course_ext.py").write_text("def setup(app):\n    return {}\n")
    assert len(config_problems(tmp_path)) == 1


def test_the_courses_theme_options_and_extensions_merge_with_jupyter_books(tmp_path, monkeypatch):
    from book.build.sphinx_config import final_config

    monkeypatch.setattr(sys, "path", list(sys.path))  # local_extensions' folders are added

    text = BASE.replace(
        "  local_extensions:\n",
        "  extra_extensions: [sphinx.ext.githubpages]\n  local_extensions:\n",
    ).replace('  extra_footer: ""', '  extra_footer: "<p>more</p>"')
    (tmp_path / "_config.yml").write_text(text)
    config = load_config(tmp_path)
    final = final_config(config, {"latex_individualpages": False})
    options = final["html_theme_options"]
    assert options["home_page_in_toc"] is True  # html.home_page_in_navbar: true
    assert options["extra_footer"] == "<p>more</p>"
    assert options["show_toc_level"] == 2  # the course's own, kept
    assert options["launch_buttons"]["notebook_interface"] == "classic"
    listed = yaml.safe_load(text)["sphinx"]["config"]["extensions"]
    assert final["extensions"][: len(listed)] == listed
    assert "sphinx.ext.githubpages" in final["extensions"]
    assert "sphinx_thebe" not in final["extensions"]  # the course left it out: stays out
    assert final["nb_execution_mode"] == "cache"  # Sphinx reads what the executor ran


def test_a_labs_folder_shows_the_files_beside_it_and_its_own_error_false_wins(tmp_path):
    import nbformat

    from book.config.execute import ExecuteConfig
    from book.execution.pool import excluded
    from book.execution.runner import _errors_refused, show_beside

    course, work = tmp_path / "labs" / "week01", tmp_path / "work"
    course.mkdir(parents=True)
    work.mkdir()
    (course / "data.csv").write_text("a\n")
    (course / ".hidden").write_text("")
    (work / "data.csv").write_text("the lab's own\n")  # never replaced
    (course / "more").mkdir()
    (course / "more" / "table.csv").write_text("b\n")
    show_beside(course, work)
    assert sorted(p.name for p in work.iterdir()) == ["data.csv", "more"]
    assert (work / "data.csv").read_text() == "the lab's own\n"
    # copies, not links: the sandbox's walls hide the course, and the lab may not write to it
    assert not (work / "more").is_symlink() and (work / "more" / "table.csv").read_text() == "b\n"
    (work / "more" / "table.csv").write_text("changed by the lab\n")
    assert (course / "more" / "table.csv").read_text() == "b\n"
    show_beside(tmp_path / "elsewhere", work)  # a folder not on this machine: nothing

    cell = nbformat.v4.new_code_cell("raise ValueError")
    assert not _errors_refused(cell)
    cell.metadata["book"] = {"options": ["#| error: false"]}
    assert _errors_refused(cell)
    fenced = nbformat.v4.new_code_cell("#| echo: fenced\n#| error: no\nraise ValueError")
    assert _errors_refused(fenced)

    settings = ExecuteConfig(exclude_patterns=("labs/week01/*",))
    assert excluded(tmp_path / "labs" / "week01" / "lab.md", settings)
    assert not excluded(tmp_path / "labs" / "week02" / "lab.md", settings)


def test_a_value_of_the_wrong_type_for_jupyter_books_schema_names_its_line(tmp_path):
    text = BASE.replace("  thebe: false", '  thebe: "yes"').replace(
        "exclude_patterns: [", "exclude_patterns: [3, "
    )
    (tmp_path / "_config.yml").write_text(text)
    (tmp_path / "book" / "sphinx").mkdir(parents=True)
    (tmp_path / "book" / "sphinx" / "__init__.py").write_text("")
    problems = [p.format() for p in config_problems(tmp_path)]
    thebe = next(n for n, t in enumerate(text.splitlines(), 1) if "thebe:" in t)
    excluded = next(n for n, t in enumerate(text.splitlines(), 1) if "exclude_patterns" in t)
    assert problems == [
        f"_config.yml:{excluded}: exclude_patterns.0: 3 is not of type 'string'\n"
        "  the value Jupyter Book's schema expects there (docs/jupyter-book-parity.md)",
        f"_config.yml:{thebe}: launch_buttons.thebe: 'yes' is not of type 'boolean'\n"
        "  the value Jupyter Book's schema expects there (docs/jupyter-book-parity.md)",
    ]
