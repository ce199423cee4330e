"""Reading the published labs as students do: copying code, phones, printing.

The built site is served as in ``test_browser`` (its ``base_url`` fixture). Each view is checked in
light and dark mode at 1280, 360 and 320 px where it depends on the screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_browser import LABS, Tab, base_url  # noqa: F401  base_url: the served site

WIDTHS = (1280, 360, 320)
MODES = ("light", "dark")


def reader(browser, width: int = 1280, mode: str = "light", **options):
    """A fresh browser context as a reader's: a screen width and a colour mode."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    return context


@pytest.mark.parametrize("lab", LABS)
def test_every_copy_button_copies_code_that_compiles(browser, base_url, lab):  # noqa: F811
    """Each code cell's copy button puts the code as written on the clipboard: pasted into Python,
    it compiles (the index's word breaks, book/publishing/search.py, never reach the page)."""
    context = reader(browser, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(base_url + f"{lab}.html", wait_until="networkidle")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        buttons = page.locator("div.cell_input button.copybtn")
        assert buttons.count() >= 10, "every code cell has a copy button"
        for i in range(buttons.count()):
            cell = buttons.nth(i).locator("xpath=..").locator("pre")
            shown = cell.evaluate("pre => pre.textContent")
            page.evaluate("navigator.clipboard.writeText('')")
            buttons.nth(i).scroll_into_view_if_needed()
            buttons.nth(i).hover()
            buttons.nth(i).click()
            expect(buttons.nth(i)).to_have_class(re.compile(r"\bsuccess\b"))
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == shown.rstrip("\n"), f"cell {i + 1}: the clipboard is what is shown"
            assert not [c for c in copied if not c.isprintable() and c not in "\n\t"], copied
            compile(copied, f"{lab} cell {i + 1}", "exec")
    finally:
        context.close()


def test_selecting_code_by_hand_copies_it_as_written(browser, base_url):  # noqa: F811
    tab = Tab(browser, base_url)
    try:
        page = tab.open(LABS[-1])
        pre = page.locator("div.cell_input pre", has_text="zero_grad")
        selected = pre.evaluate("""pre => { const r = document.createRange();
            r.selectNodeContents(pre); const s = getSelection(); s.removeAllRanges();
            s.addRange(r); return s.toString(); }""")
        assert "    optimizer.zero_grad()\n" in selected and "\u2063" not in selected
        compile(selected, "selected", "exec")
        tab.assert_clean()
    finally:
        tab.context.close()


# The text boxes of each code or output box that its copy button covers (the button's box, whether
# shown on hover or always, as on touch screens).
COVERED_JS = """() => {
  const covered = [];
  for (const button of document.querySelectorAll('.bd-content div.highlight button.copybtn')) {
    const b = button.getBoundingClientRect();
    const pre = button.parentElement.querySelector('pre');
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        if (!node.data[i].trim()) continue;
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        for (const r of range.getClientRects()) {
          if (r.right > b.left + 1 && r.left < b.right - 1 && r.bottom > b.top + 1
              && r.top < b.bottom - 1) covered.push(pre.textContent.slice(0, 30) + ': '
                                                    + node.data);
        }
      }
    }
  }
  return [...new Set(covered)];
}"""


# Lines of code shown at a smaller indentation than they are written with: a wrapped line's
# continuation must start right of its line's own indentation.
HANGING_JS = """() => {
  const lying = [];
  for (const line of document.querySelectorAll('.bd-content div.highlight pre .code-line')) {
    const text = line.querySelector('.code-text');
    const rects = [...text.getClientRects()];
    if (!rects.length) continue;
    const indent = line.querySelector('.code-indent').getBoundingClientRect().width;
    const start = line.getBoundingClientRect().left;
    const lines = new Set();
    const range = document.createRange();
    range.selectNodeContents(text);
    for (const r of range.getClientRects()) {
      if (r.width && r.left - start < indent + 1) lines.add(Math.round(r.top));
    }
    if (lines.size > 1) lying.push(line.textContent);  // more than its first line starts there
  }
  return lying;
}"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
def test_code_keeps_its_indentation_and_its_copy_button_covers_nothing(
    browser,
    base_url,  # noqa: F811
    width,
    mode,
):
    touch = width < 500
    context = reader(browser, width, mode, has_touch=touch, is_mobile=touch)
    try:
        page = context.new_page()
        for name in [*LABS, "setup"]:
            page.goto(base_url + f"{name}.html", wait_until="networkidle")
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            assert page.evaluate(COVERED_JS) == [], f"{name} at {width} px"
            assert page.evaluate(HANGING_JS) == [], f"{name} at {width} px"
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name}: {wide} px wide on a {width} px screen"
            cut = page.evaluate("""() => [...document.querySelectorAll('.prev-next-area a')]
                .filter((a) => a.scrollWidth > a.clientWidth + 1).map((a) => a.textContent)""")
            assert cut == [], f"{name}: Previous/Next cut at {width} px"
            if width == 360 and name == LABS[-1]:
                # the training loop's last line wraps, and its continuation hangs inside the loop
                line = page.locator(".code-line", has_text="train_losses.append(loss.item())")
                assert len(line.locator(".code-text").evaluate("t => [...t.getClientRects()]")) >= 1
                box = line.bounding_box()
                assert box["height"] > 1.5 * page.evaluate(
                    "parseFloat(getComputedStyle(document.querySelector('.code-line')).lineHeight)"
                ), "it wraps at 360 px"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_dialog_closes_by_its_button_and_by_escape_from_a_result(
    browser,
    base_url,  # noqa: F811
    width,
):
    touch = width < 500
    context = reader(browser, width, has_touch=touch, is_mobile=touch)
    try:
        page = context.new_page()
        page.goto(base_url + f"{LABS[0]}.html", wait_until="networkidle")
        dialog = page.locator("#pst-search-dialog")
        scripts = page.evaluate("[...document.scripts].map((s) => s.src).join(' ')")
        assert "sphinx_highlight" not in scripts, "Sphinx's search is off: no search highlighter"
        for how in ("button", "Escape"):
            page.locator(".search-button__button:visible").first.click()
            expect(dialog).to_have_attribute("open", "")
            page.locator("#course-search-input").fill("torch")
            expect(page.locator(".course-search__result").first).to_be_visible()
            if how == "button":
                close = dialog.locator(".course-search__close")
                expect(close).to_be_visible()
                box = close.bounding_box()
                assert box["x"] + box["width"] <= width and box["height"] >= 24, box
                close.click()
            else:
                page.keyboard.press("ArrowDown")
                page.keyboard.press("ArrowDown")
                assert page.evaluate("document.activeElement.tagName") == "A"
                page.keyboard.press("Escape")
            expect(dialog).not_to_have_attribute("open", "")
    finally:
        context.close()


LUMINANCE_JS = """(el) => {
  const lum = (c) => { const [r, g, b] = (c.match(/[\\d.]+/g) || []).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  return lum(getComputedStyle(el).color);
}"""


@pytest.mark.parametrize("mode", MODES)
def test_a_printed_lab_is_light_titled_in_full_and_says_where_it_is(
    browser,
    base_url,  # noqa: F811
    mode,
):
    context = reader(browser, 1280, mode)
    try:
        page = context.new_page()
        page.goto(base_url + f"{LABS[0]}.html", wait_until="networkidle")
        page.emulate_media(media="print")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
        # body text and every code token print dark on the light page
        for selector in ("article p", "article div.cell_input pre span"):
            for el in page.locator(selector).all()[:40]:
                assert el.evaluate(LUMINANCE_JS) < 0.2, (selector, el.inner_text()[:40])
        title = page.locator("article h1").first
        expect(title).to_be_visible()
        expect(title).to_contain_text("Week 1, Session 2 — ")
        expect(page.locator(".print-title")).to_be_hidden()
        for chrome in (
            ".bd-sidebar-primary",
            ".bd-header-article",
            ".prev-next-footer",
            "#jb-print-toc",
        ):
            assert not page.locator(chrome).first.is_visible(), f"{chrome} is not printed"
        url = page.locator(".print-url")
        expect(url).to_be_visible()
        expect(url).to_have_text(base_url + f"{LABS[0]}.html")
        figure = page.locator("article div.cell_output img.figure-ink-dark").first
        assert figure.evaluate("i => getComputedStyle(i).filter") == "none", (
            "figures print as drawn"
        )
    finally:
        context.close()


@pytest.mark.parametrize("mode", MODES)
def test_reduced_motion_stops_transitions_and_captions_read_in_both_modes(
    browser,
    base_url,  # noqa: F811
    mode,
):
    context = reader(browser, 1280, mode, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(base_url + f"{LABS[0]}.html", wait_until="networkidle")
        durations = page.evaluate("""() => [...document.querySelectorAll(
            'button.copybtn, .bd-sidebar-primary, a, .theme-switch-button')].flatMap((el) =>
            getComputedStyle(el).transitionDuration.split(',').map(parseFloat))""")
        assert durations and max(durations) < 0.001, "no transition runs"
        captions = page.locator("article figure figcaption .caption-text").all()
        assert len(captions) >= 4
        for caption in captions:
            weight = int(caption.evaluate("c => getComputedStyle(c).fontWeight"))
            assert weight >= 400, f"caption weight {weight} in {mode} mode"
    finally:
        context.close()
