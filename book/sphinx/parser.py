"""Pages enter Sphinx through the course's lab reader.

On ``source-read``, a page's text (MyST ``.md``, a notebook ``.ipynb`` or a Quarto ``.qmd``) is
read by the build's ``LabReader`` (cell options and flags applied, title and byline from the
``lab:`` block, session info expanded) and handed on to myst-nb as notebook JSON, which
``nb_custom_formats`` (``.md``/``.qmd``: ``nbformat.reads``) and myst-nb's notebook reader parse.
The reader is the same object the checks and the executor used, so the page Sphinx renders is the
notebook that was executed, and myst-nb finds its outputs in the execution cache.

The page's course data (its lab, the flags its cells are gated on) is noted in the domain here.
"""

from __future__ import annotations

import nbformat
from sphinx.application import Sphinx

from book.errors import BookError
from book.sphinx.domain import course_domain

LAB_KEYS = ("week", "session", "title")
READ_SUFFIXES = (".md", ".ipynb", ".qmd")


def _gating(nb: nbformat.NotebookNode) -> tuple[list[str], int]:
    """The flags the notebook's cells are gated on, and how many cells did not run."""
    flags, not_run = set(), 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("book") or {}
        if isinstance(meta.get("eval"), str):
            flags.add(meta["eval"])
        not_run += meta.get("ran") is False
    return sorted(flags), not_run


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    path = app.env.doc2path(docname, base=False)
    if not str(path).endswith(READ_SUFFIXES):
        return
    try:
        nb = app.config.book_reader.read_text(source[0], str(path))
    except BookError as exc:
        # stop the build with the message first, not under a Sphinx traceback
        raise SystemExit(f"error: {exc.format()}") from None
    lab = nb.metadata.get("lab")
    if not (isinstance(lab, dict) and set(LAB_KEYS) <= set(lab)):
        lab = None
    flags_used, not_run = _gating(nb)
    course_domain(app.env).note_page(
        docname,
        {k: lab[k] for k in LAB_KEYS} if lab else None,
        flags_used,
        not_run,
        app.config.book_reader.shape_key(str(path)),
    )
    if "source_cells" in nb.metadata:  # a notebook: Sphinx's warnings name the file's cell
        nb.metadata["source_map"] = [(c + 1) * 10000 for c in nb.metadata["source_cells"]]
    source[0] = nbformat.writes(nb)


def setup(app: Sphinx) -> dict:
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
