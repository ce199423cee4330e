"""Course checks of releases (part of ``book.checks.course``): dates that are dates, solutions not
before their session, the schedule's events file readable, no ``{prereq}`` link that students
could follow before its target is released, and every ``{doc}``, ``{ref}`` or Markdown link of a
published page to a page not yet released named with its line: a warning (the build renders it as
its text and "(from DATE)"), or an error under ``release: {links: error}``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from book.checks.templates import body_lines
from book.course.labs import PREREQ_ROLE, LabFile, find_session, parse_session_ref
from book.course.toc import read_toc, source_of
from book.errors import BookError
from book.release.links import links_to, markdown_of, unreleased_pages
from book.release.schedule import read_events
from book.release.state import release_state, sessions_of, shown

ALWAYS = dt.datetime.min.replace(tzinfo=dt.UTC)  # no release date: released from the start


def check_links(root, config, notices: list[BookError] | None) -> list[BookError]:
    """Links of the pages this build publishes to the pages it leaves out (not yet released)."""
    release = release_state(config)
    try:
        docs = [source_of(root, entry.docname) for entry in read_toc(root)]
    except BookError:
        return []  # check_toc names the problem
    shown_docs = [doc for doc in docs if doc and release.shows(doc)]
    pages = unreleased_pages(root, release, [doc for doc in docs if doc and doc not in shown_docs])
    if not pages:
        return []
    problems = []
    strict = config.release.links == "error"
    for doc in shown_docs:
        for line, written, target in links_to(markdown_of(root, doc), doc.rsplit(".", 1)[0], pages):
            when = pages[target]["from"]
            problem = BookError(
                doc,
                line if not doc.endswith(".ipynb") else None,
                f"{written} links {target}, not released until {when}: "
                + (
                    "not allowed under release: {links: error}"
                    if strict
                    else f"shown as its text and '(from {when})'"
                ),
                "link it once it is released, or release it first"
                if strict
                else "it becomes a link once the page is released "
                "('release: {links: error}' refuses it)",
            )
            if strict:
                problems.append(problem)
            elif notices is not None:
                notices.append(problem)
    return problems


def check_releases(
    root, labs: list[LabFile], config, notices: list[BookError] | None = None
) -> list[BookError]:
    problems = check_links(root, config, notices)
    zone = ZoneInfo(config.schedule.timezone)
    sessions, dated = sessions_of(labs, zone)
    problems += dated
    try:
        read_events(root, config.schedule.events, zone)
    except BookError as exc:
        problems.append(exc)

    def release_of(lab: LabFile) -> dt.datetime:
        session = sessions.get(lab.path)
        return session.release if session and session.release else ALWAYS

    for lab in labs:
        for line, text in body_lines(lab):
            for role in PREREQ_ROLE.finditer(text):
                ref = parse_session_ref(role.group(1))
                target = find_session(labs, *ref) if ref else None
                if target is None or release_of(target) <= release_of(lab):
                    continue  # a bad reference is check_prerequisites' to report
                mine = release_of(lab)
                problems.append(
                    BookError(
                        lab.path,
                        line,
                        f"{{prereq}}`{role.group(1)}` links a session released only on "
                        f"{shown(release_of(target))}, but this session is released "
                        + (
                            "already (it has no 'release' date)"
                            if mine == ALWAYS
                            else f"on {shown(mine)}"
                        ),
                        "release the linked session first (its 'release' at or before this "
                        "one's), or link it once it is released",
                    )
                )
    return problems
