"""The course's Sphinx extension: what runs inside a Jupyter Book build, one part per module.

``setup`` below is the index. ``make html`` passes every setting through Sphinx config values
(``settings``); a plain ``jupyter-book build .`` works too, resolving them from ``_config.yml`` and
``BOOK_FLAGS`` and leaving execution in parallel, checks, search and the atomic publish to
``make html``.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from book import __version__

PARTS = (
    "book.sphinx.settings",  # config values, and the standalone `jupyter-book build` bootstrap
    "book.sphinx.hardlinks",  # no write goes through a hard link into the published site
    "book.sphinx.template_cache",  # the theme's templates compiled once, kept in _build
    "book.sphinx.domain",  # per-page course data (labs, flags used), kept with the environment
    "book.sphinx.parser",  # pages read by the course's lab reader (options, flags, titles)
    "book.sphinx.labels",  # "Not run in this build" labels and the build's flags on each page
    "book.sphinx.navigation",  # "Session S — Title" in the navigation; which pages to redo
    "book.sphinx.numbering",  # figures, tables, equations, exercises numbered from 1 on each page
    "book.sphinx.prereq",  # the {prereq} role: a titled link to an earlier session
    "book.sphinx.unreleased",  # links to pages not yet released: their text, "(from DATE)"
    "book.sphinx.withheld",  # solutions not yet released taken out of the parsed page
    "book.sphinx.downloads",  # the .ipynb downloads and build-info.json
    "book.sphinx.schedule_page",  # the {schedule} directive: sessions, dates, links once released
    "book.sphinx.redirect",  # index.html as a real page that redirects to the home page
    "book.sphinx.warnings",  # Sphinx warnings with what to do; bibtex_bibfiles loads bibtex
    "book.sphinx.mathjax",  # MathJax served from the site (math renders offline)
    "book.sphinx.search",  # Pagefind page marking and the search dialog
    "book.sphinx.launch",  # launch buttons as Jupyter Book's; Colab on notebook labs only
    "book.sphinx.assets",  # page weight: each page loads only the theme assets it uses
    "book.sphinx.figures",  # figures: alt text from the figure, never its file name
    "book.sphinx.widgets",  # ipywidgets outputs: their static form, or a note saying so
    "book.sphinx.reference",  # {course-reference}: tables generated from the code (cell options)
    "book.sphinx.display",  # code overflow setting, markup fixes, a lab's Next leads to a lab
    "book.sphinx.trust",  # publish: {trust: untrusted}: HTML and scripts shown as text
)


def setup(app: Sphinx) -> dict:
    for part in PARTS:
        app.setup_extension(part)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
