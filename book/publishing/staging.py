"""The staging folder a build writes into, started from the published site without copying it.

When the published site was built from the same pages, configuration and generator, the next
site starts as hard links to it: Sphinx then writes only the pages that changed, and nothing
unchanged is copied, here or when the new site is swapped in (``book.publishing.publish``). A hard
link
shares its file with the published site, so nothing may write *into* a linked file: every writer
of the build removes the link first and writes a new file (``replace``; Sphinx's own writers are
guarded by ``book.sphinx.hardlinks``). The files every build writes anew (theme assets, the
search index, the inventory, build-info.json) are left out of the seed: linking them would save
nothing and risk changing the published copy in place.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from book.config.layout import BuildLayout

# Written by every build: Sphinx's theme assets and top-level files, Pagefind's index, ours.
NOT_SEEDED_DIRS = ("_static", "pagefind")
# (.buildinfo is seeded: Sphinx compares it with its configuration to decide whether every page
# must be written again; book.sphinx.hardlinks removes the link before Sphinx writes a new one.)
NOT_SEEDED_FILES = ("objects.inv", "build-info.json", "genindex.html", "index.html")
SEEDED_STATIC = ("_static/mathjax",)  # copied only when missing (book.sphinx.mathjax)


def replace(path: Path | str) -> None:
    """Before writing ``path`` in staging: remove it, so a link to the published file is not
    written through (the new content goes into a new file)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _link(src: str | Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system (a mounted _build/html), no hard links: copy
        shutil.copy2(src, dst)


def _link_tree(src: Path, dst: Path) -> int:
    """Hard-link every file under ``src`` into ``dst``; the number of files linked."""
    count = 0
    for folder, dirs, files in os.walk(src):
        rel = os.path.relpath(folder, src)
        target = dst / rel if rel != "." else dst
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            _link(os.path.join(folder, name), target / name)
            count += 1
        dirs.sort()
    return count


def seed(layout: BuildLayout, state: dict) -> int:
    """Start ``layout.staging`` for a build whose pages, configuration and generator are
    ``state``: linked to the published site when it was built from the same state (Sphinx's
    own checks then decide which pages to write again; ``book.sphinx.navigation`` widens that
    to every page when a title changes), else empty, so no page of a removed lab survives and
    every page is written anew. Returns the number of files linked."""
    shutil.rmtree(layout.staging, ignore_errors=True)
    layout.staging.mkdir(parents=True)
    try:
        same = json.loads(layout.published.read_text()) == state
    except (OSError, ValueError):
        same = False
    if not (same and layout.html.is_dir()):
        return 0
    count = 0
    for entry in sorted(layout.html.iterdir()):
        if entry.name in NOT_SEEDED_FILES or entry.name in NOT_SEEDED_DIRS:
            continue
        if entry.is_dir():
            count += _link_tree(entry, layout.staging / entry.name)
        elif entry.is_file():
            _link(entry, layout.staging / entry.name)
            count += 1
    for rel in SEEDED_STATIC:
        if (layout.html / rel).is_dir():
            count += _link_tree(layout.html / rel, layout.staging / rel)
    return count


def shared(layout: BuildLayout) -> frozenset[str]:
    """The files of the staging folder that are still the published site's own (hard links
    that no writer replaced), relative to it."""
    found = set()
    for folder, _, files in os.walk(layout.staging):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, layout.staging)
            try:
                a, b = os.stat(path), os.stat(layout.html / rel)
            except OSError:
                continue
            if (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev):
                found.add(Path(rel).as_posix())
    return frozenset(found)
