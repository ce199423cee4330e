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

from book.config.words import ENGLISH, Words
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


def _say(words: Words, key: str, **markup: str) -> str:
    """A message as HTML: its words escaped, the ``markup`` filled in as it is."""
    return html.escape(words.text(key), quote=False).format(**markup)


def _badge(words: Words, key: str) -> str:
    return f'<span class="cell-not-run-badge">{_say(words, key)}</span>'


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def install_html(
    names: list[str], install: tuple[str, str, str] | None, cells: str, words: Words = ENGLISH
) -> str:
    """How a reader installs what a cell needs: the set-up page's command, linked to it; without
    such a page, pip. ``install``: (the section's URL, its title, its command)."""
    if install is None:
        command = _code(f"pip install {' '.join(names)}")
        return _say(words, "install_pip", command=command, cells=_say(words, cells))
    url, title, command = install
    link = f'<a href="{html.escape(url)}">{html.escape(title)}</a>'
    shown = _say(words, cells)
    return _say(words, "install_linked", link=link, command=_code(command), cells=shown)


def builder_html(enable: str, recorded: bool = False, words: Words = ENGLISH) -> str:
    """To whoever builds the site (the instructor build only): how to run the cells."""
    key = "recorded_builder" if recorded else "not_run_builder"
    return f'<span class="cell-not-run-builder">{_say(words, key, command=_code(enable))}</span>'


def label_html(
    flag: str,
    flag_help: dict[str, dict[str, str]],
    stale: str = "",
    install: tuple[str, str, str] | None = None,
    instructor: bool = False,
    words: Words = ENGLISH,
) -> str:
    """To the reader first (what to do in their own notebook), then, in the instructor build, to
    whoever builds the site."""
    if flag:
        spec = flag_help.get(flag) or {}
        enable = spec.get("enable") or f"make html FLAGS={flag}"
        needs = _needs(flag, flag_help)
        names = html.escape(words("names_and")).join(_code(n) for n in needs)
        how = install_html(needs, install, "the_cell", words)
        why = _say(words, "not_run_flag", names=names, install=how)
        if instructor:
            why += " " + builder_html(enable, words=words)
    else:
        why = _say(words, "not_run_never", option=_code("eval: false"))
    if stale:
        why += " " + _say(words, "stale_recording", date=_date(words.day(stale)))
    return (
        '<p class="cell-not-run" role="note">'
        + _say(words, "badge_note", badge=_badge(words, "not_run_badge"), note=why)
        + "</p>"
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
    words: Words = ENGLISH,
) -> str:
    """Once per lab and flag, before its first recorded cell: where and when the outputs marked
    "Recorded output" were recorded, and how a reader runs those cells."""
    flag, packages = node["flag"], node["packages"]
    needs = _needs(flag, flag_help)
    shown = [f"{name} {packages[name]}" for name in needs if name in packages] or [
        f"{name} {v}" for name, v in sorted(packages.items())
    ]
    with_ = words("recorded_with", packages=", ".join(shown)) if shown else ""
    names = html.escape(words("names_and")).join(_code(n) for n in needs)
    enable = (flag_help.get(flag) or {}).get("enable") or f"make html FLAGS={flag}"
    builder = f" {builder_html(enable, True, words)}" if instructor else ""
    note = _say(
        words,
        "recorded_note",
        badge=_say(words, "recorded_badge"),
        names=names,
        date=_date(words.day(node["date"])),
        with_packages=html.escape(with_),
        device=html.escape(node["device"]),
        install=install_html(needs, install, "the_cells", words),
    )
    badge = _badge(words, "recorded_notes_badge")
    return (
        f'<div class="cell-recorded-note" id="{recorded_id(flag)}" role="note"><p>'
        f"{_say(words, 'badge_note', badge=badge, note=note)}{builder}</p></div>"
    )


def recorded_mark_html(node: recorded, words: Words = ENGLISH) -> str:
    """On each recorded cell: a short mark that links to the lab's note."""
    badge = (
        f'<a class="cell-not-run-badge" href="#{recorded_id(node["flag"])}">'
        f"{_say(words, 'recorded_badge')}</a>"
    )
    mark = _say(words, "recorded_mark", badge=badge, date=_date(words.day(node["date"])))
    return f'<p class="cell-not-run cell-recorded" role="note">{mark}</p>'


def flags_note_html(flags: dict[str, bool], words: Words = ENGLISH) -> str:
    if not flags:
        return f'<p class="build-flags">{_say(words, "no_flags")}</p>'
    states = ", ".join(
        f"{_code(name)} {html.escape(words('flag_on' if on else 'flag_off'))}"
        for name, on in sorted(flags.items())
    )
    return f'<p class="build-flags">{_say(words, "flags", states=states)}</p>'


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
    config = self.builder.config
    install = _install(self, node["flag"])
    self.body.append(
        label_html(
            node["flag"],
            config.book_flag_help,
            node["stale"],
            install,
            _instructor(self),
            config.book_words,
        )
    )
    raise nodes.SkipNode


def _visit_recorded_html(self, node: recorded) -> None:
    config = self.builder.config
    if node.get("first"):
        install = _install(self, node["flag"])
        self.body.append(
            recorded_note_html(
                node, config.book_flag_help, install, _instructor(self), config.book_words
            )
        )
    self.body.append(recorded_mark_html(node, config.book_words))
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
    context["body"] = context.get("body", "") + flags_note_html(flags, app.config.book_words)
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
