"""Figures as readers need them, the page half: described, and drawn light in dark mode.

myst-nb renders an image's ``alt`` only from cell metadata (``#| fig-alt``, see
``book.reading.cell_options``); without it, the HTML writer falls back to the image's file name.
``CourseRenderer``, myst-nb's render plugin ``course``, uses the description the kernel gave the
figure (``book.execution.figures``) instead, or failing that a plain "Figure", never a file name;
and it marks figures drawn in dark ink on a transparent background, which ``static/book.css``
turns light in dark mode.
"""

from __future__ import annotations

from myst_nb.core.render import NbElementRenderer

RENDER_PLUGIN = "course"  # its name under myst-nb's entry points (pyproject.toml)
FALLBACK_ALT = "Figure"
DARK_INK_CLASS = "figure-ink-dark"


def image_alt(cell_alt: str | None, output_metadata: dict | None) -> str:
    """The alt text of a figure: the author's ``fig-alt``, else the figure's own words."""
    if cell_alt:
        return cell_alt
    described = (output_metadata or {}).get("alt")
    return described if isinstance(described, str) and described.strip() else FALLBACK_ALT


class CourseRenderer(NbElementRenderer):
    """myst-nb's renderer with the course's figures: registered as the ``course`` render plugin
    (entry point ``myst_nb.renderers`` in pyproject.toml) and chosen by ``setup`` below."""

    def render_image(self, data):
        rendered = super().render_image(data)
        for node in rendered:
            if node.tagname == "image":
                node["alt"] = image_alt(node.get("alt"), data.output_metadata)
                # dark ink on a transparent background: the page's CSS turns the ink light in
                # dark mode (static/book.css)
                if (data.output_metadata or {}).get("needs_background") == "light":
                    node["classes"].append(DARK_INK_CLASS)
        return rendered

    def render_nb_finalise(self, metadata: dict) -> None:
        """myst-nb's, without the notebook's widget state and the widget scripts it loads from
        CDNs: the page shows widgets statically (``book.sphinx.widgets``); the notebook keeps
        them."""
        super().render_nb_finalise({k: v for k, v in metadata.items() if k != "widgets"})


def _use_course_renderer(app, config) -> None:
    if config.nb_render_plugin == "default":  # a course may name its own plugin instead
        config.nb_render_plugin = RENDER_PLUGIN


def setup(app) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.connect("config-inited", _use_course_renderer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
