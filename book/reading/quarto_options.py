"""Quarto's cell options beyond the five of ``cell_options``, mapped to what myst-nb renders.

Instructors bring Quarto documents whose cells say ``#| label: fig-polar`` and
``#| fig-cap: "A line on a polar axis"``. Each option here becomes cell metadata myst-nb already
understands, so no new renderer is needed:

- ``label`` names the cell's figure (``mystnb: {figure: {name}}``), the target of ``@fig-…`` /
  ``@tbl-…`` cross-references; ``fig-cap`` / ``tbl-cap`` give the figure its caption (and number),
  ``fig-alt`` the image's alt text (``mystnb: {image: {alt}}``);
- ``warning: false`` drops what the cell writes to stderr (``mystnb: {output_stderr: remove}``);
- ``code-line-numbers: true`` numbers the code's lines (``mystnb: {number_source_lines}``);
- ``code-fold: true`` folds the code behind a toggle (the ``hide-input`` tag), ``code-summary``
  is the toggle's text (``mystnb: {code_prompt_show}``);
- ``echo: fenced`` shows the ``#|`` lines with the code, ``output: asis`` renders what the cell
  prints as Markdown (handled by ``cell_options`` and ``quarto.asis_outputs``).

Quarto options without a mapping yet are named as Quarto's (``QUARTO_NOT_YET``), not as typos.
"""

from __future__ import annotations

from book.errors import BookError

# option -> what it takes (shown in errors)
OPTIONS = {
    "label": "a name such as fig-polar or tbl-results (letters, digits, '-', '_')",
    "fig-cap": "the figure's caption (text)",
    "fig-alt": "the figure's alt text, read out by screen readers (text)",
    "tbl-cap": "the table's caption (text)",
    "warning": "false drops what the cell writes to stderr (warnings)",
    "code-fold": "true folds the code behind a 'Show code' toggle",
    "code-summary": "the text of the code-fold toggle",
    "code-line-numbers": "true numbers the lines of the code",
}

FIG_SIZE_HINT = (
    "Quarto's Jupyter engine ignores it on a cell too: set it at the top of the front matter "
    "(a .qmd), or size the figure in the code: plt.figure(figsize=(w, h))"
)
# Quarto's own cell options that this generator does not map yet, with what to do instead.
QUARTO_NOT_YET = {
    "fig-width": FIG_SIZE_HINT,
    "fig-height": FIG_SIZE_HINT,
    "fig-align": "remove the line (figures are centred)",
    "fig-dpi": "set the dpi in the code: plt.figure(dpi=N)",
    "fig-format": "set it at the top of the front matter (a .qmd), as Quarto reads it",
    "fig-subcap": "split the cell, one figure and fig-cap each",
    "fig-cap-location": "remove the line (captions go below)",
    "tbl-colwidths": "remove the line",
    "tbl-subcap": "split the cell, one table and tbl-cap each",
    "layout": "remove the line (one output per row)",
    "layout-ncol": "remove the line (one output per row)",
    "layout-nrow": "remove the line (one output per row)",
    "column": "remove the line",
    "cache": "remove the line (every unchanged lab is cached by the build)",
    "freeze": "remove the line (every unchanged lab is cached by the build)",
    "message": "remove the line (Python cells have no messages; use warning: false)",
    "results": "use 'output: asis' or 'output: false'",
    "collapse": "remove the line",
    "code-overflow": "remove the line",
    "code-tools": "remove the line",
    "lst-label": "remove the line",
    "lst-cap": "remove the line",
    "classes": "remove the line",
    "filename": "remove the line",
    "panel": "remove the line",
    "out-width": "remove the line",
    "out-height": "remove the line",
    "html-table-processing": "remove the line",
    "lightbox": "remove the line",
    "tags": "use the cell's metadata tags (in a notebook) instead",
}


def parse(
    key: str, value: str, as_bool: bool | None, path: str | None, line: int | str | None
) -> object:
    """The value of a Quarto option ``key``, or a ``BookError`` naming the line."""
    if key == "label":
        if not value.replace("-", "").replace("_", "").isalnum():
            raise BookError(
                path, line, f"cell option 'label' takes {OPTIONS['label']}, not {value!r}"
            )
        return value
    if key in ("warning", "code-fold", "code-line-numbers"):
        if as_bool is None:
            hint = "'code-fold: show' is Quarto's but not supported yet" if value == "show" else ""
            raise BookError(
                path,
                line,
                f"cell option {key!r} takes true or false, not {value!r}",
                hint or f"{key}: {OPTIONS[key]}",
            )
        return as_bool
    if not value:
        raise BookError(path, line, f"cell option {key!r} needs {OPTIONS[key]}")
    return value


def not_yet(key: str, path: str | None, line: int | str | None) -> BookError:
    return BookError(
        path,
        line,
        f"{key!r} is a Quarto cell option this course does not support yet",
        QUARTO_NOT_YET[key],
    )


def apply(cell, values: dict[str, object], tags: list[str]) -> None:
    """Put the options' myst-nb metadata on ``cell`` (``tags`` is the cell's tag list)."""
    mystnb: dict[str, object] = dict(cell.metadata.get("mystnb") or {})
    figure: dict[str, object] = {}
    label = values.get("label")
    caption = values.get("fig-cap") or values.get("tbl-cap")
    if label:
        figure["name"] = label
    if caption:
        figure["caption"] = caption
    if figure:
        mystnb["figure"] = figure
    if values.get("fig-alt"):
        mystnb["image"] = {"alt": values["fig-alt"]}
    if values.get("warning") is False:
        mystnb["output_stderr"] = "remove"
    if values.get("code-fold") and "hide-input" not in tags:
        tags.append("hide-input")
    if values.get("code-line-numbers"):
        mystnb["number_source_lines"] = True
    if values.get("code-summary"):
        mystnb["code_prompt_show"] = str(values["code-summary"])
    if mystnb:
        cell.metadata["mystnb"] = mystnb
