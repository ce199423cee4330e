"""The sections of ``_config.yml`` that the course adds, declared: each setting a dataclass field
with its default, validator and help text (``metadata``), in the style of myst-nb's
``NbParserConfig``. ``book.config.course`` reads ``_config.yml`` into them.
"""

from __future__ import annotations

import dataclasses as dc

from book.config.validators import (
    _bool,
    _env_names,
    _help,
    _names,
    _one_of,
    _positive_int,
    _resources,
    _text,
    _timezone,
)
from book.config.words import labels_section


@dc.dataclass(frozen=True)
class FlagConfig:
    """One execution flag, declared under ``flags:`` (cells opt in with ``#| eval: NAME``)."""

    name: str = dc.field(default="", metadata=_help("the flag's name (its key)", internal=True))
    default: bool = dc.field(
        default=False, metadata=_help("on when a build names no state", validator=_bool)
    )
    requires: tuple[str, ...] = dc.field(
        default=(), metadata=_help("modules that must import when the flag is on", validator=_names)
    )
    install: str = dc.field(
        default="", metadata=_help("the command that installs them", validator=_text)
    )
    enable: str = dc.field(
        default="", metadata=_help("the command that builds with the flag on", validator=_text)
    )
    help: str = dc.field(
        default="", metadata=_help("what the flag's cells are, in a few words", validator=_text)
    )
    network: bool = dc.field(
        default=False,
        metadata=_help(
            "labs with cells run under the flag may use the network (say why in 'help')",
            validator=_bool,
        ),
    )
    resources: dict[str, float] = dc.field(
        default_factory=dict,
        metadata=_help(
            "Dask worker resources the flag's labs need on a cluster, e.g. {GPU: 1}",
            validator=_resources,
        ),
    )

    @property
    def enable_command(self) -> str:
        return self.enable or f"make html FLAGS={self.name}"

    @property
    def install_command(self) -> str:
        return self.install or (f"pip install {' '.join(self.requires)}" if self.requires else "")


@dc.dataclass(frozen=True)
class LimitsConfig:
    """Per-lab limits, under ``limits:``."""

    memory_mb: int = dc.field(
        default=4096,
        metadata=_help("memory one lab's kernel may use, in MB", validator=_positive_int),
    )
    max_output_kb: int = dc.field(
        default=100,
        metadata=_help(
            "printed output of one cell kept on the page, in kB (more is truncated, with a notice)",
            validator=_positive_int,
        ),
    )
    max_display_mb: int = dc.field(
        default=10,
        metadata=_help(
            "any one output that is not printed text (a figure, HTML, a cell's last expression), "
            "in MB; more fails the lab, naming the cell",
            validator=_positive_int,
        ),
    )
    disk_mb: int = dc.field(
        default=2048,
        metadata=_help(
            "what one lab's kernel (and what it starts) may write, in MB: each file, and all "
            "the files in the lab's folder together; past it the cell fails (a lab that keeps "
            "writing is stopped) with a message naming this setting",
            validator=_positive_int,
        ),
    )
    max_notebook_mb: int = dc.field(
        default=50,
        metadata=_help(
            "all of one lab's outputs together (its page and its notebook download), in MB; "
            "more fails the lab",
            validator=_positive_int,
        ),
    )


@dc.dataclass(frozen=True)
class SearchConfig:
    """The site search (Pagefind), under ``search:``."""

    enable: bool = dc.field(
        default=True,
        metadata=_help(
            "index the site for search (off: a quicker build without a search index)",
            validator=_bool,
        ),
    )
    exclude_selectors: tuple[str, ...] = dc.field(
        default=(),
        metadata=_help(
            "CSS selectors of page parts never indexed, besides permalinks and 'Not run' labels",
            validator=_names,
        ),
    )


@dc.dataclass(frozen=True)
class PdfConfig:
    """A PDF of each lab, printed from its page by Chromium (``book.publishing.pdf``), under
    ``pdf:``; ``make html PDF=1`` turns it on for one build."""

    enable: bool = dc.field(
        default=False,
        metadata=_help(
            "make a PDF of each lab, linked from its download menu (needs Chromium)",
            validator=_bool,
        ),
    )


# Keys the course adds to Jupyter Book's own sections (Jupyter Book ignores them).
OWN_KEYS = {"execute": ("scheduler",)}


