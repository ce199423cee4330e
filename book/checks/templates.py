"""Checks of a lab against its template: front-matter fields and their types, the sections in
order, and the file name agreeing with the front matter. Part of the course checks
(``book.checks.course``), which run them on every lab.
"""

from __future__ import annotations

import re

from book.course.labs import LAB_PATH, LabFile
from book.course.templates import Template
from book.errors import BookError
from book.release.state import LAB_FIELDS as RELEASE_FIELDS

HEADING = re.compile(r"^##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
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
    for name in fields:  # any template's lab may carry release dates (book.checks.release)
        if name not in template.front_matter and name not in RELEASE_FIELDS:
            problems.append(
                BookError(
                    lab.path,
                    lab.line_of(name),
                    f"lab: unknown field {name!r}",
                    f"the {template.name!r} template's fields: "
                    + ", ".join([*template.front_matter, *RELEASE_FIELDS]),
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
