"""A course in its own language (docs/language.md): the bundled course built with ``language: de``,
``fr`` and ``es`` (``conftest.build_in_language``: every kind of note, banner and date on some page)
shows none of the generator's English words on any page, and every one of its messages in the
course's language.

The generator's English words are the messages of ``book/locale/course.pot``, beside the catalogs:
a new message without a translation, or English written on a page without passing through the
catalogs, fails here. The course's own text stays as written (the bundled course is English): a
phrase that the page's own source file (or ``_config.yml``, ``schedule.yml``) holds is the
course's, not the generator's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book.config.course import load_config
from book.config.words import Words, english
from conftest import LANGUAGE_LAB

LANGUAGES = ["de", "fr", "es"]
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-words", "data-pagefind-filter")
# fallbacks, and what the builds cannot show (torch is off; a lab's {tableofcontents} is a
# warning): the downloads' notes are tests/unit/test_words.py's
UNSHOWN = {"its_flag", "no_flags", "flag_on"} | {k for k in english() if k.startswith("download_")}


def pieces(text: str) -> list[str]:
    """The literal words of a message, between its ``{placeholders}``."""
    found = []
    for piece in re.split(r"\{\w+\}", text):
        piece = piece.strip(" ,.;:()“”„«»—")
        if re.search(r"[^\W\d_]", piece):
            found.append(piece)
    return found


def phrase(piece: str) -> re.Pattern:
    words = r"\s+".join(map(re.escape, piece.split()))
    return re.compile(rf"(?<!\w){words}(?!\w)")


def page_text(path: Path) -> str:
    """What a reader sees and hears of a page: its text and the attributes read out or shown."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    parts = [soup.get_text(" ")]
    parts += [str(tag[name]) for name in ATTRIBUTES for tag in soup.find_all(attrs={name: True})]
    return re.sub(r"\s+", " ", " ".join(parts))


def notebook_text(path: Path) -> str:
    """What a downloaded notebook says: its cells."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return re.sub(r"\s+", " ", " ".join("".join(cell["source"]) for cell in cells))


def pages(root: Path) -> dict[str, tuple[str, str]]:
    """Each page and notebook download of the instructor site: its text, and the course's own
    text it may show."""
    site = root / "_build" / "instructor" / "html"
    shared = "".join(
        (root / name).read_text(encoding="utf-8") for name in ("_config.yml", "schedule.yml")
    )
    found = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).with_suffix(".md")
        source = root / rel
        own = source.read_text(encoding="utf-8") if source.is_file() else ""
        found[rel.as_posix()] = (page_text(path), re.sub(r"\s+", " ", own + shared))
    for path in sorted((site / "_sources").rglob("*.ipynb")):
        rel = path.relative_to(site / "_sources").with_suffix(".md")
        own = (root / rel).read_text(encoding="utf-8")
        found[f"_sources/{rel.with_suffix('.ipynb')}"] = (notebook_text(path), own + shared)
    return found


@pytest.fixture(scope="module", params=LANGUAGES)
def built(request, in_language) -> tuple[str, Path, Words]:
    root = in_language(request.param)
    return request.param, root, load_config(root).words


def test_no_page_shows_the_generators_english(built):
    language, root, words = built
    translated = " ".join(words.text(key) for key in english())
    english_words = {
        piece
        for key, text in english().items()
        if not key.endswith("_format")
        for piece in pieces(text)
        if not phrase(piece).search(translated)  # the same word in both ("Date" in French)
    }
    assert {
        "Week",
        "Session",
        "upcoming",
        "Recorded output",
        "Not run on this page",
    } <= english_words
    found = []
    for page, (text, own) in pages(root).items():
        for piece in sorted(english_words):
            for m in phrase(piece).finditer(text):
                if m.group(0) not in own:
                    found.append(
                        f"{page}: {piece!r} in …{text[max(0, m.start() - 50) : m.end() + 30]}…"
                    )
    assert not found, f"English on a {language} page:\n" + "\n".join(found[:20])


def test_every_message_is_on_some_page_in_the_courses_language(built):
    """The builds show every message (so the test above sees each one), in the language."""
    language, root, words = built
    everything = " ".join(text for text, _ in pages(root).values())
    missing = [
        f"{key}: {piece!r}"
        for key in english()
        if not key.endswith("_format") and key not in UNSHOWN
        for piece in pieces(words.text(key))
        if not phrase(piece).search(everything)
    ]
    assert not missing, f"not on any {language} page:\n" + "\n".join(missing)


def test_pages_and_search_index_are_in_the_courses_language(built):
    language, root, words = built
    site = root / "_build" / "instructor" / "html"
    lab = (site / f"{LANGUAGE_LAB}.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}"' in lab
    title = words.lab_title({"week": 9, "session": 1, "title": "Sprachlabor"})
    assert BeautifulSoup(lab, "html.parser").select_one("article h1").get_text().startswith(title)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert set(entry["languages"]) == {language}, "Pagefind stems the pages in their language"
    dialog = BeautifulSoup(lab, "html.parser").select_one("dialog#pst-search-dialog")
    assert json.loads(dialog["data-words"])["search_none"] == words.text("search_none")
    notebook = json.loads((site / "_sources" / f"{LANGUAGE_LAB}.ipynb").read_text())
    assert title in "".join(notebook["cells"][0]["source"]), "the download says it too"


def test_a_german_page_says_its_dates_in_german(in_language):
    site = in_language("de") / "_build" / "instructor" / "html"
    schedule = page_text(site / "schedule.html")
    assert "Di., 24. Nov. 2026" in schedule and "demnächst (10. Januar 2027)" in schedule
    lab = page_text(site / f"{LANGUAGE_LAB}.html")
    assert "Noch nicht freigegeben (10. Januar 2027, 09:00 +0000)" in lab  # Europe/London
    assert "Eine am 20. November 2026 aufgezeichnete Ausgabe" in lab
