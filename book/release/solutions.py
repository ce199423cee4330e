"""Solutions found as MyST's parser finds them: the lines of a page that sphinx-exercise's
``solution`` and ``solution-start`` … ``solution-end`` directives take up.

The text is parsed with MyST's own markdown-it parser (``myst_parser``'s ``create_md_parser``),
not matched line by line, so every spelling MyST accepts is a solution here too: backtick, tilde or
colon fences of any length, a space before the ``{``, any capitalisation (docutils looks directive
names up in lower case), a fence inside a blockquote or a list. MyST reads a directive's content as
Markdown of its own later, so the content of every directive that is not literal code (and of
every ``:::`` div, ``$$`` block or ``{eval-rst}`` block) is parsed again, at its own lines: a
solution inside a ``{note}`` is found too. Parsing with more block syntax than a course enables
(colon fences, math, definition lists, HTML admonitions) can only find more, never fewer.

Files brought in by ``{include}`` are read by Sphinx, not here: ``book.sphinx.withheld`` takes
solutions out of the parsed document as well, whatever brought them in.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

SOLUTION, START, END = "solution", "solution-start", "solution-end"
# directives whose content MyST does not read as Markdown
LITERAL = {"code-cell", "code", "code-block", "sourcecode", "raw-cell", "literalinclude", "raw"}
EXTENSIONS = {"colon_fence", "dollarmath", "amsmath", "deflist", "fieldlist", "html_admonition"}
# a solution written in reStructuredText inside ``{eval-rst}`` (docutils: any case, spaces)
RST_SOLUTION = re.compile(r"^\s*\.\.\s+solution(-start|-end)?\s*::", re.I | re.M)


@cache
def _parser() -> MarkdownIt:
    config = MdParserConfig(enable_extensions=EXTENSIONS)
    return create_md_parser(dataclasses.replace(config, disable_syntax=["inline"]), RendererHTML)


def _name(info: str) -> tuple[str, bool]:
    """A fence's directive name in lower case, and whether it is written as a directive
    (``{name}``); a plain fence's language otherwise."""
    parts = info.strip().split(maxsplit=1)
    name = parts[0] if parts else ""
    if name.startswith("{") and name.endswith("}"):
        return name[1:-1].lower(), True
    return name.lower(), False


def directives(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """``(kind, first, end)`` for each solution directive in ``text``, in source order, where
    ``kind`` is ``solution``, ``solution-start`` or ``solution-end`` and ``first``..``end`` are
    the lines (0-based, ``end`` excluded, plus ``offset``) the directive takes up."""
    found: list[tuple[str, int, int]] = []
    for token in _parser().parse(text):
        if token.map is None:
            continue
        first, end = token.map[0] + offset, token.map[1] + offset
        if token.type in ("fence", "colon_fence"):
            name, directive = _name(token.info)
            if name in (SOLUTION, START, END):  # a plain ```solution fence: withheld too
                found.append((name, first, end))
            elif name == "eval-rst":
                if RST_SOLUTION.search(token.content):
                    found.append((SOLUTION, first, end))
            elif token.type == "colon_fence" or (directive and name not in LITERAL):
                found += directives(token.content, first + 1)
        elif token.type in ("math_block", "math_block_label", "amsmath"):
            found += directives(token.content, first + 1)
    return found


def solution_lines(text: str, inside: bool = False) -> tuple[list[tuple[int, int]], int, bool]:
    """The line ranges (0-based, end excluded) that ``text``'s solutions take up; how many
    solutions start in it; and whether a ``solution-start`` span is still open at its end
    (``inside``: one was open before it, as in a notebook's earlier cell)."""
    ranges: list[tuple[int, int]] = []
    count, open_at = 0, 0 if inside else None
    for kind, first, end in directives(text):
        if open_at is not None:
            if kind == END:
                ranges.append((open_at, end))
                open_at = None
            continue
        if kind == SOLUTION:
            count += 1
            ranges.append((first, end))
        elif kind == START:
            count += 1
            open_at = first
        else:  # a solution-end with no start: nothing of a solution to keep either
            ranges.append((first, end))
    if open_at is not None:
        ranges.append((open_at, max(len(text.split("\n")), open_at + 1)))
    return ranges, count, open_at is not None


def blank_solutions(lines: list[str], inside: bool = False) -> tuple[list[str], int, bool]:
    """``lines`` with every solution blanked, line for line (errors keep their line numbers);
    how many solutions; whether a ``solution-start`` span is still open at the end."""
    ranges, count, still_open = solution_lines("\n".join(lines), inside)
    out = list(lines)
    for first, end in ranges:
        for i in range(first, min(end, len(out))):
            out[i] = ""
    return out, count, still_open


def has_solution(text: str) -> bool:
    return any(kind != END for kind, _, _ in directives(text))
