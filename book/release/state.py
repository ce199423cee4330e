"""Sessions and solutions released on their dates: what a build may publish at a moment.

A lab's ``lab:`` block may carry ``date`` (when the session is held), ``release`` (when students
see it) and ``solutions`` (when its ``{solution}`` blocks appear); absent means released. Times
are in the course's time zone (``schedule: {timezone: ...}`` in ``_config.yml``). The public build
leaves out every session not yet released (page, sources, downloads, search entries, navigation,
build-info; its code is not run: ``book.release.schedule`` writes the table of contents without it)
and
withholds solutions before their time (``book.release.withhold``). The instructor build
(``make html AUDIENCE=instructor``) shows everything, marked, in its own folder.

One ``ReleaseState`` per command, from the configuration (``schedule.now`` and
``schedule.audience`` are set from the command line by ``book.cli``). Every lab is read whole for
it, by the reader of ``book.course.labs`` (a notebook's complete metadata, the front matter as
MyST's parser finds it), never a part of a file or a pattern on its text; and the lab reader,
which makes the page, checks that the page's own metadata gives the same dates
(``book.release.withhold.apply_release``), so a lab is published only when both agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from book.course.labs import LabFile, read_labs
from book.errors import BookError

FIELDS = ("date", "release", "solutions")
LAB_FIELDS = (*FIELDS, "draft")  # what any template's lab may carry about its release
AUDIENCES = ("public", "instructor")
WHEN_HINT = "write a date, or a date and time: 2026-12-05 or 2026-12-05T09:00 (course time zone)"


def parse_when(value: object, zone: ZoneInfo) -> dt.datetime:
    """A date (midnight) or a date and time, in the course's time zone; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), zone)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    when = dt.datetime.fromisoformat(value.strip())
    return when if when.tzinfo else when.replace(tzinfo=zone)


def shown(when: dt.datetime) -> str:
    """A moment as pages and messages show it: ``2027-01-10 09:00``."""
    return when.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Session:
    path: str
    date: dt.datetime | None = None
    release: dt.datetime | None = None
    solutions: dt.datetime | None = None
    draft: bool = False  # ``draft: true``: not published until its author removes it


@dataclass
class ReleaseState:
    """What is released at ``now``, and for whom."""

    now: dt.datetime
    audience: str = "public"
    sessions: dict[str, Session] = field(default_factory=dict)
    zone: str = "UTC"  # the course's time zone, that dates without one are in

    def released(self, path: str) -> bool:
        session = self.sessions.get(path)
        if session is None:
            return True
        return not session.draft and (session.release is None or session.release <= self.now)

    def drafts(self) -> list[str]:
        return sorted(path for path, session in self.sessions.items() if session.draft)

    def solutions_released(self, path: str) -> bool:
        session = self.sessions.get(path)
        return self.released(path) and (
            session is None or session.solutions is None or session.solutions <= self.now
        )

    def shows(self, path: str) -> bool:
        """Whether this build publishes the page at all."""
        return self.audience == "instructor" or self.released(path)

    def withholds_solutions(self, path: str) -> bool:
        return self.audience == "public" and not self.solutions_released(path)

    def key(self, path: str) -> str:
        """How the release shapes this page (part of the lab reader's cache key)."""
        return f"{self.audience}:{int(self.released(path))}{int(self.solutions_released(path))}"

    def check_page(self, path: str, lab: object) -> None:
        """The page's own ``lab:`` metadata (as the lab reader parsed it) must give the dates this
        state was made with: a page is never published on a reading of it that differs."""
        page = session_of(path, lab if isinstance(lab, dict) else None, ZoneInfo(self.zone))
        if page != self.sessions.get(path):
            raise BookError(
                path,
                None,
                "the release dates on the page differ from the ones the build read for the "
                f"course ({page} on the page, {self.sessions.get(path)} for the course)",
                "release dates go in a lab's 'lab:' block under labs/; report this if it is one",
            )

    def text(self) -> str:
        """What is released now, in one line: part of the build's fingerprint, so a no-op build
        before a release time stays a no-op and the first build after it publishes."""
        return ";".join([self.audience, *(f"{p}={self.key(p)}" for p in sorted(self.sessions))])


def session_of(path: str, lab: dict | None, zone: ZoneInfo) -> Session | None:
    """A lab's dates from its ``lab:`` mapping (None: it names none); a value that is not a date
    is left out here (the course checks report it, and the build stops on them)."""
    values: dict[str, dt.datetime] = {}
    for name in FIELDS:
        raw = (lab or {}).get(name)
        if raw is not None:
            try:
                values[name] = parse_when(raw, zone)
            except ValueError:
                continue
    draft = (lab or {}).get("draft") is not False and "draft" in (lab or {})
    # anything but 'false' under draft: keeps the lab a draft (the checks ask for true or false)
    return Session(path, **values, draft=draft) if values or draft else None


def sessions_of(labs: list[LabFile], zone: ZoneInfo) -> tuple[dict[str, Session], list[BookError]]:
    """Each lab's dates, and a problem (with its line) for each one that is not a date or is out
    of order."""
    sessions, problems = {}, []
    for lab in labs:
        for name in FIELDS:
            raw = (lab.lab or {}).get(name)
            if raw is None:
                continue
            try:
                parse_when(raw, zone)
            except ValueError:
                problems.append(
                    BookError(
                        lab.path,
                        lab.line_of(name),
                        f"lab: {name!r} is not a date: {raw!r}",
                        WHEN_HINT,
                    )
                )
        draft = (lab.lab or {}).get("draft", False)
        if not isinstance(draft, bool):
            problems.append(
                BookError(
                    lab.path,
                    lab.line_of("draft"),
                    f"lab: 'draft' must be true or false, not {draft!r}",
                    "write 'draft: true' (not published) or remove the line (published)",
                )
            )
        session = session_of(lab.path, lab.lab, zone)
        if session is None:
            continue
        values: dict[str, dt.datetime] = {
            name: getattr(session, name) for name in FIELDS if getattr(session, name)
        }
        solutions = values.get("solutions")
        for before, what in (("release", "released"), ("date", "held")):
            if solutions and values.get(before) and solutions < values[before]:
                problems.append(
                    BookError(
                        lab.path,
                        lab.line_of("solutions"),
                        f"lab: the solutions are released ({shown(solutions)}) before the "
                        f"session is {what} ({shown(values[before])})",
                        f"set 'solutions' at or after '{before}', or remove it",
                    )
                )
                break
        sessions[lab.path] = session
    return sessions, problems


def moment(schedule) -> dt.datetime:
    """The moment a build is for: ``schedule.now`` (``make html NOW=``), else now."""
    zone = ZoneInfo(schedule.timezone)
    if not schedule.now:
        return dt.datetime.now(zone)
    try:
        return parse_when(schedule.now, zone)
    except ValueError:
        raise BookError(
            "NOW", None, f"not a date: {schedule.now!r}", WHEN_HINT.replace("write", "give")
        ) from None


def release_state(config) -> ReleaseState:
    """What is released at the configured moment for the configured audience, from every lab
    read whole; invalid dates are left to the course checks (``book.checks.release``), which
    report them."""
    root = Path(config.root)
    labs = read_labs(root)
    sessions, _ = sessions_of(labs, ZoneInfo(config.schedule.timezone))
    zone = config.schedule.timezone
    return ReleaseState(moment(config.schedule), config.schedule.audience, sessions, zone)
