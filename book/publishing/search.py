"""Site search, the publishing half: Pagefind indexes the staged site.

``index_site`` runs Pagefind (the ``pagefind[bin]`` package) over the staged HTML, writing the
index into ``pagefind/`` next to the pages. The build (``book.build.pipeline``) calls it once, after
Sphinx and before the leak scan, so the index is scanned and published with the pages or not at
all. How pages are marked for it is the Sphinx half, ``book.sphinx.search``.

Pagefind reads an *index view* of the pages, not the pages themselves: a copy of each page in which
code is split into words (``index_view``). Readers get the pages as Sphinx wrote them, so what they
select or copy from a code cell is the code as written, byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from book.errors import BookError

BUNDLE = "pagefind"  # the index's folder inside the site
# Not indexed: heading permalinks ("#") and the "Not run in this build" labels.
EXCLUDE_SELECTORS = ("a.headerlink", ".cell-not-run", ".cell-recorded-note")

# In highlighted code, ``optimizer.zero_grad()`` is one run of text, which Pagefind indexes only as
# a whole and by its letter groups. In the index view a line break after each attribute dot is a
# word boundary, so ``zero_grad`` is a word of its own, found and highlighted as typed. The break
# reads as a space in Pagefind's excerpts ("np. linalg"): an invisible separator (U+2063) marks it,
# and search.js joins the code back as written. Neither ever reaches a page.
SPLIT_MARK = "\u2063"
_CODE_DOT = '<span class="o">.</span>'
_CODE_DOT_SPLIT = _CODE_DOT + f"<br>{SPLIT_MARK}"


def index_view(html: str) -> str:
    """A page as Pagefind indexes it: code split into words after each attribute dot."""
    return html.replace(_CODE_DOT, _CODE_DOT_SPLIT)


def _write_index_view(site: Path, view: Path) -> None:
    for page in site.rglob("*.html"):
        rel = page.relative_to(site)
        if rel.parts[0] == BUNDLE:
            continue
        target = view / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(index_view(page.read_text(encoding="utf-8")), encoding="utf-8")


def index_site(site: Path, settings=None) -> str:
    """Index every page of ``site`` with Pagefind; returns its summary. Raises BookError.

    ``settings``: the course's ``search:`` configuration (``book.config.course.SearchConfig``)."""
    shutil.rmtree(site / BUNDLE, ignore_errors=True)  # no fragments of a previous index
    # the binary itself (no Python start-up before it), found as Pagefind's Python API finds it
    # (PAGEFIND_BINARY_PATH, else the binary of the pagefind[bin] package)
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise BookError(str(site), None, "Pagefind's binary is not installed", "make venv")
    with tempfile.TemporaryDirectory(prefix="index-view-") as view:
        _write_index_view(site, Path(view))
        command = [
            str(binary),
            "--site",
            view,
            "--output-path",
            str((site / BUNDLE).resolve()),
            "--exclude-selectors",
            ", ".join([*EXCLUDE_SELECTORS, *(settings.exclude_selectors if settings else ())]),
        ]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BookError(
                str(site),
                None,
                f"the search index could not be built: {exc}",
                "reinstall the build requirements (make venv)",
            ) from None
    output = (run.stdout + run.stderr).strip()
    if run.returncode != 0 or not (site / BUNDLE / "pagefind.js").is_file():
        last = output.splitlines()[-12:]
        raise BookError(
            str(site),
            None,
            "Pagefind failed to build the search index:\n  " + "\n  ".join(last),
            "fix the problem above; the published site is unchanged",
        )
    pages = re.search(r"Indexed (\d+) pages?", output)
    if pages is None or int(pages.group(1)) == 0:
        raise BookError(
            str(site),
            None,
            "Pagefind indexed no pages",
            "every page should carry data-pagefind-body (book/sphinx/search.py)",
        )
    return pages.group(0)
