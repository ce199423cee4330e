"""A Quarto document's own settings and inline code, honoured as Quarto does.

- ``execute:`` in the front matter (``echo``, ``eval``, ``warning``, ``output``, ``error``,
  ``include``; or the same keys at the top of the front matter) sets every chunk's default; a
  chunk's own ``#|`` line wins. The defaults are written as ``#|`` lines after each chunk's own,
  so they are the course's cell options, checked and shown as any other. ``enabled: false`` is
  ``eval: false``; ``freeze`` and ``cache`` (Quarto's render caches) have nothing to do here
  (the build caches every unchanged lab).
- ``fig-width``, ``fig-height`` (inches; Quarto's HTML defaults 7 × 5), ``fig-dpi`` and
  ``fig-format`` (``retina``, ``png``, ``jpeg``, ``svg``), at the top of the front matter or under
  ``format: html:``, set matplotlib's defaults in a hidden first cell, as Quarto's Jupyter engine
  does at kernel start.
- Inline expressions `` `{python} expr` `` are evaluated where they stand: a hidden cell before
  the paragraph records each value (as ``myst_nb.glue`` would, with IPython only) and the
  paragraph shows it with ``{glue}``. Printed as Quarto does: ``str(value)``.
"""

from __future__ import annotations

import re

from book.errors import BookError

EXECUTE = ("echo", "eval", "warning", "output", "error", "include")
EXECUTE_NOTHING_TO_DO = ("freeze", "cache", "daemon", "kernel-keepalive", "ipynb-filters")
FIGURE_KEYS = ("fig-width", "fig-height", "fig-dpi", "fig-format")
FIG_FORMATS = {"retina": "retina", "png": "png", "jpeg": "jpeg", "svg": "svg"}
INLINE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")
OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:")
GLUE_PREFIX = "application/papermill.record/"


def _value(v: object) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def _line_of(lines: list[str], key: str, end: int) -> int | None:
    return next((i + 1 for i, t in enumerate(lines[:end]) if re.match(rf"\s*{key}\s*:", t)), None)


def chunk_defaults(meta: dict, lines: list[str], end: int, path: str | None) -> list[str]:
    """The ``#|`` lines every chunk gets from the document's ``execute:``."""
    execute = meta.get("execute")
    if execute is not None and not isinstance(execute, dict):
        raise BookError(path, _line_of(lines, "execute", end), "'execute:' must be a mapping")
    # Quarto takes execution options at the top of the front matter too (``echo: false``)
    merged = {**{k: meta[k] for k in EXECUTE if k in meta}, **(execute or {})}
    out = []
    for key, value in merged.items():
        if key in EXECUTE:
            out.append(f"#| {key}: {_value(value)}")
        elif key == "enabled":
            if value is False:
                out.append("#| eval: false")
        elif key not in EXECUTE_NOTHING_TO_DO:
            raise BookError(
                path,
                _line_of(lines, key, end) or _line_of(lines, "execute", end),
                f"'execute: {key}' is Quarto's and not supported here",
                "supported: " + ", ".join((*EXECUTE, "enabled", *EXECUTE_NOTHING_TO_DO)),
            )
    return out


def with_defaults(chunk_lines: list[str], defaults: list[str]) -> list[str]:
    """A chunk's own ``#|`` lines, then the document's defaults for the options it does not set."""
    own = {m.group(1) for line in chunk_lines if (m := OPTION.match(line))}
    return [d for d in defaults if OPTION.match(d).group(1) not in own]  # type: ignore[union-attr]


def figure_setup(meta: dict, lines: list[str], end: int, path: str | None) -> list[str]:
    """A hidden first cell's lines setting matplotlib as the document's figure options say."""
    html = ((meta.get("format") or {}) if isinstance(meta.get("format"), dict) else {}).get("html")
    options = {k: meta[k] for k in FIGURE_KEYS if k in meta}
    if isinstance(html, dict):
        options.update({k: html[k] for k in FIGURE_KEYS if k in html})
    if not options:
        return []
    code = ["#| include: false", "import matplotlib.pyplot as _plt"]
    for key in ("fig-width", "fig-height", "fig-dpi"):
        if key in options and not isinstance(options[key], int | float):
            raise BookError(path, _line_of(lines, key, end), f"{key!r} must be a number")
    if "fig-width" in options or "fig-height" in options:
        size = (options.get("fig-width", 7), options.get("fig-height", 5))
        code.append(f"_plt.rcParams['figure.figsize'] = ({size[0]}, {size[1]})")
    if "fig-dpi" in options:
        code.append(f"_plt.rcParams['figure.dpi'] = {options['fig-dpi']}")
    if "fig-format" in options:
        fmt = FIG_FORMATS.get(str(options["fig-format"]))
        if fmt is None:
            raise BookError(
                path,
                _line_of(lines, "fig-format", end),
                f"fig-format {options['fig-format']!r} cannot be shown on a web page",
                "use " + ", ".join(FIG_FORMATS),
            )
        code.append(f"%config InlineBackend.figure_formats = {{'{fmt}'}}")
    code.append("del _plt")
    return ["```{code-cell} ipython3", *code, "```", ""]


def inline_cell(expressions: list[tuple[str, str]]) -> list[str]:
    """A hidden cell recording each ``(name, expression)``'s ``str()`` for ``{glue}``."""
    code = ["#| include: false", "from IPython.display import display as _show"]
    for name, expr in expressions:
        code.append(
            f"_show({{{GLUE_PREFIX + 'text/plain'!r}: str({expr})}}, raw=True, "
            f"metadata={{'scrapbook': {{'name': {name!r}, 'mime_prefix': {GLUE_PREFIX!r}}}}})"
        )
    code.append("del _show")
    return ["```{code-cell} ipython3", *code, "```", ""]


def inline_expressions(line: str, counter: list[int]) -> tuple[str, list[tuple[str, str]]]:
    """``line`` with each `` `{python} expr` `` as ``{glue}`name```, and the (name, expr)s."""
    found: list[tuple[str, str]] = []

    def one(m: re.Match) -> str:
        counter[0] += 1
        name = f"quarto-inline-{counter[0]}"
        found.append((name, m.group("expr")))
        return f"{{glue}}`{name}`"

    return INLINE.sub(one, line), found
