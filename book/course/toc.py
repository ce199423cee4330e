"""``_toc.yml`` as text and entries with their lines, for the checks and the scaffold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from book.config import yaml_fast
from book.errors import BookError

TOC_FILE = "_toc.yml"
WEEK_CAPTION = re.compile(r"^Week (\d+)$")
SOURCE_SUFFIXES = (".md", ".ipynb", ".qmd", ".rst")


@dataclass(frozen=True)
class TocEntry:
    docname: str  # as written, without a suffix
    line: int
    caption: str | None  # the part's caption, if under one

    @property
    def week(self) -> int | None:
        m = WEEK_CAPTION.match(self.caption or "")
        return int(m.group(1)) if m else None


def read_toc(root: Path) -> list[TocEntry]:
    """Every ``root:`` and ``file:`` entry of ``_toc.yml``, in order, with its line and caption."""
    try:
        text = (Path(root) / TOC_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BookError(TOC_FILE, None, "not found", "run from the course's top folder") from None
    return parse_toc(text)


def parse_toc(text: str) -> list[TocEntry]:
    try:
        node = yaml_fast.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(TOC_FILE, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from None
    entries: list[TocEntry] = []

    def walk(node, caption):
        if isinstance(node, yaml.MappingNode):
            pairs = {k.value: v for k, v in node.value}
            if "caption" in pairs and isinstance(pairs["caption"], yaml.ScalarNode):
                caption = pairs["caption"].value
            for key, value in node.value:
                if key.value in ("root", "file") and isinstance(value, yaml.ScalarNode):
                    name = value.value.strip().removeprefix("./")
                    entries.append(TocEntry(name, value.start_mark.line + 1, caption))
                else:
                    walk(value, caption)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, caption)

    walk(node, None)
    return entries


def source_of(root: Path, docname: str) -> str | None:
    """The file a toc entry names (``labs/x`` -> ``labs/x.md``), if it exists."""
    candidates = [docname] if docname.endswith(SOURCE_SUFFIXES) else []
    for rel in candidates + [docname + suffix for suffix in SOURCE_SUFFIXES]:
        if (Path(root) / rel).is_file():
            return rel
    return None


def outside_course(root: Path, docname: str) -> str | None:
    """Why a toc entry is not a file inside the course folder (links resolved), or None."""
    root = Path(root).resolve()
    if docname.startswith("/") or ".." in Path(docname).parts:
        return f"lists {docname!r}, which is outside the course folder"
    for rel in [docname] + [docname + suffix for suffix in SOURCE_SUFFIXES]:
        path = root / rel
        if path.exists() or path.is_symlink():
            real = path.resolve()
            if real != root and root not in real.parents:
                return (
                    f"lists {docname!r}, a symbolic link to {real}, which is outside the "
                    "course folder"
                )
    return None
