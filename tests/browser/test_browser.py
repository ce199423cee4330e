"""The published course in a real browser: Debian's Chromium driven by Playwright.

The built site (the ``site`` fixture) is served over HTTP on 127.0.0.1, as ``make serve`` does.
Every
page must load without console errors, failed requests or broken images; the navigation reaches
every lab and comes back; the dark mode switch works; search finds the right lab and section for the
queries in ``QUERIES``; and the page weight of the home page and each lab is measured and reported
(``tests/artifacts/page-weight.json``). A failing test leaves a screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from book.build.pipeline import toc_documents

REPO = Path(__file__).resolve().parents[2]


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


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
    Query(
        "Tabular neural networks",
        LAB,
        "week-2-session-3-tabular-neural-networks-with-torch",
        "title",
    ),
    Query("What the checks report", "authoring", "what-the-checks-report", "heading"),
    Query("backward pass", LAB, "background", "prose"),
    Query("Goodfellow", LAB, "further-reading", "reference"),
    Query(
        "jupyterlab",
        "setup",
        "install-python-packages-for-the-labs-all-but-the-pytorch-sections",
        "setup page",
    ),
    Query("CUDA", "setup", "install-torch-for-the-pytorch-sections", "prose beats code"),
    Query(
        "install torch",
        "setup",
        "install-torch-for-the-pytorch-sections",
        "a task: the page that explains it first",
    ),
    Query("install", "setup", "install-torch-for-the-pytorch-sections", "a task, one word"),
    Query("Jupytext", "setup", "running-a-lab", "setup page"),
    Query("keyboard shortcut", HOME, "how-to-use-this-site", "home page"),
    Query("learning rates", LAB, "execution", "another form of a word"),
]


ABSENT = ["xqzvw", "flibbertigibbet", "ridge xqzvw", "olsen"]


PRECISE = [
    ("OLS", W1, None, None),
    ("learning rate", LAB, "execution", None),
    ("lasso coordinate descent", W1, None, None),
    ("lstsq", LAB, None, "np.linalg.lstsq("),
    ("zero_grad", LAB, None, "optimizer.zero_grad()"),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as static hosts do: text (pages, styles, scripts, SVG figures) gzipped for
    browsers that accept it, so the page weight measured is what a first visit transfers."""

    COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".ipynb", ".md", ".txt"}

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if (
            path.suffix not in self.COMPRESSED
            or not path.is_file()
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def base_url(site):
    """The built site served over HTTP on a free port of 127.0.0.1, from a background thread."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


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
        self.page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"),
        )
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
        return images.filter((img) => img.naturalWidth === 0)
            .map((img) => img.currentSrc || img.src);
    }""")


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
        f"Week {info['week']}, Session {info['session']} — {info['title']}"
    )
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
        f"Week {info['week']}, Session {info['session']} — {info['title']}"
    )
    # navigation and theme chrome are not indexed: every page has a "Skip to main content" link
    search(page, "Skip to main content")
    expect(page.locator(".course-search__status")).to_have_text(
        "No results for “Skip to main content”"
    )
    expect(results).to_have_count(0)
    tab.assert_clean()


@pytest.mark.parametrize("text", ABSENT)
def test_search_for_a_word_not_on_the_site_finds_nothing(tab, text):
    page = tab.open(HOME)
    results = search(page, text)
    expect(page.locator(".course-search__status")).to_have_text(f"No results for “{text}”")
    expect(results).to_have_count(0)
    tab.assert_clean()


def _answers(word: str, term: str) -> bool:
    """A highlighted word answers a typed term: the word, a word it begins, or another form of
    it."""
    return (
        word == term
        or word.startswith(term)
        or (
            term.startswith(word)
            and len(word) >= 3
            and term[len(word) :] in {"s", "es", "ed", "d", "ing"}
        )
    )


