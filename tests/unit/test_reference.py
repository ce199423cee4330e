"""Reference tables are generated from the code: the committed docs/ pages match what the code
makes now, and the cell-options table shows what the lab reader really does with each option."""

from __future__ import annotations

import pytest

from book.reading import quarto_options
from book.reading.cell_options import BOOLEAN_OPTIONS
from book.reference.tables import TABLES, cell_options_table, config_table, doc_page
from conftest import REPO


@pytest.mark.parametrize("name", sorted(TABLES))
def test_committed_docs_match_the_code(name):
    committed = (REPO / "docs" / f"{name}.md").read_text(encoding="utf-8")
    assert committed == doc_page(name), f"docs/{name}.md is stale: run `python -m book docs`"


def test_every_option_is_in_the_table_with_its_effect():
    table = cell_options_table()
    for key in (*BOOLEAN_OPTIONS, *quarto_options.OPTIONS, "eval"):
        assert f"`#\\| {key}:" in table, key
    echo = "| `#\\| echo: false` | run the cell; false hides its code | tag `remove-input` |"
    assert echo in table
    assert '`mystnb: {"output_stderr": "remove"}`' in table  # warning: false, as applied


def test_every_declared_setting_is_in_the_configuration_table():
    table = config_table()
    for key in ("limits.memory_mb", "schedule.timezone", "display.code-overflow", "execute.cache"):
        assert f"| `{key}` |" in table
