"""What readers get besides the page: downloaded notebooks in plain Markdown, described figures with
captions, labels that speak to them, and the course's display settings.

The notebook checks render each markdown cell of the published ``.ipynb`` with a CommonMark renderer
(markdown-it-py, as JupyterLab renders CommonMark) and look for MyST-only syntax in what it shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

LABS = ["labs/week01/session02-regularisation", "labs/week02/session03-tabular-nn-torch"]


MYST_ONLY = re.compile(
    r"\{[\w:-]+\}`|^\s*(:::|```)\s*\{|^\s*\{[#.][^}]*\}\s*$|\]\{[#.]|"
    r"^\s*\([\w-]+\)=\s*$|^\s*%",
    re.M,
)


@pytest.mark.parametrize("lab", LABS)
def test_downloaded_notebook_has_no_myst_only_markup(site, lab):
    nb = nbformat.read(site / "_sources" / f"{lab}.ipynb", as_version=4)
    renderer = MarkdownIt("commonmark")
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown
    for source in markdown:
        assert MYST_ONLY.findall(source) == [], source
        text = BeautifulSoup(renderer.render(source), "html.parser").get_text()
        for literal in (":::", "{note}", "{prereq}", "{.lab-byline}", "{session-info}", "{doc}"):
            assert literal not in text, (literal, source)
    assert not any("mystnb" in c.metadata for c in nb.cells)
    # links between pages resolve inside the published site (no html.baseurl: relative)
    page_dir = (site / lab).parent
    for source in markdown:
        for href in BeautifulSoup(renderer.render(source), "html.parser").select("a[href]"):
            target = href["href"].split("#")[0]
            if target and "://" not in target:
                assert (page_dir / target).resolve().is_file(), href["href"]


def test_prereq_and_admonition_in_the_downloaded_lab(site):
    nb = nbformat.read(site / "_sources" / f"{LABS[1]}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "> **Note**" in text
    assert "[Week 1, Session 2 — Regularisation](../week01/session02-regularisation.html)" in text
    assert "#| fig-cap:" in "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_recorded_outputs_are_explained_once_and_marked_on_each_cell(site):
    soup = BeautifulSoup((site / f"{LABS[1]}.html").read_text(encoding="utf-8"), "html.parser")
    notes = soup.select(".cell-recorded-note")
    assert len(notes) == 1, "one note per lab"
    note = notes[0]
    text = note.get_text(" ", strip=True)
    assert "in your own notebook" in text and "run the cells" in text
    # the set-up page's own install command, linked to its section
    setup = note.select_one("a[href*='setup.html#install-torch']")
    assert setup is not None and setup.get_text() == "Setting up Python for the labs"
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in text
    assert "Building the site" not in soup.get_text(), "instructor text: the instructor build's"
    assert note.select_one(".nowrap").get_text() == "2026-11-29", "the date never wraps"
    marks = soup.select(".cell-recorded")
    assert len(marks) == 3
    for mark in marks:
        assert mark.select_one("a")["href"] == f"#{note['id']}"
        assert len(mark.get_text(" ", strip=True)) < 60, "a short mark, not the note again"
    assert marks[0].find_previous_sibling(class_="cell-recorded-note") is note


def test_figures_are_svg_with_captions_and_alt_text_from_the_figure(site):
    soup = BeautifulSoup((site / f"{LABS[0]}.html").read_text(encoding="utf-8"), "html.parser")
    images = soup.select("article div.cell_output img")
    assert len(images) >= 4
    for img in images:
        assert img["src"].endswith(".svg")
        assert "x axis:" in img["alt"] and Path(img["src"]).stem not in img["alt"]
        assert img.find_parent("figure").find("figcaption").get_text(strip=True)
    assert images[0]["alt"].startswith(
        "Raw features are on very different scales; x axis: feature index"
    )
    svg = (site / "labs" / "week01" / images[0]["src"]).resolve().read_text(encoding="utf-8")
    assert "<dc:date>" not in svg, "no build date in figures: the same figure, the same file"


def test_download_links_carry_the_download_attribute(site):
    soup = BeautifulSoup((site / f"{LABS[0]}.html").read_text(encoding="utf-8"), "html.parser")
    links = soup.select("a[href*='_sources/']")
    assert len(links) == 2 and all(a.has_attr("download") for a in links)


def test_session_info_lists_what_the_kernel_imported_and_downloads_mark_recorded_outputs(site):
    soup = BeautifulSoup((site / f"{LABS[1]}.html").read_text(encoding="utf-8"), "html.parser")
    info = next(
        o.get_text() for o in soup.select(".cell_output") if "Packages this kernel" in o.get_text()
    )
    assert "numpy==" in info and "torch" not in info, "no torch cell ran in this build"
    notebook = nbformat.read(site / "_sources" / f"{LABS[1]}.ipynb", as_version=4)
    marked = [i for i, c in enumerate(notebook.cells) if c.source.startswith("*Recorded output")]
    assert len(marked) == 3
    assert all(notebook.cells[i + 1].outputs for i in marked), "above each recorded cell"
