"""``!pip install x`` / ``%pip install x`` cells: the course installs its packages once, from
``requirements/course.txt`` (``make html``), so a lab never installs anything while it runs.

Each such line is taken out of its cell, its packages collected (``make import`` pins them); a cell
left empty becomes a note on the page saying what the original installed and where it is now.
"""

from __future__ import annotations

import re

import nbformat

from book.importing.packages import PIP_LINE

CELL = re.compile(
    r"^(?P<open>(?P<f>`{3,}|~{3,})[ \t]*\{(?:code-cell|python|ipython3?)\}[^\n]*\n)"
    r"(?P<code>.*?)^(?P=f)[ \t]*\n?",
    re.M | re.S,
)


def _take(code: str, packages: list[str] | None) -> tuple[str, list[str]]:
    found = []
    for m in PIP_LINE.finditer(code):
        found += [a.strip("'\"") for a in m.group("args").split() if not a.startswith("-")]
    if packages is not None:
        packages.extend(p for p in found if p not in packages)
    return PIP_LINE.sub("", code).strip("\n"), found


def _has_code(code: str) -> bool:
    """Anything left but options (``#|`` lines, MyST's ``:tags:``) and blank lines."""
    return any(line.strip() and not line.startswith(("#|", ":")) for line in code.splitlines())


def _note(found: list[str]) -> str:
    names = ", ".join(f"`{p}`" for p in found)
    return (
        "```{note}\nThe original installed "
        f"{names} here (`pip install`). This course installs it once, from "
        "`requirements/course.txt`.\n```\n"
    )


def pip_cells_to_notes(cells, packages: list[str] | None, log):
    """A notebook's cells (a list) or a MyST/Quarto text, with its pip lines taken out."""
    if isinstance(cells, str):

        def one(m: re.Match) -> str:
            code, found = _take(m.group("code"), packages)
            if not found:
                return m.group(0)
            log(f"  `pip install {' '.join(found)}` cell: a note; the packages are pinned instead")
            if not _has_code(code):
                return _note(found)
            # options (#| or :key:) stay at the top of what is left
            return m.group("open") + code + "\n" + m.group("f") + "\n"

        return CELL.sub(one, cells)
    out = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            out.append(cell)
            continue
        code, found = _take("".join(cell.get("source") or ""), packages)
        if not found:
            out.append(cell)
            continue
        log(f"  `pip install {' '.join(found)}` cell: a note; the packages are pinned instead")
        if _has_code(code):
            cell["source"] = code
            out.append(cell)
        else:
            out.append(nbformat.v4.new_markdown_cell(_note(found)))
    return out
