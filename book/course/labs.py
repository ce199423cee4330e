"""The course's labs on disk: ``labs/**/*.md`` (also ``.ipynb`` and Quarto's ``.qmd``), each with
its ``lab:`` front matter (a notebook: its metadata) and lines.

Shared by the checks, the release state, the scaffold and the ``{prereq}`` role, so they all agree
on what a session is. The front matter is found by the rule the page's own parser uses (MyST's
markdown-it ``front_matter`` plugin, as myst-nb reads a page) and read whole; a notebook's metadata
is its whole JSON: what a lab says about itself is the same here and on its page. Nothing here
executes code or parses more than the front matter.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

import yaml

from book.config import yaml_fast
from book.config.filestat import stat_key
from book.config.words import ENGLISH, Words
from book.course.front_matter import front_matter, front_matter_error
from book.course.lab_index import index_for
from book.errors import BookError

LABS_DIR = "labs"
LAB_SUFFIXES = (".md", ".ipynb", ".qmd")
LAB_PATH = re.compile(r"^labs/week(\d+)/session(\d+)-[a-z0-9]+(?:-[a-z0-9]+)*\.(?:md|ipynb|qmd)$")
SESSION_REF = re.compile(r"^week(\d+)/session(\d+)$")
PREREQ_ROLE = re.compile(r"\{prereq\}`([^`]*)`")  # a lab's link to another session, in its text


@dataclass
class LabFile:
    path: str  # relative to the course root, with forward slashes
    text: str = ""
    lab: dict | None = None  # the ``lab:`` front matter, when it parsed
    lines: dict[str, int] = field(default_factory=dict)  # lab field -> line in the file
    lab_line: int | str | None = None  # the line of ``lab:`` (a notebook: "metadata")
    body_line: int = 1  # the first line after the front matter
    errors: list[BookError] = field(default_factory=list)
    cells: list[tuple[str, str]] | None = None  # a notebook's markdown cells: ("cell N", text)

    def line_of(self, key: str) -> int | str | None:
        return self.lines.get(key, self.lab_line)

    def body(self) -> list[tuple[int | str, str]]:
        """The prose's lines with where they are: a line number, or a notebook's "cell N"."""
        if self.cells is not None:
            return [(where, line) for where, text in self.cells for line in text.splitlines()]
        start = self.body_line
        return list(enumerate(self.text.splitlines()[start - 1 :], start=start))

    @property
    def last_line(self) -> int | str:
        if self.cells is not None:
            return self.cells[-1][0] if self.cells else "cell 1"
        return len(self.text.splitlines()) or 1

    @property
    def week_session(self) -> tuple[int, int] | None:
        lab = self.lab or {}
        week, session = lab.get("week"), lab.get("session")
        if _whole(week) and _whole(session):
            return week, session
        return None


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def session_ref(week: int, session: int) -> str:
    """How a lab names another in ``{prereq}`` roles: ``week01/session02``."""
    return f"week{week:02d}/session{session:02d}"


def parse_session_ref(text: str) -> tuple[int, int] | None:
    m = SESSION_REF.match(text.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def decode_utf8(rel: str, data: bytes) -> str:
    """A source file's text; not UTF-8 is an error naming the line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BookError(
            rel,
            line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file with UTF-8 encoding",
        ) from None


KEPT = ("lab", "lines", "lab_line", "body_line", "cells")  # what the lab index keeps


def read_lab_file(root: Path, rel: str) -> LabFile:
    """Read one lab's text and front matter; problems are collected, never raised. The parsed
    fields come from the lab index (``book.course.lab_index``) while the file is unchanged."""
    path = Path(root) / rel
    try:
        key = stat_key(path)
    except OSError:
        key = None
    index = index_for(root)
    kept = index.get(rel, key)
    lab = LabFile(rel)
    text = index.text(rel, key)
    try:
        lab.text = text if text is not None else decode_utf8(rel, path.read_bytes())
    except BookError as exc:
        lab.errors.append(exc)
        return lab
    if kept is not None:  # each caller gets its own containers (none changes them today)
        for name, value in kept.items():
            setattr(lab, name, copy.copy(value))
        index.remember_text(rel, key, lab.text)
        return lab
    _parse(lab)
    if not lab.errors:
        index.put(rel, key, copy.deepcopy({name: getattr(lab, name) for name in KEPT}))
        index.remember_text(rel, key, lab.text)
    return lab


