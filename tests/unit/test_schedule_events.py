"""Bad dates, event fields, the calendar file and orphaned recordings (issue 23)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from book.course.labs import read_lab_file
from book.errors import BookError
from book.reading.recordings import orphaned_recordings
from book.release.calendar import calendar
from book.release.schedule import read_events

ZONE = ZoneInfo("Europe/London")


def test_an_unquoted_impossible_date_in_front_matter_names_its_line_and_what_to_write(tmp_path):
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs/x.md").write_text(
        "---\nlab:\n  week: 1\n  release: 2026-02-30\n---\n\nText\n"
    )
    lab = read_lab_file(tmp_path, "labs/x.md")
    assert [e.format() for e in lab.errors] == [
        "labs/x.md:4: invalid YAML front matter: '2026-02-30' is not a date (day is out of range "
        "for month); write a real date as 2026-12-05 or 2026-12-05T09:00 (or quote it to keep it "
        "as text)\n  the front matter is the block between the '---' lines at the top"
    ]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("- date: 2026-12-14\n  title: Exam\n- date: 2026-02-30\n  title: X\n", 3, "is not a date"),
        (
            "- date: 2026-12-14\n  title: Exam\n  room: B12\n",
            3,
            "'Exam': unknown field 'room'",
        ),
    ],
)
def test_bad_events_name_their_line(tmp_path, text, line, message):
    (tmp_path / "schedule.yml").write_text(text)
    with pytest.raises(BookError) as caught:
        read_events(tmp_path, "schedule.yml", ZONE)
    assert caught.value.line == line and message in caught.value.format()


def test_events_keep_their_time_location_and_url_and_the_calendar_has_them(tmp_path):
    (tmp_path / "schedule.yml").write_text(
        "- date: 2026-12-14T10:30\n  title: Mid-term exam, part 1\n  location: Room B12\n"
        "  url: https://example.org/exam\n- date: 2026-12-21\n  title: Winter break\n"
    )
    events = read_events(tmp_path, "schedule.yml", ZONE)
    assert events[0] == {
        "date": "2026-12-14",
        "time": "10:30",
        "title": "Mid-term exam, part 1",
        "location": "Room B12",
        "url": "https://example.org/exam",
    }
    assert events[1]["time"] == "" and events[1]["location"] == ""
    rows = [
        {"week": 1, "session": 1, "date": "2026-12-01", "title": "Session 1 — Trees", "doc": "a"},
        {"week": 2, "session": 1, "date": "2026-12-08", "title": "Session 1 — Later", "doc": ""},
        *({"week": 0, "session": 0, "doc": "", **event} for event in events),
    ]
    stamp = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    text = calendar(rows, "Europe/London", "Course 4: " + "long title " * 10, stamp)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "X-WR-TIMEZONE:Europe/London" in unfolded
    assert "DTSTART;TZID=Europe/London:20261214T103000" in unfolded
    assert "SUMMARY:Mid-term exam\\, part 1" in unfolded and "LOCATION:Room B12" in unfolded
    assert "URL:https://example.org/exam" in unfolded
    assert "DTSTART;VALUE=DATE:20261221" in unfolded and "DTEND;VALUE=DATE:20261222" in unfolded
    assert "SUMMARY:Session 1 — Trees" in unfolded
    assert "Later" not in unfolded  # a session this build does not publish
    assert unfolded.count("BEGIN:VEVENT") == 3


def test_a_recording_of_a_lab_that_no_longer_exists_is_named(tmp_path):
    (tmp_path / "labs/week01").mkdir(parents=True)
    (tmp_path / "labs/week01/session01-kept.md").write_text("x")
    (tmp_path / "_freeze/labs/week01/session01-gone").mkdir(parents=True)
    (tmp_path / "_freeze/labs/week01/session01-gone.json").write_text("{}")
    (tmp_path / "_freeze/labs/week01/session01-kept.json").write_text("{}")
    found = orphaned_recordings(tmp_path)
    assert [e.format() for e in found] == [
        "_freeze/labs/week01/session01-gone.json: a recording of labs/week01/session01-gone, "
        "which no longer exists (removed or renamed)\n  remove it and its figures: git rm -r "
        "_freeze/labs/week01/session01-gone.json _freeze/labs/week01/session01-gone"
    ]


def test_an_impossible_date_in_the_configuration_names_its_line(tmp_path):
    from book.config.course import load_config

    (tmp_path / "_config.yml").write_text("title: x\nschedule:\n  events: 2026-02-30\n")
    with pytest.raises(BookError) as caught:
        load_config(tmp_path)
    assert caught.value.line == 3 and "'2026-02-30' is not a date" in caught.value.format()
