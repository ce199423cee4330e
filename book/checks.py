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
- ``#|`` cell options (the lab reader's own errors).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from .config import CourseConfig, load_config
from .errors import BookError, BookErrors
from .labs import (
    LAB_PATH,
    LabFile,
    decode_utf8,
    find_session,
    parse_session_ref,
    read_labs,
    session_ref,
)
from .reader import LabReader
from .recordings import stale_recordings
from .source_checks import check_sources
from .sources import outside_links
from .templates import Template, get_template, load_templates
from .toc import TOC_FILE, outside_course, read_toc, source_of

HEADING = re.compile(r"^##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
PREREQ_ROLE = re.compile(r"\{prereq\}`([^`]*)`")
SESSION_MENTION = re.compile(r"\bWeek\s+(\d+),?\s+Session\s+(\d+)\b")
TYPE_TEXT = {"str": "text", "int": "a whole number >= 1", "list[str]": "a list of names"}


def body_lines(lab: LabFile) -> list[tuple[int, str]]:
    """The lab's lines after the front matter and outside code fences, with their numbers."""
    out: list = []
    fence = None
    for number, line in lab.body():
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif (
            fence is not None
            and line.strip().startswith(fence[0] * len(fence))
            and not line.strip().strip(fence[0])
        ):
            fence = None
        elif fence is None:
            out.append((number, line))
    return out


def headings(lab: LabFile) -> list[tuple[int, str]]:
    return [(n, m.group(1)) for n, line in body_lines(lab) if (m := HEADING.match(line))]


def _type_ok(value, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    if kind == "list[str]":
        return (
            isinstance(value, list)
            and bool(value)
            and all(isinstance(v, str) and v.strip() for v in value)
        )
    return isinstance(value, str) and bool(value.strip())


def check_front_matter(lab: LabFile, template: Template) -> list[BookError]:
    problems = []
    fields = lab.lab or {}
    for name, kind in template.front_matter.items():
        if name not in fields:
            problems.append(
                BookError(
                    lab.path,
                    lab.lab_line,
                    f"lab: missing field {name!r}",
                    f"the {template.name!r} template needs: " + ", ".join(template.front_matter),
                )
            )
        elif not _type_ok(fields[name], kind):
            problems.append(
                BookError(
                    lab.path,
                    lab.line_of(name),
                    f"lab: {name!r} must be {TYPE_TEXT[kind]}, got {fields[name]!r}",
                )
            )
    for name in fields:
        if name not in template.front_matter:
            problems.append(
                BookError(
                    lab.path,
                    lab.line_of(name),
                    f"lab: unknown field {name!r}",
                    f"the {template.name!r} template's fields: " + ", ".join(template.front_matter),
                )
            )
    return problems


def check_sections(lab: LabFile, template: Template) -> list[BookError]:
    expected = template.headings
    if not expected:  # a free-form template: any headings
        return []
    found = headings(lab)
    problems: list[BookError] = []
    seen: dict[str, int] = {}
    last = (-1, "")
    for line, text in found:
        if text not in expected:
            problems.append(
                BookError(
                    lab.path,
                    line,
                    f"unexpected section '## {text}'",
                    f"the {template.name!r} template's sections are: "
                    + "; ".join(expected)
                    + " (use ### for sub-sections)",
                )
            )
            continue
        if text in seen:
            problems.append(
                BookError(
                    lab.path,
                    line,
                    f"section '## {text}' appears twice (first on line {seen[text]})",
                )
            )
            continue
        seen[text] = line
        index = expected.index(text)
        if index < last[0]:
            problems.append(
                BookError(
                    lab.path,
                    line,
                    f"section '## {text}' is out of order: "
                    f"the template puts it before '## {last[1]}'",
                )
            )
        else:
            last = (index, text)
    end = lab.last_line
    for index, text in enumerate(expected):
        if text in seen:
            continue
        after = [seen[h] for h in expected[index + 1 :] if h in seen]
        where = "at the end" if index == len(expected) - 1 else f"before '## {expected[index + 1]}'"
        first = min(after, key=lambda w: int(str(w).split()[-1])) if after else end
        problems.append(
            BookError(
                lab.path,
                first,
                f"missing section '## {text}' (template {template.name!r}: it goes {where})",
            )
        )
    return problems


def check_path(lab: LabFile) -> list[BookError]:
    m = LAB_PATH.match(lab.path)
    if not m:
        suffix = "." + lab.path.rsplit(".", 1)[-1]
        return [
            BookError(
                lab.path,
                1,
                f"a lab's file is named labs/weekWW/sessionSS-slug{suffix} "
                "(lower-case slug, words joined by '-')",
            )
        ]
    problems = []
    for key, number in (("week", int(m.group(1))), ("session", int(m.group(2)))):
        value = (lab.lab or {}).get(key)
        if isinstance(value, int) and value != number:
            problems.append(
                BookError(
                    lab.path,
                    lab.line_of(key),
                    f"lab: {key} is {value}, but the file name says {number}",
                )
            )
    return problems


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
    reader = reader or LabReader(
        root, config.flags, {name: flag.default for name, flag in config.flags.items()}
    )
    try:
        templates = load_templates(root)
    except BookError as exc:
        return [exc]
    labs = read_labs(root)
    problems: list[BookError] = []
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
            stale = stale_recordings(reader.read_text(lab.text, lab.path), lab.path)
        except BookError as exc:
            problems.append(exc)
            continue
        if config.freeze.stale == "error":
            problems += stale
        elif notices is not None:
            notices += stale
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
