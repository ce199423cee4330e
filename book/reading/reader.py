"""Read a MyST markdown lab into the notebook that myst-nb executes and renders.

On top of myst-nb's own reader this:

- applies ``#|`` cell options and the build's flags (``cell_options``);
- replaces a ``{session-info}`` directive with a generated code cell (``session_info``);
- puts the page title "Week W, Session S — Title" and the byline from the ``lab:`` front matter
  at the top, so numbering lives in one place;
- turns execution off for pages without code (the home page, the setup guide).

One ``LabReader`` per build reads every page for the checks, the executor, Sphinx and the
downloads, so everything that decides what runs agrees on the same notebook and the same cache hash.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import yaml
from myst_nb.core.read import read_myst_markdown_notebook

from book import generator_hash
from book.config import yaml_fast
from book.config.words import ENGLISH, Words
from book.course.labs import decode_utf8, front_matter_error, lab_title
from book.errors import BookError
from book.reading import quarto
from book.reading.cache import cached_read
from book.reading.cell_options import apply_options, split_options
from book.reading.lab_limits import read_limits
from book.reading.lab_settings import check_lab_settings
from book.reading.recordings import apply_recording, load_recording, recording_path
from book.reading.session_info import imported_modules, session_info_code
from book.release.withhold import apply_release

if TYPE_CHECKING:
    from book.release.state import ReleaseState

SESSION_INFO = re.compile(
    r"^(`{3,}|:{3,})\{session-info\}[^\n]*\n(?:.*?\n)??\1[ \t]*$", re.M | re.S
)


def _title_cell(lab: dict, words: Words, license: object = None) -> nbformat.NotebookNode:
    """The page's title and byline: course, authors and (imported material's) licence."""
    byline = " · ".join(
        part
        for part in (
            str(lab.get("course", "")),
            ", ".join(lab.get("authors") or ()),
            words("licence", licence=license) if license else "",
        )
        if part
    )
    text = f"# {lab_title(lab, words)}\n"
    if byline:
        text += f"\n{{.lab-byline}}\n{byline}\n"
    return nbformat.v4.new_markdown_cell(text, metadata={"book": {"title": True}})


def _split_session_info(cell, modules: list[str], words: Words) -> list:
    """Split a markdown cell around ``{session-info}`` directives into markdown + code cells."""
    out = []
    rest = cell.source
    while True:
        m = SESSION_INFO.search(rest)
        if not m:
            break
        before = rest[: m.start()].strip("\n")
        if before:
            out.append(nbformat.v4.new_markdown_cell(before))
        code = nbformat.v4.new_code_cell(
            session_info_code(modules, words),
            metadata={"tags": ["hide-input"], "book": {"session_info": True}},
        )
        out.append(code)
        rest = rest[m.end() :]
    if not out:
        return [cell]
    if rest.strip("\n"):
        out.append(nbformat.v4.new_markdown_cell(rest.strip("\n")))
    return out


def check_front_matter(text: str, path: str | None) -> None:
    """Invalid YAML between the opening ``---`` lines is an error naming its line."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        raise BookError(path, 1, "front matter is not closed", "end it with a line '---'")
    try:
        yaml_fast.load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise front_matter_error(path, exc) from None


class LabReader:
    """Reads each page of a course once per build, for that build's flags, and owns the cache.

    The checks, the executor, Sphinx and the downloads all ask this one object, so they agree on
    one notebook (and so on jupyter-cache's hash). Parsed labs are kept in memory for this build
    and on disk (``cache_dir``) by content, so the next build does not parse unchanged labs.
    """

    def __init__(
        self,
        root: Path,
        known_flags: dict,
        flags: dict[str, bool],
        cache_dir: Path | None = None,
        release: ReleaseState | None = None,
        words: Words = ENGLISH,
    ):
        self.root = Path(root)
        self.known_flags = known_flags
        self.flags = dict(sorted(flags.items()))
        self.cache_dir = cache_dir
        self.release = release  # what is released, for whom (book.release.state); None: everything
        self.words = words  # the course's language: titles, banners, session info
        self._read: dict[tuple[str, str, str], nbformat.NotebookNode] = {}

    def __reduce__(self):
        # Sphinx pickles its configuration with the environment: keep the settings, not the pages
        return (
            LabReader,
            (self.root, self.known_flags, self.flags, self.cache_dir, self.release, self.words),
        )

    def __deepcopy__(self, memo):  # Jupyter Book copies configuration values; one reader per build
        return self

    def read(self, rel: str, shared: bool = False) -> nbformat.NotebookNode:
        """The page at ``rel`` (relative to the course, with its suffix) as a notebook."""
        text = decode_utf8(rel, (self.root / rel).read_bytes())
        return self.read_text(text, rel, shared)

    def read_text(self, text: str, rel: str, shared: bool = False) -> nbformat.NotebookNode:
        """``text`` as the page ``rel``; each caller gets its own copy, unless it only reads
        (``shared``: the checks, the executor's jobs; copying 100 labs costs a fifth of a second).

        Recorded outputs (``_freeze/``) of cells gated on flags that are off are filled in."""
        key = (rel, hashlib.sha256(text.encode()).hexdigest(), self.shape_key(rel))
        if key not in self._read:
            self._read[key] = self._from_disk(key, lambda: self._parse(text, rel))
        return self._read[key] if shared else copy.deepcopy(self._read[key])

    def shape_key(self, rel: str) -> str:
        """What shapes the page besides its text and the flags: its recording (``_freeze/``)
        and its release state. Sphinx reads a page again when this changes
        (``book.sphinx.navigation``)."""
        return self._recording_state(rel) + self.release_key(rel)

    def release_key(self, rel: str) -> str:
        """How the release shapes this page: solutions withheld, banners (its cache key)."""
        return "" if self.release is None else ";" + self.release.key(rel)

    def _parse(self, text: str, rel: str) -> nbformat.NotebookNode:
        nb = _read_lab(
            text, path=rel, known_flags=self.known_flags, active=self.flags, words=self.words
        )
        apply_release(nb, self.release, rel, self.words)
        record = load_recording(self.root, rel, self.known_flags)
        apply_recording(nb, record, self.flags, self.root)
        return nb

    def _recording_state(self, rel: str) -> str:
        """What the lab's recording is, for the cache key: its record and its figures."""
        path = recording_path(self.root, rel)
        try:
            state = [hashlib.sha256(path.read_bytes()).hexdigest()]
        except OSError:
            return "none"
        figures = path.with_suffix("")
        if figures.is_dir():
            state += [
                f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                for p in sorted(figures.iterdir())
            ]
        return ",".join(state)

    def _from_disk(self, key: tuple[str, str, str], read) -> nbformat.NotebookNode:
        if self.cache_dir is None:
            return read()
        base = (key, sorted(self.known_flags), generator_hash(), self.words)
        return cached_read(self.cache_dir, base, dict(self.flags), read)


