"""Unit tests: Quarto documents read as MyST (lines kept), and Quarto's cell options."""

from __future__ import annotations

import nbformat
import pytest

from book.errors import BookError
from book.reading.cell_options import apply_options, split_options
from book.reading.quarto import asis_outputs, to_myst

QMD = """---
title: "Spirals"
format: html
jupyter: python3
---

## Plot {#sec-plot}

::: {.callout-warning}
## Mind the axis
Angles in radians.
:::

![A spiral](spiral.png){#fig-img fig-alt="a spiral"}

See @fig-img, @tbl-t and @sec-plot.

```{python}
#| label: fig-x
print(1)
```

```{{python}}
#| eval: false
shown_not_run()
```
"""


def test_qmd_becomes_myst_with_the_lines_of_the_qmd():
    text, origin = to_myst(QMD, "labs/x.qmd")
    lines = text.split("\n")
    assert "format" not in text.split("---")[1] and "kernelspec" in text.split("---")[1]
    assert "# Spirals" in lines, "the front matter's title is the page title without a lab:"
    at = lines.index("(sec-plot)=")
    assert lines[at + 1] == "## Plot" and origin[at] == 6  # line 7 of the .qmd
    assert ":::{admonition} Mind the axis" in lines and ":class: warning" in lines
    assert "```{figure} spiral.png" in lines and ":name: fig-img" in lines
    assert ":alt: a spiral" in lines
    refs = "See {numref}`Figure %s <fig-img>`, {numref}`Table %s <tbl-t>` and {ref}`sec-plot`."
    assert refs in lines
    cell = lines.index("```{code-cell} ipython3")
    assert origin[cell] == 17 and lines[cell + 1] == "#| label: fig-x"
    assert "```python" in lines, "an escaped chunk is shown, not run"


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("```{r}\nx <- 1\n```\n", 3, "a {r} code chunk: this course runs Python cells only"),
        ("{{< include _part.md >}}\n", 3, "a Quarto shortcode {{< include _part.md >}}"),
    ],
)
def test_qmd_problems_name_their_line(body, line, message):
    with pytest.raises(BookError) as err:
        to_myst("---\ntitle: x\n---\n" + body, "labs/x.qmd")
    assert err.value.format().startswith(f"labs/x.qmd:{line + 1}: {message}")


DOC_OPTIONS = """---
title: x
execute:
  echo: false
  warning: false
  freeze: auto
fig-width: 4
fig-format: png
---

```{python}
#| echo: true
x = 1
```

```{python}
y = 2
```
"""


def test_document_wide_execute_options_are_every_chunks_defaults():
    text, origin = to_myst(DOC_OPTIONS, "labs/x.qmd")
    cells = text.split("```{code-cell} ipython3\n")[1:]
    setup, first, second = cells
    assert setup.startswith("#| include: false\nimport matplotlib.pyplot as _plt\n")
    assert "_plt.rcParams['figure.figsize'] = (4, 5)" in setup, "Quarto's default height: 5"
    assert "%config InlineBackend.figure_formats = {'png'}" in setup
    assert first.startswith("#| echo: true\n#| warning: false\nx = 1"), "a chunk's own wins"
    assert second.startswith("#| echo: false\n#| warning: false\ny = 2")
    lines = text.split("\n")
    assert origin[lines.index("#| echo: false")] == 2, "a default's errors name 'execute:'"
    assert origin[lines.index("y = 2")] == DOC_OPTIONS.split("\n").index("y = 2")
    nb_cell = nbformat.v4.new_code_cell("#| echo: false\n#| warning: false\ny = 2")
    apply_options(nb_cell, opts(nb_cell.source)[0], {})
    assert "remove-input" in nb_cell.metadata["tags"]


@pytest.mark.parametrize(
    "front, line, message",
    [
        ("execute:\n  daemon: 5\n  lazy: true", 4, "'execute: lazy' is Quarto's"),
        ("fig-format: pdf", 2, "fig-format 'pdf' cannot be shown on a web page"),
        ("fig-width: wide", 2, "'fig-width' must be a number"),
    ],
)
def test_document_options_that_cannot_be_honoured_name_their_line(front, line, message):
    with pytest.raises(BookError) as err:
        to_myst(f"---\n{front}\n---\n", "labs/x.qmd")
    assert err.value.format().startswith(f"labs/x.qmd:{line}: {message}")


