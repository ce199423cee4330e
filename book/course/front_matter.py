"""A page's front matter found as MyST's parser finds it: the ``front_matter`` token that myst-nb
reads the page's metadata from (markdown-it with mdit-py-plugins' ``front_matter`` rule), so what a
lab says about itself is the same in ``book.course.labs`` and on its page.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from book.errors import BookError


def front_matter_error(rel: str | None, exc: yaml.YAMLError) -> BookError:
    """Invalid YAML between the opening '---' lines, at the line where the construct starts."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return BookError(
        rel,
        mark.line + 2 if mark else 1,
        f"invalid YAML front matter: {problem}",
        "the front matter is the block between the '---' lines at the top",
    )


@lru_cache(maxsize=1)
def _front_matter_parser():
    """MyST's parser with its ``front_matter`` plugin (commonmark: indented code on, as MyST),
    and the plugin's rule; imported when a lab is first parsed, not with this module."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    parser = MarkdownIt("commonmark").use(front_matter_plugin)
    rule = next(r.fn for r in parser.block.ruler.__rules__ if r.name == "front_matter")
    return parser, rule


# a line that may close front matter (the rule decides): dashes, or YAML's "..." end marker
_CLOSING = re.compile(r"^ {0,3}-{3,}[ \t]*$|^\.\.\.[ \t]*$", re.M)


def front_matter(text: str) -> tuple[str, int] | None:
    """A page's front matter as MyST's parser finds it (the ``front_matter`` token myst-nb reads
    the page's metadata from), and the first line after it; None: the page has none.

    The plugin's own rule decides, run alone on the page's block state (what the parser does
    first). It reads the page line by line up to the line that closes the front matter; so that
    a long lab is not split into lines to the end on every build, it is given the page up to each
    line that could close it in turn, and the whole page when none does: the answer is the one
    the rule gives on the whole page."""
    if not text.startswith("-"):
        return None  # the rule's own first test
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore, normalize
    from markdown_it.token import Token

    parser, rule = _front_matter_parser()
    core = StateCore(text + "\n", parser, {})
    normalize(core)  # as the parser does first: line endings, NUL characters
    src = core.src
    ends = [m.end() + 1 for m in _CLOSING.finditer(src, src.find("\n") + 1)]
    for end in [*ends[:3], len(src)]:
        tokens: list[Token] = []
        state = StateBlock(src[:end], parser, {}, tokens)
        if rule(state, 0, state.lineMax, False) and tokens:
            token = tokens[0]
            if token.type != "front_matter" or not token.map:
                return None
            return token.content, token.map[1] + 1
    return None
