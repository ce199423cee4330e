"""What a page says about execution: a "Not run in this build" label on each cell that did not
run, and, on a page with gated cells, the build's setting of the flags they use (a line at the end
of the lab, a ``<meta>``).

Reading only marks the cells (a ``not_run`` node, no text); the words are made when the page is
written, from ``book_flags`` and ``book_flag_help``. Recorded outputs (``_freeze/``) are explained
once per lab and flag, in a note before the first such cell; each recorded cell carries a short mark
linking to it. How a reader installs what a cell needs is the site's own "Install ..." section (the
set-up page's), linked, with its command; how the site is built is said in the instructor build
only. A page states only the flags its own cells
use, so a flip of a flag re-reads and rewrites just the pages gated on it (``navigation``), and a
changed flag help text (the ``"html"`` rebuild scope) rewrites the pages without re-reading them.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from sphinx.application import Sphinx

from book.sphinx.domain import course_domain


class not_run(nodes.General, nodes.Element):  # noqa: N801  docutils names nodes in lower case
    """A code cell that this build did not execute; ``flag`` is its flag, or "" for never;
    ``stale``: the date of a recording that no longer matches the code."""


class recorded(nodes.General, nodes.Element):  # noqa: N801
    """A gated cell showing outputs recorded elsewhere (``_freeze/``): ``flag``, ``date``,
    ``device`` and ``packages`` (name -> version) say where and when; ``first``: the lab's first
    cell recorded for this flag, which carries the note all its marks link to."""


def install_section(installs: dict[str, list[dict]], names: list[str]) -> tuple[str, dict] | None:
    """The site's "Install ..." section that names every one of ``names`` (the set-up page's
    "Install torch for the PyTorch sections"): its docname and section, or None."""
    for docname, sections in sorted(installs.items()):
        for section in sections:
            words = set(re.findall(r"[\w.+-]+", section["title"].lower()))
            if names and all(name.lower() in words for name in names):
                return docname, section
    return None


def install_html(names: list[str], install: tuple[str, str, str] | None, cells: str) -> str:
    """How a reader installs what a cell needs: the set-up page's command, linked to it; without
    such a page, pip. ``install``: (the section's URL, its title, its command)."""
    if install is None:
        return (
            f"install it (<code>pip install {html.escape(' '.join(names))}</code>) and run {cells}."
        )
    url, title, command = install
    return (
        f'install it as <a href="{html.escape(url)}">{html.escape(title)}</a> shows '
        f"(<code>{html.escape(command)}</code>) and run {cells}."
    )


def builder_html(enable: str, recorded: bool = False) -> str:
    """To whoever builds the site (the instructor build only): how to run the cells."""
    used = "; this build used the recording" if recorded else ""
    return (
        '<span class="cell-not-run-builder">Building the site: '
        f"<code>{html.escape(enable)}</code> runs {'them' if recorded else 'it'}{used}.</span>"
    )


def label_html(
    flag: str,
    flag_help: dict[str, dict[str, str]],
    stale: str = "",
    install: tuple[str, str, str] | None = None,
    instructor: bool = False,
) -> str:
    """To the reader first (what to do in their own notebook), then, in the instructor build, to
    whoever builds the site."""
    if flag:
        spec = flag_help.get(flag) or {}
        enable = spec.get("enable") or f"make html FLAGS={flag}"
        needs = _needs(flag, flag_help)
        names = " and ".join(f"<code>{html.escape(n)}</code>" for n in needs)
        why = (
            f"this cell needs {names}, which this site was built without. To run it in your "
            f"own notebook, {install_html(needs, install, 'the cell')}"
        )
        if instructor:
            why += " " + builder_html(enable)
    else:
        why = (
            "this cell is shown for reading and is not run here (the lab marks it "
            "<code>eval: false</code>); you can still run it in your own notebook."
        )
    if stale:
        why += f" An output recorded on {_date(stale)} is not shown: the code has changed since."
    return (
        '<p class="cell-not-run" role="note">'
        f'<span class="cell-not-run-badge">Not run on this page</span>: {why}</p>'
    )


def _needs(flag: str, flag_help: dict[str, dict[str, str]]) -> list[str]:
    spec = flag_help.get(flag) or {}
    return [n.strip() for n in spec.get("requires", "").split(",") if n.strip()] or [flag]


def _date(date: str) -> str:
    return f'<span class="nowrap">{html.escape(date)}</span>'  # never "2026-11-" / "29"


def recorded_id(flag: str) -> str:
    return f"recorded-outputs-{flag}"


def recorded_note_html(
    node: recorded,
    flag_help: dict[str, dict[str, str]],
    install: tuple[str, str, str] | None = None,
    instructor: bool = False,
) -> str:
    """Once per lab and flag, before its first recorded cell: where and when the outputs marked
    "Recorded output" were recorded, and how a reader runs those cells."""
    flag, packages = node["flag"], node["packages"]
    needs = _needs(flag, flag_help)
    shown = [f"{name} {packages[name]}" for name in needs if name in packages] or [
        f"{name} {v}" for name, v in sorted(packages.items())
    ]
    with_ = f" with {html.escape(', '.join(shown))}" if shown else ""
    names = " and ".join(f"<code>{html.escape(n)}</code>" for n in needs)
    enable = (flag_help.get(flag) or {}).get("enable") or f"make html FLAGS={flag}"
    builder = f" {builder_html(enable, recorded=True)}" if instructor else ""
    return (
        f'<div class="cell-recorded-note" id="{recorded_id(flag)}" role="note"><p>'
        '<span class="cell-not-run-badge">Recorded outputs</span>: the cells marked '
        f"“Recorded output” on this page need {names}, which this site was built without; "
        f"their outputs were recorded on {_date(node['date'])}{with_} on "
        f"{html.escape(node['device'])}. To run them in your own notebook, "
        f"{install_html(needs, install, 'the cells')}{builder}</p></div>"
    )


def recorded_mark_html(node: recorded) -> str:
    """On each recorded cell: a short mark that links to the lab's note."""
    return (
        '<p class="cell-not-run cell-recorded" role="note">'
        f'<a class="cell-not-run-badge" href="#{recorded_id(node["flag"])}">Recorded output</a>'
        f" of {_date(node['date'])}, not run in this build.</p>"
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
    course_domain(app.env).installs[app.env.docname] = install_sections(doctree)
    noted: set[str] = set()  # flags whose note this page already carries
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
                    first=flag not in noted,
                ),
            )
            noted.add(str(flag))
        else:
            container.insert(
                0, not_run(flag=flag if isinstance(flag, str) else "", stale=rec.get("date", ""))
            )
        container["classes"].append("cell-not-run-container")


