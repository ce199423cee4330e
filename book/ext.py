"""The Sphinx extension: wires the lab reader, flags and course pages into a Jupyter Book build.

Listed in ``_config.yml`` under ``sphinx.extra_extensions``. It

- resolves the build's flags at start-up and fails before any lab executes when a flag that is on
  needs a module that cannot be imported;
- gives myst-nb the lab reader (``nb_custom_formats``), with the current file's path for errors;
- labels cells that were not run, and records each page's flags;
- titles labs in the navigation "Session S — Title" (the page keeps "Week W, Session S — Title");
- publishes each lab's notebook as an ``.ipynb`` download and writes ``build-info.json``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import platform
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from . import __version__, assets, search
from .config import active_flags, check_requirements, load_config
from .errors import BookError
from .reader import nav_title, read_lab, restore_options

logger = logging.getLogger(__name__)

REPORTED_PACKAGES = (
    "jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "jupyter-cache",
    "ipykernel", "numpy", "matplotlib", "torch",
)


class _State:
    app: Sphinx | None = None
    config = None
    flags: dict[str, bool] = {}
    started: float = 0.0


STATE = _State()


def read_for_sphinx(text: str) -> nbformat.NotebookNode:
    """The reader myst-nb calls (see ``nb_custom_formats`` in ``_config.yml``)."""
    app = STATE.app
    path = docname = None
    if app is not None and getattr(app.env, "docname", None):
        docname = app.env.docname
        path = os.path.relpath(app.env.doc2path(docname), app.srcdir)
    if STATE.config is None:  # used outside a build (e.g. by jupyter-cache tooling)
        return read_lab(text, path=path)
    try:
        nb = read_lab(text, path=path, known_flags=STATE.config.flags, active=STATE.flags)
    except BookError as exc:
        # stop the build with the message first, not under a Sphinx traceback
        raise SystemExit(f"error: {exc.format()}") from None
    if docname is not None:
        _READ_LABS[docname] = nb.metadata.get("lab")
    return nb


_READ_LABS: dict[str, object] = {}  # docname -> ``lab:`` front matter, from reader to doctree-read


def _on_config_inited(app: Sphinx, config) -> None:
    STATE.app = app
    STATE.started = time.time()
    try:
        STATE.config = load_config(app.srcdir)
        STATE.flags = active_flags(STATE.config)
        check_requirements(STATE.config, STATE.flags)
    except BookError as exc:
        raise SystemExit(f"error: {exc.format()}") from None
    config.html_context = {**(config.html_context or {}), "book_flags": STATE.flags}
    # Sphinx re-reads every page when these change (rebuild="env"): a flag flip or a new version
    # of this generator must never leave a page rendered under the old state.
    config.book_flags_state = ",".join(f"{n}={int(v)}" for n, v in sorted(STATE.flags.items()))
    config.book_generator = _generator_hash()
    config.html_static_path = [*config.html_static_path, str(Path(__file__).parent / "static")]


def _generator_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".css", ".js", ".html"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _enable_command(name: str) -> str:
    flag = STATE.config.flags[name]
    return flag.enable or f"make html FLAGS={name}"


def _label_html(meta: dict) -> str:
    flag = meta.get("eval")
    if isinstance(flag, str):
        why = (
            f"needs the <code>{html.escape(flag)}</code> flag — run "
            f"<code>{html.escape(_enable_command(flag))}</code> to execute it"
        )
    else:
        why = "marked <code>eval: false</code>; shown for reading, never executed"
    return (
        '<p class="cell-not-run" role="note">'
        f'<span class="cell-not-run-badge">Not run in this build</span>: {why}</p>'
    )


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    labs = env.__dict__.setdefault("book_labs", {})
    labs.pop(env.docname, None)
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code":
            continue
        book_meta = (container.get("cell_metadata") or {}).get("book") or {}
        if book_meta.get("ran") is False:
            container.insert(0, nodes.raw("", _label_html(book_meta), format="html"))
            container["classes"].append("cell-not-run-container")
    lab = _READ_LABS.pop(env.docname, None)
    if isinstance(lab, dict) and {"week", "session", "title"} <= set(lab):
        labs[env.docname] = {k: lab[k] for k in ("week", "session", "title")}
        # the navigation shows "Session S — Title" under its week; the page keeps its full title
        env.titles[env.docname] = nodes.title("", nav_title(lab))
        toc = env.tocs.get(env.docname)
        first = next(iter(toc.findall(nodes.reference)), None) if toc is not None else None
        if first is not None:
            first.children = [nodes.Text(nav_title(lab))]


def _on_merge_info(app, env, docnames, other) -> None:
    labs = env.__dict__.setdefault("book_labs", {})
    labs.update({d: v for d, v in getattr(other, "book_labs", {}).items() if d in docnames})


def _on_purge_doc(app, env, docname) -> None:
    getattr(env, "book_labs", {}).pop(docname, None)


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if pagename in getattr(app.env, "book_labs", {}):
        context["ipynb_source"] = pagename + ".ipynb"
        context["book_is_lab"] = True
    flags = ", ".join(f"{n}={'on' if v else 'off'}" for n, v in sorted(STATE.flags.items()))
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="course-build-flags" content="{html.escape(flags)}">'
    )
    context["book_flags_text"] = flags


def _package_versions() -> dict[str, str | None]:
    found = {}
    for name in REPORTED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _write_downloads_and_info(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from jupyter_cache import get_cache
    from myst_nb.sphinx_ import NbMetadataCollector

    outdir = Path(app.outdir)
    cache = get_cache(app.config.nb_execution_cache_path)
    labs_info = {}
    report_path = os.environ.get("BOOK_EXEC_REPORT")  # written by book.build
    report = json.loads(Path(report_path).read_text()) if report_path else {}
    for docname, lab in sorted(getattr(app.env, "book_labs", {}).items()):
        source = Path(app.env.doc2path(docname))
        nb = read_lab(
            source.read_text(encoding="utf-8"),
            path=docname,
            known_flags=STATE.config.flags,
            active=STATE.flags,
        )
        try:
            _, nb = cache.merge_match_into_notebook(nb)
        except KeyError:
            pass  # not in the cache (execution off): publish the unexecuted notebook
        target = outdir / "_sources" / (docname + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(restore_options(nb), str(target))

        exec_data = NbMetadataCollector.get_exec_data(app.env, docname) or {}
        status = "not executed"
        if exec_data.get("succeeded"):
            status = "executed" if exec_data.get("mtime", 0) >= STATE.started else "cached"
        gated = sorted(
            {c.metadata["book"]["eval"] for c in nb.cells
             if isinstance(c.metadata.get("book", {}).get("eval"), str)}
        )
        seconds = round(exec_data.get("runtime") or 0.0, 3)
        from_driver = report.get(os.path.relpath(source, app.srcdir))
        if from_driver:
            status, seconds = from_driver["status"], from_driver["seconds"]
        labs_info[docname] = {
            **lab,
            "status": status,
            "seconds": seconds,
            "flags_used": gated,
            "cells_not_run": sum(
                1 for c in nb.cells if c.metadata.get("book", {}).get("ran") is False
            ),
        }
    info = {
        "generator": f"book {__version__}",
        "flags": STATE.flags,
        "python": platform.python_version(),
        "packages": _package_versions(),
        "labs": labs_info,
    }
    (outdir / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_flags_state", "", "env")
    app.add_config_value("book_generator", "", "env")
    app.connect("config-inited", _on_config_inited, priority=400)
    app.connect("doctree-read", _on_doctree_read, priority=900)  # after the title collector
    app.connect("env-merge-info", _on_merge_info)
    app.connect("env-purge-doc", _on_purge_doc)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _write_downloads_and_info)
    app.add_css_file("book.css")
    search.setup(app)  # Pagefind search: page marking, search dialog, search.js
    assets.setup(app)  # page weight: each page loads only the theme assets it uses
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
