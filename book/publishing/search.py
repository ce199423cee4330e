"""Site search, the publishing half: Pagefind indexes the staged site.

``index_site`` runs Pagefind (the ``pagefind[bin]`` package) over the staged HTML, writing the
index into ``pagefind/`` next to the pages. The build (``book.build.pipeline``) calls it once, after
Sphinx and before the leak scan, so the index is scanned and published with the pages or not at
all. How pages are marked for it is the Sphinx half, ``book.sphinx.search``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from book.errors import BookError

BUNDLE = "pagefind"  # the index's folder inside the site
# Not indexed: heading permalinks ("#") and the "Not run in this build" labels.
EXCLUDE_SELECTORS = ("a.headerlink", ".cell-not-run")


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
    command = [
        str(binary),
        "--site",
        str(site),
        "--output-subdir",
        BUNDLE,
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
