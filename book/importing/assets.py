"""The files an imported lab references, copied into the lab's own folder.

A lab ``labs/week07/session01-intro.md`` keeps what it references (``![](…)``, ``{figure}``,
``{image}``, ``<img src>``, ``{literalinclude}``, ``{include}``, data links) under
``labs/week07/session01-intro/``,
each file at its path inside the source project (``/_static/a/x.png`` →
``session01-intro/_static/a/x.png``), so two images of the same name never collide and a fragment
that refers to ``../_static/y.png`` still finds it. Links are rewritten relative to the file that
holds them. An ``{include}``d Markdown file is a *fragment*: copied (with what it references), never
a lab — ``book.course.labs.lab_paths`` skips files inside a lab's own folder.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

from book.importing.remote import REMOTE, FetchError, data_uri, fetch, local_name

REFS = [
    re.compile(r"!\[[^\]]*\]\((?P<p>[^)\s]+)"),
    re.compile(
        r"^[ \t]*(?:`{3,}|:{3,})\{(?:figure|image|literalinclude|include)\}[ \t]+(?P<p>\S+)", re.M
    ),
    re.compile(r"<img[^>]*?\ssrc=[\"'](?P<p>[^\"']+)[\"']"),
    re.compile(r"<img[^>]*?\ssrc=(?P<p>[^\"'\s>]+)"),  # HTML allows an unquoted address
    re.compile(r"\{\{<\s*include\s+(?P<p>\S+)\s*>\}\}"),  # a Quarto include shortcode
    re.compile(  # a link to a data file or a download (a link to a page is the links module's)
        r"(?<!!)\[[^\]\n]*\]\((?P<p>(?![a-z]+:)[^)\s#]+\."
        r"(?:csv|tsv|txt|json|xlsx?|zip|gz|py|pdf|dat|parquet|npy|npz|h5|png|jpe?g|svg|gif))\)"
    ),
]
INCLUDE = re.compile(
    r"^[ \t]*(?:`{3,}|:{3,})\{include\}[ \t]+(?P<p>\S+)|\{\{<\s*include\s+(?P<q>\S+)\s*>\}\}", re.M
)
TEXT_SUFFIXES = (".md", ".qmd", ".txt", ".rst")
MAX_EMBEDDED = 512 * 1024  # an <img>'s image goes into the page itself: no bigger than this


def referenced(text: str, base: Path, project: Path) -> list[tuple[str, Path]]:
    """(the reference as written, the file it names) for each local reference that exists."""
    out = []
    for pattern in REFS:
        for m in pattern.finditer(text):
            ref = m.group("p")
            found = resolve(ref, base, project)
            if found is not None:
                out.append((ref, found))
    return out


def resolve(ref: str, base: Path, project: Path) -> Path | None:
    if re.match(r"^[a-z]+:", ref) or ref.startswith("#"):
        return None
    path = ref.split("#")[0]
    found = (project / path.lstrip("/")) if path.startswith("/") else (base / path)
    return found.resolve() if found.is_file() else None


FIGURE_BLOCK = re.compile(
    r"^(?P<open>[ \t]*(?P<f>`{3,}|:{3,})\{figure\}[^\n]*\n)(?P<opts>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
    r"(?P<body>.*?)^[ \t]*(?P=f)[ \t]*$",
    re.M | re.S,
)


def figure_alt(text: str) -> str:
    """``{figure}``s without ``:alt:`` get their caption's words as alt text (else the page's
    alt text would be the image's file name)."""

    def one(m: re.Match) -> str:
        if ":alt:" in m.group("opts"):
            return m.group(0)
        caption = next((ln.strip() for ln in m.group("body").splitlines() if ln.strip()), "")
        words = re.sub(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^>`]*>)?`", r"\1", caption)
        words = " ".join(re.sub(r"[*_`$\\]|\[([^\]]*)\]\([^)]*\)", r"\1", words).split())
        if not words:
            return m.group(0)
        return m.group(0).replace(
            m.group("open") + m.group("opts"),
            m.group("open") + m.group("opts") + f":alt: {words}\n",
            1,
        )

    return FIGURE_BLOCK.sub(one, text)


IMAGES = REFS[:4]  # ![](…), {figure}/{image} (not {include}), <img src>
HTML_IMAGES = REFS[2:4]  # published as written: a downloaded image goes in as a data: address


def _shows_image(m: re.Match, pattern: re.Pattern) -> bool:
    if pattern is REFS[1]:
        return "{figure}" in m.group(0) or "{image}" in m.group(0)
    return pattern in IMAGES


def remote_images(text: str) -> list[str]:
    """Images ``text`` shows from the network (downloaded at import: ``book.importing.remote``)."""
    out = []
    for pattern in IMAGES:
        for m in pattern.finditer(text):
            if REMOTE.match(m.group("p")) and _shows_image(m, pattern) and m.group("p") not in out:
                out.append(m.group("p"))
    return out


def includes(text: str, base: Path, project: Path) -> list[Path]:
    """The fragments ``text`` includes (``{include}``, ``{{< include >}}``) that exist."""
    out = []
    for m in INCLUDE.finditer(text):
        found = resolve(m.group("p") or m.group("q"), base, project)
        if found is not None:
            out.append(found)
    return out


QUARTO_INCLUDE = re.compile(r"^[ \t]*\{\{<\s*include\s+(?P<p>\S+)\s*>\}\}[ \t]*$", re.M)


def paste_quarto_includes(text: str, base: Path, project: Path, log, depth: int = 0) -> str:
    """A Quarto document's ``{{< include f >}}`` lines replaced by the fragment's text (the
    course reads ``.qmd`` without Quarto, which is what expands them); the fragment's own
    includes too. A fragment that is not there stays, and the reader names its line."""

    def one(m: re.Match) -> str:
        found = resolve(m.group("p"), base, project)
        if found is None or depth > 5:
            return m.group(0)
        log(f"  fragment {m.group('p')}: its text pasted where it was included (Quarto include)")
        inner = found.read_text(encoding="utf-8").strip("\n")
        return paste_quarto_includes(inner, found.parent, project, log, depth + 1)

    return QUARTO_INCLUDE.sub(one, text)


def place(found: Path, project: Path, own: Path) -> Path:
    """Where a referenced file goes in the lab's own folder: its path inside the project."""
    try:
        return own / found.relative_to(project.resolve())
    except ValueError:
        return own / found.name


class Assets:
    """Copies into ``own`` what a lab (and the fragments it includes) reference."""

    def __init__(self, root: Path, project: Path, own: Path, log):
        self.root, self.project, self.own, self.log = root, project, own, log
        self.unresolved: list[str] = []
        self.copied: dict[Path, Path] = {}
        self.fetched: dict[str, tuple[Path, str] | str] = {}  # url -> (file, type), or why not

    def rewrite(
        self, text: str, base: Path, holder_dir: Path, where: str, origin: str | None = None
    ) -> str:
        """``text`` (of a file in ``base``, to be written in ``holder_dir``) with its references
        copied and rewritten, its remote images downloaded. ``where``: the file it comes from,
        for messages; ``origin``: that file's whole text, when ``text`` is a part of it (the lines
        named are that file's)."""

        def one(m: re.Match, pattern: re.Pattern) -> str:
            ref = m.group("p")
            if REMOTE.match(ref) and _shows_image(m, pattern):
                at = _at(where, text, m.start(), origin, ref)
                new = self.download(ref, holder_dir, pattern in HTML_IMAGES, at)
                return m.group(0).replace(ref, new) if new else m.group(0)
            if re.match(r"^[a-z]+:", ref) or ref.startswith("#"):
                return m.group(0)
            found = resolve(ref, base, self.project)
            if found is None:
                self.unresolved.append(
                    f"references {ref!r}, not found next to {where}: "
                    "copy it next to the lab and fix the link"
                )
                return m.group(0)
            target = self.copy(found)
            new = os.path.relpath(target, holder_dir).replace(os.sep, "/")
            return m.group(0).replace(ref, new)

        for pattern in REFS:
            text = pattern.sub(functools.partial(_swap, one, pattern), text)
        return text

    def download(self, url: str, holder_dir: Path, html: bool, at: str) -> str | None:
        """The new reference of the remote image ``url`` (downloaded once into the lab's folder):
        its path from ``holder_dir``, or for HTML its ``data:`` address; None if it could not be
        downloaded (named in ``unresolved``)."""
        if url not in self.fetched:
            try:
                data, kind = fetch(url)
            except FetchError as exc:
                self.fetched[url] = str(exc)
            else:
                target = self.own / local_name(url, kind)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                self.log(f"  downloaded {url} to {self._rel(target)}")
                self.fetched[url] = (target, kind)
        got = self.fetched[url]
        if isinstance(got, str):
            self.unresolved.append(
                f"{at}: the image {url} was not downloaded ({got}); the page shows it from the "
                f"network, missing offline: download it into {self._rel(self.own)}/ and point the "
                "reference at it, or remove it"
            )
            return None
        target, kind = got
        path = os.path.relpath(target, holder_dir).replace(os.sep, "/")
        if html and target.stat().st_size > MAX_EMBEDDED:
            self.unresolved.append(
                f"{at}: the image {url} was downloaded to {self._rel(target)} but is too large "
                f"to put in the page's HTML (over {MAX_EMBEDDED // 1024} KB); the page shows it "
                f"from the network, missing offline: write it as ![alt]({path}) instead of <img>"
            )
            return None
        return data_uri(target, kind) if html else path

    def copy(self, found: Path) -> Path:
        if found in self.copied:
            return self.copied[found]
        target = place(found, self.project, self.own)
        self.copied[found] = target
        target.parent.mkdir(parents=True, exist_ok=True)
        if found.suffix in TEXT_SUFFIXES and found.suffix != ".txt":  # a fragment: its own refs
            text = found.read_text(encoding="utf-8")
            target.write_text(
                self.rewrite(text, found.parent, target.parent, found.name), encoding="utf-8"
            )
            self.log(f"  fragment {found.name} -> {self._rel(target)} (included, not a lab)")
        else:
            shutil.copy2(found, target)
            self.log(f"  copied {found.name} to {self._rel(target)}")
        return target

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def _swap(one, pattern: re.Pattern, m: re.Match) -> str:
    return one(m, pattern)


def _at(where: str, text: str, start: int, origin: str | None, ref: str) -> str:
    """``file:line`` of a reference (``x.ipynb:cell 3, line 2`` in a notebook's cell)."""
    if origin is not None:
        found = origin.find(ref)
        line = origin.count("\n", 0, found) + 1 if found >= 0 else None
    else:
        line = text.count("\n", 0, start) + 1
    if line is None:
        return where
    return f"{where}, line {line}" if ":cell " in where else f"{where}:{line}"