def _read_lab(
    text: str,
    *,
    path: str | None = None,
    known_flags: dict | None = None,
    active: dict[str, bool] | None = None,
    words: Words = ENGLISH,
) -> nbformat.NotebookNode:
    known_flags = known_flags or {}
    active = active or {}
    check_front_matter(text, path)
    source_text = text
    if path and path.endswith(".ipynb"):
        nb = read_notebook(text, path)
        source_map = list(nb.metadata["source_cells"])
    else:
        line_map = None
        if path and path.endswith(".qmd"):
            text, line_map = quarto.to_myst(text, path)
        try:
            nb = read_myst_markdown_notebook(text, add_source_map=True, path=path)
        except Exception as exc:  # myst-nb raises plain errors for bad front matter / cells
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise BookError(
                path, None if line is None else line + 1, f"cannot read as a MyST notebook: {exc}"
            ) from exc
        source_map = list(nb.metadata.get("source_map", [0] * len(nb.cells)))
        if line_map is not None:  # lines of the .qmd, not of its MyST conversion
            source_map = [line_map[min(s, len(line_map) - 1)] for s in source_map]
        nb.metadata["source_map"] = source_map

    read_limits(nb.metadata, source_text, path)
    check_lab_settings(nb, text, path)
    code_sources = []
    for cell, start in zip(nb.cells, source_map, strict=False):
        if cell.cell_type != "code":
            continue
        where = cell_location(nb, start)
        opts, body = split_options(cell.source, path=path, line=where, known_flags=known_flags)
        cell.source = body
        apply_options(cell, opts, active)
        code_sources.append(body)

    modules = imported_modules(code_sources)
    cells, new_map = [], []
    lab = nb.metadata.get("lab")
    if isinstance(lab, dict):  # dates as YAML reads them are not JSON: keep them as written
        nb.metadata["lab"] = lab = {
            k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in lab.items()
        }
    if isinstance(lab, dict) and {"week", "session", "title"} <= set(lab):
        cells.append(_title_cell(lab, words, nb.metadata.get("license")))
        new_map.append(0)
    for cell, start in zip(nb.cells, source_map, strict=False):
        parts = (
            _split_session_info(cell, modules, words) if cell.cell_type == "markdown" else [cell]
        )
        cells.extend(parts)
        new_map.extend([start] * len(parts))
    for index, cell in enumerate(cells):  # stable ids: a rebuild makes the same notebook
        cell.id = hashlib.sha1(f"{path}:{index}".encode()).hexdigest()[:8]
    nb.cells = cells
    nb.metadata["source_cells" if "source_cells" in nb.metadata else "source_map"] = new_map

    if not any(c.cell_type == "code" for c in nb.cells):
        nb.metadata["mystnb"] = {"execution_mode": "off"}
    return nb


def read_notebook(text: str, path: str | None) -> nbformat.NotebookNode:
    """A Jupyter notebook as a lab: its cells with their outputs cleared (the build runs them)."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # JSON or schema errors
        raise BookError(
            path,
            None,
            f"cannot read as a Jupyter notebook: {exc}",
            "open and save it in Jupyter to repair it",
        ) from None
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if isinstance(cell.source, list):
            cell.source = "".join(cell.source)
    nb.metadata["source_cells"] = list(range(len(nb.cells)))
    return nb


def cell_location(nb: nbformat.NotebookNode, start: int) -> int | str:
    """Where a cell starts, as errors name it: the 1-based line of a ``.md`` or ``.qmd``
    (``start`` is its 0-based line) or the 1-based cell of a notebook (``start``: its index)."""
    return f"cell {start + 1}" if "source_cells" in nb.metadata else start + 1


def location_of(nb: nbformat.NotebookNode, index: int) -> int | str | None:
    """The location of the notebook's cell ``index`` in the source file."""
    starts = nb.metadata.get("source_cells", nb.metadata.get("source_map"))
    if starts and index < len(starts):
        return cell_location(nb, starts[index])
    return None


def restore_options(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy for students to download: the ``#|`` lines back in the code, build metadata gone."""
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("source_map", None)
    nb.metadata.pop("source_cells", None)
    nb.metadata.pop("mystnb", None)
    for cell in nb.cells:
        meta = cell.metadata.pop("book", None) or {}
        if cell.cell_type == "code" and meta.get("options"):
            cell.source = "\n".join([*meta["options"], cell.source])
    return nb
