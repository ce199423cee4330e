"""``index.html`` as a real page. sphinx-external-toc writes a bare redirect to the home page;
this gives it a title and a link. Its icon is an empty data URL: a real icon would be fetched and
then cancelled by the redirect, and none at all makes browsers request /favicon.ico (a 404)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sphinx.application import Sphinx

BARE = re.compile(r'\s*<meta http-equiv="Refresh" content="0; url=([^"]+)" />\s*')


def _complete_redirect_page(app: Sphinx, exception) -> None:
    index = Path(app.outdir) / "index.html"
    if exception is not None or not index.is_file():
        return
    m = BARE.fullmatch(index.read_text(encoding="utf-8"))
    if m is None:
        return
    target = html.escape(m.group(1))
    title = html.escape(app.config.html_title or app.config.project)
    index.write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="icon" href="data:,">'
        f'<meta http-equiv="Refresh" content="0; url={target}"></head>'
        f'<body><p><a href="{target}">{title}</a></p></body></html>\n',
        encoding="utf-8",
    )


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _complete_redirect_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
