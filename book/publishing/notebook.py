"""The downloaded notebook reads as the page does: MyST-only markup becomes plain Markdown and HTML.

A lab is written in MyST (admonitions ``:::{note}``, roles such as ``{prereq}`week01/session02```,
attribute lines ``{.lab-byline}``, targets ``(name)=``, directives such as ``{session-info}``).
JupyterLab renders CommonMark with a little HTML and shows all of these as literal text. Before the
``.ipynb`` is published, ``export_markdown`` rewrites each markdown cell:

- admonitions become block quotes headed by their title (``> **Note**``);
- roles become what they show: links for ``{doc}`` and ``{prereq}`` (titled), ``$…$`` for
  ``{math}``, the text for the rest;
- links to other pages (``{doc}``, ``{prereq}``, ``[…](page.md)``) point at the published site when
  ``html.baseurl`` is set in ``_config.yml``, and are otherwise relative to the page (they work in
  a downloaded copy of the whole site, not from a lone notebook);
- attribute lines and inline attributes go, targets become HTML anchors, comments go;
- build-time directives (``{session-info}``, ``{tableofcontents}``) become a line pointing to the
  page.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from nbformat.v4 import new_markdown_cell

from book.config.words import ENGLISH, Words

ADMONITIONS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
    "admonition": "",
    "exercise": "Exercise",  # sphinx-exercise's: the label stays, an exercise's title after it
    "solution": "Solution",
}
CODE_DIRECTIVES = {"code", "code-block", "sourcecode", "code-cell"}
ON_THE_PAGE = {  # the directive -> what the download says is on the page (book/locale)
    "session-info": "download_session_info",
    "tableofcontents": "download_pages",
    "toctree": "download_pages",
}

_FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,}|~{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^:[\w-]+:")
_ATTR_LINE = re.compile(r"^\s*\{(?P<attrs>[#.][^{}]*)\}\s*$")
_TARGET = re.compile(r"^\s*\((?P<name>[^()\s]+)\)=\s*$")
_COMMENT = re.compile(r"^\s*%")
_INLINE = re.compile(r"(?P<role>\{(?P<name>[\w:-]+)\}`(?P<text>[^`]*)`)|(?P<code>`+[^`]*`+)")
# inline attributes: on a span "[text]{.c}" (the text stays), after a link "(url){.c}", or at the
# start
# of the text after a code span "`x`{.c}"
_INLINE_ATTRS = re.compile(r"(?:\[(?P<span>[^\]]*)\]|(?P<link>\))|^)\{[#.][^{}]*\}")
_MD_LINK = re.compile(r"\]\((?P<path>[^)\s:#]+)\.md(?P<anchor>#[^)\s]*)?\)")
_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")


@dataclass
class Pages:
    """How the exported notebook names and links other pages of the site."""

    docname: str  # this page, e.g. labs/week02/session03-tabular-nn-torch
    base_url: str  # the published site ("" when unknown: links relative to the page)
    title_of: Callable[[str], str | None]  # a docname's title
    prereq: Callable[[str], tuple[str, str] | None]  # "week01/session02" -> (title, docname)
    words: Words = ENGLISH  # the course's language
    admonitions: dict[str, str] = field(default_factory=lambda: dict(ADMONITIONS))  # titles

    def url(self, docname: str, anchor: str = "") -> str:
        if self.base_url:
            return f"{self.base_url.rstrip('/')}/{docname}.html{anchor}"
        here = posixpath.dirname(self.docname)
        return posixpath.relpath(f"{docname}.html", here or ".") + anchor

    def resolve(self, target: str) -> str:
        """A ``{doc}`` target (relative to this page, or /absolute) as a docname."""
        target = target.removesuffix(".md")
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), target))


def _role(name: str, text: str, pages: Pages) -> str:
    name = name.split(":")[-1]
    explicit = _EXPLICIT.match(text)
    title, target = (explicit["title"], explicit["target"]) if explicit else ("", text)
    if name == "prereq":
        found = pages.prereq(target)
        if found:
            return f"[{title or found[0]}]({pages.url(found[1])})"
    elif name == "doc":
        docname = pages.resolve(target)
        return f"[{title or pages.title_of(docname) or target}]({pages.url(docname)})"
    elif name == "math":
        return f"${text}$"
    elif name in ("sub", "sup", "kbd"):
        return f"<{name}>{text}</{name}>"
    return title or target


def _inline(line: str, pages: Pages) -> str:
    out, at = [], 0
    for m in _INLINE.finditer(line):
        out.append(_plain(line[at : m.start()], pages))
        out.append(_role(m["name"], m["text"], pages) if m["role"] else m["code"])
        at = m.end()
    out.append(_plain(line[at:], pages))
    return "".join(out)


def _plain(text: str, pages: Pages) -> str:
    text = _INLINE_ATTRS.sub(
        lambda m: m["span"] if m["span"] is not None else (m["link"] or ""), text
    )
    return _MD_LINK.sub(
        lambda m: f"]({pages.url(pages.resolve(m['path']), m['anchor'] or '')})", text
    )


def _directive(name: str, arg: str, body: list[str], pages: Pages) -> list[str]:
    while body and _OPTION.match(body[0].strip()):
        body = body[1:]
    if name in ADMONITIONS:
        base = pages.admonitions.get(name, ADMONITIONS[name])  # in the course's language
        title = arg.strip() or base
        if name == "exercise" and arg.strip():
            title = f"{base}: {arg.strip()}"
        elif name == "solution":  # its argument is the exercise's label, not a title
            title = base
        inner = _convert(body, pages)
        quoted = [f"> **{_inline(title, pages)}**", ">"] if title else []
        return [*quoted, *(f"> {line}".rstrip() for line in inner)]
    if name in CODE_DIRECTIVES:
        return [f"```{arg.strip()}", *body, "```"]
    if name == "math":
        return ["$$", *body, "$$"]
    if name in ON_THE_PAGE:
        words = pages.words
        link = f"[{words('download_this_page')}]({pages.url(pages.docname)})"
        return [f"*{words('download_on_page', what=words(ON_THE_PAGE[name]), page=link)}*"]
    return _convert(body, pages)  # any other directive: its content


def _convert(lines: list[str], pages: Pages) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE_OPEN.match(line)
        if fence:
            mark, indent = fence["fence"], fence["indent"]
            close = re.compile(rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$")
            end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines))
            body = [b[len(indent) :] if b.startswith(indent) else b for b in lines[i + 1 : end]]
            directive = _DIRECTIVE.match(fence["info"].strip())
            if directive:
                out += _directive(directive["name"], directive["arg"], body, pages)
            else:
                out += [line, *lines[i + 1 : end], *lines[end : end + 1]]
            i = end + 1
            continue
        target = _TARGET.match(line)
        if target:
            out.append(f'<a id="{target["name"]}"></a>')
        elif not (_ATTR_LINE.match(line) or _COMMENT.match(line)):
            out.append(_inline(line, pages))
        i += 1
    return out


def export_markdown(text: str, pages: Pages) -> str:
    """A markdown cell's MyST source as CommonMark (with a little HTML) that reads the same."""
    return "\n".join(_convert(text.split("\n"), pages))


