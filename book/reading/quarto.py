"""Quarto documents (``.qmd``) read directly as labs, without the Quarto binary.

Quarto downloads parts of itself and fails offline; its documents are Markdown with a few
conventions of their own, which this module turns into the MyST that the lab reader already reads:

- ```` ```{python} ```` chunks become ```` ```{code-cell} ipython3 ```` (their ``#|`` options are
  the course's cell options); ```` ```{{python}} ```` (a chunk shown, not run) a plain code block;
  chunks of other languages are an error naming the line;
- ``:::{name}`` (no ``.`` or ``#``: MyST's spelling, ``:::{solution}``) stays that directive;
- callouts ``::: {.callout-note}`` (``title="…"``, or a first ``##`` heading as the title) become
  MyST admonitions; other ``::: {.class}`` divs become containers with those classes;
- ``![Caption](file.png){#fig-x}`` becomes a numbered ``{figure}``; ``## Heading {#sec-x}`` gets
  the label ``(sec-x)=``; ``$$ … $$ {#eq-x}`` a numbered equation;
- cross-references ``@fig-x``, ``@tbl-x`` (numbered "Figure N", "Table N"), ``@sec-x``, ``@eq-x``;
- the front matter keeps ``lab:``, ``kernelspec:`` and the like; Quarto's own keys (``format``,
  ``jupyter``, ``editor``, ``execute``…) are dropped, ``title`` becomes the page's ``#`` heading
  when there is no ``lab:`` block.

``to_myst`` also returns, for each line it writes, the line of the ``.qmd`` it came from, so every
error names the line of the file the instructor edits. ``make import`` writes the same conversion
to a ``.md`` file when a course prefers to keep MyST sources.
"""

from __future__ import annotations

import re

import nbformat
import yaml

from book.config import yaml_fast
from book.errors import BookError
from book.reading import quarto_document

CHUNK = re.compile(r"^(`{3,})\{(\{)?([A-Za-z0-9_]+)\}?([^}`]*)\}\s*$")
DIV_OPEN = re.compile(r"^(:{3,})\s*\{([^}]*)\}\s*$|^(:{3,})\s*([A-Za-z][\w-]*)\s*$")
FIGURE = re.compile(
    r"^!\[(?P<cap>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)"
    r"\{(?P<attrs>[^}]*#fig-[^}]*)\}\s*$"
)
HEADING_ID = re.compile(r"^(#{1,6}\s+.*?)\s*\{#([\w-]+)[^}]*\}\s*$")
EQUATION_ID = re.compile(r"\$\$\s*\{#(eq-[\w-]+)\}\s*$")
XREF = re.compile(r"(?<![\w@`])\[?-?@((fig|tbl|sec|eq)-[\w-]*\w)\]?")
SHORTCODE = re.compile(r"\{\{<\s*[\w-]+[^>]*>\}\}")
ATTR = re.compile(r"([\w-]+)=(\"[^\"]*\"|'[^']*'|\S+)")
CALLOUTS = {
    "note": "note",
    "tip": "tip",
    "warning": "warning",
    "caution": "caution",
    "important": "important",
}
QUARTO_KEYS = (
    "format",
    "jupyter",
    "editor",
    "execute",
    "engine",
    "knitr",
    "filters",
    "bibliography",
    "toc",
    "number-sections",
    "date",
    "author",
    "subtitle",
    "title",
    "description",
    "categories",
    "image",
    "keep-ipynb",
    "code-fold",
    "lang",
    "echo",
    "eval",
    "warning",
    "output",
    "error",
    "include",
    "fig-width",
    "fig-height",
    "fig-dpi",
    "fig-format",
)
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _front_matter(lines: list[str], path: str | None) -> tuple[dict, int]:
    """The front matter as a mapping, and the index of the first line after it."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise BookError(path, 1, "front matter is not closed", "end it with a line '---'")
    try:
        meta = yaml_fast.load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(
            path, mark.line + 2 if mark else 1, f"invalid YAML front matter: {exc}"
        ) from None
    if not isinstance(meta, dict):
        raise BookError(path, 2, "the front matter must be a mapping")
    return meta, end + 1


def _xrefs(line: str) -> str:
    def ref(m: re.Match) -> str:
        label, kind = m.group(1), m.group(2)
        if kind == "fig":
            return f"{{numref}}`Figure %s <{label}>`"
        if kind == "tbl":
            return f"{{numref}}`Table %s <{label}>`"
        if kind == "eq":
            return f"{{eq}}`{label}`"
        return f"{{ref}}`{label}`"

    return XREF.sub(ref, line)


def _div(m: re.Match, lines: list[str], i: int) -> tuple[list[str], int]:
    """A Quarto div's opening line as MyST lines; the second value: input lines consumed."""
    fence = m.group(1) or m.group(3)
    if m.group(2) is not None and re.fullmatch(r"[A-Za-z][\w-]*", m.group(2)):
        return [f"{fence}{{{m.group(2)}}}"], 1  # MyST's :::{name}: the directive itself
    attrs = m.group(2) if m.group(2) is not None else "." + m.group(4)
    classes = re.findall(r"(?:^|\s)\.([\w-]+)", attrs)
    options = {k: v.strip("\"'") for k, v in ATTR.findall(attrs)}
    ident = re.search(r"(?:^|\s)#([\w-]+)", attrs)
    callout = next((c for c in classes if c.startswith("callout-")), None)
    label = [f"({ident.group(1)})="] if ident else []
    if callout is None:
        return [*label, f"{fence}{{container}} {' '.join(classes) or 'div'}"], 1
    kind = CALLOUTS.get(callout.removeprefix("callout-"), "note")
    title = options.get("title")
    used = 1
    nxt = i + 1
    while nxt < len(lines) and not lines[nxt].strip():
        nxt += 1
    if title is None and nxt < len(lines) and re.match(r"^#{1,6}\s+\S", lines[nxt]):
        title = lines[nxt].lstrip("#").strip()
        used = nxt - i + 1
    if title:
        return [*label, f"{fence}{{admonition}} {title}", f":class: {kind}"], used
    return [*label, f"{fence}{{{kind}}}"], used


