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
