"""Which form a widget's output takes on a static page (``book.sphinx.widgets.static_form``):
a fallback the page can show, else None (the note). A widget's ``text/plain`` is its ``repr``,
not a form of what it shows."""

from __future__ import annotations

import pytest

from book.config.words import Words
from book.sphinx.widgets import WIDGET, static_form


@pytest.mark.parametrize(
    "kinds, shown",
    [
        ([WIDGET, "text/plain"], None),
        ([WIDGET], None),
        ([WIDGET, "image/png", "text/plain"], "image/png"),
        ([WIDGET, "text/html", "image/png", "text/plain"], "text/html"),
        ([WIDGET, "image/svg+xml", "image/png"], "image/svg+xml"),
        ([WIDGET, "text/markdown", "text/plain"], "text/markdown"),
        ([WIDGET, "application/javascript", "text/plain"], None),
    ],
)
def test_a_widget_is_shown_in_its_static_form_or_noted(kinds, shown):
    assert static_form(kinds) == shown


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_note_is_in_the_courses_language(language):
    words = Words(language)
    for key in ("widget_note", "widget_download"):
        assert words(key) and words(key) != Words()(key), (language, key)
