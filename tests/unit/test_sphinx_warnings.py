"""Every Sphinx warning that reaches the user: the file relative to the course, no colour codes,
and what to do (a known fix, or where to look)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from book.sphinx.warnings import GENERIC, _Translate, fix_for

REPO = Path(__file__).parents[2]


@pytest.fixture
def root(tmp_path):
    shutil.copy2(REPO / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "labs").mkdir()
    return tmp_path


def record(msg: str, location: str | None, *args) -> logging.LogRecord:
    rec = logging.LogRecord("sphinx.x", logging.WARNING, "", 0, msg, args, None)
    rec.location = location  # type: ignore[attr-defined]
    return rec


def test_the_location_is_relative_and_the_colour_codes_go(root):
    rec = record(
        "\x1b[91m%s not found or not configured in bibtex_bibfiles\x1b[39;49;00m",
        f"{root}/labs/week03/session01-x.md:146",
        f"{root}/labs/week03/../_bibliography/references.bib",
    )
    assert _Translate(root).filter(rec)
    assert rec.location == "labs/week03/session01-x.md:146"  # type: ignore[attr-defined]
    assert str(root) not in rec.msg and "\x1b" not in rec.msg
    assert "remove the path after {bibliography}" in rec.msg


@pytest.mark.parametrize(
    "message, fix",
    [
        ("duplicate citation for key 'efron1979'", "':filter: docname in docnames'"),
        (
            'Lexing literal_block "!pip install x" as "ipython3" resulted in an error',
            "requirements/course.txt",
        ),
        ("image file not readable: labs/week01/x.png", "copy the image next to the lab"),
        ("'myst' cross-reference target not found: 'need_for_speed'", "import that page"),
        ("document isn't included in any toctree", "_toc.yml"),
        ("Non-consecutive header level increase; H1 to H3", "heading levels in order"),
    ],
)
def test_warnings_imported_material_brings_say_what_to_do(root, message, fix):
    assert fix in (fix_for(message, root) or "")


def test_an_unknown_warning_still_says_where_to_look(root):
    rec = record("something new happened", None)
    _Translate(root).filter(rec)
    assert rec.msg == f"something new happened — {GENERIC}"
    _Translate(root).filter(rec)
    assert rec.msg.count(GENERIC) == 1, "translated once"
