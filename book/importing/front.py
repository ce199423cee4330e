"""A source document's front matter and its own ``# Title`` (which becomes the lab's title)."""

from __future__ import annotations

import re

import yaml

TITLE = re.compile(r"^#[ \t]+(.+?)[ \t]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")


def split_front(text: str) -> tuple[dict, str]:
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            if isinstance(meta, dict):
                return meta, "\n".join(lines[end + 1 :])
    return {}, text


def take_title(body: str) -> tuple[str | None, str]:
    """The first level-1 heading outside code, removed from the text."""
    lines, fence = body.split("\n"), None
    for i, line in enumerate(lines):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and (t := TITLE.match(line)):
            del lines[i]
            if i < len(lines) and not lines[i].strip():
                del lines[i]
            return t.group(1).strip(), "\n".join(lines)
    return None, body
