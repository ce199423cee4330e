"""Solutions withheld before their release, and the instructor build's "not yet released" banners.

Solutions are sphinx-exercise's: a ``{solution}`` block, or a ``{solution-start}`` …
``{solution-end}`` span whose code cells are part of the solution, found as MyST's parser finds
them (``book.release.solutions``: any spelling, nested in blockquotes or other directives, in each
markdown cell of a notebook or a ``.qmd``). Before a lab's ``solutions``
time the public build blanks them, line for line (errors keep their line numbers), from the
notebook the lab reader makes (so the page, the ``.ipynb`` download and the search index never hold
them, and their code is not run) and from the ``_sources/`` copy of the page. The exercise stays.
The instructor build keeps everything and puts a banner before each part students do not see yet.
"""

from __future__ import annotations

import hashlib

import nbformat

from book.config.words import ENGLISH, Words
from book.release.solutions import blank_solutions, has_solution
from book.release.state import ReleaseState


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


def solution_banner(state: ReleaseState, path: str, words: Words = ENGLISH) -> tuple[str, str]:
    """The title and text of the instructor build's banner before a solution of ``path`` that
    students do not see yet (here, and for solutions ``{include}`` brings in:
    ``book.sphinx.withheld``)."""
    session = state.sessions[path]
    when = words.moment(session.solutions or session.release or state.now)
    return words("solution_banner_title", when=when), words("solution_banner", when=when)


def mark_unreleased(
    nb: nbformat.NotebookNode, state: ReleaseState, path: str, words: Words = ENGLISH
) -> None:
    """Instructor build: a banner under the title of a session not yet released, and before each
    solution not yet released, saying when students see it."""
    session = state.sessions.get(path)
    if session is None or state.solutions_released(path):
        return
    key = _starts_key(nb)
    starts = list(nb.metadata.get(key) or [0] * len(nb.cells))
    cells, kept = [], []
    for index, (cell, start) in enumerate(zip(nb.cells, starts, strict=False)):
        is_solution = cell.cell_type == "markdown" and has_solution(cell.source)
        if is_solution:
            cells.append(_banner(path, index, *solution_banner(state, path, words)))
            kept.append(start)
        cells.append(cell)
        kept.append(start)
        title = (cell.metadata.get("book") or {}).get("title")
        if (
            (title or index == 0)
            and not state.released(path)
            and (session.release or session.draft)
        ):
            when = words.moment(session.release) if session.release else ""
            kind = "draft" if session.draft else "session"
            heading = words(f"{kind}_banner_title", when=when)
            text = words(f"{kind}_banner", when=when)
            cells.append(_banner(path, -1, heading, text))
            kept.append(start)
    nb.cells = cells
    nb.metadata[key] = kept


def apply_release(
    nb: nbformat.NotebookNode, state: ReleaseState | None, path: str, words: Words = ENGLISH
) -> None:
    """The notebook as this build's audience may see it."""
    if state is None:
        return
    state.check_page(path, nb.metadata.get("lab"))
    if state.withholds_solutions(path):
        withhold(nb)
    elif state.audience == "instructor":
        mark_unreleased(nb, state, path, words)
