"""The published course: pages, sections, real figures, honest numbers, clean output, no leaks."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import nbformat
import numpy as np
from bs4 import BeautifulSoup

from book.checks.site import scan_site
from conftest import REPO as REPO_ROOT
from conftest import WORKFLOW_SECTIONS

LAB = "labs/week02/session03-tabular-nn-torch"


SECTIONS = WORKFLOW_SECTIONS


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def test_home_setup_and_lab_pages_exist(site):
    for name in ("index", "intro", "setup", LAB):
        assert (site / f"{name}.html").is_file(), name
    home = page(site, "intro")
    assert "How to use this site" in home.get_text()
    assert home.find("a", href=re.compile(r"labs/week02/session03-tabular-nn-torch\.html"))
    setup = page(site, "setup").get_text()
    assert "pip install torch==2.13.0" in setup and "numpy" in setup


def test_navigation_groups_labs_by_week(site):
    nav = page(site, "intro").select_one("nav.bd-docs-nav")
    captions = [c.get_text(strip=True) for c in nav.select("p.caption")]
    assert "Week 2" in captions
    link = nav.find("a", href=re.compile("session03-tabular-nn-torch"))
    assert link.get_text(strip=True) == "Session 3 — Tabular neural networks with torch"


def test_lab_has_title_byline_and_every_section_in_order(site):
    soup = page(site, LAB)
    main = soup.select_one("article.bd-article")
    assert main.find("h1").get_text(strip=True).rstrip("#") == (
        "Week 2, Session 3 — Tabular neural networks with torch"
    )
    assert "Course 4 · R. Heller" in main.get_text()
    headings = [h.get_text(strip=True).rstrip("#") for h in main.find_all("h2")]
    assert headings == SECTIONS
    assert "Goal → Approach → Execution → Check → Report" in main.get_text()


def _lab_images(site: Path) -> list[Path]:
    soup = page(site, LAB)
    srcs = [img["src"] for img in soup.select("article.bd-article img")]
    return [(site / LAB).parent.joinpath(src).resolve() for src in srcs]


def _svg_size(path: Path) -> tuple[float, float]:
    """A matplotlib SVG figure's width and height in points; asserts it is one."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text, path
    size = re.search(r'<svg[^>]* width="([\d.]+)pt" height="([\d.]+)pt"', text)
    assert size, path
    return float(size[1]), float(size[2])


def test_figures_are_real_nonblank_svgs(site):
    """Figures are SVG (book/execution/figures.py): sharp at any zoom, and lighter than retina
    PNG here."""
    images = _lab_images(site)
    # data, gradient-descent loss, coefficients, and the torch loss curve (recorded, _freeze/)
    assert len(images) == 4
    for path in images:
        width, height = _svg_size(path)
        assert width > 300 and height > 200, path
        text = path.read_text(encoding="utf-8")
        # data is drawn clipped to its axes (ticks, spines and text are not): points and markers
        clipped = re.findall(r'<g clip-path="url\(#\w+\)">(.*?)</g>', text, re.S)
        clipped += re.findall(r'<path d="([^"]*)" clip-path=', text)
        drawn = sum(block.count("\nL ") + block.count("<use ") for block in clipped)
        assert drawn >= 20, f"{path.name} is (nearly) blank"


