"""A build, or ``make serve``, as of another moment or for the instructor: a preview, in its own
folder, with a banner on every page saying what it is.

``NOW=`` (``--now``) and ``AUDIENCE=instructor`` (``--audience``) make a preview: its site is
``_build/preview/html`` (a public view at another moment) or ``_build/instructor/html``, never the
published ``_build/html``, and each of its pages starts with a banner ("Preview as of
2027-01-10 09:00, as students see it"). A live ``make serve`` (no ``NOW=``) rebuilds on its own
when the next release moment passes (``next_moment``), so a session turns from "upcoming" to
published while nobody edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from book.config.layout import BuildLayout
from book.release.state import ReleaseState, moment, shown


def for_moment(config, now: str = "", audience: str = "public"):
    """``config`` for a build as of ``now`` (empty: the present) for ``audience``; a preview
    (another moment, or the instructor) builds into its own folder, with its banner."""
    schedule = dataclasses.replace(config.schedule, now=now or "", audience=audience)
    when = moment(schedule)  # a bad NOW= is an error here, naming what to write
    preview = ""
    if audience != "public":  # the moment named only when it is not the present
        preview = f"Instructor view as of {shown(when)}" if now else "Instructor view"
        preview += ": everything, with what students do not see yet marked. Not the published site."
    elif now:
        preview = f"Preview as of {shown(when)}, as students will see it. Not the published site."
    # one moment for the whole build (the fingerprint, the release state and the pages agree)
    schedule = dataclasses.replace(schedule, now=when.isoformat(), preview=preview)
    config = dataclasses.replace(config, schedule=schedule)
    if preview:  # its own folder: never the published site
        layout = BuildLayout.for_course(
            config.root, config.execute.cache, audience if audience != "public" else "preview"
        )
        config = dataclasses.replace(config, layout=layout)
    return config


def next_moment(state: ReleaseState) -> dt.datetime | None:
    """The next time something is released (a session or its solutions), after ``state.now``."""
    times = [
        when
        for session in state.sessions.values()
        for when in (session.release, session.solutions)
        if when is not None and when > state.now
    ]
    return min(times, default=None)
