"""The course's time zone as an iCalendar ``VTIMEZONE`` (RFC 5545, 3.6.5), from ``zoneinfo``.

A ``DTSTART;TZID=Europe/London:…`` means nothing to a calendar that does not know the name (or
knows an older rule for it): the file must carry the zone's rules. They come from the same tz
database the build uses for every release moment (``zoneinfo``, with the pinned ``tzdata``), as
the zone's actual transitions over the years the timed events fall in: one observance (``STANDARD``
or ``DAYLIGHT``) per change of offset, each with its own ``DTSTART`` (the local time before the
change, as the RFC asks), and a first one for the offset in force when the span begins. No
``RRULE`` is guessed from them, so a zone whose rules changed within the span (or one with no
summer time at all, or UTC) is written exactly as the database has it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_DAY = dt.timedelta(days=1)


def _state(zone: ZoneInfo, instant: dt.datetime) -> tuple:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst(), local.tzname()


def transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants (UTC, to the second) in ``start``..``end`` at which the zone's offset, summer
    time or abbreviation changes: a day-by-day scan, then a bisection within the day."""
    found = []
    here, state = start, _state(zone, start)
    while here < end:
        after = here + _DAY
        if _state(zone, after) != state:
            low, high = here, after  # the change lies in (low, high]
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append(high)
            state = _state(zone, high)
        here = after
    return found


def _offset(delta: dt.timedelta | None) -> str:
    seconds = int((delta or dt.timedelta()).total_seconds())
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def vtimezone(name: str, first: dt.date, last: dt.date) -> list[str]:
    """The lines of a ``VTIMEZONE`` for zone ``name`` that cover local dates ``first``..``last``
    (from the first of January of ``first``'s year to the end of ``last``'s year)."""
    zone = ZoneInfo(name)
    start = dt.datetime(first.year, 1, 1, tzinfo=dt.UTC) - _DAY
    end = dt.datetime(last.year + 1, 1, 1, tzinfo=dt.UTC) + _DAY
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]

    def observance(instant: dt.datetime, before: dt.timedelta | None) -> None:
        offset, dst, abbreviation = _state(zone, instant)
        kind = "DAYLIGHT" if dst else "STANDARD"
        local = (instant + (before if before is not None else offset)).replace(tzinfo=None)
        lines.extend(
            [
                f"BEGIN:{kind}",
                f"DTSTART:{local:%Y%m%dT%H%M%S}",
                f"TZOFFSETFROM:{_offset(before if before is not None else offset)}",
                f"TZOFFSETTO:{_offset(offset)}",
                f"TZNAME:{abbreviation}",
                f"END:{kind}",
            ]
        )

    observance(start, None)
    for instant in transitions(zone, start, end):
        observance(instant, _state(zone, instant - dt.timedelta(seconds=1))[0])
    lines.append("END:VTIMEZONE")
    return lines