def _parse(lab: LabFile) -> LabFile:
    rel = lab.path
    if rel.endswith(".ipynb"):
        return _notebook_lab(lab)
    block = front_matter(lab.text)
    if block is None:
        lab.errors.append(
            BookError(rel, 1, "no front matter: a lab starts with '---' and a 'lab:' block")
        )
        return lab
    front, lab.body_line = block
    try:
        node, meta = yaml_fast.compose_and_load(front)
        meta = meta or {}
    except yaml.YAMLError as exc:
        lab.errors.append(front_matter_error(rel, exc))
        return lab
    if not isinstance(meta, dict):
        lab.errors.append(BookError(rel, 2, "the front matter must be a mapping"))
        return lab
    for key, value in node.value if node is not None else ():
        if key.value == "lab":
            lab.lab_line = key.start_mark.line + 2
            if isinstance(value, yaml.MappingNode):
                lab.lines = {k.value: k.start_mark.line + 2 for k, _ in value.value}
    if not isinstance(meta.get("lab"), dict):
        lab.errors.append(
            BookError(
                rel,
                lab.lab_line or 1,
                "the front matter has no 'lab:' "
                "mapping (template, course, week, session, title, authors)",
            )
        )
        return lab
    lab.lab = meta["lab"]
    return lab


def _notebook_lab(lab: LabFile) -> LabFile:
    """A notebook's ``lab:`` block is in its metadata (Edit > Notebook metadata in Jupyter)."""
    try:
        nb = json.loads(lab.text)
    except ValueError as exc:
        lab.errors.append(
            BookError(lab.path, getattr(exc, "lineno", None), f"not a valid notebook (JSON): {exc}")
        )
        return lab
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        lab.errors.append(BookError(lab.path, None, "not a Jupyter notebook (no 'cells' list)"))
        return lab
    lab.cells = [
        (f"cell {i}", "".join(c.get("source") or ""))
        for i, c in enumerate(cells, 1)
        if isinstance(c, dict) and c.get("cell_type") == "markdown"
    ]
    lab.lab_line = "metadata"
    meta = nb.get("metadata") or {}
    if not isinstance(meta.get("lab"), dict):
        lab.errors.append(
            BookError(
                lab.path,
                "metadata",
                "the notebook's metadata has no 'lab:' "
                "mapping (template, course, week, session, title, authors)",
                "`make import SRC=...` adds it; or add it in Jupyter: Edit > "
                "Edit Notebook Metadata",
            )
        )
        return lab
    lab.lab = meta["lab"]
    return lab


def lab_paths(root: Path) -> list[str]:
    root = Path(root)
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / LABS_DIR).rglob("*")
        if p.suffix in LAB_SUFFIXES
        and p.is_file()
        and ".ipynb_checkpoints" not in p.parts
        and not in_lab_folder(p, root / LABS_DIR)
    )


def in_lab_folder(path: Path, labs_dir: Path) -> bool:
    """Inside a lab's own folder (``session01-x/`` beside ``session01-x.md``: its images, data and
    included fragments, put there by ``make import``), so not a lab itself."""
    for folder in path.parents:
        if folder == labs_dir or labs_dir not in folder.parents:
            return False
        if any(folder.with_name(folder.name + s).is_file() for s in LAB_SUFFIXES):
            return True
    return False


def read_labs(root: Path) -> list[LabFile]:
    """Every lab of the course, read (``read_lab_file``); the lab index is saved for the next
    build."""
    paths = lab_paths(root)
    labs = [read_lab_file(root, rel) for rel in paths]
    index_for(root).save(paths)
    return labs


def find_session(labs: list[LabFile], week: int, session: int) -> LabFile | None:
    return next((lab for lab in labs if lab.week_session == (week, session)), None)


def lab_title(lab: dict, words: Words = ENGLISH) -> str:
    """ "Week 2, Session 3 — Title", in the course's language."""
    return words.lab_title(lab)


def nav_title(lab: dict, words: Words = ENGLISH) -> str:
    """ "Session 3 — Title", in the course's language."""
    return words.nav_title(lab)
