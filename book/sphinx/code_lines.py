"""Code that wraps on narrow screens without lying about its indentation.

With ``display: code-overflow: wrap`` a long line of code breaks to the screen's width. A plain
``pre-wrap`` puts the rest of the line at column 0, where it reads as a line outside its block (the
end of a line inside a ``for`` loop shown under the loop). Here each line of highlighted code
becomes a block of its own that carries its indentation (``--indent``, in characters), so
``static/book.css`` can hang its continuation further in than the line itself.

Only tags are added: the text of the code (what the copy button and a selection copy) is unchanged,
in the same order, each line's newline inside its block.
"""

from __future__ import annotations

import re

_CODE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre>)', re.DOTALL)
_TAG = re.compile(r"(<[^>]*>)")
_INDENT = re.compile(r"[ \t]*")


def _take_indent(line_html: str) -> tuple[str, str]:
    """The line's leading white space, and the line without it (its tags all kept)."""
    indent, rest, leading = "", [], True
    for part in _TAG.split(line_html):
        if leading and part and not part.startswith("<"):
            space = _INDENT.match(part).group()  # type: ignore[union-attr]
            indent += space
            part = part[len(space) :]
            leading = not part
        rest.append(part)
    return indent, "".join(rest)


def split_lines(code: str) -> list[str]:
    """The lines of highlighted code (the HTML inside ``<pre>``), each closing the spans that are
    open at its end and the next one reopening them (a string or comment over several lines)."""
    lines: list[str] = []
    open_tags: list[str] = []
    current = ""
    for part in _TAG.split(code):
        if part.startswith("<"):
            if part.startswith("</"):
                if open_tags:
                    open_tags.pop()
            elif not part.endswith("/>"):
                open_tags.append(part)
            current += part
            continue
        first, *rest = part.split("\n")
        current += first
        for piece in rest:
            lines.append(current + "</span>" * len(open_tags))
            current = "".join(open_tags) + piece
    lines.append(current)
    return lines


def hang(code: str) -> str:
    """Each line in a ``code-line`` block that knows its indentation, newline included."""
    lines = split_lines(code)
    last = lines.pop()  # after the final newline: usually nothing but closed empty spans
    out = "".join(_line(line, "\n") for line in lines)
    return out + (_line(last, "") if _TAG.sub("", last) else last)


def _line(line: str, end: str) -> str:
    # the indentation and the rest apart: the line may not wrap between them (book.css), or a
    # long first word would leave the indentation alone on a line of its own
    indent, rest = _take_indent(line)
    return (
        f'<span class="code-line" style="--indent: {len(indent.expandtabs(4))}">'
        f'<span class="code-indent">{indent}</span><span class="code-text">{rest}{end}</span>'
        "</span>"
    )


def hang_code(body: str) -> str:
    """Every highlighted code block of a page body, its lines hung (see ``hang``)."""
    return _CODE.sub(lambda m: m[1] + hang(m[2]) + m[3], body)
