"""``publish: {trust: untrusted}``: what a page shows of HTML and JavaScript it did not write.

A course whose pages come from people it does not trust (CI building pull requests from students
or teaching assistants) publishes their HTML and scripts as text: nothing they wrote runs in a
reader's browser on the course's site.

- Outputs: where an output has a plain-text form, it is shown instead of its HTML, JavaScript,
  Markdown or widget form (a table's text, not its HTML; for ``display(HTML(...))`` that is
  IPython's ``<IPython.core.display.HTML object>``); images still win over text (the page loads
  them as image files, in which no script runs); an output with no text form is shown as its
  source, as text.
- Raw HTML anywhere (``<div>`` blocks and inline tags in Markdown, the ``{raw} html``
  directive, ``output: asis`` cells, HTML outputs): shown as its source, as text.
- Links whose address runs code (``javascript:``, ``vbscript:``, ``data:``): shown as their
  text, not as links.

``trusted`` (the default) is Jupyter Book's usual behaviour: the authors' HTML is published live.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

UNTRUSTED = "untrusted"
# after text/plain (100 in myst-nb's order): the plain form of an output wins over these
DEMOTED = {
    "application/vnd.jupyter.widget-view+json": 210,
    "application/javascript": 220,
    "text/html": 230,
    "text/markdown": 240,
}
CODE_SCHEMES = ("javascript:", "vbscript:", "data:")
CLASS = "untrusted-html"


def _on_config_inited(app: Sphinx, config: Config) -> None:
    if config.book_trust == UNTRUSTED:
        config.nb_mime_priority_overrides = [
            *config.nb_mime_priority_overrides,
            *(("*", mime, priority) for mime, priority in DEMOTED.items()),
        ]


class ShowHtmlAsText(SphinxPostTransform):
    """Raw HTML as its source text; links that run code as their text (untrusted only)."""

    default_priority = 900  # after myst-nb has chosen each output's form

    def run(self, **kwargs) -> None:
        if self.config.book_trust != UNTRUSTED:
            return
        for raw in list(self.document.findall(nodes.raw)):
            if "html" not in raw.get("format", "").split():
                continue
            text = raw.astext()
            inline = isinstance(raw.parent, nodes.TextElement)
            shown = nodes.literal(text, text) if inline else nodes.literal_block(text, text)
            shown["classes"].append(CLASS)
            shown["language"] = "text"
            raw.replace_self(shown)
        for ref in list(self.document.findall(nodes.reference)):
            uri = ref.get("refuri", "").strip().lower()
            if uri.startswith(CODE_SCHEMES):
                ref.replace_self(nodes.inline(ref.astext(), ref.astext(), classes=[CLASS]))


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_trust", "trusted", "env", types=[str])
    app.connect("config-inited", _on_config_inited, priority=600)
    app.add_post_transform(ShowHtmlAsText)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