def pages_for(app, docname: str) -> Pages:
    """How a page of this Sphinx build links the others (titles from the build's environment)."""
    from pathlib import Path

    from book.course.labs import find_session, lab_title, parse_session_ref, read_labs

    def title_of(name: str) -> str | None:
        title = app.env.titles.get(name)
        return title.astext() if title is not None else None

    def prereq(text: str) -> tuple[str, str] | None:
        ref = parse_session_ref(text)
        lab = find_session(read_labs(Path(app.srcdir)), *ref) if ref else None
        return (
            (lab_title(lab.lab or {}, app.config.book_words), lab.path.removesuffix(".md"))
            if lab
            else None
        )

    from sphinx.locale import admonitionlabels  # translated as the page's (Sphinx's catalogs)

    titles = {name: str(admonitionlabels.get(name, title)) for name, title in ADMONITIONS.items()}
    words = app.config.book_words
    return Pages(docname, app.config.html_baseurl or "", title_of, prereq, words, titles)


def recorded_markdown(recorded: dict, words: Words = ENGLISH) -> str:
    """Above a cell whose outputs were recorded elsewhere (``_freeze/``): what they are."""
    packages = ", ".join(f"{n} {v}" for n, v in sorted((recorded.get("packages") or {}).items()))
    with_ = words("recorded_with", packages=packages) if packages else ""
    text = words(
        "download_recorded",
        date=words.day(recorded["date"]),
        with_packages=with_,
        device=recorded["device"],
    )
    return f"*{text}*"


def mark_recorded(nb, words: Words = ENGLISH):
    """A line above each cell that shows recorded outputs, saying so (in place; before the build's
    cell metadata, which says which cells they are, is dropped)."""
    cells: list = []
    for cell in nb.cells:
        recorded = (cell.metadata.get("book") or {}).get("recorded") or {}
        if cell.cell_type == "code" and recorded and not recorded.get("stale"):
            note = new_markdown_cell(recorded_markdown(recorded, words))
            note.id = f"recorded-{len(cells)}"  # the same in every build (nbformat's is random)
            cells.append(note)
        cells.append(cell)
    nb.cells = cells
    return nb


def export_notebook(nb, pages: Pages):
    """Rewrite the markdown cells of ``nb`` (in place) and drop build-only cell metadata."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = export_markdown(cell.source, pages)
        cell.metadata.pop("mystnb", None)  # fig-cap / fig-alt are back in the #| lines
    return nb
