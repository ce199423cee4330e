"""schedule.ics carries its time zone's rules (VTIMEZONE), read back by a real iCalendar parser.

The parser is ``icalendar`` (pinned in requirements/test.in); its ``Timezone.to_tz(lookup_tzid=
False)`` builds a time zone from the file's own observances, never from the zone's name, so the
instants below are what a calendar that knows nothing of the tz database would compute.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from book.release.calendar import calendar
from book.release.vtimezone import transitions

STAMP = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def _rows(*moments: str) -> list[dict]:
    return [
        {"week": 0, "session": 0, "doc": "", "title": f"Event {i}", "date": m[:10], "time": m[11:]}
        for i, m in enumerate(moments)
    ]


def _instants(text: str) -> tuple[icalendar.Calendar, list[dt.datetime]]:
    """Each event's start as the file's own VTIMEZONE resolves it, in UTC."""
    parsed = icalendar.Calendar.from_ical(text)
    (component,) = parsed.walk("VTIMEZONE")
    zone = component.to_tz(lookup_tzid=False)
    starts = []
    for event in parsed.walk("VEVENT"):
        local = event["DTSTART"].dt.replace(tzinfo=None)
        assert event["DTSTART"].params["TZID"] == component["TZID"]
        starts.append(local.replace(tzinfo=zone).astimezone(dt.UTC))
    return parsed, starts


@pytest.mark.parametrize(
    ("zone", "moments", "expected"),
    [
        (  # London's spring change is 29 March 2026, its autumn change 25 October 2026
            "Europe/London",
            ["2026-03-28T10:30", "2026-03-30T10:30", "2026-10-24T10:30", "2026-10-26T10:30"],
            ["2026-03-28T10:30", "2026-03-30T09:30", "2026-10-24T09:30", "2026-10-26T10:30"],
        ),
        (  # New York changes on other dates (8 March, 1 November), and across a new year
            "America/New_York",
            ["2026-03-07T09:00", "2026-03-09T09:00", "2026-12-01T09:00", "2027-07-01T09:00"],
            ["2026-03-07T14:00", "2026-03-09T13:00", "2026-12-01T14:00", "2027-07-01T13:00"],
        ),
        (  # the southern hemisphere: summer time at the start of the year
            "Australia/Sydney",
            ["2026-02-02T14:00", "2026-06-01T14:00"],
            ["2026-02-02T03:00", "2026-06-01T04:00"],
        ),
        ("UTC", ["2026-03-29T10:30", "2026-10-25T10:30"], ["2026-03-29T10:30", "2026-10-25T10:30"]),
    ],
)
def test_timed_events_resolve_to_their_instants_through_the_files_own_time_zone(
    zone, moments, expected
):
    text = calendar(_rows(*moments), zone, "Course", STAMP)
    parsed, starts = _instants(text)
    assert starts == [dt.datetime.fromisoformat(e).replace(tzinfo=dt.UTC) for e in expected]
    # the same instants the build itself computes for those local times
    assert starts == [dt.datetime.fromisoformat(m).replace(tzinfo=ZoneInfo(zone)) for m in moments]
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    (component,) = parsed.walk("VTIMEZONE")
    kinds = [sub.name for sub in component.subcomponents]
    if zone == "UTC":
        assert kinds == ["STANDARD"]
        assert component.subcomponents[0]["TZOFFSETTO"].td == dt.timedelta(0)
    else:
        assert "DAYLIGHT" in kinds and "STANDARD" in kinds


def test_the_observances_are_the_zones_real_changes():
    start = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
    end = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
    found = transitions(ZoneInfo("Europe/London"), start, end)
    assert found == [
        dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC),
    ]
    text = calendar(_rows("2026-05-01T10:00"), "Europe/London", "Course", STAMP)
    unfolded = text.replace("\r\n ", "")
    # the local time before each change, as RFC 5545 asks: 01:00 GMT, then 02:00 BST
    assert "DTSTART:20260329T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100" in unfolded
    assert "DTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000" in unfolded
    assert "TZNAME:BST" in unfolded and "TZNAME:GMT" in unfolded


def test_a_calendar_of_all_day_events_needs_no_time_zone():
    rows = [{"week": 0, "session": 0, "doc": "", "title": "Break", "date": "2026-12-21"}]
    text = calendar(rows, "Europe/London", "Course", STAMP)
    assert "VTIMEZONE" not in text
    assert icalendar.Calendar.from_ical(text).walk("VEVENT")[0]["DTSTART"].dt == dt.date(
        2026, 12, 21
    )
