"""What readers get besides the page: downloaded notebooks in plain Markdown, described figures with
captions, labels that speak to them, and the course's display settings.

The notebook checks render each markdown cell of the published ``.ipynb`` with a CommonMark renderer
(markdown-it-py, as JupyterLab renders CommonMark) and look for MyST-only syntax in what it shows.
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from book.errors import BookError
from book.execution import figures
from book.publishing.notebook import export_markdown, mark_recorded
from book.reading.cell_options import apply_options, split_options
from book.sphinx import figures as page_figures
from helpers import pages

MYST_ONLY = re.compile(
    r"\{[\w:-]+\}`|^\s*(:::|```)\s*\{|^\s*\{[#.][^}]*\}\s*$|\]\{[#.]|"
    r"^\s*\([\w-]+\)=\s*$|^\s*%",
    re.M,
)


SAMPLE = """# Week 2, Session 3 — Title

{.lab-byline}
Course 4 · R. Heller

:::{note}
Labs use {doc}`/setup` and **bold**.
:::

```{warning} Mind the gap
:class: tip
Nested `code`{.python} and [a span]{.hl}.
```

(goal)=
## Goal

% a comment for instructors
{prereq}`week01/session02` (ridge); [set-up](../../setup.md#install) and {math}`x^2`.

```python
print("{literal}")
```

```{session-info}
```
"""


def test_export_turns_myst_into_commonmark_that_reads_like_the_page():
    out = export_markdown(SAMPLE, pages())
    assert MYST_ONLY.findall(out.replace('print("{literal}")', "")) == []
    html = MarkdownIt("commonmark").render(out)
    soup = BeautifulSoup(html, "html.parser")
    assert [q.find("strong").get_text() for q in soup.find_all("blockquote")] == [
        "Note",
        "Mind the gap",
    ]
    links = {a.get_text(): a["href"] for a in soup.find_all("a", href=True)}
    assert links == {
        "Setting up Python": "../../setup.html",
        "Week 1, Session 2 — Regularisation": "../week01/session02-reg.html",
        "set-up": "../../setup.html#install",
        "this lab's page": "session03.html",
    }
    assert soup.find("a", id="goal") is not None and soup.find("h2").get_text() == "Goal"
    assert "a comment for instructors" not in html and "lab-byline" not in html
    assert "$x^2$" in out and 'print("{literal}")' in out  # code is left exactly as written
    assert "Nested <code>code</code> and a span." in html


def test_export_links_to_the_published_site_when_its_url_is_set():
    out = export_markdown(
        "{prereq}`week01/session02` and {doc}`/setup`",
        pages(base_url="https://course.example.org/c4/"),
    )
    assert out == (
        "[Week 1, Session 2 — Regularisation]"
        "(https://course.example.org/c4/labs/week01/session02-reg.html) and "
        "[Setting up Python](https://course.example.org/c4/setup.html)"
    )


def test_the_kernel_describes_each_figure_and_draws_it_for_both_modes(tmp_path):
    from nbclient import NotebookClient

    code = (
        "import matplotlib.pyplot as plt\nfig, (a, b) = plt.subplots(1, 2)\n"
        "a.plot([1, 2], label='fit'); a.set_title('Loss'); a.set_xlabel('epoch'); a.legend()\n"
        "b.set_ylabel('error')\nplt.show()\n"
        "fig, ax = plt.subplots(); plt.show()"
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell("print(sorted(dir()))")]
    )
    env = figures.kernel_env(tmp_path)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(
            nb, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    outputs = [o for o in nb.cells[0].outputs if o.output_type == "display_data"]
    assert [sorted(o.data) for o in outputs] == [["image/svg+xml", "text/plain"]] * 2
    assert outputs[0].metadata["alt"] == (
        "Panel 1 of 2: Loss; x axis: epoch; legend: fit. Panel 2 of 2: y axis: error"
    )
    assert "alt" not in outputs[1].metadata  # nothing to say: the page says "Figure"
    assert outputs[0].metadata["needs_background"] == "light"  # transparent, dark ink
    names = nb.cells[1].outputs[0].text
    assert "describe" not in names and "_inline" not in names, "nothing left in the lab's namespace"
    assert page_figures.image_alt(None, outputs[1].metadata) == page_figures.FALLBACK_ALT
    assert page_figures.image_alt("Author's words", outputs[0].metadata) == "Author's words"


def test_fig_cap_and_fig_alt_options_become_myst_nb_figure_metadata():
    opts, body = split_options(
        '#| fig-cap: "Loss by epoch."\n#| fig-alt: A falling curve\nplot()',
        path="lab.md",
        line=5,
        known_flags={},
    )
    cell = nbformat.v4.new_code_cell(body)
    apply_options(cell, opts, {})
    assert body == "plot()"
    assert cell.metadata["mystnb"] == {
        "figure": {"caption": "Loss by epoch."},
        "image": {"alt": "A falling curve"},
    }
    with pytest.raises(BookError, match="'fig-width' is a Quarto cell option this course does not"):
        split_options("#| fig-width: 5\nplot()", path="lab.md", line=5, known_flags={})


def test_display_settings_default_validate_and_name_the_problem(tmp_path):
    from book.config.course import load_config

    def config(text: str):
        (tmp_path / "_config.yml").write_text(text)
        return load_config(tmp_path)

    assert config("title: x\n").display.as_settings() == {"code-overflow": "scroll"}
    wrap = config("display:\n  code-overflow: wrap\n")
    assert wrap.display.as_settings() == {"code-overflow": "wrap"}
    with pytest.raises(BookError, match="display.code-overflow must be scroll or wrap, not 'clip'"):
        config("display:\n  code-overflow: clip\n")
    with pytest.raises(BookError, match="_config.yml:2: unknown key 'colour'"):
        config("display:\n  colour: blue\n")


def test_exercises_keep_their_label_in_the_downloaded_notebook():
    text = export_markdown(
        ":::{exercise} Sums\n:label: ex-sum\n\nAdd two numbers.\n:::\n\n"
        ":::{exercise}\nPlain.\n:::\n\n:::{solution} ex-sum\n:class: dropdown\n\nUse +.\n:::",
        pages(),
    )
    assert "> **Exercise: Sums**" in text and "> Add two numbers." in text
    assert "> **Exercise**" in text and "> **Solution**" in text and "ex-sum" not in text


def _recorded_notebook():
    nb = nbformat.v4.new_notebook()
    recorded = {"date": "2026-11-29", "device": "CPU", "flag": "torch", "packages": {"torch": "2"}}
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("import torch", metadata={"book": {"recorded": recorded}}),
        nbformat.v4.new_code_cell(
            "y", metadata={"book": {"recorded": {**recorded, "stale": True}}}
        ),
    ]
    return nb


def test_recorded_outputs_are_marked_in_the_downloaded_notebook():
    cells = mark_recorded(_recorded_notebook()).cells
    assert [c.cell_type for c in cells] == ["code", "markdown", "code", "code"]
    assert "recorded on 2026-11-29 with torch 2 on CPU" in cells[1].source
    again = mark_recorded(_recorded_notebook()).cells
    assert cells[1].id == again[1].id, "the same notebook in every build"
