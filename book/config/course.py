"""The course's configuration, declared: every setting of ``_config.yml`` with its default, type,
validator and help text, loaded and validated once per command into one ``CourseConfig``.

In the style of myst-nb's ``NbParserConfig``: each section is a frozen dataclass whose fields carry
their help in ``metadata``. Sections of our own (``flags``, ``limits``, ``search``) are validated
field by field; Jupyter Book's own keys are checked against the keys Jupyter Book 1 declares (its
JSON schema and default configuration). Any unknown or misspelt key fails with
``_config.yml:LINE: unknown key 'limts' (did you mean 'limits'?)``.

Only what the course sets is read here; which flags are on for a build is ``book.config.flags``.
"""

from __future__ import annotations

import dataclasses as dc
from pathlib import Path
from typing import Any

import yaml

from book.config import yaml_fast
from book.config.execute import ExecuteConfig
from book.config.jupyter_book_keys import JUPYTER_BOOK_KEYS
from book.config.layout import BuildLayout
from book.config.needs import missing_extensions, schema_problems
from book.config.parity import check_settings
from book.config.sections import (
    OWN_KEYS,
    SECTIONS,
    DisplayConfig,
    FlagConfig,
    FreezeConfig,
    LabelsConfig,
    LimitsConfig,
    PdfConfig,
    PublishConfig,
    ReleaseConfig,
    SandboxConfig,
    ScheduleConfig,
    SearchConfig,
)
from book.config.words import DEFAULT, Words, catalog_language, english, languages
from book.errors import BookError

CONFIG_FILE = "_config.yml"


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """YAML text as nodes (for line numbers) and as data, parsed once (libyaml when present)."""
    loader = yaml_fast.LOADER(text)  # libyaml; a date that is none is a YAML error at its line
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None) or {}
    finally:
        loader.dispose()


@dc.dataclass(frozen=True)
class CourseConfig:
    """The whole resolved configuration of a course, passed down as one object."""

    root: Path
    title: str = ""
    author: str = ""
    flags: dict[str, FlagConfig] = dc.field(default_factory=dict)
    limits: LimitsConfig = LimitsConfig()
    search: SearchConfig = SearchConfig()
    pdf: PdfConfig = PdfConfig()
    freeze: FreezeConfig = FreezeConfig()
    sandbox: SandboxConfig = SandboxConfig()
    display: DisplayConfig = DisplayConfig()
    publish: PublishConfig = PublishConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    release: ReleaseConfig = ReleaseConfig()
    execute: ExecuteConfig = ExecuteConfig()
    labels: Any = LabelsConfig()  # made from the message template: one field per message
    words: Words = Words()  # the course's language and its labels: what pages say
    layout: BuildLayout = dc.field(default=None)  # type: ignore[assignment]
    lines: dict[str, int] = dc.field(default_factory=dict)  # "flags.torch" -> its line

    def line_of(self, dotted: str) -> int | None:
        return self.lines.get(dotted)


def _mapping_lines(node: yaml.Node | None, prefix: str, out: dict[str, int]) -> None:
    """Every key's line, as dotted paths (``limits.memory_mb``)."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        dotted = f"{prefix}{key.value}"
        out[dotted] = key.start_mark.line + 1
        _mapping_lines(value, dotted + ".", out)


def _unknown(where: str, key: str, known: list[str], line: int | None) -> BookError:
    import difflib  # only on the error path: the no-op build stays light

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else ""
    message = f"unknown key {key!r}" + (f" ({hint})" if hint else "")
    section = f"under '{where}'" if where else "at the top level"
    return BookError(CONFIG_FILE, line, message, f"keys {section}: {', '.join(sorted(known))}")


def _build_section(cls: type, raw: object, where: str, lines: dict[str, int]) -> Any:
    """A dataclass section from its mapping: unknown keys and invalid values name their line."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BookError(CONFIG_FILE, lines.get(where), f"'{where}' must be a mapping of settings")
    fields = {
        f.metadata.get("key", f.name): f for f in dc.fields(cls) if not f.metadata.get("internal")
    }
    values = {}
    for key, value in raw.items():
        line = lines.get(f"{where}.{key}")
        if key not in fields:
            raise _unknown(where, str(key), list(fields), line)
        try:
            values[fields[key].name] = fields[key].metadata["validator"](value)
        except ValueError as exc:
            raise BookError(
                CONFIG_FILE,
                line,
                f"{where}.{key} {exc}, not {value!r}",
                f"{key}: {fields[key].metadata['help']}",
            ) from None
    return cls(**values)


def _check_jupyter_book_keys(raw: dict, lines: dict[str, int]) -> None:
    """Jupyter Book's sections: only the keys Jupyter Book 1 knows (free-form ones not
    descended)."""
    own = {"flags", *SECTIONS}
    for key, value in raw.items():
        if key in own:
            continue
        if key not in JUPYTER_BOOK_KEYS:
            raise _unknown("", str(key), sorted({*JUPYTER_BOOK_KEYS, *own}), lines.get(key))
        sub = JUPYTER_BOOK_KEYS[key]
        if sub is not None and isinstance(value, dict):
            sub = (*sub, *OWN_KEYS.get(key, ()))
            for inner in value:
                if inner not in sub and not (key == "parse" and str(inner).startswith("myst_")):
                    raise _unknown(key, str(inner), sorted(sub), lines.get(f"{key}.{inner}"))


