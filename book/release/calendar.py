"""The schedule as an iCalendar file (``schedule.ics``, RFC 5545), so students can subscribe.

One event per dated session this build publishes (a session not yet released appears with its
title only once it is released: what the schedule page shows, nothing more) and per entry of
``schedule.yml``. A date alone is an all-day event; a date with a time starts then, in the
course's time zone (``TZID``, with ``X-WR-TIMEZONE`` for the calendars that read that), for an
hour; the file then carries that zone's rules as a ``VTIMEZONE`` (``book.release.vtimezone``).
Events keep their ``location`` and ``url``. UIDs are stable, so a re-published file updates events
in a subscribed calendar instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from book.release.vtimezone import vtimezone


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets folded, as RFC 5545 asks."""
    data, out = line.encode(), list[str]()
    while len(data) > 75:
        cut = 75 if not out else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        out.append(data[:cut].decode())
        data = data[cut:]
    out.append(data.decode())
    return [out[0], *(" " + part for part in out[1:])]


def _published(rows: list[dict]) -> list[dict]:
    """The rows with a date, less the sessions this build does not publish."""
    return [row for row in rows if row.get("date") and not (row.get("week") and not row.get("doc"))]


def calendar(rows: list[dict], zone: str, title: str, stamp: dt.datetime) -> str:
    """The rows of the schedule (``book.release.schedule.schedule_rows``) as iCalendar text."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//course-site//schedule//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(title)}",
        f"X-WR-TIMEZONE:{zone}",
    ]
    timed = [dt.date.fromisoformat(row["date"]) for row in _published(rows) if row.get("time")]
    if timed:
        lines += vtimezone(zone, min(timed), max(timed))
    stamp_text = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for row in _published(rows):
        day = dt.date.fromisoformat(row["date"])
        uid = hashlib.sha1(f"{row['title']}|{row.get('doc', '')}".encode()).hexdigest()[:16]
        lines += ["BEGIN:VEVENT", f"UID:{uid}@course-site", f"DTSTAMP:{stamp_text}"]
        if row.get("time"):
            start = dt.datetime.combine(day, dt.time.fromisoformat(row["time"]))
            end = start + dt.timedelta(hours=1)
            lines += [
                f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}",
            ]
        else:
            lines += [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            ]
        lines.append(f"SUMMARY:{_escape(row['title'])}")
        if row.get("location"):
            lines.append(f"LOCATION:{_escape(row['location'])}")
        if row.get("url"):
            lines.append(f"URL:{row['url']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(f"{folded}\r\n" for line in lines for folded in _fold(line))
