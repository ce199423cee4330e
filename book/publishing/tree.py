"""The staged site holds this build's output and nothing else.

The staging folder starts as hard links to the published site (``book.publishing.staging``), so
what the published site held stays unless something removes it: the image of a figure a lab no
longer draws, a download no page links any more, a file a lab or another program dropped into
``_build/html``. Before the site checks, every file of the staging folder is accounted for:

- the build's pages (``<page>.html`` for each page this build renders), Sphinx's and our own
  top-level files (``FILES``) and those of ``html_extra_path``, and the folders every build writes
  whole (``_static``, Pagefind's ``pagefind``; neither is seeded from the published site);
- the pages' files (``_images``, ``_downloads``, ``_sources``): kept while a page of this build
  links to them (``src=`` or ``href=``), removed otherwise (``prune``);
- anything else is an error that names the file: nothing in the build wrote it for a page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Set as AbstractSet
from pathlib import Path
from urllib.parse import unquote, urlsplit

from book.errors import BookError

PAGE_FILES = ("_images", "_downloads", "_sources")  # kept while a page links them
WHOLE = ("_static", "pagefind")  # written anew by every build
FILES = {
    ".buildinfo",
    "objects.inv",
    "build-info.json",
    "genindex.html",
    "index.html",
    "search.html",
    "searchindex.js",
    "py-modindex.html",
    ".nojekyll",
    "schedule.ics",  # the schedule as a calendar (book.sphinx.schedule_page)
}
LINK = re.compile(rb"""(?:src|href)\s*=\s*["']([^"'#?]+)""")


def pages_of(docs: list[str]) -> set[str]:
    """The pages a build renders from its documents (``labs/week01/x.md`` -> ``…/x.html``)."""
    return {d.rsplit(".", 1)[0] + ".html" for d in docs}


def linked(site: Path, pages: set[str]) -> set[str]:
    """The site's files that ``pages`` link to, relative to ``site``."""
    found: set[str] = set()
    for page in pages:
        try:
            data = (site / page).read_bytes()
        except OSError:
            continue
        folder = os.path.dirname(page)
        for m in LINK.finditer(data):
            url = m.group(1).decode("utf-8", errors="replace")
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("/"):
                continue
            found.add(os.path.normpath(os.path.join(folder, unquote(parts.path))))
    return found


def extra_files(root: Path, extra_paths) -> set[str]:
    """The files Sphinx copies to the site's top as they are (``html_extra_path``: a ``CNAME``,
    a ``robots.txt``), relative to the site."""
    found: set[str] = set()
    for entry in extra_paths or ():
        path = Path(root) / entry
        if path.is_file():
            found.add(path.name)
        elif path.is_dir():
            found.update(os.path.relpath(p, path) for p in path.rglob("*") if p.is_file())
    return found


def settle(
    site: Path, published: Path, docs: list[str], shown, extra: AbstractSet[str] = frozenset()
) -> tuple[int, list[BookError]]:
    """Remove from the staged ``site`` the page files no page links to; return their number and
    an error for each file that is neither the build's nor a page's (``published``: the
    published site, to say where the file came from; ``shown(path)``: a path as messages show
    it)."""
    pages = pages_of(docs)
    links = linked(site, pages | {p for p in FILES if p.endswith(".html")})
    removed, problems = 0, []
    for folder, dirs, files in os.walk(site, topdown=True):
        rel_folder = os.path.relpath(folder, site)
        if rel_folder == ".":
            dirs[:] = [d for d in dirs if d not in WHOLE]
        dirs.sort()
        for name in sorted(files):
            rel = os.path.normpath(os.path.join(rel_folder, name))
            if rel in pages or rel in FILES or rel in extra:
                continue
            if rel.split(os.sep, 1)[0] in PAGE_FILES:
                if rel not in links:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                continue
            problems.append(_stray(site, published / rel, rel, shown))
    _remove_empty(site)
    return removed, problems


def _stray(site: Path, published: Path, rel: str, shown) -> BookError:
    where = ""
    if published.exists():
        where = f" (it is in the published site: remove {shown(published)})"
    return BookError(
        shown(site / rel),
        None,
        "is no file this build wrote for a page: a lab or another program put it in the site"
        + where,
        "a lab must write only into its own working folder; nothing was published",
    )


def _remove_empty(site: Path) -> None:
    for top in PAGE_FILES:
        for folder, _, _ in sorted(os.walk(site / top), reverse=True):
            try:
                os.rmdir(folder)  # only when empty
            except OSError:
                pass
