"""What a lab page offers besides itself: its notebook as an ``.ipynb`` download (executed outputs,
``#|`` options back in the code), its PDF where the build makes them (``book_pdf``,
``book.publishing.pdf``: the download menu's ".pdf" links to it instead of printing the page), and
the site's ``build-info.json`` (flags, package versions, each lab's status and seconds)."""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat
from sphinx.application import Sphinx

from book import __version__
from book.publishing.notebook import export_notebook, mark_recorded, pages_for
from book.publishing.pdf import pdf_path
from book.publishing.staging import replace
from book.reading.reader import restore_options
from book.release.withhold import published_source
from book.sphinx.domain import course_domain

REPORTED_PACKAGES = (
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "sphinx-book-theme",
    "jupyter-cache",
    "ipykernel",
    "numpy",
    "matplotlib",
    "torch",
)


def package_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in REPORTED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    domain = course_domain(app.env)
    if pagename in domain.labs:
        context["ipynb_source"] = pagename + ".ipynb"  # the theme's download menu offers it
        domain.written.add(pagename)


def _link_pdf(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The theme's ".pdf" download button prints the page; with the build's PDFs, it links to the
    lab's PDF."""
    if not app.config.book_pdf or pagename not in course_domain(app.env).labs:
        return
    for group in context.get("header_buttons") or []:
        for button in group.get("buttons") or []:
            if button.get("label") == "download-pdf-button":
                button.pop("javascript", None)
                button.update(
                    type="link",
                    url=context["pathto"](pdf_path(pagename), 1),
                    tooltip="Download PDF",
                )


def _write_notebook(app: Sphinx, cache, docname: str) -> None:
    """The lab as students download it: executed outputs, ``#|`` options back in the code."""
    nb = app.config.book_reader.read(str(app.env.doc2path(docname, base=False)))
    try:
        _, nb = cache.merge_match_into_notebook(nb)
    except KeyError:
        pass  # not in the cache (execution off): publish the unexecuted notebook
    for cell in nb.cells:  # `#| warning: false`: what the page hides, the download hides too
        if (cell.get("metadata", {}).get("mystnb") or {}).get("output_stderr") == "remove":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    target = Path(app.outdir) / "_sources" / (docname + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    replace(target)  # a new file, never one linked to the published site
    # MyST-only markup as plain Markdown/HTML, so JupyterLab shows what the page shows
    nb = restore_options(mark_recorded(nb, app.config.book_words))  # recorded outputs say so
    nbformat.write(export_notebook(nb, pages_for(app, docname)), str(target))


def _write_source(app: Sphinx, docname: str) -> None:
    """The page's ``_sources/`` copy as this build may publish it (Sphinx copies the file as it is
    on disk: solutions not yet released included)."""
    rel = str(app.env.doc2path(docname, base=False))
    target = Path(app.outdir) / "_sources" / rel
    if not target.is_file() or rel.endswith(".ipynb"):  # a notebook's copy: _write_notebook's
        return
    text = (Path(app.srcdir) / rel).read_text(encoding="utf-8")
    published = published_source(app.config.book_reader.release, text, rel)
    if published != text:
        replace(target)  # a new file, never one linked to the published site
        target.write_text(published, encoding="utf-8")


def _lab_status(app: Sphinx, docname: str, started: float) -> tuple[str, float]:
    """From ``make html``'s execution report, else from myst-nb's own execution record."""
    from myst_nb.sphinx_ import NbMetadataCollector

    reported = app.config.book_execution_report.get(str(app.env.doc2path(docname, base=False)))
    if reported:
        return reported["status"], reported["seconds"]
    data = NbMetadataCollector.get_exec_data(app.env, docname) or {}
    status = "not executed"
    if data.get("succeeded"):
        status = "executed" if data.get("mtime", 0) >= started else "cached"
    return status, round(data.get("runtime") or 0.0, 3)


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from jupyter_cache import get_cache

    domain = course_domain(app.env)
    outdir = Path(app.outdir)
    # the folder myst-nb resolved (its default beside the output folder when none is set), never
    # the current folder: an unset path would make a cache there
    cache = get_cache(app.env.mystnb_config.execution_cache_path)  # type: ignore[attr-defined]
    labs = {}
    for docname, lab in sorted(domain.labs.items()):
        # pages Sphinx did not rewrite kept their notebook (the staging copy of the site)
        if docname in domain.written or not (outdir / "_sources" / f"{docname}.ipynb").exists():
            _write_notebook(app, cache, docname)
            _write_source(app, docname)
        status, seconds = _lab_status(app, docname, domain.started)
        labs[docname] = {**lab, "status": status, "seconds": seconds}
    info = {
        "generator": f"book {__version__}",
        "flags": app.config.book_flags or {},
        "python": platform.python_version(),
        "packages": package_versions(),
        "labs": labs,
    }
    (outdir / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_pdf", False, "html", types=[bool])
    app.connect("html-page-context", _on_page_context)
    app.connect("html-page-context", _link_pdf, priority=600)  # after the theme's buttons
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