def test_search_highlights_only_what_was_typed_and_ranks_complete_sections_first(tab):
    page = tab.open(HOME)
    for text, first_page, first_section, reads in PRECISE:
        results = search(page, text)
        expect(results.first).to_be_visible()
        first = results.first
        href = first.locator("a.course-search__page").get_attribute("href")
        assert urlsplit(href).path == f"/{first_page}.html", (text, href)
        terms = re.findall(r"\w+", text.lower())
        marks = page.locator(".course-search__excerpt mark").all_inner_texts()
        assert marks, text
        for mark in marks:
            words = re.findall(r"\w+", mark.lower())
            assert any(_answers(w, t) for w in words for t in terms), (
                f"{text!r} highlights {mark!r}"
            )
        excerpts = " ".join(page.locator(".course-search__excerpt").all_inner_texts())
        assert "\u2063" not in excerpts and ". linalg" not in excerpts, excerpts
        if first_section:
            hit = first.locator("a.course-search__hit").first.get_attribute("href")
            assert urlsplit(hit).fragment == first_section, (text, hit)
        if reads:
            assert reads in excerpts, (text, excerpts)
    tab.assert_clean()


def test_search_filters_by_week(tab):
    page = tab.open(HOME)
    results = search(page, "torch")

    def pages():
        return {
            urlsplit(results.nth(i).locator("a.course-search__page").get_attribute("href")).path
            for i in range(results.count())
        }

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
    """The word breaks added to code for the index (book/sphinx/search.py) are invisible to
    readers."""
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


VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}


NARROWEST = 360  # no page may be wider than this screen


READ_PAGES = [doc for doc in PAGES if doc != "index"]  # the index only redirects to the home page


AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


