"""The published course in a real browser: Debian's Chromium driven by Playwright.

The built site (the ``site`` fixture) is served over HTTP on 127.0.0.1, as ``make serve`` does. Every
page must load without console errors, failed requests or broken images; the navigation reaches
every lab and comes back; the dark mode switch works; search finds the right lab and section for the
queries in ``QUERIES``; and the page weight of the home page and each lab is measured and reported
(``tests/artifacts/page-weight.json``). A failing test leaves a screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from book.build import toc_documents

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

# The pages of the course (from _toc.yml), plus what Sphinx adds: the redirect and the index.
DOCS = [doc.rsplit(".", 1)[0] for doc in toc_documents(REPO)]
LABS = [doc for doc in DOCS if doc.startswith("labs/")]
PAGES = ["index", *DOCS, "genindex"]
HOME = "intro"
LAB = "labs/week02/session03-tabular-nn-torch"


@dataclass(frozen=True)
class Query:
    text: str  # what the reader types
    page: str  # the page that must come first
    section: str  # the id of the section an excerpt must link to
    kind: str  # what the query exercises

    def __str__(self) -> str:
        return self.text


W1 = "labs/week01/session02-regularisation"

# One row per query; add rows as labs are added (only pages that exist on this branch).
QUERIES = [
    Query("zero_grad", LAB, "execution", "code identifier"),
    Query("manual_seed", LAB, "execution", "code identifier"),
    Query("lstsq", LAB, "check", "code identifier"),
    Query("OLS", W1, "execution", "acronym in prose and code"),
    Query("gradient-descent weights", LAB, "check", "hyphenated phrase"),
    Query("learning rate", LAB, "execution", "phrase"),
    Query("regularis", W1, "week-1-session-2-regularisation", "partial word"),
    Query("standardise", W1, "execution", "code identifier and prose"),
    Query("coordinate descent", W1, "learning-objectives", "phrase"),
    Query("ridge lasso", W1, "report", "two words"),
    Query("Tabular neural networks", LAB, "week-2-session-3-tabular-neural-networks-with-torch",
          "title"),
    Query("What the checks report", "authoring", "what-the-checks-report", "heading"),
    Query("backward pass", LAB, "background", "prose"),
    Query("Goodfellow", LAB, "further-reading", "reference"),
    Query("jupyterlab", "setup", "without-torch-every-lab-except-the-pytorch-sections", "setup page"),
    Query("CUDA", "setup", "with-torch-the-pytorch-sections", "prose beats code"),
    Query("Jupytext", "setup", "running-a-lab", "setup page"),
    Query("keyboard shortcut", HOME, "how-to-use-this-site", "home page"),
]


# ---------------------------------------------------------------------------------------------
# Serving the site and driving the browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass


@pytest.fixture(scope="session")
def base_url(site):
    """The built site served over HTTP on a free port of 127.0.0.1, from a background thread."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# `browser` (the session's one Chromium) is in conftest.py: test_import.py drives it too


class Tab:
    """A page in a fresh browser context that records everything that went wrong on it."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.responses = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url} ({r.failure})"))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response) -> None:
        self.responses.append(response)
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, name: str) -> Page:
        self.page.goto(self.base_url + f"{name}.html", wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def tab(browser, base_url, request):
    tab = Tab(browser, base_url)
    failed_before = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        tab.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    tab.context.close()


def broken_images(page: Page) -> list[str]:
    """The page's images that did not load (after asking lazy ones to load now)."""
    return page.evaluate("""async () => {
        const images = [...document.images];
        for (const img of images) img.loading = "eager";
        await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
            img.addEventListener("load", done); img.addEventListener("error", done);
        })));
        return images.filter((img) => img.naturalWidth === 0).map((img) => img.currentSrc || img.src);
    }""")