def install_sections(doctree: nodes.document) -> list[dict]:
    """A page's sections headed "Install ...", with the first line of their first code block."""
    found = []
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        block = section.next_node(nodes.literal_block)
        if title is None or block is None or not section["ids"]:
            continue
        if title.astext().lower().startswith("install"):
            command = block.astext().strip().splitlines()[0]
            found.append({"title": title.astext(), "id": section["ids"][0], "command": command})
    return found


def _install(translator, flag: str) -> tuple[str, str, str] | None:
    """The set-up page's section installing what ``flag`` needs, as (URL, title, command)."""
    builder = translator.builder
    names = _needs(flag, builder.config.book_flag_help) if flag else []
    found = install_section(course_domain(builder.env).installs, names)
    if found is None:
        return None
    docname, section = found
    url = builder.get_relative_uri(builder.current_docname, docname) + "#" + section["id"]
    title = builder.env.titles[docname].astext() if docname in builder.env.titles else ""
    return url, title or section["title"], section["command"]


def _instructor(translator) -> bool:
    reader = translator.builder.config.book_reader
    return getattr(getattr(reader, "release", None), "audience", "public") == "instructor"


def _visit_html(self, node: not_run) -> None:
    flag_help = self.builder.config.book_flag_help
    install = _install(self, node["flag"])
    self.body.append(label_html(node["flag"], flag_help, node["stale"], install, _instructor(self)))
    raise nodes.SkipNode


def _visit_recorded_html(self, node: recorded) -> None:
    if node.get("first"):
        flag_help = self.builder.config.book_flag_help
        install = _install(self, node["flag"])
        self.body.append(recorded_note_html(node, flag_help, install, _instructor(self)))
    self.body.append(recorded_mark_html(node))
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
