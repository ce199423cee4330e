"""Solutions found as MyST's parser finds them (issue 23): a property-based test generates the
spellings MyST accepts for sphinx-exercise's directives and the places they can sit, and checks
that nothing inside one reaches the notebook the page is made from (nor its code the executor)
or the ``_sources`` copy, while the text around it stays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from book.reading.reader import LabReader
from book.release.solutions import blank_solutions, directives
from book.release.state import ReleaseState, Session
from book.release.withhold import published_source

REL = "labs/week09/session01-x.md"
SECRET, KEEP = "secretword", "keptword"
ZONE = dt.UTC
FRONT = (
    "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
    "lab:\n  week: 9\n  session: 1\n  title: X\n  solutions: 2099-01-01\n---\n\n"
)


def state() -> ReleaseState:
    later = dt.datetime(2099, 1, 1, tzinfo=ZONE)
    now = dt.datetime(2026, 11, 30, tzinfo=ZONE)
    return ReleaseState(now, "public", {REL: Session(REL, solutions=later)}, "UTC")


def cased(draw, word: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c for c in word)


@st.composite
def fence(draw, depth: int = 0) -> tuple[str, str]:
    """An opening and a closing fence for a directive, as MyST accepts them."""
    char = draw(st.sampled_from("`~:"))
    size = draw(st.integers(3, 5)) + 3 * (2 - depth)  # outer fences longer than inner ones
    return char * size, char * size


@st.composite
def solution(draw, n: int, depth: int = 1) -> str:
    """A solution block or span holding the secret, in any spelling MyST accepts."""
    space = draw(st.sampled_from(["", " ", "  "]))
    arg = draw(st.sampled_from(["", " ex-1"]))
    options = draw(st.sampled_from(["", ":class: dropdown\n", ":label: sol-x\n"]))
    open_, close = draw(fence(depth))
    if draw(st.booleans()):
        name = cased(draw, "solution")
        return f"{open_}{space}{{{name}}}{arg}\n{options}The {SECRET}{n} answer.\n{close}\n"
    start, end = cased(draw, "solution-start"), cased(draw, "solution-end")
    code = draw(st.booleans())
    body = (
        f"```{{code-cell}} ipython3\nprint('{SECRET}{n}')\n```\n"
        if code and depth == 1
        else f"The {SECRET}{n} answer.\n"
    )
    return (
        f"{open_}{space}{{{start}}}{arg}\n{options}{close}\n\n{body}\n"
        f"{open_}{space}{{{end}}}\n{close}\n"
    )


@st.composite
def placed(draw, n: int) -> str:
    """A solution where it may sit: at the top, in a blockquote, a list item, another
    directive (fenced or a ``:::`` div)."""
    where = draw(st.sampled_from(["top", "quote", "list", "note", "div"]))
    if where == "top":
        return draw(solution(n))
    inner = draw(solution(n, depth=1)) if where in ("note", "div") else ""
    if where == "quote":
        text = draw(solution(n)).replace("{code-cell} ipython3", "{code} python")
        return "".join(f"> {line}\n" if line else ">\n" for line in text.split("\n")[:-1])
    if where == "list":
        text = draw(solution(n)).replace("{code-cell} ipython3", "{code} python")
        lines = text.split("\n")[:-1]
        return "- item\n\n" + "".join(f"  {line}\n" if line else "\n" for line in lines)
    inner = inner.replace("{code-cell} ipython3", "{code} python")
    if where == "note":
        return f"``````````{{{cased(draw, 'note')}}}\nBefore.\n\n{inner}\n``````````\n"
    return f"::::::::::{{admonition}} Hint\n{inner}\n::::::::::\n"


@st.composite
def page(draw) -> str:
    parts = []
    for n in range(draw(st.integers(1, 3))):
        parts.append(f"Text {KEEP}{n} before.\n")
        if draw(st.booleans()):
            parts.append(f"```{{code-cell}} ipython3\nprint('{KEEP}code{n}')\n```\n")
        parts.append(draw(placed(n)))
    parts.append(f"Text {KEEP}end after.\n")
    return "\n".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page())
def test_nothing_withheld_reaches_the_page_the_download_or_the_sources(body):
    text = FRONT + body
    reader = LabReader(Path("/nonexistent"), {}, {}, release=state())
    nb = reader.read_text(text, REL)
    cells = "\n".join(cell.source for cell in nb.cells)
    assert SECRET not in cells.lower(), body
    assert all(SECRET not in cell.source for cell in nb.cells if cell.cell_type == "code")
    source = published_source(state(), text, REL)
    assert SECRET not in source.lower(), body
    assert source.count("\n") == text.count("\n")  # line for line: errors keep their lines
    for word in [f"{KEEP}{n}" for n in range(body.count(f"Text {KEEP}") - 1)] + [f"{KEEP}end"]:
        assert word in cells and word in source, body


def test_what_myst_does_not_read_as_a_solution_stays():
    """Literal code showing a solution's markup, and a fence MyST does not take as a directive,
    are not solutions."""
    text = "```python\n```{solution}\nkept\n```\n\n``` { solution }\nkept too\n```\n"
    assert directives(text) == []
    assert blank_solutions(text.split("\n"))[0] == text.split("\n")


def test_links_to_a_page_not_yet_released_are_found_as_myst_reads_them():
    from book.release.links import links_to, page_labels

    later = "(sec-dawn)=\n## Dawn\n\n:::{figure} x.png\n:name: fig-dawn\n:::\n"
    pages = {"labs/week09/session01-later": {"from": "D", "labels": sorted(page_labels(later))}}
    assert pages["labs/week09/session01-later"]["labels"] == ["fig-dawn", "sec-dawn"]
    text = (
        "Intro\n\nSee {doc}`session01-later` and\n{ref}`the dawn <SEC-DAWN>`,\n"
        "> [quoted](../week09/session01%2Dlater.md#x)\n\n"
        "````{note}\n{numref}`fig-dawn` and [y](/labs/week09/session01-later)\n````\n"
        "```python\n{doc}`session01-later`\n```\n[web](https://example.org/session01-later)\n"
    )
    found = links_to(text, "labs/week09/session02-now", pages)
    assert [(line, written) for line, written, _ in found] == [
        (3, "{doc}`session01-later`"),
        (4, "{ref}`the dawn <SEC-DAWN>`"),
        (5, "(../week09/session01%2Dlater.md#x)"),
        (8, "{numref}`fig-dawn`"),
        (8, "(/labs/week09/session01-later)"),
    ]
