"""The ``{course-reference}`` directive: a reference table generated from the code
(``book.reference.tables``), e.g. ``cell-options`` in the course's guide, so the guide cannot
disagree with what the reader does."""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from book.reference.tables import TABLES


class CourseReference(SphinxDirective):
    required_arguments = 1  # the table's name: cell-options or configuration
    has_content = False

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in TABLES:
            raise self.error(f"unknown reference table {name!r}; known: {', '.join(TABLES)}")
        holder = nodes.container()
        text = StringList(TABLES[name]().splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(text, self.content_offset, holder)  # the page's own Markdown
        return list(holder.children)


def setup(app) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.add_directive("course-reference", CourseReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
