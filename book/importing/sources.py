"""What a source to import holds, in reading order: a file, a folder, a Jupyter Book (its
``_toc.yml``) or a Quarto project (its ``_quarto.yml``).

Each document is an ``Entry``: its path, the part (chapter group) it is under, and whether it is
the book's root page (a course page, not a lab). Fragments (files other documents ``{include}``)
are found here too, so they are never taken for labs. Links out of the book (``url:`` entries) are
not documents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from book.errors import BookError
from book.importing.assets import includes

DOC_SUFFIXES = (".md", ".ipynb", ".qmd")
CODE_FENCE = re.compile(
    r"^(?P<f>`{3,}|~{3,})[ \t]*\{(?:code-cell|python|ipython3?)\}[^\n]*\n"
    r"(?P<code>.*?)^(?P=f)[ \t]*$",
    re.M | re.S,
)


@dataclass
class Entry:
    path: Path
    part: str | None = None
    root_page: bool = False


@dataclass
class Source:
    kind: str  # "file", "folder", "Jupyter Book", "Quarto project"
    project: Path  # the folder its absolute links (/_static/...) are relative to
    title: str | None
    author: str | None
    license: str | None
    entries: list[Entry]
    fragments: list[Path]
    config: dict


def _yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(
            str(path), mark.line + 1 if mark else None, f"invalid YAML: {exc}"
        ) from None
    return data if isinstance(data, dict) else {}


def _find(folder: Path, name: str) -> Path | None:
    for suffix in ("", *DOC_SUFFIXES):
        p = folder / (name + suffix)
        if p.is_file() and (suffix or p.suffix in DOC_SUFFIXES):
            return p
    return None


def read_source(src: Path) -> Source:
    src = src.resolve()
    if src.is_file() and src.name == "_toc.yml":
        return _jupyter_book(src.parent)
    if src.is_file() and src.name == "_quarto.yml":
        return _quarto(src.parent)
    if src.is_file():  # one document: authors and licence from its book's settings, if any
        book = next(
            (f for f in [src.parent, *src.parent.parents] if (f / "_toc.yml").is_file()), None
        )
        config = _yaml(book / "_config.yml") if book and (book / "_config.yml").is_file() else {}
        license = config.get("license") or (config.get("html") or {}).get("license")
        return _with_fragments(
            Source(
                "file",
                book or src.parent,
                None,
                people(config.get("author")),
                str(license) if license else None,
                [Entry(src)],
                [],
                config,
            )
        )
    if not src.is_dir():
        raise BookError("import", None, f"SRC={src} does not exist", "give a file or a folder")
    if (src / "_toc.yml").is_file():
        return _jupyter_book(src)
    if (src / "_quarto.yml").is_file():
        return _quarto(src)
    return _folder(src)


def people(value) -> str | None:
    if isinstance(value, list):
        names = [v.get("name") if isinstance(v, dict) else v for v in value]
        return ", ".join(str(n) for n in names if n) or None
    if isinstance(value, dict):
        return str(value.get("name") or "") or None
    return str(value) if value else None


def _jupyter_book(folder: Path) -> Source:
    toc = _yaml(folder / "_toc.yml")
    config = _yaml(folder / "_config.yml") if (folder / "_config.yml").is_file() else {}
    entries: list[Entry] = []

    def add(name: str, part: str | None, root_page: bool = False) -> None:
        found = _find(folder, str(name).strip().removeprefix("./"))
        if found is None:
            raise BookError(str(folder / "_toc.yml"), None, f"lists {name!r}, which is not there")
        entries.append(Entry(found, part, root_page))

    def walk(items, part):
        for item in items or []:
            if not isinstance(item, dict):
                continue
            if "file" in item:
                add(item["file"], part)
            elif "glob" in item:
                for p in sorted(folder.glob(str(item["glob"]))):
                    if p.suffix in DOC_SUFFIXES:
                        entries.append(Entry(p, part))
            for key in ("sections", "chapters"):
                walk(item.get(key), part)
            if "parts" in item:
                for p in item["parts"]:
                    walk(p.get("chapters") or p.get("sections"), p.get("caption") or part)

    if toc.get("root"):
        add(toc["root"], None, root_page=True)
    if "parts" in toc:
        for i, p in enumerate(toc["parts"] or [], 1):
            walk(p.get("chapters") or p.get("sections"), str(p.get("caption") or f"Part {i}"))
    walk(toc.get("chapters") or toc.get("sections"), None)
    license = (config.get("license") or (config.get("html") or {}).get("license")) or None
    return _with_fragments(
        Source(
            "Jupyter Book",
            folder,
            config.get("title"),
            people(config.get("author")),
            str(license) if license else None,
            entries,
            [],
            config,
        )
    )


def _quarto(folder: Path) -> Source:
    config = _yaml(folder / "_quarto.yml")
    book = config.get("book") or {}
    entries: list[Entry] = []

    def add(item, part):
        if isinstance(item, str):
            p = folder / item
            if p.is_file() and p.suffix in DOC_SUFFIXES:
                entries.append(Entry(p, part, root_page=p.stem == "index" and not entries))
        elif isinstance(item, dict) and "part" in item:
            part_name = str(item["part"])
            if part_name.endswith(DOC_SUFFIXES):  # a part given by a file: its page, then chapters
                page = part_name
                part_name = Path(page).stem.replace("-", " ").capitalize()
                add(page, part_name)
            for chapter in item.get("chapters") or []:
                add(chapter, part_name)

    for item in [*(book.get("chapters") or []), *(book.get("appendices") or [])]:
        add(item, None)
    if not book:
        for p in _documents(folder):
            entries.append(Entry(p, None, root_page=p.stem == "index"))
    title = book.get("title") or (config.get("website") or {}).get("title")
    license = book.get("license") or config.get("license")
    return _with_fragments(
        Source(
            "Quarto project",
            folder,
            title,
            people(book.get("author") or config.get("author")),
            str(license) if license else None,
            entries,
            [],
            config,
        )
    )


def _documents(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in DOC_SUFFIXES
        and p.is_file()
        and p.name != "README.md"
        and not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts)
        and "_build" not in p.parts
    )


def _folder(folder: Path) -> Source:
    entries = [Entry(p, None, root_page=p.stem == "index") for p in _documents(folder)]
    return _with_fragments(Source("folder", folder, None, None, None, entries, [], {}))


def document_text(path: Path) -> str:
    """The text of a document (a notebook: its cells' sources, one after another)."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n\n".join("".join(c.get("source") or "") for c in nb.get("cells", []))
    return path.read_text(encoding="utf-8")


def code_of(path: Path) -> list[str]:
    """The code of a document's cells."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return [
            "".join(c.get("source") or "") for c in nb.get("cells", []) if c["cell_type"] == "code"
        ]
    return [m.group("code") for m in CODE_FENCE.finditer(path.read_text(encoding="utf-8"))]


def _with_fragments(source: Source) -> Source:
    """Files included by others are fragments: out of the entries, listed on their own."""
    fragments: list[Path] = []
    for entry in source.entries:
        for found in includes(document_text(entry.path), entry.path.parent, source.project):
            if found not in fragments:
                fragments.append(found)
    source.fragments = fragments
    source.entries = [e for e in source.entries if e.path.resolve() not in fragments]
    return source
