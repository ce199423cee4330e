"""A German course in the browser (docs/language.md): the bundled course built with
``language: de`` and ``labels: {week: Kurswoche}`` (``conftest.build_in_language``), served over
HTTP: dates in German, the label override in the navigation and the titles, the search dialog's
own words in German, and a search for an inflected German word ("Modellen") finding the page that
says "Modell" (Pagefind stems the pages as German: the page's ``lang``).
"""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from conftest import LANGUAGE_LAB


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def german(in_language):
    """The German instructor site, served on a free port of 127.0.0.1."""
    site = in_language("de") / "_build" / "instructor" / "html"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def page(browser, german):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto_course = lambda name: page.goto(german + f"{name}.html", wait_until="load")  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not errors, errors


def search(page: Page, text: str):
    if page.locator("#pst-search-dialog[open]").count() == 0:
        page.keyboard.press("/")
    page.locator("#course-search-input").fill(text)
    expect(page.locator(".course-search__status")).to_contain_text(f"„{text}“")
    return page.locator(".course-search__result")


def test_dates_are_german_and_the_label_override_is_everywhere(page):
    page.goto_course("schedule")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    table = page.locator("table.course-schedule")
    expect(table.locator("time").first).to_have_text("Di., 24. Nov. 2026")
    expect(table.locator("th").first).to_have_text("Kurswoche")
    expect(table).to_contain_text("Sitzung 1 — Sprachlabor demnächst (10. Januar 2027)")
    nav = page.locator("nav.bd-docs-nav")
    expect(nav.get_by_text("Kurswoche 9", exact=True)).to_be_visible()
    page.goto_course(LANGUAGE_LAB)
    expect(page.locator("article h1")).to_contain_text("Kurswoche 9, Sitzung 1 — Sprachlabor")
    expect(page.locator(".release-banner").first).to_contain_text(
        "Noch nicht freigegeben (10. Januar 2027, 09:00"
    )
    expect(page.locator(".build-flags")).to_have_text("Gebaut mit den Schaltern: torch aus.")


def test_the_search_dialog_speaks_german(page):
    page.goto_course("intro")
    page.keyboard.press("Control+k")
    box = page.locator("#course-search-input")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("placeholder", "Labs durchsuchen…")
    expect(page.locator("#pst-search-dialog")).to_have_attribute(
        "aria-label", "Den Kurs durchsuchen"
    )
    results = search(page, "xqzvw")
    expect(page.locator(".course-search__status")).to_have_text("Keine Ergebnisse für „xqzvw“")
    expect(results).to_have_count(0)
    filters = page.locator(".course-search__filter")
    expect(filters.first).to_have_text("Alle")
    expect(filters.filter(has_text="Kurswoche 9")).to_have_count(1)
    expect(filters.filter(has_text="Kursseiten")).to_have_count(1)


def test_an_inflected_german_word_finds_the_page(page):
    page.goto_course("intro")
    results = search(page, "Modellen")  # the page says "Modell": found by its German stem
    expect(page.locator(".course-search__status")).to_have_text("1 Seite gefunden für „Modellen“")
    href = results.first.locator("a.course-search__page").get_attribute("href")
    assert urlsplit(href).path == f"/{LANGUAGE_LAB}.html"
    expect(results.first.locator(".course-search__title")).to_have_text(
        "Kurswoche 9, Sitzung 1 — Sprachlabor"
    )
    expect(results.first.locator("mark").first).to_have_text("Modell")
