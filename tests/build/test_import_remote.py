"""Remote images imported, then built with the "web" gone: ``make import`` downloads them from a
local HTTP server standing in for the web; the server is stopped before the build, and the page
shows every image from the site itself (the build fetches nothing)."""

from __future__ import annotations

import base64
import subprocess
import sys

from bs4 import BeautifulSoup

from conftest import copy_course, run_book, run_build
from helpers import ImageServer

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<circle r="4" cx="4" cy="4"/></svg>'
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
LECTURE = """---
kernelspec: {{display_name: Python 3, language: python, name: python3}}
---

# From the web

```{{raw}} html
<div id="qe-notebook-header" align="right" style="text-align:right;">
  <a href="https://quantecon.org/" title="quantecon.org">
    <img style="width:250px;display:inline;" width="250px"
      src="{url}/img/qe-menubar-logo.svg" alt="QuantEcon">
  </a>
</div>
```

A badge: ![build status]({url}/badge/build.png)

```{{figure}} {url}/img/plot.png
:alt: A plot from the web

A plot.
```

```{{code-cell}} ipython3
print(1 + 1)
```
"""
LAB = "labs/week09/session01-from-the-web"


def test_remote_images_are_shown_from_the_site_after_import(tmp_path):
    root = copy_course(tmp_path / "course")
    src = tmp_path / "web.md"
    files = {
        "/img/qe-menubar-logo.svg": ("image/svg+xml", SVG),
        "/badge/build.png": ("image/png", PNG),
        "/img/plot.png": ("image/png", PNG),
    }
    with ImageServer(files) as url:
        src.write_text(LECTURE.format(url=url))
        imported = subprocess.run(
            [sys.executable, "-m", "book", "import", str(src), "--week", "9", "--session", "1"],
            cwd=root,
            capture_output=True,
            text=True,
        )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "could not" not in imported.stdout, imported.stdout
    assert imported.stdout.count("  downloaded http://127.0.0.1:") == 3
    check = run_book(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    result = run_build(root)  # the server is gone
    assert result.returncode == 0, result.stdout + result.stderr

    site = root / "_build" / "html"
    html = (site / f"{LAB}.html").read_text()
    assert "127.0.0.1" not in html, "nothing on the page comes from the network"
    soup = BeautifulSoup(html, "html.parser").select_one("article")
    sources = [img["src"] for img in soup.select("img")]
    logo = "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    assert logo in sources, "the {raw} html logo"
    files_shown = [s for s in sources if not s.startswith("data:")]
    assert len(files_shown) == 2, sources
    for shown in files_shown:
        assert (site / LAB).parent.joinpath(shown).resolve().read_bytes() == PNG
