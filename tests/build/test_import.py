"""Existing material as labs: `make import` of a MyST lecture (math, bibliography, exercise,
figure, links to a sibling), a notebook (`#|` options, a flag-gated cell) and a Quarto document
(label, fig-cap, callout, cross-references), built for real, searched, and read offline in Chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import copy_course, run_build

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


LECTURE = "labs/week03/session04-resampling-the-mean"


SIBLING = "labs/week03/session05-sample-means"


NOTEBOOK = "labs/week09/session01-a-notebook-from-elsewhere"


QUARTO = "labs/week09/session02-polar-coordinates"


CARS = "labs/week09/session03-cars-by-the-numbers"


def book(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "book", *args], cwd=root, capture_output=True, text=True, timeout=300
    )


def public_style_notebook(path: Path) -> None:
    """A notebook as people share them: a title cell, stored outputs, Quarto-style options."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A notebook from elsewhere\n\nGradients by hand."),
        nbformat.v4.new_code_cell("#| echo: false\nprint('setup done quietly')"),
        nbformat.v4.new_code_cell("#| eval: false\nraise RuntimeError('only for reading')"),
        nbformat.v4.new_code_cell("#| eval: torch\nimport torch\nprint(torch.ones(2))"),
        nbformat.v4.new_code_cell(
            "slope = (4.0 - 1.0) / (2.0 - 1.0)\nprint(f'finite slope {slope}')",
            outputs=[nbformat.v4.new_output("stream", text="stale output\n")],
        ),
    ]
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    base = tmp_path_factory.mktemp("import")
    root = copy_course(base / "course")
    src = base / "src"
    shutil.copytree(FIXTURES, src)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.figure(figsize=(2, 1.5)).gca().hist([1, 2, 2, 3, 3, 3])
    (src / "lectures/_static").mkdir(parents=True, exist_ok=True)  # git keeps no empty folder
    plt.savefig(src / "lectures/_static/bootstrap.png")
    plt.close("all")
    public_style_notebook(src / "gradients.ipynb")
    logs = {}
    for name, args in [
        ("resampling", ("--week", "3", "--session", "4")),
        ("sample_means", ("--week", "3")),
        ("notebook", ("--week", "9", "--session", "1")),
        ("polar", ("--week", "9", "--session", "2")),
        ("cars", ("--week", "9")),
    ]:
        file = {
            "resampling": "lectures/resampling.md",
            "sample_means": "lectures/sample_means.md",
            "notebook": "gradients.ipynb",
            "polar": "polar.qmd",
            "cars": "cars.qmd",
        }[name]
        result = book(root, "import", str(src / file), *args)
        assert result.returncode == 0, result.stdout + result.stderr
        logs[name] = result.stdout
    check = book(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, logs, result.stdout


def page(root: Path, doc: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_build/html" / f"{doc}.html").read_text(), "html.parser")


def test_import_writes_labs_lists_them_and_says_what_it_changed(imported):
    root, logs, _ = imported
    assert (root / f"{LECTURE}.md").is_file() and (root / f"{NOTEBOOK}.ipynb").is_file()
    assert (root / f"{QUARTO}.qmd").is_file(), "a Quarto document stays .qmd: read directly"
    toc = (root / "_toc.yml").read_text()
    assert f"- file: {LECTURE}\n" in toc and f"- file: {QUARTO}\n" in toc
    log = logs["resampling"]
    assert f"copied bootstrap.png to {LECTURE}/_static/bootstrap.png" in log
    assert "_config.yml: added sphinx_exercise to sphinx.config.extensions" in log
    assert "bibtex_bibfiles: [refs.bib]" in log
    assert "{doc}`sample_means` (not imported yet)" in log
    assert f"its {{doc}} links to 'sample_means' now point to /{SIBLING}" in logs["sample_means"]
    assert f"{{doc}}`resampling` -> {{doc}}`/{LECTURE}`" in logs["sample_means"]
    lab = (root / f"{LECTURE}.md").read_text()
    assert "# Resampling the mean" not in lab and "title: Resampling the mean" in lab
    assert "language: python" in lab, "the kernelspec gets its language"
    assert "{bibliography}" in lab, "a lecture that cites gets a bibliography"
    nb = json.loads((root / f"{NOTEBOOK}.ipynb").read_text())
    assert nb["metadata"]["lab"]["title"] == "A notebook from elsewhere"
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_myst_lecture_builds_with_math_bibliography_exercise_figure_and_links(imported):
    root, _, out = imported
    soup = page(root, LECTURE).select_one("article")
    assert [h.get_text(strip=True).rstrip("#") for h in soup.select("h1")] == [
        "Week 3, Session 4 — Resampling the mean"
    ]
    assert soup.select("div.math"), "display math"
    assert "Efron" in soup.get_text(), "the bibliography lists the cited book"
    assert soup.select(".exercise") and soup.select(".solution")
    first = soup.select_one(".exercise .admonition-title").get_text(" ", strip=True)
    assert first.startswith("Exercise 1"), "numbered per lab, not across the site"
    assert soup.select_one("figure img")["src"].endswith("bootstrap.png")
    assert soup.select_one("a[href$='session05-sample-means.html']"), "link to the sibling"
    sibling = page(root, SIBLING).select_one("article")
    assert sibling.select_one("a[href$='session04-resampling-the-mean.html']")
    assert f"{LECTURE}.md: executed" in out


def test_quarto_document_options_inline_code_display_math_and_authors(imported):
    """Render right: document-level execute: and fig- options as Quarto applies them, inline
    `{python}` expressions evaluated, $$ inside a paragraph displayed, the source's author and
    licence on the page."""
    root, _, out = imported
    assert f"{CARS}.qmd: executed" in out
    article = page(root, CARS).select_one("article")
    text = article.get_text().replace("\u2063", "")  # the wrap points of code-overflow: wrap
    assert "There are 3 cars, the first is a." in " ".join(text.split())
    assert "{python}" not in text and "len(cars)" not in text
    assert "hidden code, shown output" in text and "cars = [" not in text, "echo: false"
    assert "the page does not show this" not in text, "warning: false"
    assert "figure size [3.0, 2.0]" in text and "fig = plt.figure()" in text, "own echo wins"
    assert article.select("div.math") and "$$" not in text, "display math in a paragraph"
    byline = article.select_one(".lab-byline").get_text()
    assert "Grace Hopper" in byline and "Licence: CC BY 4.0" in byline


def test_notebook_is_a_lab_run_by_the_course_executor(imported):
    root, _, out = imported
    assert f"{NOTEBOOK}.ipynb: executed" in out
    article = page(root, NOTEBOOK).select_one("article")
    text = article.get_text()
    assert "setup done quietly" in text and "print('setup done quietly')" not in text
    assert "#| echo" not in text and "stale output" not in text
    assert "finite slope 3.0" in text
    labels = [x.get_text() for x in article.select(".cell-not-run")]
    assert any("eval: false" in x for x in labels) and any("torch" in x for x in labels)
    info = json.loads((root / "_build/html/build-info.json").read_text())["labs"][NOTEBOOK]
    assert info["week"] == 9 and info["flags_used"] == ["torch"] and info["status"] == "executed"
    download = json.loads((root / "_build/html/_sources" / f"{NOTEBOOK}.ipynb").read_text())
    assert any("".join(c["source"]).startswith("#| eval: false") for c in download["cells"])


def test_quarto_document_with_label_caption_callout_and_cross_references(imported):
    root, _, out = imported
    assert f"{QUARTO}.qmd: executed" in out
    article = page(root, QUARTO).select_one("article")
    figure = article.select_one("figure#fig-spiral")
    assert "An Archimedean spiral on a polar axis" in figure.get_text()
    assert figure.select_one("img")["alt"] == "A spiral winding out from the centre twice"
    refs = {a.get_text(): a["href"] for a in article.select("a.reference.internal")}
    # numbered per lab (as in Quarto), though the labs before it have captioned figures
    assert refs.get("Figure 1", "").endswith("#fig-spiral"), refs
    assert any(href.endswith("#tbl-radii") for href in refs.values()), refs
    assert any(href.endswith("#sec-spiral") for href in refs.values()), refs
    assert "Radii at whole turns" in article.select_one("figure#tbl-radii").get_text()
    tip = article.select_one("div.admonition.tip")
    assert tip and "Reading polar plots" in tip.get_text()
    assert article.select_one("strong").get_text() == "two", "output: asis renders Markdown"
    outputs = " ".join(o.get_text() for o in article.select(".cell_output"))
    assert "The spiral has" in outputs and "a warning the page does not show" not in outputs
    assert not article.select(".output.stderr"), "warning: false removes stderr"
    assert "Show the plotting code" in str(article), "code-fold's summary"


@pytest.mark.parametrize(
    "cell, message",
    [
        (
            "#| fig-width: 6\nx = 1",
            "'fig-width' is a Quarto cell option this course does not support yet",
        ),
        ("#| bogus: 1\nx = 1", "unknown cell option 'bogus'"),
    ],
)
def test_notebook_options_are_checked_with_their_cell(tmp_path, cell, message):
    root = copy_course(tmp_path / "course")
    public_style_notebook(tmp_path / "nb.ipynb")
    nb = nbformat.read(str(tmp_path / "nb.ipynb"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(cell))
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    assert book(root, "import", str(tmp_path / "nb.ipynb"), "--week", "9").returncode == 0
    result = book(root, "check")
    assert result.returncode == 1
    assert f"error: {NOTEBOOK}.ipynb:cell 6: {message}" in result.stderr, result.stderr


def test_check_flags_leftover_title_kernelspec_without_language_and_missing_doc(tmp_path):
    root = copy_course(tmp_path / "course")
    lab = root / "labs/week01/session02-regularisation.md"
    text = lab.read_text().replace("  language: python\n", "", 1)
    lab.write_text(text + "\n# A second title\n\nSee {doc}`getting_started`.\n")
    result = book(root, "check")
    assert result.returncode == 1
    err = result.stderr
    assert "session02-regularisation.md:6: kernelspec has no 'language'" in err, err
    assert "a top-level heading '# A second title' in a lab" in err
    assert "{doc}`getting_started`: no such page" in err


def test_missing_package_names_the_course_requirements(tmp_path):
    root = copy_course(tmp_path / "course")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Needs a package"),
        nbformat.v4.new_code_cell("import a_package_the_course_lacks"),
    ]
    nbformat.write(nb, str(tmp_path / "needs.ipynb"))
    assert book(root, "import", str(tmp_path / "needs.ipynb"), "--week", "9").returncode == 0
    result = run_build(root)
    assert result.returncode == 1
    assert (
        "session01-needs-a-package.ipynb:cell 1: code cell 1 raised ModuleNotFoundError"
        in result.stderr
    ), result.stderr
    assert "to requirements/course.txt" in result.stderr


def test_course_packages_are_part_of_the_build_fingerprint(tmp_path):
    from book.build.fingerprint import course_fingerprint
    from book.config.course import load_config

    root = copy_course(tmp_path / "course")
    before = course_fingerprint(load_config(root), {})
    with open(root / "requirements/course.txt", "a") as course_txt:
        course_txt.write("scipy==1.16.3\n")
    assert course_fingerprint(load_config(root), {}) != before
    assert "requirements/course.txt" in (root / "Makefile").read_text()


def test_unknown_directive_names_the_package_and_the_line(tmp_path):
    root = copy_course(tmp_path / "course")
    (tmp_path / "proof.md").write_text("# Proofs\n\n```{prf:theorem}\nOLS is unbiased.\n```\n")
    assert book(root, "import", str(tmp_path / "proof.md"), "--week", "9").returncode == 0
    config = root / "_config.yml"
    config.write_text(config.read_text().replace(", sphinx_proof]", "]"))  # as if not added
    result = run_build(root)
    assert result.returncode == 1
    assert "session01-proofs.md:" in result.stderr
    assert (
        "need sphinx-proof (pinned in requirements/build.txt): add sphinx_proof to "
        "'extensions: [...]'" in result.stderr
    )


@pytest.fixture(scope="module")
def served(imported):
    root = imported[0]
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(root / "_build/html")
    )
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def offline_page(served, browser):
    """A page whose every request outside the site is aborted (and recorded)."""
    context = browser.new_context()
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield context.new_page(), outside
    context.close()


def test_math_renders_with_the_network_blocked(offline_page, served):
    page, outside = offline_page
    page.goto(served + f"{LECTURE}.html", wait_until="load")
    page.wait_for_selector("mjx-container", timeout=15000)
    assert page.locator("div.math mjx-container").count() >= 1
    assert "\\operatorname" not in page.locator("div.math").first.inner_text()
    assert outside == [], "the page asked for something outside the site"


def test_search_finds_imported_labs_by_week(offline_page, served):
    page, _ = offline_page
    page.goto(served + "intro.html", wait_until="load")
    found = page.evaluate("""async () => {
        const pagefind = await import('./pagefind/pagefind.js');
        const out = {};
        for (const [query, week] of [["bootstrap", "Week 3"], ["gradients", "Week 9"],
                                     ["spiral", "Week 9"]]) {
            const search = await pagefind.search(query, {filters: {week}});
            out[query] = await Promise.all(search.results.map(async (r) => (await r.data()).url));
        }
        return out;
    }""")
    assert any(u.endswith("session04-resampling-the-mean.html") for u in found["bootstrap"]), found
    assert any(u.endswith("session01-a-notebook-from-elsewhere.html") for u in found["gradients"])
    assert any(u.endswith("session02-polar-coordinates.html") for u in found["spiral"]), found