CONTRAST_JS = """(selector) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 :
      ((v + 0.055) / 1.055) ** 2.4; }).reduce((t, v, i) => t + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.textContent.trim()).map((el) => {
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    return [el.textContent.trim().slice(0, 40), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


CONTRASTED = (
    "div.cell_output table caption, div.cell_output table th, div.cell_output table td, "
    "figure figcaption, .cell-not-run"
)


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_reads_on_every_screen(browser, base_url, axe, viewport, mode):
    """Zero axe-core violations, one <h1>, nothing wider than the screen, AA contrast for output
    tables and captions, figures sharp at 2x (SVG or twice the pixels) with real alt text."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    page = context.new_page()
    problems: list[str] = []
    loading = []  # the page being loaded: its errors count, not those of axe's own requests (axe
    # fetches the theme's @import "../basic.css" relative to the page, not to the stylesheet)
    page.on(
        "console",
        lambda m: (
            loading and m.type == "error" and problems.append(f"{loading[0]}: console: {m.text}")
        ),
    )
    page.on(
        "response",
        lambda r: (
            loading
            and r.status >= 400
            and problems.append(f"{loading[0]}: HTTP {r.status}: {r.url}")
        ),
    )
    try:
        for name in READ_PAGES:
            loading[:] = [name]
            page.goto(base_url + f"{name}.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            loading.clear()
            assert page.evaluate("document.documentElement.dataset.theme") == mode
            for v in axe.run(page, options=AXE_OPTIONS).response["violations"]:
                problems += [
                    f"{name}: axe {v['id']} ({v['impact']}): {n['html'][:120]}" for n in v["nodes"]
                ]
            if page.locator("h1").count() != 1:
                problems.append(f"{name}: {page.locator('h1').count()} <h1> elements")
            for text, ratio in page.evaluate(CONTRAST_JS, CONTRASTED):
                if ratio < 4.5:
                    problems.append(f"{name}: contrast {ratio:.2f}:1 for {text!r}")
            if viewport == "phone":
                page.set_viewport_size({"width": NARROWEST, "height": height})
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > NARROWEST:
                    problems.append(f"{name}: {wide} px wide on a {NARROWEST} px screen")
                clipped = page.evaluate("""() => [...document.querySelectorAll(
                    '.bd-content div.highlight pre, .bd-content div.cell_output pre')]
                    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1).length""")
                if clipped:  # the course wraps code (display: code-overflow: wrap)
                    problems.append(f"{name}: {clipped} code or output boxes cut at the right edge")
                page.set_viewport_size({"width": width, "height": height})
            for img in page.evaluate("""() => [...document.querySelectorAll('article img')].map(
                    (i) => ({src: i.currentSrc, alt: i.alt, natural: i.naturalWidth,
                             shown: i.getBoundingClientRect().width}))"""):
                file = img["src"].rsplit("/", 1)[-1]
                if not img["alt"].strip() or file.split(".")[0] in img["alt"] or img["alt"] == file:
                    problems.append(f"{name}: alt text {img['alt']!r} for {file}")
                if (
                    viewport == "desktop"
                    and not file.endswith(".svg")
                    and img["natural"] < 2 * img["shown"]
                ):
                    problems.append(
                        f"{name}: {file} is {img['natural']} px shown at {img['shown']:.0f}"
                    )
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_figures_have_captions_and_dark_mode_draws_them_light(tab):
    page = tab.open(W1)
    captions = page.locator("article figure figcaption")
    assert captions.count() >= 4, "each figure of the lab has its #| fig-cap caption"
    figure = page.locator("article div.cell_output img.figure-ink-dark").first
    assert figure.evaluate("i => getComputedStyle(i).filter") == "none"
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    assert "invert" in figure.evaluate("i => getComputedStyle(i).filter")
    assert figure.evaluate("i => getComputedStyle(i).backgroundColor") == "rgba(0, 0, 0, 0)"
    tab.assert_clean()


def test_copy_button_is_reachable_by_touch(browser, base_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(base_url + f"{LAB}.html", wait_until="load")
        button = page.locator("div.cell_input button.copybtn").first
        button.scroll_into_view_if_needed()
        assert button.evaluate("b => getComputedStyle(b).opacity") == "1", "shown without hover"
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box
        button.tap()
        expect(button).to_have_class(re.compile(r"\bsuccess\b"))
    finally:
        context.close()


def test_skip_link_and_keyboard_focus_are_visible(tab):
    page = tab.open(LAB)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.evaluate("document.activeElement.getBoundingClientRect().height") > 0, "shown"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main-content")
    for _ in range(3):  # on to the links of the page: each shows where the focus is
        page.keyboard.press("Tab")
        style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
        assert style[0] != "none" and style[1] >= 2, style
    tab.assert_clean()


def test_last_lab_does_not_lead_into_the_instructors_part(tab):
    page = tab.open(LABS[-1])
    assert page.locator("a.right-next").count() == 0, "no Next after the last lab"
    page = tab.open(LABS[0])
    expect(page.locator("a.right-next")).to_have_attribute(
        "href", re.compile(LABS[1].rsplit("/", 1)[-1])
    )
    tab.assert_clean()


def test_download_buttons_download(tab):
    page = tab.open(LAB)
    links = page.locator("a[href*='_sources/']")
    assert links.count() == 2
    for i in range(2):
        assert links.nth(i).get_attribute("download") is not None
    page.locator(".dropdown-download-buttons button").first.click()
    with page.expect_download() as download:
        links.first.click()
    assert download.value.suggested_filename.endswith(".ipynb")
    tab.assert_clean()


MAX_REQUESTS = 30


MAX_ASSET_BYTES = 1_000_000


MAX_TRANSFER_BYTES = 1_000_000


def test_page_weight_of_home_and_labs(browser, base_url, site):
    """First-load bytes and requests of the home page and each lab, printed and kept as JSON."""
    report = {}
    for name in [HOME, *LABS]:
        tab = Tab(browser, base_url)  # a fresh context: an empty cache, a first visit
        try:
            tab.open(name)
            tab.assert_clean()
            by_type: dict[str, dict[str, int]] = {}
            total = transferred = 0
            for response in tab.responses:
                size = len(response.body())
                sent = response.request.sizes()["responseBodySize"]
                kind = by_type.setdefault(
                    response.request.resource_type, {"requests": 0, "bytes": 0, "transferred": 0}
                )
                kind["requests"] += 1
                kind["bytes"] += size
                kind["transferred"] += sent
                total += size
                transferred += sent
            urls = [r.url for r in tab.responses]
            report[name] = {
                "requests": len(urls),
                "bytes": total,
                "transferred": transferred,
                "by_type": by_type,
                "largest": sorted(
                    ((len(r.body()), r.url.removeprefix(base_url)) for r in tab.responses),
                    reverse=True,
                )[:5],
            }
            # search costs nothing until it is used
            assert not [u for u in urls if "/pagefind/" in u or "searchindex" in u], urls
            assert len(urls) <= MAX_REQUESTS, report[name]
            assert total - by_type.get("image", {}).get("bytes", 0) <= MAX_ASSET_BYTES, report[name]
            assert transferred <= MAX_TRANSFER_BYTES, report[name]
        finally:
            tab.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\npage weight (first load):")
    for name, row in report.items():
        print(
            f"  {name}: {row['requests']} requests, {row['bytes'] / 1024:.0f} KiB "
            f"({row['transferred'] / 1024:.0f} KiB transferred)"
        )
