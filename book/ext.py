"""The Sphinx extension: wires the lab reader, flags and course pages into a Jupyter Book build.

Listed in ``_config.yml`` under ``sphinx.extra_extensions``. It

- resolves the build's flags at start-up and fails before any lab executes when a flag that is on
  needs a module that cannot be imported;
- gives myst-nb the lab reader (``nb_custom_formats``), with the current file's path for errors;
- labels cells that were not run, and records each page's flags;
- titles labs in the navigation "Session S — Title" (the page keeps "Week W, Session S — Title");
- adds the ``prereq`` role (``{prereq}`week01/session02```): a link to a session, titled;
- publishes each lab's notebook as an ``.ipynb`` download and writes ``build-info.json``.
"""

from __future__ import annotations

import html
import json
import os
import platform
import re
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

from . import __version__, assets, display, figures, search
from .config import active_flags, check_requirements, load_config
from .errors import BookError
from .fingerprint import generator_hash
from .labs import find_session, parse_session_ref, read_labs, session_ref
from .notebook_export import export_notebook, pages_for
from .reader import lab_title, nav_title, read_lab, restore_options

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
    written: set[str] = set()  # lab pages written in this build


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


def prereq_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{prereq}`week01/session02``` -> a link "Week 1, Session 2 — Title" to that lab."""
    env = inliner.document.settings.env
    ref = parse_session_ref(text)
    lab = find_session(read_labs(Path(env.srcdir)), *ref) if ref else None
    if lab is None:
        why = "no such session" if ref else f"name a session as {session_ref(1, 2)}"
        msg = inliner.reporter.error(f"{{prereq}}`{text}`: {why}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    env.note_dependency(str(Path(env.srcdir) / lab.path))  # re-read when its title changes
    node = addnodes.pending_xref(
        rawtext, refdomain="std", reftype="doc", reftarget="/" + lab.path.removesuffix(".md"),
        refexplicit=True, refwarn=True, refdoc=env.docname,
    )
    node += nodes.inline(rawtext, lab_title(lab.lab), classes=["xref", "std", "std-doc", "prereq"])
    return [node], []


def _on_config_inited(app: Sphinx, config) -> None:
    STATE.app = app
    STATE.started = time.time()
    STATE.written = set()
    try:
        STATE.config = load_config(app.srcdir)
        STATE.flags = active_flags(STATE.config)
        check_requirements(STATE.config, STATE.flags)
    except BookError as exc:
        raise SystemExit(f"error: {exc.format()}") from None
    # Sphinx re-reads every page when this changes (rebuild="env"): a new version of this
    # generator must never leave a page rendered the old way. (A flag flip re-reads only the
    # pages with cells under that flag: see _on_get_outdated.)
    config.book_generator = generator_hash()
    config.html_static_path = [*config.html_static_path, str(Path(__file__).parent / "static")]


def _enable_command(name: str) -> str:
    flag = STATE.config.flags[name]
    return flag.enable or f"make html FLAGS={name}"


def _label_html(meta: dict) -> str:
    """The label of a cell not run: to the reader first (what to do in their own notebook), then to
    whoever builds the site."""
    flag = meta.get("eval")
    if isinstance(flag, str):
        needs = STATE.config.flags[flag].requires or (flag,)
        names = " and ".join(f"<code>{html.escape(n)}</code>" for n in needs)
        why = (
            f"this cell needs {names}, which this site was built without. To run it in your own "
            f"notebook, install it (<code>pip install {html.escape(' '.join(needs))}</code>; see "
            f"Setting up Python) and run the cell. "
            f'<span class="cell-not-run-builder">Building the site: '
            f"<code>{html.escape(_enable_command(flag))}</code> runs it.</span>"
        )
    else:
        why = ("this cell is shown for reading and is not run here (the lab marks it "
               "<code>eval: false</code>); you can still run it in your own notebook.")
    return (
        '<p class="cell-not-run" role="note">'
        f'<span class="cell-not-run-badge">Not run on this page</span>: {why}</p>'
    )


def _flags_note_html() -> str:
    """A line at the end of each lab: the flags this page was built with."""
    if not STATE.flags:
        return '<p class="build-flags">Built with no execution flags.</p>'
    states = ", ".join(
        f"<code>{html.escape(name)}</code> {'on' if on else 'off'}"
        for name, on in sorted(STATE.flags.items())
    )
    return f'<p class="build-flags">Built with flags: {states}.</p>'


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    labs = env.__dict__.setdefault("book_labs", {})
    labs.pop(env.docname, None)
    flags_used, not_run = set(), 0
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code":
            continue
        book_meta = (container.get("cell_metadata") or {}).get("book") or {}
        if isinstance(book_meta.get("eval"), str):
            flags_used.add(book_meta["eval"])
        if book_meta.get("ran") is False:
            not_run += 1
            container.insert(0, nodes.raw("", _label_html(book_meta), format="html"))
            container["classes"].append("cell-not-run-container")
    env.__dict__.setdefault("book_flag_docs", {})[env.docname] = flags_used
    lab = _READ_LABS.pop(env.docname, None)
    if isinstance(lab, dict) and {"week", "session", "title"} <= set(lab):
        labs[env.docname] = {
            **{k: lab[k] for k in ("week", "session", "title")},
            "flags_used": sorted(flags_used),
            "cells_not_run": not_run,
        }
        # the navigation shows "Session S — Title" under its week; the page keeps its full title
        env.titles[env.docname] = nodes.title("", nav_title(lab))
        toc = env.tocs.get(env.docname)
        first = next(iter(toc.findall(nodes.reference)), None) if toc is not None else None
        if first is not None:
            first.children = [nodes.Text(nav_title(lab))]


def _on_get_outdated(app, env, added, changed, removed) -> list[str]:
    """Re-read the pages with cells under a flag that flipped; note titles to compare later."""
    env.book_titles_before = {d: t.astext() for d, t in env.titles.items()}
    env.book_docs_changed = bool(added or removed)
    before = getattr(env, "book_flags_read", None)
    env.book_flags_read = dict(STATE.flags)
    if before is None:
        return []
    flipped = {f for f in {*before, *STATE.flags} if before.get(f) != STATE.flags.get(f)}
    uses = getattr(env, "book_flag_docs", {})
    return sorted(d for d, used in uses.items() if used & flipped and d in env.found_docs)


def _pages_to_rewrite(app, env) -> list[str]:
    """Every page shows the navigation: when a title or the set of pages changed, rewrite all."""
    before = getattr(env, "book_titles_before", {})
    changed = any(before.get(d) != t.astext() for d, t in env.titles.items())
    if changed or getattr(env, "book_docs_changed", False):
        return sorted(env.found_docs)
    return []


def _on_merge_info(app, env, docnames, other) -> None:
    for key in ("book_labs", "book_flag_docs"):
        mine = env.__dict__.setdefault(key, {})
        mine.update({d: v for d, v in getattr(other, key, {}).items() if d in docnames})


def _on_purge_doc(app, env, docname) -> None:
    getattr(env, "book_labs", {}).pop(docname, None)
    getattr(env, "book_flag_docs", {}).pop(docname, None)


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if pagename in getattr(app.env, "book_labs", {}):
        context["ipynb_source"] = pagename + ".ipynb"
        STATE.written.add(pagename)
        context["body"] = context.get("body", "") + _flags_note_html()
    flags = ", ".join(f"{n}={'on' if v else 'off'}" for n, v in sorted(STATE.flags.items()))
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="course-build-flags" content="{html.escape(flags)}">'
    )


def _package_versions() -> dict[str, str | None]:
    found = {}
    for name in REPORTED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _write_notebook(app: Sphinx, cache, docname: str) -> None:
    """The lab as students download it: executed outputs, `#|` options back in the code."""
    source = Path(app.env.doc2path(docname))
    nb = read_lab(source.read_text(encoding="utf-8"), path=docname,
                  known_flags=STATE.config.flags, active=STATE.flags)
    try:
        _, nb = cache.merge_match_into_notebook(nb)
    except KeyError:
        pass  # not in the cache (execution off): publish the unexecuted notebook
    target = Path(app.outdir) / "_sources" / (docname + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    # MyST-only markup as plain Markdown/HTML, so JupyterLab shows what the page shows
    nb = export_notebook(restore_options(nb), pages_for(app, docname))
    nbformat.write(nb, str(target))


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
        # pages Sphinx did not rewrite kept their notebook (the staging copy of the site)
        if docname in STATE.written or not (outdir / "_sources" / f"{docname}.ipynb").exists():
            _write_notebook(app, cache, docname)
        exec_data = NbMetadataCollector.get_exec_data(app.env, docname) or {}
        status = "not executed"
        if exec_data.get("succeeded"):
            status = "executed" if exec_data.get("mtime", 0) >= STATE.started else "cached"
        seconds = round(exec_data.get("runtime") or 0.0, 3)
        from_driver = report.get(os.path.relpath(app.env.doc2path(docname), app.srcdir))
        if from_driver:
            status, seconds = from_driver["status"], from_driver["seconds"]
        labs_info[docname] = {**lab, "status": status, "seconds": seconds}
    info = {
        "generator": f"book {__version__}",
        "flags": STATE.flags,
        "python": platform.python_version(),
        "packages": _package_versions(),
        "labs": labs_info,
    }
    (outdir / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _complete_redirect_page(app: Sphinx, exception) -> None:
    """The bare ``index.html`` redirect (from sphinx-external-toc) as a real page, with a title
    and a link. Its icon is an empty data URL: a real icon would be fetched and then cancelled by
    the redirect, and none at all makes browsers request /favicon.ico (a 404)."""
    index = Path(app.outdir) / "index.html"
    if exception is not None or not index.is_file():
        return
    m = re.fullmatch(r'\s*<meta http-equiv="Refresh" content="0; url=([^"]+)" />\s*',
                     index.read_text(encoding="utf-8"))
    if m is None:
        return
    target = html.escape(m.group(1))
    title = html.escape(app.config.html_title or app.config.project)
    index.write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="icon" href="data:,"><meta http-equiv="Refresh" content="0; url={target}"></head>'
        f'<body><p><a href="{target}">{title}</a></p></body></html>\n',
        encoding="utf-8",
    )


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_generator", "", "env")
    app.add_role("prereq", prereq_role)
    app.connect("config-inited", _on_config_inited, priority=400)
    app.connect("doctree-read", _on_doctree_read, priority=900)  # after the title collector
    app.connect("env-merge-info", _on_merge_info)
    app.connect("env-get-outdated", _on_get_outdated)
    app.connect("env-get-updated", _pages_to_rewrite)
    app.connect("env-purge-doc", _on_purge_doc)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _write_downloads_and_info)
    app.connect("build-finished", _complete_redirect_page, priority=900)
    app.add_css_file("book.css")
    search.setup(app)  # Pagefind search: page marking, search dialog, search.js
    assets.setup(app)  # page weight: each page loads only the theme assets it uses
    figures.setup(app)  # figures: alt text from the figure, never its file name
    display.setup(app)  # code overflow setting, markup fixes, a lab's Next leads to a lab
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
