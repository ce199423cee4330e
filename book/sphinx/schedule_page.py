"""The ``{schedule}`` directive: the course's sessions and other dates as a table, sessions linked
once released and marked "upcoming (date)" before.

The directive leaves a placeholder; the table is written with the page from ``book_schedule``
(rows made by the build from the labs' front matter and ``schedule.yml``:
``book.release.schedule``), a
setting with the ``"html"`` rebuild scope, so a release rewrites the table without re-reading any
page. The table is not indexed for search (a session's own page is what a search should find).
"""

from __future__ import annotations

import datetime as dt
import html

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from book.config.words import ENGLISH, Words


class schedule_table(nodes.General, nodes.Element):  # noqa: N801  docutils' node naming
    """Where the schedule goes."""


class ScheduleDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        return [schedule_table()]


def _date(iso: str, words: Words) -> str:
    if not iso:
        return ""
    return f'<time datetime="{iso}">{html.escape(words.date(iso))}</time>'


ICS = "schedule.ics"


def table_html(rows: list[dict], link, words: Words = ENGLISH, ics: str = "") -> str:
    """The rows as a table; ``link(doc)`` is the relative address of a page; ``ics``: that of
    the calendar file."""
    out = [
        '<div class="course-schedule-wrap" data-pagefind-ignore><table class="course-schedule">',
        f"<caption>{html.escape(words('schedule_caption'))}</caption>",
        f'<thead><tr><th scope="col">{html.escape(words("week"))}</th>'
        f'<th scope="col">{html.escape(words("schedule_date"))}</th>'
        f'<th scope="col">{html.escape(words("session"))}</th></tr></thead><tbody>',
    ]
    for row in rows:
        title = html.escape(row["title"])
        if row["doc"]:
            title = f'<a href="{html.escape(link(row["doc"]))}">{title}</a>'
        if row["upcoming"]:
            upcoming = words("upcoming", date=words.day(row["upcoming"]))
            title += f' <span class="schedule-upcoming">{html.escape(upcoming)}</span>'
        if row.get("url"):
            title = f'<a href="{html.escape(row["url"])}">{title}</a>'
        if row.get("location"):
            title += f' <span class="schedule-location">({html.escape(row["location"])})</span>'
        when = _date(row["date"], words) + (f" {row['time']}" if row.get("time") else "")
        kind = "schedule-session" if row["week"] else "schedule-event"
        week = str(row["week"]) if row["week"] else ""
        out.append(f'<tr class="{kind}"><td>{week}</td><td>{when}</td><td>{title}</td></tr>')
    out.append("</tbody></table></div>")
    if ics:
        out.append(
            f'<p class="schedule-calendar"><a href="{html.escape(ics)}" download>'
            f"{html.escape(words('schedule_calendar'))}</a></p>"
        )
    return "".join(out)


def _visit_html(self, node: schedule_table) -> None:
    builder = self.builder
    here = builder.current_docname
    rows = builder.config.book_schedule or []
    ics = "../" * here.count("/") + ICS
    link = lambda doc: builder.get_relative_uri(here, doc)  # noqa: E731
    self.body.append(table_html(rows, link, builder.config.book_words, ics))
    raise nodes.SkipNode


def _skip(self, node) -> None:
    raise nodes.SkipNode


def _write_calendar(app: Sphinx, exception) -> None:
    """``schedule.ics`` at the site's top, from the same rows as the table."""
    if exception is not None or app.builder.format != "html":
        return
    from pathlib import Path

    from book.publishing.staging import replace
    from book.release.calendar import calendar

    stamp = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    text = calendar(
        app.config.book_schedule or [], app.config.book_timezone, app.config.project, stamp
    )
    target = Path(app.outdir) / ICS
    try:
        if target.read_bytes() == text.encode():
            return  # unchanged: the published file stays shared, not copied
    except OSError:
        pass
    replace(target)  # a new file, never one linked to the published site
    target.write_text(text, encoding="utf-8", newline="")


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_schedule", [], "html", types=[list])
    app.add_config_value("book_timezone", "UTC", "html", types=[str])
    app.connect("build-finished", _write_calendar)
    app.add_directive("schedule", ScheduleDirective)
    skip = (_skip, None)
    app.add_node(
        schedule_table, html=(_visit_html, None), latex=skip, text=skip, man=skip, texinfo=skip
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
