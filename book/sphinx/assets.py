"""Page weight: leave out of each page what the theme stack loads but the page does not use.

Jupyter Book registers every extension's assets on every page. Each page here keeps only what it
uses; a page that uses a feature (a sphinx-design card, a toggle) keeps that feature's files.

- FontAwesome's 1.5 MB script, which swaps each icon for an SVG: the theme's stylesheet already
  draws the same icons with FontAwesome's web font (``theme/layout.html`` drops the script);
- sphinx-thebe's files and settings while Thebe is off (it also defined its settings twice, a
  console error);
- sphinx-design's stylesheet and script on pages without sphinx-design components;
- sphinx-togglebutton's files and settings on pages without toggles or dropdowns;
- any asset registered twice.
"""

from __future__ import annotations

import re

# (the marker of the feature in a page body, the asset file names, inline settings that name it)
OPTIONAL = {
    "sphinx-design": (re.compile(r'class="[^"]*\bsd-'), ("sphinx-design", "design-tabs.js"), ()),
    "togglebutton": (
        re.compile(r'class="[^"]*\b(toggle|dropdown)\b'),
        ("togglebutton",),
        ("toggleHint", "toggleOpenOnPrint", "togglebuttonSelector"),
    ),
}
THEBE = (("sphinx-thebe",), ("THEBE_JS_URL",))


def _name(asset) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _inline(asset) -> str:
    return (getattr(asset, "attributes", None) or {}).get("body", "")


def _key(asset):
    attributes = getattr(asset, "attributes", None) or {}
    return _name(asset), tuple(sorted(attributes.items()))


def trim(assets: list, body: str, thebe_on: bool) -> list:
    """The assets (script_files or css_files of a page context) this page uses, each once."""
    unused_files: list[str] = []
    unused_inline: list[str] = []
    for marker, files, inline in OPTIONAL.values():
        if not marker.search(body):
            unused_files += files
            unused_inline += inline
    if not thebe_on:
        unused_files += THEBE[0]
        unused_inline += THEBE[1]
    kept, seen = [], set()
    for asset in assets:
        name, code = _name(asset), _inline(asset)
        if any(f in name for f in unused_files) or any(s in code for s in unused_inline):
            continue
        if _key(asset) in seen:
            continue
        seen.add(_key(asset))
        kept.append(asset)
    return kept


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    launch = (app.config.html_theme_options or {}).get("launch_buttons") or {}
    thebe_on = bool(launch.get("thebe") or getattr(app.config, "use_thebe", False))
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = trim(list(context[key]), body, thebe_on)


def setup(app) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.connect("html-page-context", _on_page_context, priority=900)  # after the extensions' own
    return {"parallel_read_safe": True, "parallel_write_safe": True}