def test_check_table_numbers_are_close_to_the_truth(site):
    table = page(site, LAB).select_one("table.coef-table")
    rows = [[float(td.get_text()) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    assert len(rows) == 10
    truth = np.array([2, -1, 0.5] + [0] * 7)
    gd, ols, listed = (np.array([r[i] for r in rows]) for i in (1, 2, 3))
    assert np.allclose(listed, truth)
    assert np.abs(gd - truth).max() < 0.1
    assert np.abs(ols - truth).max() < 0.1
    # gradient descent after 200 steps at lr 0.01 is close to, but short of, OLS
    assert np.abs(gd - ols).max() < 0.1


def test_torch_code_is_shown_with_its_recorded_outputs_labelled(site):
    """Built without torch: the torch cells show the outputs recorded by `make freeze TORCH=1`
    (the bundled _freeze/), each labelled with where and when they were recorded."""
    soup = page(site, LAB)
    markers = ("import torch", "train_losses", "net(torch")
    torch_cells = [
        c
        for c in soup.select("div.cell")
        if any(m in c.select_one(".cell_input").get_text() for m in markers)
    ]
    assert len(torch_cells) == 3
    for cell in torch_cells:
        assert cell.select_one(".cell_input pre"), "code is shown"
        assert cell.select(".cell_output"), "the recorded output is shown"
        mark = cell.select_one(".cell-recorded[role=note]")
        note = soup.select_one(mark.select_one("a")["href"])  # the lab's one note
        label = note.get_text(" ", strip=True)
        assert "recorded on 20" in label and "torch 2.13.0" in label and "on CPU" in label
        assert "which this site was built without" in label
        assert "#|" not in cell.select_one(".cell_input").get_text()
    # (the word breaks after attribute dots, for search, are not on the page at all)
    assert "\u2063" not in soup.get_text()
    numpy_gd = [c for c in soup.select("div.cell") if "grad = -2 * X.T" in c.get_text()]
    assert numpy_gd and numpy_gd[0].select(".cell_output"), "the numpy version always runs"


def test_outputs_are_clean(site):
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"&lt;[\w.]+ (object )?at 0x[0-9a-f]+&gt;", text), html
        soup = BeautifulSoup(text, "html.parser")
        assert not soup.select(".output.stderr, .stderr"), f"stderr shown in {html}"
        assert "Warning" not in "".join(o.get_text() for o in soup.select(".cell_output")), html


def test_session_info_lists_versions_without_paths(site):
    soup = page(site, LAB)
    text = soup.select_one("#session-info").find_parent("section").get_text()
    assert re.search(r"Python 3\.\d+\.\d+", text)
    assert "BLAS:" in text
    assert re.search(r"numpy==\d", text) and re.search(r"matplotlib==\d", text)
    assert "torch" in text


def test_lab_downloads_as_ipynb_and_md(site):
    soup = page(site, LAB)
    hrefs = [a.get("href", "") for a in soup.select(".dropdown-download-buttons a")]
    assert any(h.endswith("session03-tabular-nn-torch.ipynb") for h in hrefs), hrefs
    assert any(h.endswith("session03-tabular-nn-torch.md") for h in hrefs), hrefs
    nb = nbformat.read(site / "_sources" / f"{LAB}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith("import numpy as np")
    assert any(c.source.startswith("#| eval: torch") for c in code)
    assert any(c.outputs for c in code), "the download carries the build's outputs"
    assert "source_map" not in nb.metadata
    assert nb.cells[0].source.startswith("# Week 2, Session 3")
    assert (site / "_sources" / f"{LAB}.md").read_text().startswith("---")


def test_build_info_records_flags_versions_and_labs(site):
    info = json.loads((site / "build-info.json").read_text())
    assert info["flags"] == {"torch": False}
    assert info["packages"]["jupyter-book"] == "1.0.4.post1"
    lab = info["labs"][LAB]
    assert lab["status"] in ("executed", "cached") and lab["seconds"] > 0
    assert lab["flags_used"] == ["torch"] and lab["cells_not_run"] == 3
    assert 'name="course-build-flags" content="torch=off"' in (site / f"{LAB}.html").read_text()
    note = page(site, LAB).select_one("article p.build-flags").get_text()
    assert note == "Built with flags: torch off."


def test_nothing_of_the_build_machine_leaks(site, built_course):
    assert scan_site(site, built_course) == []
    needles = [str(built_course), str(Path.home()), socket.gethostname()]  # home: /root as root
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".json", ".txt", ".js"):
            data = path.read_text(encoding="utf-8", errors="replace")
            for needle in needles:
                if len(needle) >= 4:
                    assert needle not in data, f"{needle!r} in {path}"


REG = "labs/week01/session02-regularisation"


def test_regularisation_lab_is_built_and_linked_from_the_torch_lab(site):
    soup = page(site, REG)
    main = soup.select_one("article.bd-article")
    assert main.find("h1").get_text(strip=True).rstrip("#") == (
        "Week 1, Session 2 — Regularisation"
    )
    assert [h.get_text(strip=True).rstrip("#") for h in main.find_all("h2")] == SECTIONS
    text = main.get_text()
    assert "all of the Report's claims hold" in text  # the Check cell ran and passed
    mse = dict(re.findall(r"(OLS|ridge|lasso): test MSE (\d+\.\d+) \(", text))
    assert set(mse) == {"OLS", "ridge", "lasso"}
    assert float(mse["lasso"]) < float(mse["ridge"]) < float(mse["OLS"])
    assert "lasso keeps 5 of 5 signal features" in text
    images = [(site / REG).parent.joinpath(img["src"]).resolve() for img in main.select("img")]
    assert len(images) == 4  # feature scales, coefficient paths, CV error, estimates
    assert all(_svg_size(p) for p in images)
    nav = page(site, "intro").select_one("nav.bd-docs-nav")
    captions = [c.get_text(strip=True) for c in nav.select("p.caption")]
    assert captions.index("Week 1") < captions.index("Week 2")
    # the torch lab's Prerequisites link it, titled
    prereq = page(site, LAB).select_one("#prerequisites").find_parent("section")
    link = prereq.find("a", href="../week01/session02-regularisation.html")
    assert link and link.get_text(strip=True) == "Week 1, Session 2 — Regularisation"


def test_authoring_guide_is_under_for_instructors_and_matches_the_template(site):
    from book.course.templates import load_templates

    nav = page(site, "intro").select_one("nav.bd-docs-nav")
    captions = [c.get_text(strip=True) for c in nav.select("p.caption")]
    assert captions[-1] == "For instructors"
    assert nav.find("a", href=re.compile(r"authoring\.html"))
    guide = page(site, "authoring").select_one("article.bd-article")
    text = guide.get_text()
    for needle in (
        "make new-session",
        "make check",
        "make serve",
        "{prereq}",
        "#| eval: torch",
        "{session-info}",
        "file:line: message",
        "templates/<name>.yml",
    ):
        assert needle in text, needle
    codes = [" ".join(code.get_text().split()) for code in guide.select("li code")]
    listed = [c for c in codes if c.startswith("## ")]
    assert listed == [f"## {h}" for h in load_templates(REPO_ROOT)["workflow"].headings]
    assert listed == [f"## {h}" for h in SECTIONS]
