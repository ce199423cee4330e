"""What a page says about execution: a "Not run in this build" label on each cell that did not
run, and the build's flags (a line at the end of each lab, a ``<meta>`` on every page).

Reading only marks the cells (a ``not_run`` node, no text); the words are made when the page is
written, from ``book_flags`` and ``book_flag_help``, so a changed flag setting re-renders pages
without re-reading them (those values have the ``"html"`` rebuild scope).
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.application import Sphinx

from .domain import course_domain


class not_run(nodes.General, nodes.Element):  # noqa: N801  docutils names nodes in lower case
    """A code cell that this build did not execute; ``flag`` is its flag, or "" for never."""


def label_html(flag: str, flag_help: dict[str, dict[str, str]]) -> str:
    if flag:
        enable = (flag_help.get(flag) or {}).get("enable") or f"make html FLAGS={flag}"
        why = (f"needs the <code>{html.escape(flag)}</code> flag — run "
               f"<code>{html.escape(enable)}</code> to execute it")
    else:
        why = "marked <code>eval: false</code>; shown for reading, never executed"
    return ('<p class="cell-not-run" role="note">'
            f'<span class="cell-not-run-badge">Not run in this build</span>: {why}</p>')


def flags_note_html(flags: dict[str, bool]) -> str:
    if not flags:
        return '<p class="build-flags">Built with no execution flags.</p>'
    states = ", ".join(f"<code>{html.escape(name)}</code> {'on' if on else 'off'}"
                       for name, on in sorted(flags.items()))
    return f'<p class="build-flags">Built with flags: {states}.</p>'


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code":
            continue
        meta = (container.get("cell_metadata") or {}).get("book") or {}
        if meta.get("ran") is False:
            flag = meta.get("eval")
            container.insert(0, not_run(flag=flag if isinstance(flag, str) else ""))
            container["classes"].append("cell-not-run-container")


def _visit_html(self, node: not_run) -> None:
    self.body.append(label_html(node["flag"], self.builder.config.book_flag_help))
    raise nodes.SkipNode


def _skip(self, node: not_run) -> None:
    raise nodes.SkipNode


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    flags = app.config.book_flags or {}
    if pagename in course_domain(app.env).labs:
        context["body"] = context.get("body", "") + flags_note_html(flags)
    states = ", ".join(f"{n}={'on' if v else 'off'}" for n, v in sorted(flags.items()))
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="course-build-flags" content="{html.escape(states)}">')


def setup(app: Sphinx) -> dict:
    skip = (_skip, None)  # other builders: no label
    app.add_node(not_run, html=(_visit_html, None), latex=skip, text=skip, man=skip, texinfo=skip)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
