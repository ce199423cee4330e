"""The generator's words in the course's language (book.config.words, book/locale): every catalog
translates every message with the same placeholders; ``labels:`` overrides are declared (a typo,
a stray placeholder, a language without words: the line of ``_config.yml``); dates in the
language; English as it was."""

from __future__ import annotations

import dataclasses as dc
import datetime as dt
import json
import re
import string
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from book.config.course import load_config
from book.config.sections import LabelsConfig
from book.config.words import BROWSER_KEYS, ENGLISH, Words, catalog_path, english, languages
from book.errors import BookError
from conftest import REPO

BASE = (REPO / "_config.yml").read_text(encoding="utf-8")
LAB = {"week": 2, "session": 3, "title": "Tabular networks"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def with_config(tmp_path, sphinx_config: str = "", extra: str = ""):
    text = BASE.replace("  config:\n", "  config:\n" + sphinx_config, 1) + extra
    (tmp_path / "_config.yml").write_text(text, encoding="utf-8")
    return tmp_path, text


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_every_catalog_translates_every_message_with_its_placeholders(language):
    assert language in languages()
    with catalog_path(language).open("rb") as fp:
        catalog = {m.context: m for m in read_po(fp) if m.id}
    validator = {f.name: f.metadata["validator"] for f in dc.fields(LabelsConfig)}
    assert set(catalog) == set(english()), "the catalog's messages are the template's"
    for key, source in english().items():
        message = catalog[key]
        assert message.id == source, f"{key}: the catalog translates an older English text"
        assert message.string and not message.fuzzy, f"{key}: not translated into {language}"
        assert placeholders(message.string) == placeholders(source), key
        assert validator[key](message.string) == message.string, "as labels: would be checked"
        Words(language).moment(dt.datetime(2027, 1, 10, 9, tzinfo=ZoneInfo("UTC")))  # patterns


def test_english_is_the_default_and_reads_as_it_always_did():
    words = load_config(REPO).words
    assert words == ENGLISH
    assert words.lab_title(LAB) == "Week 2, Session 3 — Tabular networks"
    assert words.nav_title(LAB) == "Session 3 — Tabular networks"
    assert words.date("2026-11-30") == "Mon 30 Nov 2026"
    assert words.day("2026-11-30") == "2026-11-30"
    assert words.moment(dt.datetime(2027, 1, 10, 9, tzinfo=ZoneInfo("Europe/London"))) == (
        "2027-01-10 09:00"
    )
    assert words.for_browser() == {}, "English pages carry no words for the search dialog"


def test_search_js_holds_the_templates_english_for_what_it_writes():
    script = (REPO / "book" / "sphinx" / "static" / "search.js").read_text(encoding="utf-8")
    block = script[script.index("const WORDS = {") : script.index("};", script.index("WORDS"))]
    found = {}
    for key, text in re.findall(r'(\w+):\s*((?:"[^"]*"\s*\+?\s*)+),', block):
        found[key] = "".join(json.loads(part) for part in re.findall(r'"[^"]*"', text))
    assert found == {key: english()[key] for key in BROWSER_KEYS}


def test_a_german_course_writes_german_words_and_dates(tmp_path):
    root, _ = with_config(tmp_path, "    language: de\n")
    words = load_config(root).words
    assert words.lab_title(LAB) == "Woche 2, Sitzung 3 — Tabular networks"
    assert words.day("2026-11-30") == "30. November 2026"
    assert words.date("2026-11-30") == "Mo., 30. Nov. 2026"
    winter = dt.datetime(2027, 1, 10, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    assert words.moment(winter) == "10. Januar 2027, 09:00 MEZ"
    assert words("upcoming", date=words.day("2026-12-05")) == "demnächst (5. Dezember 2026)"
    assert words.for_browser()["search_none"] == "Keine Ergebnisse für „{query}“"
    assert Words("de_AT").day("2027-01-10") == "10. Jänner 2027", "a regional variant: de's words"


def test_labels_override_any_message_by_its_key(tmp_path):
    extra = 'labels:\n  week: "Semaine"\n  upcoming: "bientôt ({date})"\n'
    root, _ = with_config(tmp_path, "    language: fr\n", extra)
    words = load_config(root).words
    assert words.lab_title(LAB) == "Semaine 2, Séance 3 — Tabular networks"
    assert words("upcoming", date="x") == "bientôt (x)"
    assert words("session") == "Séance", "what is not overridden comes from the catalog"


@pytest.mark.parametrize(
    "extra, start, message",
    [
        ("labels:\n  wek: Semaine\n", "  wek:", "unknown key 'wek' (did you mean 'week'?)"),
        (
            'labels:\n  upcoming: "bientôt ({when})"\n',
            "  upcoming:",
            "labels.upcoming may use only the placeholders {date}",
        ),
        ("labels:\n  week: [Semaine]\n", "  week:", "labels.week must be text"),
        (
            'labels:\n  search_endings: "(s"\n',
            "  search_endings:",
            "labels.search_endings must be word endings separated by |",
        ),
    ],
)
def test_a_bad_label_names_its_line(tmp_path, extra, start, message):
    root, text = with_config(tmp_path, extra=extra)
    with pytest.raises(BookError) as err:
        load_config(root)
    assert err.value.format().startswith(f"_config.yml:{line_of(text, start)}: {message}")


@pytest.mark.parametrize(
    "language, message",
    [
        ("it", "the course's pages have no translation into 'it' (there are: en, de, es, fr)"),
        ("klingon", "language 'klingon' is not a language code"),
    ],
)
def test_a_language_the_build_cannot_write_is_refused_at_its_line(tmp_path, language, message):
    root, text = with_config(tmp_path, f"    language: {language}\n")
    with pytest.raises(BookError) as err:
        load_config(root)
    assert err.value.format().startswith(f"_config.yml:{line_of(text, '    language:')}: {message}")


def test_a_language_without_a_catalog_builds_when_labels_give_every_word(tmp_path):
    labels = "".join(f"  {key}: {json.dumps(english()[key])}\n" for key in english())
    root, _ = with_config(tmp_path, "    language: it\n", "labels:\n" + labels)
    words = load_config(root).words
    assert words.lab_title(LAB) == "Week 2, Session 3 — Tabular networks"
    assert words.day("2026-11-30") == "2026-11-30"


@pytest.mark.parametrize(
    "language, note",
    [
        ("en", "*The list of pages is on [this lab's page](x.html).*"),
        ("de", "*Die Liste der Seiten steht auf [der Seite dieses Labs](x.html).*"),
    ],
)
def test_a_downloaded_notebook_says_where_the_build_made_part_of_the_page(language, note):
    import nbformat

    from book.publishing.notebook import Pages, export_notebook

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("```{tableofcontents}\n```")]
    )
    pages = Pages("labs/x", "", lambda doc: None, lambda text: None, Words(language))
    export_notebook(nb, pages)
    assert nb.cells[0].source == note


def test_the_template_reads_as_babel_reads_it():
    from book.config.words import TEMPLATE

    with TEMPLATE.open("rb") as fp:
        assert english() == {m.context: m.id for m in read_po(fp) if m.id}
