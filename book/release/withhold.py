"""Solutions withheld before their release, and the instructor build's "not yet released" banners.

Solutions are sphinx-exercise's: a ``{solution}`` block, or a ``{solution-start}`` …
``{solution-end}`` span whose code cells are part of the solution. Before a lab's ``solutions``
time the public build blanks them, line for line (errors keep their line numbers), from the
notebook the lab reader makes (so the page, the ``.ipynb`` download and the search index never hold
them, and their code is not run) and from the ``_sources/`` copy of the page. The exercise stays.
The instructor build keeps everything and puts a banner before each part students do not see yet.
"""

from __future__ import annotations

import hashlib
import re

import nbformat

from book.release.state import ReleaseState, shown

SOLUTION_START = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution(?P<kind>-start)?\}")
SOLUTION_END = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution-end\}")


def _closing(lines: list[str], start: int, fence: str) -> int:
    """The line closing the directive opened on ``start`` (the last line if none does)."""
    for j in range(start + 1, len(lines)):
        text = lines[j].strip()
        if text and set(text) == {fence[0]} and len(text) >= len(fence):
            return j
    return len(lines) - 1


def _span_end(lines: list[str], start: int) -> int | None:
    """The last line of the ``{solution-end}`` block at or after ``start``, if any."""
    for j in range(start, len(lines)):
        if m := SOLUTION_END.match(lines[j].lstrip()):
            return _closing(lines, j, m["fence"])
    return None


def blank_solutions(lines: list[str], inside: bool = False) -> tuple[list[str], int, bool]:
    """``lines`` with every solution blanked; how many solutions; and whether a
    ``{solution-start}`` span is still open at the end (``inside``: one was open before)."""
    out, count, i = list(lines), 0, 0
    while i < len(out):
        if inside:
            end = _span_end(out, i)
            stop = len(out) - 1 if end is None else end
            out[i : stop + 1] = [""] * (stop + 1 - i)
            inside, i = end is None, stop + 1
            continue
        m = SOLUTION_START.match(out[i].lstrip())
        if not m:
            i += 1
            continue
        count += 1
        close = _closing(out, i, m["fence"])
        out[i : close + 1] = [""] * (close + 1 - i)
        inside, i = bool(m["kind"]), close + 1
    return out, count, inside


def published_source(state: ReleaseState | None, text: str, rel: str) -> str:
    """A page's text as this build may publish it in ``_sources/``."""
    if state is None or not state.withholds_solutions(rel) or rel.endswith(".ipynb"):
        return text
    return "\n".join(blank_solutions(text.split("\n"))[0])


def _starts_key(nb: nbformat.NotebookNode) -> str:
    return "source_cells" if "source_cells" in nb.metadata else "source_map"


def withhold(nb: nbformat.NotebookNode) -> int:
    """Blank the notebook's solutions: markdown lines, and the code cells of a span; how many."""
    key = _starts_key(nb)
    starts = list(nb.metadata.get(key) or [0] * len(nb.cells))
    cells, kept, inside, count = [], [], False, 0
    for cell, start in zip(nb.cells, starts, strict=False):
        if cell.cell_type == "markdown":
            lines, found, inside_after = blank_solutions(cell.source.split("\n"), inside)
            if found or inside:
                cell.source = "\n".join(lines).strip("\n")
            count += found
            inside = inside_after
            if not cell.source.strip():
                continue
        elif inside:
            continue  # a code cell of a withheld solution: not published, not run
        cells.append(cell)
        kept.append(start)
    nb.cells = cells
    nb.metadata[key] = kept
    return count


def _banner(path: str, index: int, title: str, text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(
        f":::{{admonition}} {title}\n:class: warning release-banner\n{text}\n:::",
        metadata={"book": {"banner": True}},
    )
    cell.id = hashlib.sha1(f"{path}:banner:{index}".encode()).hexdigest()[:8]  # reproducible
    return cell


def mark_unreleased(nb: nbformat.NotebookNode, state: ReleaseState, path: str) -> None:
    """Instructor build: a banner under the title of a session not yet released, and before each
    solution not yet released, saying when students see it."""
    session = state.sessions.get(path)
    if session is None or state.solutions_released(path):
        return
    key = _starts_key(nb)
    starts = list(nb.metadata.get(key) or [0] * len(nb.cells))
    cells, kept = [], []
    for index, (cell, start) in enumerate(zip(nb.cells, starts, strict=False)):
        is_solution = cell.cell_type == "markdown" and any(
            SOLUTION_START.match(line.lstrip()) for line in cell.source.split("\n")
        )
        if is_solution:
            when = shown(session.solutions or session.release or state.now)
            cells.append(
                _banner(
                    path,
                    index,
                    f"Solution not yet released ({when})",
                    f"Students see this solution from {when}; this is the instructor build.",
                )
            )
            kept.append(start)
        cells.append(cell)
        kept.append(start)
        title = (cell.metadata.get("book") or {}).get("title")
        if (title or index == 0) and not state.released(path) and session.release:
            when = shown(session.release)
            cells.append(
                _banner(
                    path,
                    -1,
                    f"Not yet released ({when})",
                    f"Students see this session from {when}; this is the instructor build.",
                )
            )
            kept.append(start)
    nb.cells = cells
    nb.metadata[key] = kept


def apply_release(nb: nbformat.NotebookNode, state: ReleaseState | None, path: str) -> None:
    """The notebook as this build's audience may see it."""
    if state is None:
        return
    state.check_page(path, nb.metadata.get("lab"))
    if state.withholds_solutions(path):
        withhold(nb)
    elif state.audience == "instructor":
        mark_unreleased(nb, state, path)