# ---------------------------------------------------------------------------------------------
# Every page


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_clean_with_its_images(tab, name):
    page = tab.open(name)
    if name == "index":  # the redirect to the home page
        page.wait_for_url(f"**/{HOME}.html")
        page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() >= 1
    images = page.evaluate("document.images.length")
    assert broken_images(page) == []
    if name in LABS:
        assert images >= 3, "a lab's figures are on the page"
    # one search box, Pagefind's, behind one search button: no Sphinx search index or page anywhere
    assert page.locator("input[type=search]").count() == 1
    if name != "genindex":
        assert page.locator(".search-button__button:visible").count() == 1
    assert not [r.url for r in tab.responses if "searchindex" in r.url or "searchtools" in r.url]
    tab.assert_clean()


@pytest.mark.parametrize("lab", LABS)
def test_navigation_from_home_to_each_lab_and_back(tab, lab, site):
    info = json.loads((site / "build-info.json").read_text())["labs"][lab]
    page = tab.open(HOME)
    link = page.locator(f"nav.bd-docs-nav a[href$='{lab}.html']")
    expect(link).to_have_text(f"Session {info['session']} — {info['title']}")
    link.click()
    page.wait_for_url(f"**/{lab}.html")
    expect(page.locator("article h1")).to_contain_text(
        f"Week {info['week']}, Session {info['session']} — {info['title']}")
    page.locator("a.navbar-brand").click()  # the course title leads home
    page.wait_for_url(f"**/{HOME}.html")
    expect(page.locator("article h1")).to_contain_text("Course 4")
    page.go_back()
    page.wait_for_url(f"**/{lab}.html")
    tab.assert_clean()


def test_dark_mode_toggle_switches_and_persists(tab):
    page = tab.open(LAB)
    html = page.locator("html")
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    expect(html).to_have_attribute("data-theme", "light")  # the browser prefers light
    switch = page.locator(".theme-switch-button").first
    for _ in range(3):  # auto → dark (the next mode that changes something)
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        switch.click()
    expect(html).to_have_attribute("data-theme", "dark")
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_background != light_background
    page.reload(wait_until="networkidle")
    expect(html).to_have_attribute("data-theme", "dark")
    tab.assert_clean()


# ---------------------------------------------------------------------------------------------
# Search


def open_search(page: Page, how: str = "/") -> None:
    if how == "button":
        page.locator(".search-button__button:visible").first.click()
    else:
        page.keyboard.press(how)
    expect(page.locator("#pst-search-dialog")).to_have_attribute("open", "")
    expect(page.locator("#course-search-input")).to_be_focused()


def search(page: Page, text: str, how: str = "/"):
    """Type ``text`` in the search dialog; the result list once the search has answered."""
    if page.locator("#pst-search-dialog[open]").count() == 0:
        open_search(page, how)
    page.locator("#course-search-input").fill(text)
    expect(page.locator(".course-search__status")).to_contain_text(f"“{text}”")
    return page.locator(".course-search__result")


