"""The course's schedule, and what a build shows of it.

- The schedule page's rows: each session in order with its week and date, linked once released and
  "upcoming (date)" before; the course's other dates (exams, holidays) from one data file,
  ``schedule.yml`` (``schedule: events:`` in ``_config.yml``), a list of::

      - date: 2026-12-14
        title: Mid-term exam

- ``release_plan``: the build's one hook. It leaves the sessions the build does not show out of
  what is executed and rendered, writes the table of contents Sphinx reads without them (a part
  whose sessions are all hidden goes too), and hands Sphinx the schedule's rows.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from book.config import yaml_fast
from book.config.words import ENGLISH, Words
from book.course.labs import LabFile, nav_title, read_labs
from book.course.toc import TOC_FILE
from book.errors import BookError
from book.release.links import unreleased_pages
from book.release.state import ReleaseState, parse_when

EVENT_HINT = "write each event as '- date: 2026-12-14' with '  title: Mid-term exam' under it"
EVENT_FIELDS = ("date", "title", "location", "url")  # what an event may say


def read_events(root: Path, name: str, zone: ZoneInfo) -> list[dict]:
    """The other dates of the course from ``name`` (absent: none); a problem names its line.
    An event keeps its time (``date: 2026-12-14T10:00``) and its ``location`` and ``url``."""
    path = Path(root) / name
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml_fast.compose(text)
        events = yaml_fast.load(text)
    except UnicodeDecodeError:
        raise BookError(
            name, None, "not valid UTF-8", "save the file with UTF-8 encoding"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise BookError(
            name, mark.line + 1 if mark else 1, f"cannot be read: {problem}", EVENT_HINT
        ) from None
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode) or not isinstance(events, list):
        raise BookError(name, 1, "must be a list of events", EVENT_HINT)
    found = []
    for item, event in zip(node.value, events, strict=False):
        line = item.start_mark.line + 1
        if not isinstance(event, dict) or not str(event.get("title") or "").strip():
            raise BookError(name, line, "an event needs a date and a title", EVENT_HINT)
        for key, _ in item.value if isinstance(item, yaml.MappingNode) else ():
            if key.value not in EVENT_FIELDS:
                raise BookError(
                    name,
                    key.start_mark.line + 1,
                    f"{event['title']!r}: unknown field {key.value!r}",
                    f"an event has {', '.join(EVENT_FIELDS)} (date and title required)",
                )
        raw = event.get("date")
        try:
            when = parse_when(raw, zone)
        except ValueError:
            raise BookError(
                name, line, f"{event['title']!r}: {raw!r} is not a date", EVENT_HINT
            ) from None
        timed = isinstance(raw, dt.datetime) or (isinstance(raw, str) and "T" in raw)
        found.append(
            {
                "date": when.date().isoformat(),
                "time": when.strftime("%H:%M") if timed else "",
                "title": str(event["title"]),
                "location": str(event.get("location") or ""),
                "url": str(event.get("url") or ""),
            }
        )
    return found


def schedule_rows(
    labs: list[LabFile], state: ReleaseState, events: list[dict], words: Words = ENGLISH
) -> list[dict]:
    """The schedule as rows: week, date, title, the page to link (none: not published) and the
    release date of a session not yet released (ISO dates: the page writes them in the course's
    language)."""
    rows = []
    for lab in labs:
        if not (lab.lab and lab.week_session and "title" in lab.lab):
            continue
        session = state.sessions.get(lab.path)
        if session and session.draft and not state.shows(lab.path):
            continue  # a draft is not on the public schedule
        date = session.date if session else None
        release = session.release if session else None
        rows.append(
            {
                "week": lab.week_session[0],
                "session": lab.week_session[1],
                "date": date.date().isoformat() if date else "",
                "title": nav_title(lab.lab, words),
                "doc": lab.path.rsplit(".", 1)[0] if state.shows(lab.path) else "",
                "upcoming": release.date().isoformat()
                if release and not state.released(lab.path)
                else "",
            }
        )
    rows += [{"week": 0, "session": 0, "doc": "", "upcoming": "", **event} for event in events]
    return sorted(
        rows, key=lambda r: (r["date"] or "9999", r.get("time", ""), r["week"], r["session"])
    )


def filter_toc(text: str, hidden: set[str]) -> str:
    """``_toc.yml`` without the entries of ``hidden`` documents (names without suffix)."""
    toc = yaml.safe_load(text)

    def keep(entries: list) -> list:
        kept = []
        for entry in entries:
            if isinstance(entry, dict):
                if str(entry.get("file", "")).rsplit(".", 1)[0] in hidden:
                    continue
                entry = dict(entry)
                for key in ("chapters", "sections"):
                    if key in entry:
                        entry[key] = keep(entry[key])
                if "chapters" in entry and not entry["chapters"]:
                    continue  # a part with no page shown
            kept.append(entry)
        return kept

    for key in ("parts", "chapters", "sections"):
        if key in toc:
            toc[key] = keep(toc[key])
            if not toc[key]:
                del toc[key]  # every page under it held back (drafts): the home page alone
    return yaml.safe_dump(toc, sort_keys=False, allow_unicode=True)


WEEK_CAPTION = re.compile(r"^(?P<lead>\s*-?\s*caption:\s*)Week (?P<week>\d+)\s*$", re.M)


def week_captions(text: str, words: Words) -> str:
    """The table of contents with its "Week N" captions (as ``make new-session`` writes them) in
    the course's language; other captions are the course's own words."""
    return WEEK_CAPTION.sub(lambda m: m["lead"] + words.week_caption(m["week"]), text)


def release_plan(config, release: ReleaseState, docs: list[str], log) -> tuple[list[str], dict]:
    """The pages this build shows (the others are not executed or rendered) and the Sphinx
    settings that go with them: the table of contents without the others, the schedule's rows."""
    shown_docs = [doc for doc in docs if release.shows(doc)]
    drafts = [doc for doc in docs if doc not in shown_docs and doc in release.drafts()]
    if len(shown_docs) + len(drafts) < len(docs):
        left = len(docs) - len(shown_docs) - len(drafts)
        log(f"release: {left} session(s) not yet released are left out")
    if drafts:
        log(f"release: {len(drafts)} draft(s) left out (remove 'draft: true' to publish)")
    hidden = {doc.rsplit(".", 1)[0] for doc in docs if doc not in shown_docs}
    text = (config.root / TOC_FILE).read_text(encoding="utf-8")
    layout = config.layout
    layout.toc.parent.mkdir(parents=True, exist_ok=True)
    text = filter_toc(text, hidden) if hidden else text
    layout.toc.write_text(week_captions(text, config.words), encoding="utf-8")
    zone = ZoneInfo(config.schedule.timezone)
    events = read_events(config.root, config.schedule.events, zone)
    rows = schedule_rows(read_labs(config.root), release, events, config.words)
    pages = unreleased_pages(config.root, release, [doc for doc in docs if doc not in shown_docs])
    return (
        shown_docs,
        {
            "book_schedule": rows,
            "external_toc_path": str(layout.toc),
            "book_unreleased": pages,  # links to them: their text and "(from DATE)"
            "book_timezone": config.schedule.timezone,  # schedule.ics
            "book_release_links": config.release.links,
        },
    )
