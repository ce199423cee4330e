"""Links between imported lectures. A lecture's ``{doc}`` links name its siblings by their old
file names; ``make import`` rewrites them to the siblings' new names when those were imported
before, leaves them as text with a marker (``PENDING``) when not, and, when a sibling is imported
later, turns the earlier labs' links to it back into links (``relink_earlier``).
"""

from __future__ import annotations

import re
from pathlib import Path

PENDING = re.compile(r"\*(?P<text>[^*\n]+)\*<!-- doc: (?P<target>\S+) -->")
DOC_ROLE = re.compile(r"\{doc\}`(?:(?P<text>[^`<]*?)\s*<(?P<t1>[^>`]+)>|(?P<t2>[^`<>]+))`")


def relink_earlier(root: Path, labs, stem: str, docname: str, log) -> None:
    """Earlier imports whose ``{doc}`` links name this lecture by its old name now reach it."""
    for lab in labs:
        new = DOC_ROLE.sub(lambda m: _relink(m, stem, docname), lab.text)
        new = PENDING.sub(lambda m: _restore(m, stem, docname), new)
        if new != lab.text:
            (root / lab.path).write_text(new, encoding="utf-8")
            log(f"  {lab.path}: its {{doc}} links to {stem!r} now point to /{docname}")


def _restore(m: re.Match, stem: str, docname: str) -> str:
    """A link the import left as text (its page was not imported yet) becomes a link again."""
    target = m.group("target")
    if target.lstrip("/").removesuffix(".md").rsplit("/", 1)[-1] != stem:
        return m.group(0)
    return f"{{doc}}`{m.group('text')} </{docname}>`"


def _relink(m: re.Match, stem: str, docname: str) -> str:
    target = (m.group("t1") or m.group("t2")).strip()
    if target.lstrip("/").removesuffix(".md").rsplit("/", 1)[-1] != stem or target.startswith(
        "/labs/"
    ):
        return m.group(0)
    text = m.group("text")
    return f"{{doc}}`{text} </{docname}>`" if text else f"{{doc}}`/{docname}`"
