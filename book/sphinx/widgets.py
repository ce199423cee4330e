"""Jupyter widgets (ipywidgets) on a static page: shown in a static form, or a note saying so.

A widget's output is a reference to a live model (``application/vnd.jupyter.widget-view+json``)
that only a running kernel, or JavaScript loaded from a CDN with the notebook's saved widget state,
can draw. myst-nb publishes it as an empty ``<script>`` plus those CDN scripts: the page shows
nothing, and needs the network to show anything. Here, before myst-nb picks each output's form
(its ``SelectMimeType``, priority 4):

- an output that also carries a static form the page can show (an image, HTML, Markdown or LaTeX
  the object gave as its fallback, as ``ipympl``'s canvas does) is shown in that form;
- otherwise the output is replaced by a note in the course's words (``widget_note``), with a link
  to the lab's notebook (``widget_download``) where the page has one. A widget's ``text/plain``
  (``IntSlider(value=5)``, its Python ``repr``) is not a form of what it shows: it is not used.

The notebook's widget state and myst-nb's CDN scripts are left out of the page
(``CourseRenderer.render_nb_finalise`` in ``book.sphinx.figures``); the ``.ipynb`` download keeps
them, so the widgets come back when the notebook is run.
"""

from __future__ import annotations

from collections.abc import Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.osutil import relative_uri

WIDGET = "application/vnd.jupyter.widget-view+json"
# what a page can show in place of a widget, in myst-nb's order for HTML
STATIC_FORMS = (
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/gif",
    "image/jpeg",
    "text/markdown",
    "text/latex",
)
NOTE_CLASS = "widget-note"


def static_form(mime_types: Iterable[str]) -> str | None:
    """The static form a widget's output is shown in (the first of ``STATIC_FORMS`` it carries),
    or None: the page shows the note instead."""
    kinds = set(mime_types)
    return next((kind for kind in STATIC_FORMS if kind in kinds), None)


def _is_bundle(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"


class StaticWidgets(SphinxPostTransform):
    """Each widget output: its static form, else the note."""

    default_priority = 3  # before myst-nb chooses each output's form (SelectMimeType: 4)

    def run(self, **kwargs) -> None:
        for bundle in list(self.document.findall(_is_bundle)):
            kinds = [child.get("mime_type", "") for child in bundle.children]
            if WIDGET not in kinds:
                continue
            if static_form(kinds) is not None:
                for child in list(bundle.children):
                    if child.get("mime_type") == WIDGET:
                        bundle.remove(child)
            else:
                bundle.replace_self(self.note())

    def note(self) -> nodes.container:
        words = self.config.book_words
        text = nodes.paragraph()
        text += nodes.Text(words("widget_note"))
        download = self.download()
        if download:
            text += nodes.Text(" ")
            text += nodes.reference("", words("widget_download"), refuri=download)
        return nodes.container("", text, classes=[NOTE_CLASS])

    def download(self) -> str | None:
        """The link from this page to its notebook (a lab's ``.ipynb`` download), if it has one."""
        from book.sphinx.domain import course_domain

        docname = self.env.docname
        if self.app.builder.format != "html" or docname not in course_domain(self.env).labs:
            return None
        page = self.app.builder.get_target_uri(docname)
        return relative_uri(page, f"_sources/{docname}.ipynb")


def setup(app: Sphinx) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.add_post_transform(StaticWidgets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
