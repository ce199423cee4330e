"""Checks for material brought from elsewhere, run by ``make check`` before any code runs.

A lecture from another MyST course, a notebook or a Quarto document often carries what a lab of
this course must not: its own ``# Title`` (the lab's title comes from its ``lab:`` block, so this
would be a second ``<h1>`` and a stray sidebar entry), a ``kernelspec`` without ``language`` (the
page's code then has no highlighting language and downloads open without a kernel), and
``{doc}`` links to its old siblings' names. Each is reported as ``file:line: what — what to do``.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import yaml

from book.checks.templates import body_lines
from book.config import yaml_fast
from book.course.labs import LabFile
from book.course.toc import source_of
from book.errors import BookError

TOP_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t]*$")
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*?<([^>`]+)>|([^`<>]+))`")


def _kernelspec(lab: LabFile) -> tuple[object, int | str | None]:
    if lab.path.endswith(".ipynb"):
        try:
            return (json.loads(lab.text).get("metadata") or {}).get("kernelspec"), "metadata"
        except ValueError:
            return None, None
    lines = lab.text.splitlines()
    front = "\n".join(lines[1 : lab.body_line - 2])
    try:
        meta = yaml_fast.load(front) or {}
    except yaml.YAMLError:
        return None, None
    line = next((i for i, text in enumerate(lines, 1) if text.startswith("kernelspec:")), None)
    return (meta.get("kernelspec") if isinstance(meta, dict) else None), line


def imported_names(root: Path, labs: list[LabFile]) -> dict[str, str]:
    """The original name of each imported lab (``imported_from``) -> its docname."""
    out = {}
    for lab in labs:
        match = re.search(r'^imported_from:\s*(\S+)|"imported_from":\s*"([^"]+)"', lab.text, re.M)
        if match:
            out[Path(match.group(1) or match.group(2)).stem] = lab.path.rsplit(".", 1)[0]
    return out


def check_sources(root: Path, labs: list[LabFile]) -> list[BookError]:
    problems: list[BookError] = []
    renamed = imported_names(root, labs)
    for lab in labs:
        if lab.lab is None:
            continue
        spec, line = _kernelspec(lab)
        if isinstance(spec, dict) and not spec.get("language"):
            problems.append(
                BookError(
                    lab.path,
                    line,
                    "kernelspec has no 'language'",
                    "add 'language: python' to the kernelspec",
                )
            )
        for where, text in body_lines(lab):
            if m := TOP_HEADING.match(text):
                problems.append(
                    BookError(
                        lab.path,
                        where,
                        f"a top-level heading '# {m.group(1)}' in a lab",
                        "the page's title comes from 'lab: title' (a second # heading is a second "
                        "<h1> and a sidebar entry): remove it, or make it '## '",
                    )
                )
            for role in DOC_ROLE.finditer(text):
                target = (role.group(1) or role.group(2)).strip()
                base = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(posixpath.dirname(lab.path), target))
                )
                if source_of(root, base) is not None:
                    continue
                stem = base.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                hint = (
                    f"it was imported as /{renamed[stem]}: write {{doc}}`/{renamed[stem]}`"
                    if stem in renamed
                    else "link a page of this course (e.g. "
                    "{doc}`/labs/week01/session02-regularisation`), import that page too "
                    "(make import SRC=...), or remove the link"
                )
                problems.append(
                    BookError(lab.path, where, f"{{doc}}`{target}`: no such page", hint)
                )
    return problems
