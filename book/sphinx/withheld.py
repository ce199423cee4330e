"""Solutions not yet released taken out of the parsed document, whatever brought them in.

The lab reader already blanks the solutions it can see in a page's own text
(``book.release.withhold``); a solution can also reach the document through ``{include}``, an
``{eval-rst}`` block, or a directive written in a way only docutils resolves. After
sphinx-exercise has merged its ``solution-start`` … ``solution-end`` spans (its transform at
priority 10), every solution node left in a page whose solutions this build withholds is removed,
with its content, before the page's labels, search text or HTML are made from it.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

try:
    from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node
except ImportError:  # pragma: no cover - sphinx-exercise is one of the course's requirements
    solution_node = solution_start_node = solution_end_node = None


class WithholdSolutions(SphinxTransform):
    default_priority = 11  # after sphinx-exercise's MergeGatedSolutions (10)

    def apply(self, **kwargs) -> None:
        reader = getattr(self.config, "book_reader", None)
        release = getattr(reader, "release", None)
        if release is None or solution_node is None:
            return
        path = str(self.env.doc2path(self.env.docname, base=False))
        if not release.withholds_solutions(path):
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


def setup(app: Sphinx) -> dict:
    app.add_transform(WithholdSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
