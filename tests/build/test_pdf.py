"""A PDF of each lab (book/publishing/pdf.py): made from the rendered page by Chromium when asked
(make html PDF=1, 'pdf: enable'), linked from the lab's download menu, with the lab's title and
figures and no navigation; the default build says how to turn it on."""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import copy_built, run_build

CHROME = (
    "Skip to main content",
    "Search",
    "Ctrl+K",
    "Previous",
    "Next",
    "Contents",
    "Download",
    "Built with flags",  # kept: it is the lab's own statement (see below)
)


def page_html(site, docname: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"{docname}.html").read_text(), "html.parser")


@pytest.fixture(scope="module")
def printed(built_course, tmp_path_factory):
    if not shutil.which("chromium"):
        pytest.skip("PDFs need Chromium: apt-get install chromium")
    root = copy_built(built_course, tmp_path_factory.mktemp("pdf") / "course")
    result = run_build(root, "--pdf", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pdf: printed 2 lab(s) to _pdf/" in result.stdout
    return root / "_build" / "html"


def test_the_default_build_says_how_to_make_pdfs(built_course):
    site = built_course / "_build" / "html"
    assert not (site / "_pdf").exists()
    lab = BeautifulSoup(
        (site / "labs/week01/session02-regularisation.html").read_text(), "html.parser"
    )
    assert lab.select_one(".btn-download-pdf-button")["onclick"] == "window.print()"


def test_each_lab_has_a_pdf_with_its_title_and_figures_and_no_navigation(printed):
    labs = json.loads((printed / "build-info.json").read_text())["labs"]
    for docname, lab in labs.items():
        reader = PdfReader(io.BytesIO((printed / "_pdf" / f"{docname}.pdf").read_bytes()))
        text = "\n".join(page.extract_text() for page in reader.pages)
        flat = " ".join(text.split())
        assert flat.startswith(f"Week {lab['week']}, Session {lab['session']} — {lab['title']}")
        for chrome in CHROME[:-1]:
            assert chrome not in flat, f"{docname}: {chrome!r} (navigation) is in the PDF"
        assert f"{docname}.html" in flat, "the page's address at the foot"
        # the figures, drawn (SVG: their titles are text) and captioned as on the page
        captions = page_html(printed, docname).select("figure figcaption")
        assert len(captions) >= 3 and flat.count("Fig. ") >= len(captions), docname
        source = (printed.parents[1] / f"{docname}.md").read_text()
        titles = re.findall(r'set_title\("([^"{]+)"\)', source)
        assert titles and all(" ".join(t.split()) in flat for t in titles), (docname, titles)
        assert "/tmp" not in flat and str(printed) not in flat and "127.0.0.1" not in flat
        link = page_html(printed, docname).select_one("a.btn-download-pdf-button")
        assert link is not None and link["href"].endswith(f"_pdf/{docname}.pdf")