@dc.dataclass(frozen=True)
class FreezeConfig:
    """Recorded outputs of gated cells (``_freeze/``, ``make freeze``), under ``freeze:``."""

    stale: str = dc.field(
        default="warn",
        metadata=_help(
            "a recording whose code changed: warn (the page says so) or error (the build fails)",
            validator=_one_of("warn", "error"),
        ),
    )


@dc.dataclass(frozen=True)
class SandboxConfig:
    """Lab confinement (README: "Labs run confined"), under ``sandbox:``."""

    env: tuple[str, ...] = dc.field(
        default=(),
        metadata=_help(
            "environment variables kernels may see beyond the built-in allow-list",
            validator=_env_names,
        ),
    )
    mode: str = dc.field(
        default="auto",
        metadata=_help(
            "which sandbox confines the labs: auto (bubblewrap, else Landlock, else none), "
            "bubblewrap, landlock or none (BOOK_SANDBOX=MODE in the environment wins)",
            validator=_one_of("auto", "bubblewrap", "landlock", "none"),
        ),
    )
    required: bool = dc.field(
        default=False,
        metadata=_help(
            "true: a build where no sandbox works fails instead of running labs unconfined "
            "(for CI; BOOK_SANDBOX=required says the same)",
            validator=_bool,
        ),
    )
    read: tuple[str, ...] = dc.field(
        default=(),
        metadata=_help(
            "course folders labs may read (read-only), e.g. [data]; labs see no other course file",
            validator=_names,
        ),
    )


@dc.dataclass(frozen=True)
class DisplayConfig:
    """How pages display, under ``display:``."""

    code_overflow: str = dc.field(
        default="scroll",
        metadata=_help(
            "long lines of code and output: wrap to the screen, or scroll sideways (as Quarto's "
            "code-overflow)",
            validator=_one_of("scroll", "wrap"),
            key="code-overflow",
        ),
    )

    def as_settings(self) -> dict[str, str]:
        return {"code-overflow": self.code_overflow}


@dc.dataclass(frozen=True)
class ScheduleConfig:
    """The course's calendar, under ``schedule:``: sessions and solutions released on their dates
    (``book.release.state``). ``now`` and ``audience`` come from the command line (``make html
    NOW=``,
    ``AUDIENCE=``), never from ``_config.yml``."""

    timezone: str = dc.field(
        default="UTC",
        metadata=_help(
            "the time zone of the labs' date, release and solutions times", validator=_timezone
        ),
    )
    events: str = dc.field(
        default="schedule.yml",
        metadata=_help(
            "the file of the course's other dates for the schedule page (exams, holidays): "
            "a list of '- date: 2026-12-14' / 'title: ...' entries",
            validator=_text,
        ),
    )
    now: str = dc.field(
        default="", metadata=_help("the moment to build as (default: now)", internal=True)
    )
    audience: str = dc.field(
        default="public", metadata=_help("public or instructor", internal=True)
    )
    preview: str = dc.field(
        default="",
        metadata=_help("the banner of a preview (book.release.preview)", internal=True),
    )


@dc.dataclass(frozen=True)
class ReleaseConfig:
    """What a build does around pages not yet released, under ``release:``."""

    links: str = dc.field(
        default="unlinked",
        metadata=_help(
            "a link to a page not yet released: unlinked (its text and '(from DATE)', with a "
            "warning naming its line) or error (the checks and the build stop)",
            validator=_one_of("unlinked", "error"),
        ),
    )


LabelsConfig = labels_section(_help, _text)


@dc.dataclass(frozen=True)
class PublishConfig:
    """What the published pages may carry, under ``publish:`` (docs/publishing-safety.md)."""

    trust: str = dc.field(
        default="trusted",
        metadata=_help(
            "trusted: HTML and JavaScript of outputs and of raw HTML in Markdown are published "
            "live; untrusted (CI on pull requests from students or assistants): they are "
            "published as text, and text is preferred where an output has it",
            validator=_one_of("trusted", "untrusted"),
        ),
    )


SECTIONS: dict[str, type] = {
    "labels": LabelsConfig,
    "publish": PublishConfig,
    "limits": LimitsConfig,
    "search": SearchConfig,
    "pdf": PdfConfig,
    "display": DisplayConfig,
    "freeze": FreezeConfig,
    "sandbox": SandboxConfig,
    "schedule": ScheduleConfig,
    "release": ReleaseConfig,
}
