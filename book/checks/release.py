"""Course checks of releases (part of ``book.checks.course``): dates that are dates, solutions not
before
their session, the schedule's events file readable, and no ``{prereq}`` link that students could
follow before its target is released.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from book.checks.templates import body_lines
from book.course.labs import PREREQ_ROLE, LabFile, find_session, parse_session_ref
from book.errors import BookError
from book.release.schedule import read_events
from book.release.state import sessions_of, shown

ALWAYS = dt.datetime.min.replace(tzinfo=dt.UTC)  # no release date: released from the start


def check_releases(root, labs: list[LabFile], config) -> list[BookError]:
    zone = ZoneInfo(config.schedule.timezone)
    sessions, problems = sessions_of(labs, zone)
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
