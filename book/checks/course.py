"""Course checks: every lab against its template and the table of contents, without running code.

``python -m book check`` (``make check``) runs them, and so does every build before anything
executes. Each problem is a ``file:line: message``; one run reports them all:

- the ``lab:`` front matter: valid YAML, the template's fields with their types, no others;
- the template's sections (level-2 headings), all present, in order, and no others (a template
  with no sections is free-form);
- the file name ``labs/weekWW/sessionSS-slug.md`` (or ``.ipynb``, ``.qmd``) agreeing with the
  front matter;
- no two labs with the same week and session;
- every lab listed in ``_toc.yml`` under its week's caption, and every entry there on disk,
  inside the course folder (symbolic links resolved); an empty ``_toc.yml`` is one problem;
- files in UTF-8;
- ``{prereq}`` links and "Week W, Session S" in Prerequisites naming sessions that exist;
- release dates that are dates, in order, and no ``{prereq}`` link to a later release;
- ``#|`` cell options (the lab reader's own errors).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from book.checks.imported import check_sources
from book.checks.release import check_releases
from book.checks.templates import (
    HEADING,
    body_lines,
    check_front_matter,
    check_path,
    check_sections,
)
from book.config.course import CourseConfig, config_problems, load_config
from book.course.files import outside_links
from book.course.labs import (
    PREREQ_ROLE,
    LabFile,
    decode_utf8,
    find_session,
    parse_session_ref,
    read_labs,
    session_ref,
)
from book.course.templates import get_template, load_templates
from book.course.toc import TOC_FILE, outside_course, read_toc, source_of
from book.errors import BookError, BookErrors
from book.reading.reader import LabReader
from book.reading.recordings import orphaned_recordings, stale_recordings

SESSION_MENTION = re.compile(r"\bWeek\s+(\d+),?\s+Session\s+(\d+)\b")


def check_prerequisites(lab: LabFile, labs: list[LabFile]) -> list[BookError]:
    problems, section = [], None
    for line, text in body_lines(lab):
        if m := HEADING.match(text):
            section = m.group(1)
        for role in PREREQ_ROLE.finditer(text):
            ref = parse_session_ref(role.group(1))
            if ref is None:
                problems.append(
                    BookError(
                        lab.path,
                        line,
                        f"{{prereq}}`{role.group(1)}`: "
                        "name a session as weekWW/sessionSS, e.g. "
                        f"{session_ref(1, 2)}",
                    )
                )
            elif find_session(labs, *ref) is None:
                problems.append(
                    BookError(
                        lab.path,
                        line,
                        f"{{prereq}}`{role.group(1)}`: no lab is Week {ref[0]}, Session {ref[1]}",
                    )
                )
        if section == "Prerequisites":
            plain = PREREQ_ROLE.sub("", text)
            for mention in SESSION_MENTION.finditer(plain):
                week, session = int(mention.group(1)), int(mention.group(2))
                if find_session(labs, week, session) is None:
                    problems.append(
                        BookError(
                            lab.path,
                            line,
                            f"prerequisite '{mention.group(0)}': no such session in this course",
                            "link sessions with {prereq}`weekWW/sessionSS`",
                        )
                    )
    return problems


def check_duplicates(labs: list[LabFile]) -> list[BookError]:
    by_number = defaultdict(list)
    for lab in labs:
        if lab.week_session:
            by_number[lab.week_session].append(lab)
    problems = []
    for (week, session), group in sorted(by_number.items()):
        for lab in group if len(group) > 1 else ():
            others = ", ".join(o.path for o in group if o is not lab)
            problems.append(
                BookError(
                    lab.path,
                    lab.line_of("session"),
                    f"Week {week}, Session {session} is also {others}",
                    "each week/session number belongs to one lab",
                )
            )
    return problems


def check_toc(root: Path, labs: list[LabFile]) -> list[BookError]:
    try:
        entries = read_toc(root)
    except BookError as exc:
        return [exc]
    if not entries:  # every lab would be "not listed": say what is wrong once
        return [
            BookError(
                TOC_FILE,
                1,
                "lists no pages",
                "name the home page ('root: intro') and the labs under 'parts:' "
                "(make new-session lists a new lab)",
            )
        ]
    problems: list[BookError] = []
    listed: dict[str, int] = {}
    lab_by_path = {lab.path: lab for lab in labs}
    for entry in entries:
        outside = outside_course(root, entry.docname)
        if outside:
            problems.append(
                BookError(
                    TOC_FILE,
                    entry.line,
                    outside,
                    "move or copy the file into the course folder and list it "
                    "from there; a build reads nothing outside the course",
                )
            )
            continue
        source = source_of(root, entry.docname)
        if source is None:
            problems.append(
                BookError(
                    TOC_FILE,
                    entry.line,
                    f"lists {entry.docname!r}, but no such file exists",
                    "create the file or remove the entry",
                )
            )
            continue
        if source in listed:
            problems.append(
                BookError(
                    TOC_FILE,
                    entry.line,
                    f"lists {entry.docname!r} twice (also on line {listed[source]})",
                )
            )
        listed.setdefault(source, entry.line)
        lab = lab_by_path.get(source)
        if lab is not None and lab.week_session and entry.week not in (None, lab.week_session[0]):
            problems.append(
                BookError(
                    TOC_FILE,
                    entry.line,
                    f"{entry.docname!r} is Week "
                    f"{lab.week_session[0]} but listed under "
                    f"'{entry.caption}'",
                )
            )
        if lab is None and source.endswith((".md", ".qmd")):
            try:
                decode_utf8(source, (root / source).read_bytes())
            except BookError as exc:
                problems.append(exc)
    for lab in labs:
        if lab.path not in listed:
            where = f"'Week {lab.week_session[0]}'" if lab.week_session else "its week's"
            problems.append(
                BookError(
                    lab.path,
                    1,
                    f"not listed in {TOC_FILE}",
                    f"add '- file: {lab.path.rsplit('.', 1)[0]}' under the "
                    f"{where} caption (make new-session does this)",
                )
            )
    return problems


def check_course(
    root: Path | str,
    config: CourseConfig | None = None,
    reader: LabReader | None = None,
    notices: list[BookError] | None = None,
) -> list[BookError]:
    """Every problem in the course's labs and table of contents (an empty list: all good).

    ``reader`` is the build's lab reader (its flags); alone, the checks read with the defaults.
    Stale recordings of gated cells are problems under ``freeze: {stale: error}``, otherwise
    they are added to ``notices``."""
    root = Path(root)
    config = config or load_config(root)
    reader = reader or LabReader(  # make check: the build's disk cache of parsed labs
        root,
        config.flags,
        {name: flag.default for name, flag in config.flags.items()},
        cache_dir=config.layout.read_cache,
        words=config.words,
    )
    try:
        templates = load_templates(root)
    except BookError as exc:
        return [exc]
    labs = read_labs(root)
    problems: list[BookError] = config_problems(root)  # before Sphinx fails to start
    for lab in labs:
        problems += lab.errors
        if lab.lab is None:
            continue
        try:
            template = get_template(
                templates, str(lab.lab.get("template")), lab.path, lab.line_of("template")
            )
        except BookError as exc:
            problems.append(exc)
            continue
        problems += check_front_matter(lab, template)
        problems += check_path(lab)
        problems += check_sections(lab, template)
        problems += check_prerequisites(lab, labs)
        try:
            stale = stale_recordings(reader.read_text(lab.text, lab.path, shared=True), lab.path)
        except BookError as exc:
            problems.append(exc)
            continue
        if config.freeze.stale == "error":
            problems += stale
        elif notices is not None:
            notices += stale
    if notices is not None:
        notices += orphaned_recordings(root)  # _freeze/ of labs removed or renamed
    # dates, solutions, {prereq} before release, links to pages not yet released
    problems += check_releases(root, labs, config, notices)
    problems += check_duplicates(labs)
    problems += check_sources(root, labs)  # imported material: # Title, kernelspec, {doc}
    problems += check_toc(root, labs)
    problems += outside_links(root)  # templates, requirements, static files linked from elsewhere
    return problems


def run_checks(
    root: Path | str, config: CourseConfig | None = None, reader: LabReader | None = None, log=print
) -> None:
    """Raise ``BookErrors`` with every problem the checks find; log the notices."""
    notices: list[BookError] = []
    problems = check_course(root, config, reader, notices)
    for notice in notices:
        log(f"warning: {notice.format()}", file=sys.stderr)
    if problems:
        raise BookErrors(problems)
