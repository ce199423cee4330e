"""Search forgives what readers type (book/sphinx/static/search-words.js): forms, spellings,
hyphens and spaces, one typo; and still finds nothing for words the site does not have."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .test_browser import HOME, LAB, W1, base_url, search, tab  # noqa: F401  fixtures

STANDARDISE = {"standardise", "standardised", "standardising", "standardisation"}

# (what the reader types, the page that must come first, what the query exercises, words that the
# first result highlights: each highlighted word is one of them)
FORGIVEN = [
    ("overfitting", W1, "another form: the lab says 'overfits'", {"overfits"}),
    ("standardize", W1, "American spelling of 'standardise'", STANDARDISE),
    ("standardization", W1, "-ization for -isation", STANDARDISE),
    ("train test split", W1, "three words, one not on the site", {"train", "training", "test"}),
    ("regularisaton", W1, "a letter missing", {"regularisation"}),
    ("regularsiation", W1, "two letters swapped", {"regularisation"}),
    ("over-fitting", W1, "a hyphen the page does not write", {"overfits", "fit"}),
    ("cross validation", W1, "a space where the page writes a hyphen", {"cross", "validation"}),
    ("np.linalg.lstsq", W1, "code, every part highlighted", {"np", "linalg", "lstsq"}),
]

# Not on the site, not even one typo away from a word of it: nothing, however forgiving.
ABSENT = ["xqzvw", "olsen", "ridge xqzvw", "flibbertigibbet", "regularisatonxx", "xqzvw lasso"]


@pytest.mark.parametrize(("text", "page", "kind", "marked"), FORGIVEN, ids=[f[0] for f in FORGIVEN])
def test_search_forgives_forms_spellings_hyphens_and_a_typo(tab, text, page, kind, marked):  # noqa: F811
    results = search(tab.open(HOME), text)
    first = results.first
    href = first.locator("a.course-search__page").get_attribute("href")
    assert urlsplit(href).path == f"/{page}.html", f"{kind}: first result is {href}"
    marks = {m.lower() for m in first.locator("mark").all_inner_texts()}
    assert marks, f"{kind}: the excerpt highlights what answers"
    words = {w for m in marks for w in re.findall(r"[\w-]+", m)}
    assert words <= {m.lower() for m in marked}, f"{kind}: {text!r} highlights {sorted(words)}"
    tab.assert_clean()


@pytest.mark.parametrize("text", ABSENT)
def test_search_for_words_not_on_the_site_still_finds_nothing(tab, text):  # noqa: F811
    page = tab.open(HOME)
    results = search(page, text)
    expect(page.locator(".course-search__status")).to_have_text(f"No results for “{text}”")
    expect(results).to_have_count(0)
    tab.assert_clean()


def test_short_words_highlight_only_themselves(tab):  # noqa: F811
    """ "Running a lab": not every word beginning with "a", nor "label" for "lab"."""
    page = tab.open(HOME)
    search(page, "Running a lab")
    marks = {m.lower() for m in page.locator(".course-search__excerpt mark").all_inner_texts()}
    assert marks and marks <= {"running", "runs", "run", "a", "lab", "labs"}, marks
    tab.assert_clean()
