"""What the course's executor takes from Jupyter Book's ``execute:`` section, declared as the
course's own sections are (``book.config.sections``); what each setting means next to stock
Jupyter Book is in the parity table (``book.config.rows``)."""

from __future__ import annotations

import dataclasses as dc

from book.config.validators import _bool, _help, _names, _one_of, _positive_int, _text


@dc.dataclass(frozen=True)
class ExecuteConfig:
    """What the build's executor takes from Jupyter Book's ``execute:`` section."""

    timeout: int = dc.field(
        default=300,
        metadata=_help(
            "seconds one cell may run (a lab may set 'execution: {timeout: N}')",
            validator=_positive_int,
        ),
    )
    cache: str = dc.field(
        default="",
        metadata=_help(
            "the execution cache's folder, relative to the course (default _build/.jupyter_cache)",
            validator=_text,
        ),
    )
    scheduler: str = dc.field(
        default="",
        metadata=_help(
            "a Dask scheduler's address (tcp://host:8786): labs execute on its workers",
            validator=_text,
        ),
    )
    execute_notebooks: str = dc.field(
        default="auto",
        metadata=_help(
            "off (no lab runs), force (every lab runs again), cache or auto (labs run when "
            "changed, kept in the cache)",
            validator=lambda v: _one_of("off", "force", "cache", "auto", "inline")(
                "off" if v is False else v
            ),
        ),
    )
    exclude_patterns: tuple[str, ...] = dc.field(
        default=(),
        metadata=_help(
            "labs never executed (glob patterns, e.g. labs/week09/*): shown without outputs",
            validator=_names,
        ),
    )
    allow_errors: bool = dc.field(
        default=False,
        metadata=_help(
            "a cell that raises shows its error and the lab runs on (a cell's own "
            "'#| error: false' still fails the build)",
            validator=_bool,
        ),
    )
    run_in_temp: bool = dc.field(
        default=False,
        metadata=_help(
            "true: a lab runs in an empty throw-away folder; false: its throw-away folder shows "
            "the files beside the lab (read-only), so a lab reads its data as in Jupyter",
            validator=_bool,
        ),
    )
    stderr_output: str = dc.field(
        default="show",
        metadata=_help(
            "what printed to stderr does: show, remove, remove-warn, warn, error or severe "
            "(the last four fail the build: it treats warnings as errors)",
            validator=_one_of("show", "remove", "remove-warn", "warn", "error", "severe"),
        ),
    )
