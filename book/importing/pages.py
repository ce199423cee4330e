"""A book's root page (its ``index``) as a course page: ``<slug>.md`` at the course's top, its
images in ``<slug>/``, listed in ``_toc.yml`` in the first part that is not a week ("Using this
site"). It is a page of the site, not a lab: no ``lab:`` block, its own ``# Title`` kept."""

from __future__ import annotations

import re
from pathlib import Path

from book.checks.imported import imported_names
from book.course.labs import read_labs
from book.course.toc import TOC_FILE, WEEK_CAPTION, parse_toc
from book.errors import BookError
from book.importing.assets import Assets
from book.importing.importer import Importer

CAPTION = re.compile(r"^(\s*)- caption:\s*(.+?)\s*$")
FILE = re.compile(r"^(\s*)- file:\s*\S+\s*$")


def import_page(root: Path, src: Path, project: Path, slug: str, log) -> Path:
    slug = slug or "about"
    suffix = ".ipynb" if src.suffix == ".ipynb" else ".md"
    target = root / f"{slug}{suffix}"
    if target.exists():
        raise BookError(target.name, None, "already exists; import never overwrites a page")
    text = src.read_text(encoding="utf-8")
    imp = Importer(root, src, log, project)
    assets = Assets(root, project, root / slug, log)
    if suffix == ".md":
        text = assets.rewrite(text, src.parent, root, src.name)
        text = imp.rewrite_docs(text, imported_names(root, read_labs(root)), target.name)
    target.write_text(text, encoding="utf-8")
    log(f"importing {src.name} as the course page {target.name}")
    toc_path = root / TOC_FILE
    toc = add_page(toc_path.read_text(encoding="utf-8"), slug)
    if slug not in [e.docname for e in parse_toc(toc)]:
        raise BookError(TOC_FILE, None, f"could not list {slug}; add '- file: {slug}' by hand")
    toc_path.write_text(toc, encoding="utf-8")
    log(f"  listed in {TOC_FILE} with the course's pages")
    for problem in [*assets.unresolved, *imp.unresolved]:
        log(f"could not: {target.name}: {problem}")
    return target


def add_page(text: str, docname: str) -> str:
    """``_toc.yml``'s text with ``docname`` last in the first part that is not a week."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = CAPTION.match(line)
        if not m or WEEK_CAPTION.match(m.group(2).strip("'\"")):
            continue
        at, indent = i + 1, None
        for j in range(i + 1, len(lines)):
            if CAPTION.match(lines[j]):
                break
            if f := FILE.match(lines[j]):
                at, indent = j + 1, f.group(1)
        if indent is not None:
            lines.insert(at, f"{indent}- file: {docname}\n")
            return "".join(lines)
    raise BookError(TOC_FILE, None, "has no part for course pages", f"add '- file: {docname}'")
