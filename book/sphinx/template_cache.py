"""The theme's Jinja templates compiled once, not by every build.

Sphinx compiles each theme template (about 36 for the book theme: the layouts, the sidebar,
the header buttons) into Python the first time its process renders it, and ``make html`` is a
new process each time: a one-lab edit spent 0.15–0.3 s compiling templates it had compiled
before. Jinja's own bytecode cache keeps the compiled code in ``_build/.jinja-cache`` (beside
Sphinx's environment), keyed by the template's name and a checksum of its source, so a changed
template (a new theme, the course's own) is compiled again; the pages are the same either way.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

CACHE_DIR = ".jinja-cache"


def _on_builder_inited(app: Sphinx) -> None:
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or environment.bytecode_cache is not None:
        return
    folder = Path(app.doctreedir).parent / CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only build folder: templates are compiled as before
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
