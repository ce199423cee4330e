"""A PDF of each lab, printed from its rendered page by Chromium (as Jupyter Book's ``pdfhtml``).

With ``pdf: {enable: true}`` in ``_config.yml`` (or ``make html PDF=1``), the build serves the
staged site on 127.0.0.1 and has headless Chromium print each lab's page, with the site's print
stylesheet (``book/sphinx/static/book.css``: light colours, the full title, no navigation, the
page's address at the foot), into ``_pdf/<lab>.pdf``. The pages' download menus link to them
(``book.sphinx.downloads``). It runs after the search index and before the leak scan, so a PDF is
scanned and published with its page or not at all. The address printed is the site's
(``html.baseurl``) or the page's path in the site, never the local server's (``?pdf``).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from book.errors import BookError

FOLDER = "_pdf"  # the PDFs' folder inside the site
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
PDF_OFF = "off (make html PDF=1, or 'pdf: {enable: true}' in _config.yml, makes a PDF of each lab)"
TIMEOUT = 120  # seconds per page


def pdf_path(docname: str) -> str:
    """A lab's PDF, relative to the site root."""
    return f"{FOLDER}/{docname}.pdf"


def chromium() -> str:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise BookError(
        "_config.yml",
        None,
        "a PDF of each lab needs Chromium, which is not installed",
        "install it (make chromium, or apt-get install chromium), or turn pdf off",
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


def _print(binary: str, url: str, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="pdf-") as profile:
        out = Path(profile) / "page.pdf"
        command = [
            binary,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            "--virtual-time-budget=20000",  # scripts (MathJax) run before printing
            f"--print-to-pdf={out}",
            *(["--no-sandbox"] if os.geteuid() == 0 else []),
            url,
        ]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BookError(
                url, None, f"Chromium did not print the page in {TIMEOUT} s", ""
            ) from None
        if run.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            last = (run.stdout + run.stderr).strip().splitlines()[-5:]
            raise BookError(
                url, None, "Chromium could not print the page:\n  " + "\n  ".join(last), ""
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out, target)  # a new file: never written through a link to the published site


def print_labs(site: Path, workers: int = 2) -> str:
    """Print each lab of the staged ``site`` (from its ``build-info.json``) to ``_pdf/``; returns
    a summary. Raises BookError."""
    labs = sorted(json.loads((site / "build-info.json").read_text(encoding="utf-8"))["labs"])
    binary = chromium()
    shutil.rmtree(site / FOLDER, ignore_errors=True)  # no PDF of a lab that is gone
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [
                pool.submit(_print, binary, f"{base}{lab}.html?pdf", site / pdf_path(lab))
                for lab in labs
            ]
            for job in jobs:
                job.result()
    finally:
        server.shutdown()
        server.server_close()
    return f"printed {len(labs)} lab(s) to {FOLDER}/"
