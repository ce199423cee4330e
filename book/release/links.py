"""Links to pages this build does not publish yet: what they point at, found by MyST's parser.

A session not yet released is left out of the build (``book.release.schedule``); a page that
links it with ``{doc}``, ``{ref}`` (a label in it) or a Markdown link would break. Under
``release: {links: unlinked}`` (the default) such a link is rendered as its text followed by
"(from DATE)" (``book.sphinx.unreleased``) and the course checks say where it is, as a warning
with its file and line; under ``links: error`` the checks refuse it, as a build used to.

``unreleased_pages`` says what each left-out page is called and which labels it holds;
``links_to`` finds a page's links to them. Both read the page with MyST's own markdown-it parser
(roles, link tokens, ``(label)=`` targets, ``:label:``/``:name:`` options), descending into the
content of directives as MyST does.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from book.course.labs import lab_title, read_lab_file
from book.release.solutions import EXTENSIONS, LITERAL, _name
from book.release.state import ReleaseState, shown

SUFFIXES = (".md", ".ipynb", ".qmd")


@cache
def _parser() -> MarkdownIt:
    config = MdParserConfig(enable_extensions=EXTENSIONS)
    return create_md_parser(dataclasses.replace(config), RendererHTML)


def _walk(text: str, offset: int = 0):
    """``(line, token)`` for every token of ``text`` and of the directives in it (0-based lines
    of ``text`` plus ``offset``); inline tokens carry the line of their block."""
    for token in _parser().parse(text):
        line = (token.map[0] if token.map else 0) + offset
        if token.type in ("fence", "colon_fence"):
            name, directive = _name(token.info)
            if token.type == "colon_fence" or (directive and name not in LITERAL):
                yield line, token
                yield from _walk(token.content, line + 1)
                continue
        yield line, token
        for child in token.children or ():
            yield line + token.content[: _find(token.content, child)].count("\n"), child


def _find(content: str, child) -> int:
    mark = child.content or child.attrs.get("href") or ""
    at = content.find(str(mark)) if mark else -1
    return max(at, 0)


def page_labels(text: str) -> set[str]:
    """The labels a page defines: ``(label)=`` targets and directives' ``:label:``/``:name:``
    (lower case, as Sphinx keeps them)."""
    labels = set()
    for _, token in _walk(text):
        if token.type == "myst_target":
            labels.add(token.content.strip().lower())
        elif token.type in ("fence", "colon_fence"):
            for row in token.content.split("\n"):
                if not row.startswith(":"):
                    break
                key, _, value = row[1:].partition(":")
                if key.strip() in ("label", "name") and value.strip():
                    labels.add(value.strip().lower())
    return labels


def markdown_of(root: Path, rel: str) -> str:
    """A page's Markdown: the file, or a notebook's markdown cells ("" when unreadable)."""
    try:
        text = (Path(root) / rel).read_text(encoding="utf-8")
        if not rel.endswith(".ipynb"):
            return text
        cells = json.loads(text).get("cells") or []
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return ""
    return "\n\n".join(
        "".join(c.get("source") or "")
        for c in cells
        if isinstance(c, dict) and c.get("cell_type") == "markdown"
    )


def unreleased_pages(root: Path, state: ReleaseState, hidden: list[str]) -> dict[str, dict]:
    """For each page left out (``hidden``: files, relative to the course), by docname: when it
    is released, its title (what a link without text shows) and the labels it holds."""
    pages = {}
    for rel in hidden:
        session = state.sessions.get(rel)
        lab = read_lab_file(Path(root), rel).lab or {}
        title = lab_title(lab) if {"week", "session", "title"} <= set(lab) else ""
        pages[rel.rsplit(".", 1)[0]] = {
            "from": shown(session.release) if session and session.release else "",
            "title": title,
            "labels": sorted(page_labels(markdown_of(root, rel))),
        }
    return pages


def doc_of(target: str, from_doc: str) -> str:
    """A link's target page as a docname: ``/abs/page``, ``../rel/page.md`` (from ``from_doc``)."""
    target = target.split("#", 1)[0].strip()
    if target.endswith(SUFFIXES):
        target = target.rsplit(".", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_doc), target))


def target_of(kind: str, target: str, from_doc: str, pages: dict[str, dict]) -> str | None:
    """The unreleased page a link of ``kind`` (``doc``, ``ref`` or a Markdown ``link``) to
    ``target`` points at, if it points at one."""
    if kind == "ref":
        label = target.strip().lower()
        return next((doc for doc, page in pages.items() if label in page["labels"]), None)
    if kind == "link" and ("://" in target or target.startswith(("#", "mailto:"))):
        return None
    if kind == "link":
        target = unquote(target)  # as MyST reads the link's address
    doc = doc_of(target, from_doc)
    return doc if doc in pages else None


def _role_target(content: str) -> str:
    """``text <target>`` or ``target``."""
    content = content.strip()
    if content.endswith(">") and "<" in content:
        return content[content.rindex("<") + 1 : -1]
    return content


def links_to(text: str, from_doc: str, pages: dict[str, dict]) -> list[tuple[int, str, str]]:
    """``(line, link as written, page)`` for each link of ``text`` (the page ``from_doc``) to a
    page in ``pages``; lines are 1-based."""
    lowered = text.lower() + unquote(text).lower()  # a link may percent-encode the name
    names = {doc.rsplit("/", 1)[-1].lower() for doc in pages}
    names |= {label for page in pages.values() for label in page["labels"]}
    if not any(name in lowered for name in names):
        return []  # no link can name them: the page is not parsed (checks run on every build)
    found = []
    for line, token in _walk(text):
        if token.type == "myst_role" and token.meta.get("name") in ("doc", "ref", "numref"):
            name = token.meta["name"]
            kind, target = ("doc" if name == "doc" else "ref"), _role_target(token.content)
            written = f"{{{name}}}`{token.content}`"
        elif token.type == "link_open":
            kind, target = "link", str(token.attrs.get("href") or "")
            written = f"({target})"
        else:
            continue
        doc = target_of(kind, target, from_doc, pages)
        if doc is not None:
            found.append((line + 1, written, doc))
    return found
