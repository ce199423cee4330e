"""The reference tables, made from the code that implements what they describe.

- **Cell options**: each option is applied to a one-cell notebook by the lab reader's own
  ``split_options`` and ``apply_options``; the table shows the tags and metadata that came out,
  beside the option's declared help text. A new option without help, or an option whose effect
  changes, changes the table.
- **Course settings**: every field of the declared ``_config.yml`` sections
  (``book.config.sections``), with its default and help text.

``write_docs`` regenerates docs/cell-options.md, docs/configuration.md and the table of
docs/jupyter-book-parity.md; a unit test fails when
the committed files differ from what the code makes.
"""

from __future__ import annotations

import dataclasses as dc
import json
from pathlib import Path

import nbformat

from book.config.execute import ExecuteConfig
from book.config.parity import with_table
from book.config.sections import SECTIONS, FlagConfig
from book.reading import quarto_options
from book.reading.cell_options import (
    BOOLEAN_OPTIONS,
    EVAL_HELP,
    WORD_HELP,
    apply_options,
    split_options,
)

EXAMPLE_FLAG = "torch"  # the example flag of the eval row (any declared flag works the same)
EXAMPLES = {  # a value to show each option with
    "label": "fig-polar",
    "fig-cap": '"A line on a polar axis"',
    "fig-alt": '"A spiral from the centre outwards"',
    "tbl-cap": '"Results"',
    "warning": "false",
    "code-fold": "true",
    "code-summary": '"Show the code"',
    "code-line-numbers": "true",
}


def _effect(option: str) -> str:
    """What the reader makes of ``#| option`` on a code cell: its tags and metadata."""
    opts, code = split_options(
        f"#| {option}\nx = 1", path="example.md", line=1, known_flags={EXAMPLE_FLAG: False}
    )
    cell = nbformat.v4.new_code_cell(code)
    apply_options(cell, opts, {EXAMPLE_FLAG: False})
    parts = [f"tag `{tag}`" for tag in cell.metadata.get("tags", [])]
    for key in ("mystnb",):
        if key in cell.metadata:
            parts.append(f"`{key}: {json.dumps(cell.metadata[key])}`")
    if cell.source != code:
        parts.append("the `#|` lines shown with the code")
    if (cell.metadata.get("book") or {}).get("asis"):
        parts.append("printed output rendered as Markdown")
    return ", ".join(parts)


def _rows() -> list[tuple[str, str]]:
    rows = [("eval: false", EVAL_HELP["false"]), (f"eval: {EXAMPLE_FLAG}", EVAL_HELP["flag"])]
    for key, meaning in BOOLEAN_OPTIONS.items():
        default = "false" if key != "error" else "true"
        rows.append((f"{key}: {default}", meaning))
        for word, what in WORD_HELP.get(key, {}).items():
            rows.append((f"{key}: {word}", what))
    rows += [(f"{key}: {EXAMPLES[key]}", what) for key, what in quarto_options.OPTIONS.items()]
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def cell_options_table() -> str:
    lines = ["| option | what it does | what the reader makes of it |", "|---|---|---|"]
    for option, meaning in _rows():
        lines.append(f"| `#{_cell('| ' + option)}` | {_cell(meaning)} | {_cell(_effect(option))} |")
    not_yet = ", ".join(f"`{key}`" for key in quarto_options.QUARTO_NOT_YET)
    lines += [
        "",
        f"Quarto options not mapped yet (each is named, with what to do instead): {not_yet}.",
    ]
    return "\n".join(lines) + "\n"


def _default(field: dc.Field) -> str:
    if field.default is not dc.MISSING:
        value = field.default
    elif field.default_factory is not dc.MISSING:
        value = field.default_factory()
    else:
        return ""
    if value in ((), {}, "", []):
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


def _fields(cls: type) -> list[dc.Field]:
    return [f for f in dc.fields(cls) if not f.metadata.get("internal")]


def config_table() -> str:
    lines = ["| setting | default | what it does |", "|---|---|---|"]
    sections: dict[str, type] = {"flags.NAME": FlagConfig, "execute": ExecuteConfig, **SECTIONS}
    for section, cls in sections.items():
        for field in _fields(cls):
            key = f"{section}.{field.metadata.get('key', field.name)}"
            lines.append(f"| `{key}` | {_default(field)} | {_cell(field.metadata['help'])} |")
    return "\n".join(lines) + "\n"


TABLES = {"cell-options": cell_options_table, "configuration": config_table}
DOCS = {
    "cell-options": (
        "Cell options",
        "Quarto-style `#|` options on a code cell's first lines. The table is generated from the "
        "lab reader (`python -m book docs`): the last column is what the reader makes of each "
        "option.",
    ),
    "configuration": (
        "Course settings in _config.yml",
        "The sections the course generator adds to Jupyter Book's `_config.yml`, generated from "
        "their declarations in `book/config/sections.py` (`python -m book docs`). A key that is "
        "not here, nor Jupyter Book's, is an error naming its line.",
    ),
}


def doc_page(name: str) -> str:
    title, intro = DOCS[name]
    return (
        f"# {title}\n\n<!-- generated by `python -m book docs`: do not edit -->\n\n{intro}\n\n"
        + (TABLES[name]())
    )


def write_docs(root: Path | str) -> list[Path]:
    """Write docs/<name>.md for every table; returns the files written."""
    written = []
    for name in TABLES:
        path = Path(root) / "docs" / f"{name}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(doc_page(name), encoding="utf-8")
        written.append(path)
    parity = Path(root) / "docs" / "jupyter-book-parity.md"  # prose around a generated table
    parity.write_text(with_table(parity.read_text(encoding="utf-8")), encoding="utf-8")
    return [*written, parity]
