"""Solutions not yet released taken out of the parsed document, whatever brought them in.

The lab reader already blanks the solutions it can see in a page's own text
(``book.release.withhold``); a solution can also reach the document through ``{include}``, an
``{eval-rst}`` block, or a directive written in a way only docutils resolves. After
sphinx-exercise has merged its ``solution-start`` … ``solution-end`` spans (its transform at
priority 10), every solution node left in a page whose solutions this build withholds is removed,
with its content, before the page's labels, search text or HTML are made from it.

The instructor build keeps them, and the lab reader puts the "not yet released" banner before
each solution it sees in the page's text (``book.release.withhold``). A solution that another
file brought in (``{include}``: MyST marks each node it makes with the file it read it from) gets
the same banner here, placed just before it.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from book.config.words import ENGLISH
from book.release.withhold import solution_banner

try:
    from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node
except ImportError:  # pragma: no cover - sphinx-exercise is one of the course's requirements
    solution_node = solution_start_node = solution_end_node = None


def _source(node: nodes.Element) -> str | None:
    """The file a solution's content was read from. MyST marks every node it makes with the file
    it is reading; the solution's own node and title take the page's name after an ``{include}``,
    its content keeps the included file's."""
    for section in node.findall(nodes.section):
        for child in section.findall(nodes.Element, include_self=False):
            if child.source:
                return child.source
    return node.source


class WithholdSolutions(SphinxTransform):
    default_priority = 11  # after sphinx-exercise's MergeGatedSolutions (10)

    def apply(self, **kwargs) -> None:
        reader = getattr(self.config, "book_reader", None)
        release = getattr(reader, "release", None)
        if release is None or solution_node is None:
            return
        path = str(self.env.doc2path(self.env.docname, base=False))
        if not release.withholds_solutions(path):
            held = path in release.sessions and not release.solutions_released(path)
            if release.audience == "instructor" and held:
                words = getattr(reader, "words", ENGLISH)
                self._mark_included(solution_banner(release, path, words))
            return
        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)
        for start in list(self.document.findall(solution_start_node)):  # a span not merged
            parent = start.parent
            if parent is None:
                continue
            index = parent.index(start)
            for child in list(parent.children[index:]):
                parent.remove(child)
                if isinstance(child, solution_end_node):
                    break
        for end in list(self.document.findall(solution_end_node)):
            end.parent.remove(end)

    def _mark_included(self, banner: tuple[str, str]) -> None:
        """A banner before each solution that a file other than the page brought in."""
        page = Path(self.document["source"]).resolve()
        found = [*self.document.findall(solution_node), *self.document.findall(solution_start_node)]
        for node in found:
            source = _source(node)
            if node.parent is None or not source or Path(source).resolve() == page:
                continue
            title, text = banner
            note = nodes.admonition(
                "", nodes.title(title, title), nodes.paragraph(text, text), classes=["warning"]
            )
            note["classes"] += ["release-banner"]
            node.parent.insert(node.parent.index(node), note)


def setup(app: Sphinx) -> dict:
    app.add_transform(WithholdSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
