"""Quarto/knitr-style cell options (``#| key: value``) for MyST code cells.

An instructor coming from Quarto writes, at the top of a ``{code-cell}``::

    #| eval: torch
    import torch

The option lines are stripped from the code shown on the page and turned into what myst-nb and
nbclient already understand (tags such as ``skip-execution`` and ``remove-input``), plus a
``book`` entry in the cell metadata that the renderer uses to label cells that were not run.
Because jupyter-cache hashes all cell metadata, a change of options or of a flag's state changes the
hash of exactly the labs whose cells it affects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from book.errors import BookError
from book.reading import quarto_options

OPTION_LINE = re.compile(r"^#\|(.*)$")
KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(\S(?:.*\S)?)\s*$")

BOOLEAN_OPTIONS = {
    "echo": "run the cell; false hides its code",
    "output": "run the cell; false hides its output",
    "include": "run the cell; false hides code and output",
    "error": "true lets the cell raise and shows the traceback",
}
EVAL_HELP = {
    "false": 'never run; the code is shown with a "Not run" label',
    "flag": "run only when the named flag is on (declared under 'flags:' in _config.yml)",
}
KNOWN_OPTIONS = ("eval", *BOOLEAN_OPTIONS, *quarto_options.OPTIONS)
# Quarto's values beyond true/false
WORD_HELP = {
    "echo": {"fenced": "run the cell; show its code with the #| lines"},
    "output": {"asis": "run the cell; render what it prints as Markdown"},
}
WORD_VALUES = {key: tuple(words) for key, words in WORD_HELP.items()}

# myst-nb / nbclient tags that mean the same as an option
TAG_FOR = {
    ("echo", False): "remove-input",
    ("output", False): "remove-output",
    ("include", False): "remove-cell",
    ("error", True): "raises-exception",
}
SKIP_TAG = "skip-execution"

TRUE = {"true", "yes"}
FALSE = {"false", "no"}


@dataclass
class CellOptions:
    """The parsed options of one cell."""

    values: dict[str, object] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the original ``#|`` lines, for downloads

    @property
    def eval(self) -> object:
        return self.values.get("eval", True)


def _parse_bool(value: str) -> bool | None:
    low = value.lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    return None


def split_options(
    source: str, *, path: str | None, line: int | str | None, known_flags: dict[str, object]
) -> tuple[CellOptions, str]:
    """Split leading ``#|`` lines off a cell's source and validate them.

    ``line`` is the 1-based line in ``path`` of the cell's first source line; errors name the
    exact line of the offending option.
    """
    lines = source.split("\n")
    opts = CellOptions()
    body_start = 0
    for i, raw in enumerate(lines):
        m = OPTION_LINE.match(raw)
        if not m:
            break
        body_start = i + 1
        here = line + i if isinstance(line, int) else line  # a notebook's cells: "cell 3"
        kv = KEY_VALUE.match(m.group(1))
        if not kv:
            raise BookError(
                path,
                here,
                f"malformed cell option {raw.strip()!r}: expected '#| key: value'",
                hint=f"known options: {', '.join(KNOWN_OPTIONS)}",
            )
        key, value = kv.group(1), kv.group(2).strip().strip("\"'")
        if key in quarto_options.QUARTO_NOT_YET:
            raise quarto_options.not_yet(key, path, here)
        if key not in KNOWN_OPTIONS:
            raise BookError(
                path,
                here,
                f"unknown cell option {key!r}",
                hint=f"known options: {', '.join(KNOWN_OPTIONS)}",
            )
        if key in opts.values:
            raise BookError(path, here, f"cell option {key!r} is given twice")
        as_bool = _parse_bool(value)
        if key == "eval":
            if as_bool is not None:
                opts.values[key] = as_bool
            elif value in known_flags:
                opts.values[key] = value
            else:
                known = ", ".join(sorted(known_flags)) or "none declared"
                raise BookError(
                    path,
                    here,
                    f"unknown flag {value!r} in 'eval: {value}'",
                    hint=f"eval takes true, false or a flag; known flags: {known} "
                    "(declare flags under 'flags:' in _config.yml)",
                )
        elif key in quarto_options.OPTIONS:
            opts.values[key] = quarto_options.parse(key, value, as_bool, path, here)
        elif value in WORD_VALUES.get(key, ()):
            opts.values[key] = value
        else:
            if as_bool is None:
                raise BookError(
                    path,
                    here,
                    f"cell option {key!r} takes true or false, not {value!r}",
                    hint=f"{key}: {BOOLEAN_OPTIONS[key]}"
                    + "".join(
                        f"; '{key}: {word}' as in Quarto" for word in WORD_VALUES.get(key, ())
                    ),
                )
            opts.values[key] = as_bool
        opts.lines.append(raw)
    return opts, "\n".join(lines[body_start:])


def apply_options(cell, opts: CellOptions, active_flags: dict[str, bool]) -> None:
    """Turn parsed options into tags and ``book`` metadata on a notebook code cell."""
    tags = list(cell.metadata.get("tags", []))
    for (key, value), tag in TAG_FOR.items():
        if opts.values.get(key) == value and tag not in tags:
            tags.append(tag)
    evaluate = opts.eval
    meta: dict[str, object] = {}
    if evaluate is False:
        meta = {"eval": False, "ran": False}
    elif isinstance(evaluate, str):
        meta = {"eval": evaluate, "ran": bool(active_flags.get(evaluate))}
    if meta and not meta["ran"] and SKIP_TAG not in tags:
        tags.append(SKIP_TAG)
    if SKIP_TAG in tags and not meta:
        meta = {"eval": False, "ran": False}  # myst-nb's own tag: same label
    quarto_options.apply(cell, opts.values, tags)
    if opts.values.get("echo") == "fenced":  # the code is shown with its option lines
        cell.source = "\n".join([*opts.lines, cell.source])
    if opts.values.get("output") == "asis":
        meta = {**meta, "asis": True}
    if tags:
        cell.metadata["tags"] = tags
    if meta or opts.lines:
        book_meta = dict(meta)
        if opts.lines and opts.values.get("echo") != "fenced":
            book_meta["options"] = opts.lines
        cell.metadata["book"] = book_meta