def test_inline_python_is_evaluated_before_its_paragraph():
    qmd = (
        "---\ntitle: x\n---\n\nIntro.\n\n"
        "There are `{python} len(cars)` cars\nand `{python} 2 * 3` wheels.\n"
    )
    text, origin = to_myst(qmd, "labs/x.qmd")
    assert "There are {glue}`quarto-inline-1` cars" in text
    assert "and {glue}`quarto-inline-2` wheels." in text
    cell = text[text.index("```{code-cell}") : text.index("There are")]
    assert text.index("Intro.") < text.index("```{code-cell}"), "after the paragraph before"
    assert "str(len(cars))" in cell and "str(2 * 3)" in cell and "#| include: false" in cell
    assert "'name': 'quarto-inline-1'" in cell
    namespace: dict = {"cars": [1, 2]}
    shown = []
    import IPython.display

    real = IPython.display.display
    IPython.display.display = lambda *a, **k: shown.append((a, k))
    try:
        body = cell.split("\n", 1)[1].rsplit("```", 1)[0]
        exec(body.replace("#| include: false\n", ""), namespace)
    finally:
        IPython.display.display = real
    (data,), meta = shown[0]
    assert data == {"application/papermill.record/text/plain": "2"}
    assert meta["metadata"]["scrapbook"]["name"] == "quarto-inline-1"


def opts(source):
    return split_options(source, path="labs/x.qmd", line=10, known_flags={})


@pytest.mark.parametrize(
    "source, line, message, hint",
    [
        (
            "#| fig-width: 6\nx",
            10,
            "'fig-width' is a Quarto cell option this course does not support yet",
            "figsize",
        ),
        ("#| echo: true\n#| layout-ncol: 2\nx", 11, "'layout-ncol' is a Quarto cell option", ""),
        ("#| label: fig one\nx", 10, "cell option 'label' takes a name", ""),
        (
            "#| code-fold: show\nx",
            10,
            "cell option 'code-fold' takes true or false",
            "'code-fold: show' is Quarto's but not supported yet",
        ),
        (
            "#| echo: folded\nx",
            10,
            "cell option 'echo' takes true or false, not 'folded'",
            "'echo: fenced' as in Quarto",
        ),
    ],
)
def test_quarto_options_errors(source, line, message, hint):
    with pytest.raises(BookError) as err:
        opts(source)
    text = err.value.format()
    assert text.startswith(f"labs/x.qmd:{line}: {message}"), text
    assert hint in text


def test_quarto_options_become_myst_nb_metadata():
    cell = nbformat.v4.new_code_cell()
    o, cell.source = opts(
        '#| label: fig-p\n#| fig-cap: "A plot"\n#| fig-alt: "dots"\n'
        '#| warning: false\n#| code-fold: true\n#| code-summary: "Code"\nplot()'
    )
    apply_options(cell, o, {})
    assert cell.metadata["mystnb"] == {
        "figure": {"name": "fig-p", "caption": "A plot"},
        "image": {"alt": "dots"},
        "output_stderr": "remove",
        "code_prompt_show": "Code",
    }
    assert cell.metadata["tags"] == ["hide-input"] and cell.source == "plot()"


def test_echo_fenced_shows_the_options_and_output_asis_renders_markdown():
    cell = nbformat.v4.new_code_cell()
    o, cell.source = opts("#| echo: fenced\n#| output: asis\nprint('**b**')")
    apply_options(cell, o, {})
    assert cell.source == "#| echo: fenced\n#| output: asis\nprint('**b**')"
    assert "options" not in cell.metadata["book"], "the download does not repeat them"
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="**b**\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    asis_outputs(nb)
    assert cell.outputs[0]["output_type"] == "display_data"
    assert cell.outputs[0]["data"] == {"text/markdown": "**b**\n"}