def to_myst(text: str, path: str | None = None) -> tuple[str, list[int]]:
    """A ``.qmd`` document as MyST markdown, and for each line written its 0-based line in
    ``text``."""
    lines = text.split("\n")
    meta, start = _front_matter(lines, path)
    out: list[str] = []
    origin: list[int] = []

    def emit(new: list[str], at: int) -> None:
        out.extend(new)
        origin.extend([at] * len(new))

    defaults = quarto_document.chunk_defaults(meta, lines, start, path)
    execute_line = next((k for k, t in enumerate(lines[:start]) if t.startswith("execute:")), 0)
    setup = quarto_document.figure_setup(meta, lines, start, path)
    counter = [0]  # inline expressions so far
    para_start = 0  # where in ``out`` the current paragraph began: inline values go before it
    placed: list = [-1, 0, []]  # the paragraph's hidden cell: where, its length, its expressions
    keep = {k: v for k, v in meta.items() if k not in QUARTO_KEYS}
    lab = keep.get("lab")
    if "kernelspec" not in keep:
        keep["kernelspec"] = dict(KERNEL)
    emit(["---", *yaml.safe_dump(keep, sort_keys=False, allow_unicode=True).splitlines(), "---"], 0)
    if not isinstance(lab, dict) and meta.get("title"):
        emit(["", f"# {meta['title']}", ""], 1)
    if setup:
        emit(["", *setup], next((k for k, t in enumerate(lines[:start]) if "fig-" in t), 0))

    fence: str | None = None  # inside a code block: its fence
    i = start
    block = True  # the last thing written ended a block (a paragraph may start here)
    while i < len(lines):
        line = lines[i]
        if fence is None and (block or not out or not out[-1].strip()):
            para_start = len(out)
        block = True
        if fence is not None:
            if line.strip() == fence:
                fence = None
            emit([line], i)
            i += 1
            continue
        chunk = CHUNK.match(line)
        if chunk:
            ticks, escaped, lang = chunk.group(1), chunk.group(2), chunk.group(3).lower()
            fence = ticks
            if escaped:
                emit([f"{ticks}{lang}"], i)  # shown as code, with its options, never run
            elif lang in ("python", "python3", "ipython3"):
                emit([f"{ticks}{{code-cell}} ipython3"], i)
                own = i + 1
                while own < len(lines) and lines[own].startswith("#|"):
                    emit([lines[own]], own)
                    own += 1
                emit(quarto_document.with_defaults(lines[i + 1 : own], defaults), execute_line)
                i = own
                continue
            else:
                raise BookError(
                    path,
                    i + 1,
                    f"a {{{lang}}} code chunk: this course runs Python cells only",
                    f"port the chunk to Python, or show it as code with ```{lang} (not run)",
                )
            i += 1
            continue
        if opening := re.match(r"^(`{3,}|~{3,})", line):
            fence = opening.group(1)
            emit([line], i)
            i += 1
            continue
        if shortcode := SHORTCODE.search(line):
            raise BookError(
                path,
                i + 1,
                f"a Quarto shortcode {shortcode.group(0)}: not supported (no Quarto here)",
                "include: paste the file's text; others: replace by their text",
            )
        div = DIV_OPEN.match(line)
        if div:
            new, used = _div(div, lines, i)
            emit(new, i)
            i += used
            continue
        figure = FIGURE.match(line)
        if figure:
            named = re.search(r"#(fig-[\w-]+)", figure.group("attrs"))
            name = named.group(1) if named else "fig-unnamed"
            alt = dict((k, v.strip("\"'")) for k, v in ATTR.findall(figure.group("attrs")))
            new = [f"```{{figure}} {figure.group('src')}", f":name: {name}"]
            if alt.get("fig-alt"):
                new.append(f":alt: {alt['fig-alt']}")
            new += ["", _xrefs(figure.group("cap")), "```"]
            emit(new, i)
            i += 1
            continue
        heading = HEADING_ID.match(line)
        if heading:
            emit([f"({heading.group(2)})=", _xrefs(heading.group(1))], i)
            i += 1
            continue
        line = EQUATION_ID.sub(lambda m: f"$$ ({m.group(1)})", line)
        line, inline = quarto_document.inline_expressions(line, counter)
        if inline:  # evaluated in one hidden cell before the paragraph that shows them
            if placed[0] != para_start:
                placed[:] = [para_start, 0, []]
            at, old_len, exprs = placed
            exprs.extend(inline)
            cell = quarto_document.inline_cell(exprs)
            out[at : at + old_len] = cell
            origin[at : at + old_len] = [i] * len(cell)
            placed[1] = len(cell)
        emit([_xrefs(line)], i)
        block = False
        i += 1
    return "\n".join(out), origin


def asis_outputs(nb) -> None:
    """``output: asis`` cells: what they printed becomes Markdown that the page renders."""
    for cell in nb.cells:
        if not (cell.get("metadata", {}).get("book") or {}).get("asis"):
            continue
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                out = nbformat.v4.new_output("display_data", data={"text/markdown": out["text"]})
            outputs.append(out)
        cell["outputs"] = outputs
