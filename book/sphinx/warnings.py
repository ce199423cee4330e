"""Sphinx's warnings about a page, translated into what to do: ``file:line: what — what to do``,
the file relative to the course, without colour codes when the log is not a terminal; a warning
with no known fix says so and where to look.

Sphinx says "Unknown directive type: 'exercise'" or "unknown document: 'getting_started'"; an
instructor who brought a lecture from another course needs the package and the line to add, or
the new name of the renamed page. A filter on Sphinx's warning handlers appends the fix to each
warning it knows (the build treats warnings as errors, so each one is a failure).

Also: ``bibtex_bibfiles`` in ``_config.yml`` loads the bibliography extension even when
``sphinx: config: extensions`` lists the extensions (which replaces Jupyter Book's list, where
Jupyter Book would have added it).
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import console

from book.checks.imported import imported_names
from book.course.extensions import extension_for, listed_extensions
from book.course.labs import read_labs

UNKNOWN = re.compile(
    r"(?:Unknown (?:directive type|interpreted text role)|unknown directive or "
    r"role name):? [\"'{]*([\w:.-]+)"
)
BIBKEY = re.compile(r"could not find bibtex key \"?([^\"\s]+)")
UNKNOWN_DOC = re.compile(r"unknown document: '?([^'\s]+)")
UNDEFINED_LABEL = re.compile(r"undefined label: '?([^'\s]+)")
DUPLICATE = re.compile(r"Duplicate explicit target name: \"?((?:fig|tbl)-[\w-]+)")
NOTEBOOK_LINE = re.compile(r"^(.*\.ipynb):(\d{5,})$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# (pattern, what to do) for Sphinx's other warnings that imported material brings
MORE = [
    (
        re.compile(r"(\S+\.bib) not found or not configured in bibtex_bibfiles"),
        "sphinxcontrib-bibtex reads only bibtex_bibfiles: remove the path after "
        "{bibliography} and list the file in 'bibtex_bibfiles: [...]' in _config.yml "
        "(make import does both)",
    ),
    (
        re.compile(r"duplicate citation for key|duplicate label .* for citation"),
        "two {bibliography} blocks list the same entry: add ':filter: docname in docnames' "
        "under each {bibliography} so each page lists what it cites",
    ),
    (
        re.compile(r"(?:Could not lex literal_block|Lexing literal_block .* resulted in an error)"),
        "a code block is not valid in its language (a shell line such as '!pip install' in a "
        "Python cell?): put packages in requirements/course.txt, or give the block its language",
    ),
    (
        re.compile(r"cross-reference target not found: '?([^'\s]+)"),
        "a link [text](name) to a page or label this course does not have (a lecture not "
        "imported?): import that page, link one of the course's, or write the text",
    ),
    (
        re.compile(r"image file not readable: (\S+)"),
        "copy the image next to the lab (make import copies what it finds) and fix the path",
    ),
    (
        re.compile(r"document isn't included in any toctree"),
        "list the page in _toc.yml, or delete it",
    ),
    (
        re.compile(r"Non-consecutive header level increase"),
        "use heading levels in order: a '###' only under a '##'",
    ),
    (
        re.compile(r"Unknown target name|unknown target name"),
        "a link [text][name] or `text`_ names no target: write the URL, or define the target",
    ),
]
GENERIC = (
    "Sphinx's own warning (the build stops on every warning): fix the line named, or see "
    "docs/troubleshooting.md"
)
QUARTO_LABEL = re.compile(r"^(fig|tbl|sec|eq)-")
STDERR = re.compile(r"stderr was found in the cell outputs of cell (\d+)")


def fix_for(message: str, root: Path) -> str | None:
    """What to do about a Sphinx warning, or None when there is nothing to add."""
    if m := UNKNOWN.search(message):
        ext = extension_for(m.group(1))
        if ext is None:
            return (
                "neither MyST, Sphinx nor the course's extensions know it: check the "
                "spelling, or remove it"
            )
        package, module, what = ext
        config = (root / "_config.yml").read_text(encoding="utf-8")
        listed = listed_extensions(config) or []
        more = (
            " and set 'bibtex_bibfiles: [references.bib]' at the top level of _config.yml"
            if module == "sphinxcontrib.bibtex"
            else ""
        )
        if module in listed:
            return f"{what}: {package} is listed; check the directive's spelling"
        return (
            f"{what} need {package} (pinned in requirements/build.txt): add {module} to "
            f"'extensions: [...]' under sphinx: config: in _config.yml{more}"
        )
    if STDERR.search(message):
        return (
            "'execute: stderr_output' in _config.yml makes what a cell prints to stderr a "
            "warning, and the course's build fails on warnings: set it to show or remove, or "
            "drop this cell's stderr with '#| warning: false'"
        )
    if m := BIBKEY.search(message):
        return (
            f"add the entry {m.group(1)!r} to the .bib file named by bibtex_bibfiles in "
            "_config.yml, and a ```{bibliography}``` block (':filter: docname in docnames') "
            "to the page that cites it"
        )
    if m := UNKNOWN_DOC.search(message):
        stem = m.group(1).rstrip("/").rsplit("/", 1)[-1]
        renamed = imported_names(root, read_labs(root))
        if stem in renamed:
            return f"it was imported as /{renamed[stem]}: write {{doc}}`/{renamed[stem]}`"
        return (
            "no page of the course has this name: link one listed in _toc.yml "
            "({doc}`/labs/weekWW/sessionSS-slug`), or import it with make import SRC=..."
        )
    if m := DUPLICATE.search(message):
        return (
            f"the cell labelled {m.group(1)!r} shows more than one figure or table: split "
            "it, one output and one label each (sub-figures are not supported yet)"
        )
    if (m := UNDEFINED_LABEL.search(message)) and QUARTO_LABEL.match(m.group(1)):
        return (
            f"a Quarto cross-reference @{m.group(1)}: no cell has '#| label: "
            f"{m.group(1)}' (with fig-cap or tbl-cap) and no heading '{{#{m.group(1)}}}'; "
            "sub-figure labels (fig-x-1) and captions written in outputs are not supported "
            "yet: reference the whole figure, or write the text"
        )
    if m := UNDEFINED_LABEL.search(message):
        return (
            f"no '({m.group(1)})=' label in the course: it was probably in a lecture not "
            "imported; link a label of this course, or write the text without {ref}"
        )
    return next((fix for pattern, fix in MORE if pattern.search(message)), None)


class _Translate(logging.Filter):
    """Each warning: its fix appended, paths relative to the course, no colour codes."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root
        self.prefixes = sorted({f"{root}/", f"{root.resolve()}/"}, key=len, reverse=True)

    def relative(self, text: str) -> str:
        for prefix in self.prefixes:
            text = text.replace(prefix, "")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING and not getattr(record, "_course_fix", False):
            message = str(record.msg) % record.args if record.args else str(record.msg)
            message = self.relative(ANSI.sub("", message))
            fix = fix_for(message, self.root) or GENERIC
            record.msg, record.args = f"{message} — {fix}", ()
            record._course_fix = True
            location = getattr(record, "location", None)
            if isinstance(location, str):
                record.location = location = self.relative(location)
            if isinstance(location, str) and (m := NOTEBOOK_LINE.search(location)):
                # the source map source.py gives myst-nb: (cell + 1) * 10000 + line in the cell
                cell, line = divmod(int(m.group(2)), 10000)
                record.location = f"{m.group(1)}:cell {cell}, line {line}"
        return True


def setup(app: Sphinx) -> dict:
    if not sys.stderr.isatty():  # a log file or a pipe: no colour codes in it
        console.nocolor()
    translate = _Translate(Path(app.srcdir))
    for handler in logging.getLogger("sphinx").handlers:
        handler.addFilter(translate)
    # private: Sphinx offers no public view of a setting whose extension is not loaded yet
    raw = {**app.config._raw_config, **app.config._overrides}
    if raw.get("bibtex_bibfiles") and "sphinxcontrib.bibtex" not in app.extensions:
        app.setup_extension("sphinxcontrib.bibtex")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
