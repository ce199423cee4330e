"""``python -m book new-session``: a new lab from a template, listed in ``_toc.yml`` in order.

The lab gets the template's front matter and sections with placeholder prose and runnable cells,
so it builds as it is, and ``draft: true``: a build leaves it out (the log counts the drafts)
until its author removes that line. ``_toc.yml`` gets one ``- file:`` line under the session's
week caption (a new ``Week W`` part is inserted in week order when needed). The rest of
``_toc.yml``, comments included, is left as it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

from book.config.course import load_config
from book.course.labs import find_session, read_labs
from book.course.templates import Template, get_template, load_templates
from book.course.toc import TOC_FILE, WEEK_CAPTION, parse_toc
from book.errors import BookError

CAPTION_LINE = re.compile(r"^(\s*)- caption:\s*(.+?)\s*$")
FILE_LINE = re.compile(r"^(\s*)- file:\s*(\S+)\s*$")
SESSION_IN_NAME = re.compile(r"/session(\d+)-")
COMMAND = "new-session"  # where input errors are reported: "new-session: --week must be ..."


def whole_number(text: str | int, what: str) -> int:
    """``"3"`` -> 3; anything but a whole number from 1 to 99 is a clear error."""
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= 99:
        raise BookError(COMMAND, None, f"{what} must be a whole number from 1 to 99, got {value!r}")
    return int(value)


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower()))[:60].strip("-")


def _course_name(root: Path, labs) -> str:
    names = Counter(str(lab.lab["course"]) for lab in labs if lab.lab and lab.lab.get("course"))
    if names:
        return names.most_common(1)[0][0]
    return load_config(root).title.split(":")[0].strip() or "Course"


def render_lab(template: Template, fields: dict) -> str:
    front = yaml.safe_dump(
        {"lab": fields}, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000
    )
    parts = [
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
        f"{front}---\n"
    ]
    if template.intro:
        parts.append(template.intro.strip("\n") + "\n")
    for section in template.sections:
        text = f"## {section.heading}\n"
        if section.prose.strip():
            text += "\n" + section.prose.strip("\n") + "\n"
        if section.code.strip():
            text += "\n```{code-cell} ipython3\n" + section.code.strip("\n") + "\n```\n"
        parts.append(text)
    return "\n".join(parts)


def insert_into_toc(text: str, week: int, session: int, docname: str) -> str:
    """``_toc.yml``'s text with ``docname`` under ``Week week``, in session (and week) order."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    parts = []  # (index of the caption line, its indent, week or None)
    for i, line in enumerate(lines):
        if m := CAPTION_LINE.match(line):
            caption = m.group(2).strip("'\"")
            w = WEEK_CAPTION.match(caption)
            parts.append((i, m.group(1), int(w.group(1)) if w else None))
    ends = [p[0] for p in parts[1:]] + [len(lines)]

    def part_end(k: int) -> int:  # after the part's last non-blank line
        end = ends[k]
        while end > parts[k][0] and not lines[end - 1].strip():
            end -= 1
        return end

    for k, (start, _indent, part_week) in enumerate(parts):
        if part_week != week:
            continue
        files = [(i, m) for i in range(start, ends[k]) if (m := FILE_LINE.match(lines[i]))]
        if not files:
            raise BookError(
                TOC_FILE,
                start + 1,
                f"the 'Week {week}' part has no '- file:' "
                "entries to add to; add the session by hand",
            )
        at, file_indent = part_end(k), files[0][1].group(1)
        for i, m in files:
            s = SESSION_IN_NAME.search(m.group(2))
            if s and int(s.group(1)) > session and len(m.group(1)) == len(file_indent):
                at = i
                break
        lines.insert(at, f"{file_indent}- file: {docname}\n")
        return "".join(lines)

    indent = parts[0][1] if parts else "  "
    block = [
        f"{indent}- caption: Week {week}\n",
        f"{indent}  chapters:\n",
        f"{indent}    - file: {docname}\n",
    ]
    later = [k for k, p in enumerate(parts) if p[2] is not None and p[2] > week]
    earlier = [k for k, p in enumerate(parts) if p[2] is not None and p[2] < week]
    if later:
        at = parts[later[0]][0]
    elif earlier:
        at = part_end(earlier[-1])
    elif parts:
        at = part_end(len(parts) - 1)
    else:
        if "parts:" not in text:
            raise BookError(
                TOC_FILE, None, "has no 'parts:' list to add a week to; add the session by hand"
            )
        at = len(lines)
    lines[at:at] = block
    return "".join(lines)


def new_session(
    root: Path | str,
    week,
    session,
    title: str,
    template_name: str = "workflow",
    authors: list[str] | None = None,
    log=print,
) -> Path:
    root = Path(root)
    week = whole_number(week, "--week")
    session = whole_number(session, "--session")
    title = " ".join((title or "").split())
    if not title:
        raise BookError(
            COMMAND,
            None,
            "--title must not be empty",
            'e.g. --title "Regularisation" (make new-session TITLE="...")',
        )
    slug = slugify(title)
    if not slug:
        raise BookError(
            COMMAND, None, f"--title {title!r} has no letters or digits for a file name"
        )
    template = get_template(load_templates(root), template_name)
    labs = read_labs(root)
    folder = root / "labs" / f"week{week:02d}"
    target = folder / f"session{session:02d}-{slug}.md"
    rel = target.relative_to(root).as_posix()
    if target.exists():
        raise BookError(rel, None, "already exists; new-session never overwrites a lab")
    taken = find_session(labs, week, session) or next(
        (lab for lab in labs if lab.path.startswith(f"labs/week{week:02d}/session{session:02d}-")),
        None,
    )
    if taken is not None:
        raise BookError(
            taken.path,
            taken.line_of("session"),
            f"Week {week}, Session {session} is taken by this lab",
            "choose another --session number",
        )
    docname = rel.removesuffix(".md")
    toc_path = root / TOC_FILE
    toc_text = insert_into_toc(toc_path.read_text(encoding="utf-8"), week, session, docname)
    if docname not in [e.docname for e in parse_toc(toc_text)]:
        raise BookError(TOC_FILE, None, "could not add the session; add it by hand")
    config = load_config(root)
    known = {
        "template": template.name,
        "course": _course_name(root, labs),
        "week": week,
        "session": session,
        "title": title,
        "authors": authors or [config.author or "TODO"],
    }
    placeholder = {"str": "TODO", "int": 1, "list[str]": ["TODO"]}
    fields = {
        name: known.get(name, placeholder[kind]) for name, kind in template.front_matter.items()
    }
    fields["draft"] = True  # not published until its author removes this line
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(render_lab(template, fields), encoding="utf-8")
    toc_path.write_text(toc_text, encoding="utf-8")
    log(
        f"created {rel} from the {template.name!r} template and listed it in {TOC_FILE} "
        f"under 'Week {week}'"
    )
    log(
        "next: replace the TODO placeholders, then `make check` and `make html`; it is a draft "
        "(draft: true): builds leave it out until you remove that line (with a 'release:' date "
        "to publish it on that date)"
    )
    return target