@pytest.mark.parametrize("how", ["button", "Control+k", "/"])
def test_search_button_and_shortcuts_open_the_one_search_box(tab, how):
    page = tab.open(LAB)
    expect(page.locator("#pst-search-dialog")).not_to_have_attribute("open", "")
    results = search(page, "torch", how)
    expect(results.first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#pst-search-dialog")).not_to_have_attribute("open", "")
    assert page.locator("input[type=search]").count() == 1
    tab.assert_clean()


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_search_finds_the_right_page_and_section(tab, query):
    page = tab.open(HOME)
    results = search(page, query.text)
    first = results.first
    href = first.locator("a.course-search__page").get_attribute("href")
    assert urlsplit(href).path == f"/{query.page}.html", f"{query.kind}: first result is {href}"
    assert first.locator(".course-search__title").inner_text().strip()
    hits = first.locator("a.course-search__hit")
    hrefs = [hits.nth(i).get_attribute("href") for i in range(hits.count())]
    fragments = [urlsplit(h).fragment for h in hrefs]
    assert query.section in fragments, f"{query.kind}: excerpts link to {hrefs}"
    hit = hits.nth(fragments.index(query.section))
    assert hit.locator("mark").count() >= 1, "the excerpt highlights what was found"
    hit.click()
    page.wait_for_url(f"**/{query.page}.html#{query.section}")
    expect(page.locator(f"[id='{query.section}']")).to_be_in_viewport()
    tab.assert_clean()


def test_search_results_are_titled_by_lab(tab, site):
    info = json.loads((site / "build-info.json").read_text())["labs"][LAB]
    page = tab.open(HOME)
    results = search(page, "gradient descent")
    expect(results.first.locator(".course-search__title")).to_have_text(
        f"Week {info['week']}, Session {info['session']} — {info['title']}")
    # navigation and theme chrome are not indexed: every page has a "Skip to main content" link
    search(page, "Skip to main content")
    expect(page.locator(".course-search__status")).to_have_text("Nothing found for “Skip to main content”")
    expect(results).to_have_count(0)
    tab.assert_clean()


def test_search_filters_by_week(tab):
    page = tab.open(HOME)
    results = search(page, "torch")
    pages = lambda: {urlsplit(results.nth(i).locator("a.course-search__page").get_attribute("href")).path
                     for i in range(results.count())}
    assert {f"/{LAB}.html", "/setup.html"} <= pages()
    filters = page.locator(".course-search__filter")
    filters.filter(has_text="Week 2").click()
    expect(filters.filter(has_text="Week 2")).to_have_attribute("aria-pressed", "true")
    expect(results).to_have_count(1)
    assert pages() == {f"/{LAB}.html"}
    filters.filter(has_text="Course pages").click()
    expect(page.locator(f".course-search__page[href$='/{LAB}.html']")).to_have_count(0)
    assert "/setup.html" in pages()
    tab.assert_clean()


def test_code_reads_and_copies_as_written(tab):
    """The word breaks added to code for the index (book/search.py) are invisible to readers."""
    page = tab.open(LAB)
    code = page.locator("div.cell_input pre", has_text="zero_grad")
    text = code.evaluate("pre => pre.innerText")  # what a reader sees and the copy button copies
    assert "    optimizer.zero_grad()\n" in text
    assert "nn.Sequential(" in text and "torch.manual_seed(42)" in text
    tab.assert_clean()


def test_search_from_disk_says_to_run_make_serve(tab, site):
    page = tab.page
    page.goto((site / f"{HOME}.html").as_uri())
    open_search(page)
    page.locator("#course-search-input").fill("torch")
    expect(page.locator(".course-search__status")).to_contain_text("make serve")
    expect(page.locator(".course-search__result")).to_have_count(0)


# ---------------------------------------------------------------------------------------------
# Page weight

# Budgets for a first visit, figures aside (a lab's figures are its content). The stock theme stack
# loads about 2.3 MB before any figure (FontAwesome's script alone is 1.5 MB); see book/assets.py.
MAX_REQUESTS = 30
MAX_ASSET_BYTES = 1_000_000


def test_page_weight_of_home_and_labs(browser, base_url, site):
    """First-load bytes and requests of the home page and each lab, printed and kept as JSON."""
    report = {}
    for name in [HOME, *LABS]:
        tab = Tab(browser, base_url)  # a fresh context: an empty cache, a first visit
        try:
            tab.open(name)
            tab.assert_clean()
            by_type: dict[str, dict[str, int]] = {}
            total = 0
            for response in tab.responses:
                size = len(response.body())
                kind = by_type.setdefault(response.request.resource_type, {"requests": 0, "bytes": 0})
                kind["requests"] += 1
                kind["bytes"] += size
                total += size
            urls = [r.url for r in tab.responses]
            report[name] = {"requests": len(urls), "bytes": total, "by_type": by_type,
                            "largest": sorted(((len(r.body()), r.url.removeprefix(base_url))
                                               for r in tab.responses), reverse=True)[:5]}
            # search costs nothing until it is used
            assert not [u for u in urls if "/pagefind/" in u or "searchindex" in u], urls
            assert len(urls) <= MAX_REQUESTS, report[name]
            assert total - by_type.get("image", {}).get("bytes", 0) <= MAX_ASSET_BYTES, report[name]
        finally:
            tab.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\npage weight (first load):")
    for name, row in report.items():
        print(f"  {name}: {row['requests']} requests, {row['bytes'] / 1024:.0f} KiB")