def _words(raw: dict, labels: Any, lines: dict[str, int]) -> Words:
    """The course's language (Jupyter Book's ``sphinx: config: language:``, which the theme and
    the search index follow too) with its ``labels:``; a language the build cannot write is
    refused at its line."""
    sphinx = raw.get("sphinx")
    settings = sphinx.get("config") if isinstance(sphinx, dict) else None
    language = (settings.get("language") if isinstance(settings, dict) else None) or DEFAULT
    where = "sphinx.config.language"
    overrides = tuple((k, v) for k, v in dc.asdict(labels).items() if v)
    if not isinstance(language, str):
        raise BookError(
            CONFIG_FILE, lines.get(where), f"language must be a code such as de, not {language!r}"
        )
    if language == DEFAULT and not overrides:
        return Words()  # an English course's commands do not import Babel
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise BookError(
            CONFIG_FILE,
            lines.get(where),
            f"language {language!r} is not a language code",
            "write a code such as en, de, fr or es (de_AT: Austrian German)",
        ) from None
    if catalog_language(language) is None and {k for k, _ in overrides} != set(english()):
        missing = sorted(set(english()) - {k for k, _ in overrides})
        raise BookError(
            CONFIG_FILE,
            lines.get(where),
            f"the course's pages have no translation into {language!r} "
            f"(there are: {', '.join(languages())})",
            f"give all of the course's words under 'labels:' ({len(missing)} missing: "
            f"{', '.join(missing[:5])}, ...), or add book/locale/{language}/LC_MESSAGES/course.po "
            "(docs/language.md)",
        )
    return Words(language, overrides)


def _check_no_myst_nb_execution(raw: dict, lines: dict[str, int]) -> None:
    """myst-nb executes nothing (``book.sphinx.parser``): asking it to in ``sphinx: config:``
    is refused, not ignored."""
    config = (raw.get("sphinx") or {}).get("config") or {}
    for key in ("nb_execution_mode", "jupyter_execute_notebooks"):
        if isinstance(config, dict) and config.get(key, "off") != "off":
            raise BookError(
                CONFIG_FILE,
                lines.get(f"sphinx.config.{key}"),
                f"sphinx.config.{key}: {config[key]!r} is not honoured: myst-nb executes "
                "nothing here; labs run only through the course's executor, confined",
                "remove it (execute: execute_notebooks: cache is the course's own mode)",
            )


def _read(root: Path) -> tuple[dict, dict[str, int]]:
    """``_config.yml`` as data, and every key's line."""
    try:
        text = (root / CONFIG_FILE).read_text(encoding="utf-8")
        node, raw = compose_and_load(text)
    except FileNotFoundError:
        raise BookError(
            CONFIG_FILE, None, "not found", "run from the course's top folder"
        ) from None
    except UnicodeDecodeError:
        raise BookError(
            CONFIG_FILE, None, "not valid UTF-8", "save it with UTF-8 encoding"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(
            CONFIG_FILE, mark.line + 1 if mark else None, f"invalid YAML: {exc}"
        ) from None
    if not isinstance(raw, dict):
        raise BookError(CONFIG_FILE, 1, "must be a mapping of settings (key: value lines)")
    lines: dict[str, int] = {}
    _mapping_lines(node, "", lines)
    return raw, lines


def config_problems(root: Path | str) -> list[BookError]:
    """For the course checks: values Jupyter Book's schema refuses, and the Sphinx extensions
    ``_config.yml`` adds that cannot be imported."""
    root = Path(root).resolve()
    raw, lines = _read(root)
    return schema_problems(raw, lines) + missing_extensions(root, raw, lines)


def load_config(root: Path | str) -> CourseConfig:
    """Read, validate and resolve ``_config.yml``; every problem is a ``BookError`` with a line."""
    root = Path(root).resolve()
    raw, lines = _read(root)
    _check_jupyter_book_keys(raw, lines)
    check_settings(raw, lines)  # what the build cannot honour is refused, with its line
    _check_no_myst_nb_execution(raw, lines)

    declared = raw.get("flags") or {}
    if not isinstance(declared, dict):
        raise BookError(CONFIG_FILE, lines.get("flags"), "'flags' must be a mapping of flags")
    flags = {}
    for name, spec in declared.items():
        flag = _build_section(FlagConfig, spec, f"flags.{name}", lines)
        flags[str(name)] = dc.replace(flag, name=str(name))
    sections = {key: _build_section(cls, raw.get(key), key, lines) for key, cls in SECTIONS.items()}
    execute = raw.get("execute") or {}
    execute_config = _build_section(
        ExecuteConfig,
        {k: v for k, v in execute.items() if k in {f.name for f in dc.fields(ExecuteConfig)}},
        "execute",
        lines,
    )
    return CourseConfig(
        root=root,
        words=_words(raw, sections["labels"], lines),
        title=str(raw.get("title") or ""),
        author=str(raw.get("author") or ""),
        flags=flags,
        execute=execute_config,
        layout=BuildLayout.for_course(root, execute_config.cache),
        lines=lines,
        **sections,
    )
