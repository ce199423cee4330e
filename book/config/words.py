"""The words the generator writes on a course's pages, in the course's language.

One door: every word a reader sees that the generator (not the course) writes passes through a
``Words``, made once per command from ``_config.yml`` (``book.config.course``): the language is
Jupyter Book's ``language:`` under ``sphinx: config:`` (the theme and Pagefind follow the same
setting), and ``labels:`` overrides any message by its key.

The messages are data: ``book/locale/course.pot`` holds the English text of each, keyed by its
context (``msgctxt``); ``book/locale/<lang>/LC_MESSAGES/course.po`` translates them, compiled with
Babel to a gettext ``.mo`` catalog in memory when a language is first asked for (a few ms; no build
step, nothing to go stale). Dates follow the language too, with Babel (CLDR) patterns that are
themselves messages, so English pages read as they always did and a German page says
"30. November 2026".

Messages to instructors (``make check``, build errors) stay English: they are not here.
"""

from __future__ import annotations

import dataclasses as dc
import datetime as dt
import functools
import gettext
import io
import re
from dataclasses import dataclass
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TEMPLATE = LOCALE_DIR / "course.pot"
DOMAIN = "course"
DEFAULT = "en"
# the messages search.js writes itself (its WORDS hold their English text)
BROWSER_KEYS = (
    "search_all",
    "search_endings",
    "search_one",
    "search_many",
    "search_none",
    "search_file",
    "search_unavailable",
)


@functools.cache
def english() -> dict[str, str]:
    """Each message's key and English text, from the template. Read here, not with Babel (a
    quarter of a second to import and parse, on every command: an English course never needs
    Babel); ``tests/unit/test_words.py`` reads it with Babel too and compares."""
    import json  # a PO string's escapes are JSON's

    found: dict[str, str] = {}
    field, values = "", {"msgctxt": "", "msgid": ""}
    for line in [*TEMPLATE.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith('"') and field:
            values[field] += json.loads(line)
            continue
        if field == "msgstr" and values["msgctxt"] and values["msgid"]:
            found[values["msgctxt"]] = values["msgid"]
        key, _, rest = line.partition(" ")
        if key == "msgctxt":
            values = {"msgctxt": "", "msgid": ""}
        field = key if key in ("msgctxt", "msgid", "msgstr") else ""
        if field:
            values[field] = json.loads(rest)
    return found


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    """The languages with a catalog, English (the template's) first."""
    return [DEFAULT, *sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))]


def catalog_language(language: str) -> str | None:
    """The catalog a language uses: its own (``de_AT``), else its base language's (``de``)."""
    for name in (language.replace("-", "_"), language.replace("-", "_").split("_")[0]):
        if name == DEFAULT or name.lower() == DEFAULT:
            return DEFAULT
        if catalog_path(name).is_file():
            return name
    return None


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The language's catalog, compiled from its ``.po`` to a ``.mo`` in memory (fuzzy entries
    left out, as msgfmt does)."""
    name = catalog_language(language)
    if name is None or name == DEFAULT:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(name).open("rb") as fp:
        catalog = read_po(fp, locale=name, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@dataclass(frozen=True)
class Words:
    """The course's words: ``words("week")``, ``words("upcoming", date=...)``, ``words.date(d)``.

    Frozen and plain (a language and overrides), so it pickles with Sphinx's configuration and
    keys the reader's cache.
    """

    language: str = DEFAULT
    overrides: tuple[tuple[str, str], ...] = ()

    def text(self, key: str) -> str:
        """The message ``key`` unfilled: the course's override, else the catalog's, else English."""
        for name, value in self.overrides:
            if name == key:
                return value
        source = english()[key]  # KeyError: a message the template does not declare
        return translations(self.language).pgettext(key, source)

    def __call__(self, key: str, **values: object) -> str:
        text = self.text(key)
        return text.format(**values) if values else text

    @property
    def locale(self) -> str:
        return self.language.replace("-", "_")

    def date(self, day: dt.date | str, key: str = "date_format") -> str:
        """A day as the schedule shows it (``Mon 30 Nov 2026``; ``Mo., 30. Nov. 2026``)."""
        from babel.dates import format_date

        if isinstance(day, str):
            try:
                when = dt.date.fromisoformat(day[:10])
            except ValueError:
                return day  # not a date (a hand-written record): as written
        else:
            when = day
        return format_date(when, self.text(key), locale=self.locale)

    def day(self, day: dt.date | str) -> str:
        """A day in running text (``2026-11-30``; ``30. November 2026``)."""
        return self.date(day, "day_format")

    def moment(self, when: dt.datetime) -> str:
        """A moment in running text, in its own time zone (``2027-01-10 09:00``;
        ``10. Januar 2027, 09:00 MEZ``)."""
        from babel.dates import format_datetime

        return format_datetime(
            when, self.text("moment_format"), tzinfo=when.tzinfo, locale=self.locale
        )

    def lab_title(self, lab: dict) -> str:
        """A lab's title on its page: "Week 2, Session 3 — Title"."""
        return self(
            "lab_title",
            week_label=self("week"),
            week=lab["week"],
            session_label=self("session"),
            session=lab["session"],
            title=lab["title"],
        )

    def nav_title(self, lab: dict) -> str:
        """A lab's title in the navigation, under its week: "Session 3 — Title"."""
        return self(
            "nav_title", session_label=self("session"), session=lab["session"], title=lab["title"]
        )

    def week_caption(self, week: int | str) -> str:
        return self("week_caption", week_label=self("week"), week=week)

    def for_browser(self) -> dict[str, str]:
        """The search dialog's messages that ``search.js`` writes, unfilled, where they differ from
        its English ones (an English page stays as it was)."""
        found = {key: self.text(key) for key in BROWSER_KEYS}
        return {key: text for key, text in found.items() if text != english()[key]}


def _override(key: str, text_of):
    """A validator of an override of the message ``key``: text with the message's own
    ``{placeholders}`` and no others."""

    def check(value: object) -> str:
        import string

        text = text_of(value)
        wanted = {name for _, name, _, _ in string.Formatter().parse(english()[key]) if name}
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        except ValueError:
            raise ValueError("must be text (write a brace as {{ or }})") from None
        if used - wanted:
            shown = ", ".join("{" + n + "}" for n in sorted(wanted)) or "none"
            raise ValueError(f"may use only the placeholders {shown}")
        if key == "search_endings" and not re.fullmatch(
            r"[^\W\d_']*'?[^\W\d_]*(\|[^\W\d_']*'?[^\W\d_]*)*", text
        ):
            raise ValueError("must be word endings separated by |, e.g. s|es|ed")
        return text

    return check


def labels_section(help_, text_of) -> type:
    """``labels:`` declared (``book.config.sections``): one optional override per message of the
    template, by its key (``labels: {week: "Semaine"}``); an unknown key is a typo, as
    everywhere."""
    fields = [
        (
            key,
            str,
            dc.field(
                default="",
                metadata=help_(f"the words for {source!r}", validator=_override(key, text_of)),
            ),
        )
        for key, source in english().items()
    ]
    cls = dc.make_dataclass("LabelsConfig", fields, frozen=True)
    cls.__doc__ = "The course's own words for the generator's messages, under ``labels:``."
    return cls


ENGLISH = Words()
