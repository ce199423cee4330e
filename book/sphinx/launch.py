"""Launch buttons (Binder, JupyterHub, Colab, Deepnote) as stock Jupyter Book makes them, except
that Colab is offered on notebook (``.ipynb``) labs only: Colab opens notebooks, and a ``.md`` or
``.qmd`` lab there is a "notebook not found" page. The theme (sphinx-book-theme) builds the
buttons from ``launch_buttons`` and ``repository`` (``book.build.sphinx_config`` merges them with
the course's theme options); this part runs after it on each page.
"""

from __future__ import annotations

from pathlib import Path


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    buttons = context.get("header_buttons")
    if not buttons or pagename not in app.env.all_docs:
        return
    if Path(app.env.doc2path(pagename)).suffix == ".ipynb":
        return
    for group in list(buttons):
        if group.get("label") != "launch-buttons":
            continue
        group["buttons"] = [b for b in group.get("buttons", []) if b.get("text") != "Colab"]
        if not group["buttons"]:
            buttons.remove(group)


def setup(app) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.connect("html-page-context", _on_page_context, priority=502)  # after the theme's (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
