"""Remote images at import (``book.importing.remote``, ``book.importing.assets``): downloaded into
the lab's folder from a local HTTP server standing in for the web, each reference rewritten
(Markdown and directives to the file, HTML to a ``data:`` address); one that cannot be downloaded
keeps its address and is named with its file:line, its URL and what to do; the import goes on."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from book.importing.importer import import_lab
from book.importing.remote import local_name
from helpers import ImageServer

REPO = Path(__file__).parents[2]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"/></svg>'
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
FILES = {
    "/img/logo.svg": ("image/svg+xml", SVG),
    "/img/plot.png": ("image/png", PNG),
    "/badge?label=build": ("image/png", PNG),
    "/img/qe.svg": ("application/octet-stream", SVG),  # a server that does not say
    "/page.png": ("text/html", b"<html>moved</html>"),
    "/big.png": ("image/png", PNG + bytes(600 * 1024)),
}
LECTURE = """---
title: Remote things
---

# Remote things

![Logo]({url}/img/logo.svg)

```{{figure}} {url}/img/plot.png
:alt: A plot

A plot from the web
```

![Badge]({url}/badge?label=build) and again ![Logo]({url}/img/logo.svg)

<img src={url}/img/plot.png alt="unquoted">

```{{raw}} html
<div><img style="width:250px" src="{url}/img/qe.svg" alt="QuantEcon"></div>
```

![Gone]({url}/missing.png)

![Not an image]({url}/page.png)

<img src="{url}/big.png">
"""


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    for name in ("_config.yml", "_toc.yml", "labs", "requirements"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    return root


def test_remote_images_are_downloaded_beside_the_lab_and_failures_named(course, tmp_path):
    log: list[str] = []
    src = tmp_path / "remote.md"
    with ImageServer(FILES) as url:
        src.write_text(LECTURE.format(url=url))
        lab = import_lab(course, src, week=9, session=1, log=log.append)
    text = lab.read_text()
    own = lab.with_suffix("")
    rel = own.relative_to(course).as_posix()
    folder = f"{own.name}/_remote/127.0.0.1"
    assert (own / "_remote/127.0.0.1/logo.svg").read_bytes() == SVG
    assert (own / "_remote/127.0.0.1/plot.png").read_bytes() == PNG
    assert text.count(f"![Logo]({folder}/logo.svg)") == 2, "downloaded once, both rewritten"
    assert f"```{{figure}} {folder}/plot.png\n" in text
    badge = local_name(f"{url}/badge?label=build", "image/png")
    assert badge.startswith("_remote/127.0.0.1/badge-") and badge.endswith(".png")
    assert f"![Badge]({own.name}/{badge})" in text
    png_uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    svg_uri = "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    assert f'<img src={png_uri} alt="unquoted">' in text, "HTML is published as written"
    assert f'src="{svg_uri}" alt="QuantEcon"' in text, "a logo in {raw} html, typed by its name"

    assert f"![Gone]({url}/missing.png)" in text and f"![Not an image]({url}/page.png)" in text
    lines = LECTURE.format(url=url).splitlines()
    gone = lines.index(f"![Gone]({url}/missing.png)") + 1
    page = lines.index(f"![Not an image]({url}/page.png)") + 1
    big = lines.index(f'<img src="{url}/big.png">') + 1
    assert f'<img src="{url}/big.png">' in text, "too large to put in the HTML: left as it was"
    problems = [line for line in log if line.startswith("could not:")]
    assert problems == [
        f"could not: {rel}.md: remote.md:{gone}: the image {url}/missing.png was not downloaded "
        f"(the server answered 404 Not Found); the page shows it from the network, missing "
        f"offline: download it into {rel}/ and point the reference at it, or remove it",
        f"could not: {rel}.md: remote.md:{page}: the image {url}/page.png was not downloaded "
        f"(not an image: the server sent text/html); the page shows it from the network, "
        f"missing offline: download it into {rel}/ and point the reference at it, or remove it",
        f"could not: {rel}.md: remote.md:{big}: the image {url}/big.png was downloaded to "
        f"{rel}/_remote/127.0.0.1/big.png but is too large to put in the page's HTML (over "
        f"512 KB); the page shows it from the network, missing offline: write it as "
        f"![alt]({own.name}/_remote/127.0.0.1/big.png) instead of <img>",
    ]
    assert f"  downloaded {url}/img/logo.svg to {rel}/_remote/127.0.0.1/logo.svg" in log


def test_an_unreachable_server_is_named_and_the_import_goes_on(course, tmp_path):
    with ImageServer({}) as url:
        pass  # stopped: nothing answers at its address any more
    src = tmp_path / "nb.md"
    src.write_text(f"# Offline\n\ntext\n\n![Logo]({url}/logo.png)\n")
    log: list[str] = []
    lab = import_lab(course, src, week=9, session=1, log=log.append)
    assert f"![Logo]({url}/logo.png)" in lab.read_text()
    (problem,) = [line for line in log if line.startswith("could not:")]
    assert f"nb.md:5: the image {url}/logo.png was not downloaded (cannot reach it: " in problem
