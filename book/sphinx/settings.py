"""The extension's settings as Sphinx config values, and the bootstrap of a plain
``jupyter-book build .``.

``make html`` resolves the course configuration once (``book.config.course``), then passes what the
pages
need as ``confoverrides``. Each value is declared with the rebuild scope of what it changes:

- ``book_flags`` (the build's flag states) matter only to pages with cells gated on a flag:
  ``""``, and a flip re-reads and rewrites just those pages (``navigation``), so a flag flip does
  not rewrite the whole site;
- ``book_flag_help`` (the words and commands of each flag shown on pages) is written into pages
  at write time: ``"html"``;
- ``book_words`` (the course's language and ``labels:``, ``book.config.words``) makes the
  titles that pages are read with: ``"env"``;
- ``book_generator`` (a hash of this package) changes how pages are read: ``"env"``;
- ``book_reader`` (the build's one lab reader) and ``book_execution_report`` (per-lab status and
  seconds for build-info.json) change no page: ``""``.

Run by ``jupyter-book build .`` without them, ``config-inited`` resolves the same values from
``_config.yml`` and ``BOOK_FLAGS`` and says in one line what it leaves to ``make html``.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

from book import generator_hash
from book.config.words import ENGLISH
from book.errors import BookError

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
STANDALONE_NOTE = (
    "course: plain jupyter-book build: no lab code runs here (labs show the outputs `make html` "
    "last executed, confined, or none), and no course checks, search index, atomic publish or "
    "leaving out sessions not yet released; `make html` does all of them"
)


def flag_help(config) -> dict[str, dict[str, str]]:
    """What pages say about each flag (``book_flag_help``), from the course configuration."""
    return {
        name: {
            "help": flag.help,
            "enable": flag.enable_command,
            "install": flag.install_command,
            "requires": ", ".join(flag.requires),
        }
        for name, flag in config.flags.items()
    }


def _standalone(app: Sphinx, config: Config) -> None:
    """No values from ``make html``: resolve them here, as ``make html`` would."""
    from book.config import flags as flag_state
    from book.config.course import load_config
    from book.course.labs import read_labs
    from book.reading.reader import LabReader
    from book.release.schedule import read_events, schedule_rows
    from book.release.state import release_state

    try:
        course = load_config(app.srcdir)
        state = flag_state.resolve(course, flag_state.request_from_environment())
        flag_state.check_requirements(course, state)
        release = release_state(course)
        events = read_events(
            course.root, course.schedule.events, ZoneInfo(course.schedule.timezone)
        )
    except BookError as exc:
        # Sphinx's own error for an extension, carrying ours: the build prints its message alone
        raise ExtensionError(exc.format(), orig_exc=exc, modname=__name__) from None
    config.book_flags = state
    config.book_flag_help = flag_help(course)
    config.book_reader = LabReader(
        course.root, course.flags, state, release=release, words=course.words
    )
    config.book_schedule = schedule_rows(read_labs(course.root), release, events, course.words)
    config.book_timezone = course.schedule.timezone
    unreleased = sum(not release.released(path) for path in release.sessions)
    if unreleased:  # the table of contents is the course's own: they are rendered
        logger.info(f"course: {unreleased} session(s) not yet released are in this build")
    config.book_display = course.display.as_settings()
    config.book_words = course.words
    config.book_trust = course.publish.trust
    course.layout.fingerprint.unlink(
        missing_ok=True
    )  # _build/html is now this build's: the next `make html` rebuilds
    logger.info(STANDALONE_NOTE)


def _on_config_inited(app: Sphinx, config: Config) -> None:
    # myst-nb never executes: lab code runs only through the course's executor (each page's
    # own metadata says so too: book.sphinx.parser)
    config.nb_execution_mode = "off"
    if config.book_reader is None:
        _standalone(app, config)
    config.book_generator = generator_hash()
    config.book_words = config.book_words or ENGLISH
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_flags", None, "", types=[dict])
    app.add_config_value("book_flag_help", {}, "html", types=[dict])
    app.add_config_value("book_generator", "", "env", types=[str])
    app.add_config_value("book_reader", None, "")
    # None until config-inited (a Words is callable: Sphinx would take it for a default's function)
    app.add_config_value("book_words", None, "env")
    app.add_config_value("book_execution_report", {}, "", types=[dict])
    app.connect("config-inited", _on_config_inited, priority=400)
    app.add_css_file("book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
