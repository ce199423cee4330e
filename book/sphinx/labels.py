"""What a page says about execution: a "Not run in this build" label on each cell that did not
run, and, on a page with gated cells, the build's setting of the flags they use (a line at the end
of the lab, a ``<meta>``).

Reading only marks the cells (a ``not_run`` node, no text); the words are made when the page is
written, from ``book_flags`` and ``book_flag_help``. A page states only the flags its own cells
use, so a flip of a flag re-reads and rewrites just the pages gated on it (``navigation``), and a
changed flag help text (the ``"html"`` rebuild scope) rewrites the pages without re-reading them.
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.application import Sphinx

from book.sphinx.domain import course_domain


class not_run(nodes.General, nodes.Element):  # noqa: N801  docutils names nodes in lower case
    """A code cell that this build did not execute; ``flag`` is its flag, or "" for never;
    ``stale``: the date of a recording that no longer matches the code."""


class recorded(nodes.General, nodes.Element):  # noqa: N801
    """A gated cell showing outputs recorded elsewhere (``_freeze/``): ``flag``, ``date``,
    ``device`` and ``packages`` (name -> version) say where and when."""


def label_html(flag: str, flag_help: dict[str, dict[str, str]], stale: str = "") -> str:
    """To the reader first (what to do in their own notebook), then to whoever builds the site."""
    if flag:
        spec = flag_help.get(flag) or {}
        enable = spec.get("enable") or f"make html FLAGS={flag}"
        needs = [n.strip() for n in spec.get("requires", "").split(",") if n.strip()] or [flag]
        names = " and ".join(f"<code>{html.escape(n)}</code>" for n in needs)
        why = (
            f"this cell needs {names}, which this site was built without. To run it in your "
            f"own notebook, install it (<code>pip install {html.escape(' '.join(needs))}"
            "</code>; see Setting up Python) and run the cell. "
            '<span class="cell-not-run-builder">Building the site: '
            f"<code>{html.escape(enable)}</code> runs it.</span>"
        )
    else:
        why = (
            "this cell is shown for reading and is not run here (the lab marks it "
            "<code>eval: false</code>); you can still run it in your own notebook."
        )
    if stale:
        why += (
            f" An output recorded on {html.escape(stale)} is not shown: the code has changed since."
        )
    return (
        '<p class="cell-not-run" role="note">'
        f'<span class="cell-not-run-badge">Not run on this page</span>: {why}</p>'
    )


def recorded_html(node: recorded, flag_help: dict[str, dict[str, str]]) -> str:
    flag, packages = node["flag"], node["packages"]
    wanted = [m.strip() for m in (flag_help.get(flag) or {}).get("requires", "").split(",")]
    shown = [f"{name} {packages[name]}" for name in wanted if name in packages] or [
        f"{name} {v}" for name, v in sorted(packages.items())
    ]
    with_ = f" with {', '.join(shown)}" if shown else ""
    needs = " and ".join(f"<code>{html.escape(n)}</code>" for n in wanted if n) or "its flag"
    enable = (flag_help.get(flag) or {}).get("enable") or f"make html FLAGS={flag}"
    return (
        '<p class="cell-not-run cell-recorded" role="note">'
        f'<span class="cell-not-run-badge">Recorded output</span>: this cell needs {needs}, '
        "which this site was built without; the output below was recorded on "
        f"{html.escape(node['date'])}{html.escape(with_)} on {html.escape(node['device'])}. "
        "To run it in your own notebook, install it (<code>pip install "
        f"{html.escape(' '.join(n for n in wanted if n) or flag)}</code>; see Setting up "
        "Python) and run the cell. "
        '<span class="cell-not-run-builder">Building the site: '
        f"<code>{html.escape(enable)}</code> runs it; this build used the recording.</span></p>"
    )


def flags_note_html(flags: dict[str, bool]) -> str:
    if not flags:
        return '<p class="build-flags">Built with no execution flags.</p>'
    states = ", ".join(
        f"<code>{html.escape(name)}</code> {'on' if on else 'off'}"
        for name, on in sorted(flags.items())
    )
    return f'<p class="build-flags">Built with flags: {states}.</p>'


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code":
            continue
        meta = (container.get("cell_metadata") or {}).get("book") or {}
        if meta.get("ran") is not False:
            continue
        flag = meta.get("eval")
        rec = meta.get("recorded") or {}
        if rec and not rec.get("stale"):
            container.insert(
                0,
                recorded(
                    flag=flag,
                    date=rec["date"],
                    device=rec["device"],
                    packages=dict(rec.get("packages") or {}),
                ),
            )
        else:
            container.insert(
                0, not_run(flag=flag if isinstance(flag, str) else "", stale=rec.get("date", ""))
            )
        container["classes"].append("cell-not-run-container")


def _visit_html(self, node: not_run) -> None:
    self.body.append(label_html(node["flag"], self.builder.config.book_flag_help, node["stale"]))
    raise nodes.SkipNode


def _visit_recorded_html(self, node: recorded) -> None:
    self.body.append(recorded_html(node, self.builder.config.book_flag_help))
    raise nodes.SkipNode


def _skip(self, node: not_run) -> None:
    raise nodes.SkipNode


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A page with gated cells states the build's setting of those flags (and only of those: a
    flip of any other flag leaves the page as it is, so the build does not write it again)."""
    gated = course_domain(app.env).gated.get(pagename) or []
    if not gated:
        return
    build_flags = app.config.book_flags or {}
    flags = {name: bool(build_flags.get(name)) for name in gated}
    context["body"] = context.get("body", "") + flags_note_html(flags)
    states = ", ".join(f"{n}={'on' if v else 'off'}" for n, v in sorted(flags.items()))
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="course-build-flags" content="{html.escape(states)}">'
    )


def setup(app: Sphinx) -> dict:
    skip = (_skip, None)  # other builders: no label
    app.add_node(not_run, html=(_visit_html, None), latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_node(
        recorded, html=(_visit_recorded_html, None), latex=skip, text=skip, man=skip, texinfo=skip
    )
    app.connect("doctree-read", _on_doctree_read)
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
