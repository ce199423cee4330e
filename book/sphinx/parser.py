"""Pages enter Sphinx through the course's lab reader.

On ``source-read``, a page's text (MyST ``.md``, a notebook ``.ipynb`` or a Quarto ``.qmd``) is
read by the build's ``LabReader`` (cell options and flags applied, title and byline from the
``lab:`` block, session info expanded) and handed on to myst-nb as notebook JSON, which
``nb_custom_formats`` (``.md``/``.qmd``: ``nbformat.reads``) and myst-nb's notebook reader parse.
The reader is the same object the checks and the executor used, so the page Sphinx renders is the
notebook that was executed, and myst-nb finds its outputs in the execution cache.

The page's course data (its lab, the flags its cells are gated on) is noted in the domain here.

**myst-nb executes nothing.** Lab code runs only through the course's executor
(``book.execution``: confined, limited, on every road). Here, the one door every page passes
through on its way to myst-nb, each page gets the outputs the executor left in the execution cache
(as myst-nb's ``cache`` mode would merge them) and ``execution_mode: off`` in its own metadata,
which wins over any global setting (``execute_notebooks``, ``nb_execution_mode``). A lab the
executor has not run (a plain ``jupyter-book build .`` before any ``make html``) shows no outputs.
"""

from __future__ import annotations

import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from book.errors import BookError
from book.sphinx.domain import course_domain

_CACHES: dict = {}  # the execution cache, opened once per process

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
        # Sphinx's own error for an extension, carrying ours: the build prints its message alone
        raise ExtensionError(exc.format(), orig_exc=exc, modname=__name__) from None
    lab = nb.metadata.get("lab")
    if not (isinstance(lab, dict) and set(LAB_KEYS) <= set(lab)):
        lab = None
    flags_used, not_run = _gating(nb)
    nb, found = executed(app, nb)
    course_domain(app.env).note_page(
        docname,
        {k: lab[k] for k in LAB_KEYS} if lab else None,
        flags_used,
        not_run,
        app.config.book_reader.shape_key(str(path)),
        executed=found,
    )
    if "source_cells" in nb.metadata:  # a notebook: Sphinx's warnings name the file's cell
        nb.metadata["source_map"] = [(c + 1) * 10000 for c in nb.metadata["source_cells"]]
    source[0] = nbformat.writes(nb)


def executed(app: Sphinx, nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, bool]:
    """The notebook with the outputs the course's executor cached for it, marked for myst-nb as
    not to be executed; and whether it had them (a page without code needs none)."""
    found = not any(c.cell_type == "code" for c in nb.cells)
    path = app.config.nb_execution_cache_path
    if path and not found:
        from jupyter_cache import get_cache

        cache = _CACHES.get(path) or _CACHES.setdefault(path, get_cache(str(path)))
        try:
            _, nb = cache.merge_match_into_notebook(nb)
            found = True
        except KeyError:
            pass  # not executed by the course's executor: shown without outputs, read again
    nb.metadata["mystnb"] = {**nb.metadata.get("mystnb", {}), "execution_mode": "off"}
    return nb, found


def setup(app: Sphinx) -> dict:
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
