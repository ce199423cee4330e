"""The course's configuration: ``_config.yml``'s execution flags, and which are on for this build.

Flags are declared once, under ``flags:`` in ``_config.yml``::

    flags:
      torch:
        default: false
        requires: [torch]
        install: pip install -r requirements/torch.txt
        enable: make html TORCH=1
        help: PyTorch sections

A build turns flags on or off through the ``BOOK_FLAGS`` environment variable (``torch`` or
``torch,-other``), which ``python -m book build --flag NAME`` and ``make html TORCH=1`` /
``make html FLAGS=torch`` set.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import BookError

CONFIG_FILE = "_config.yml"
FLAGS_ENV = "BOOK_FLAGS"


@dataclass(frozen=True)
class Flag:
    name: str
    default: bool = False
    requires: tuple[str, ...] = ()
    install: str = ""
    enable: str = ""
    help: str = ""


@dataclass
class CourseConfig:
    root: Path
    raw: dict
    flags: dict[str, Flag] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.raw.get("title", ""))


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return None


def load_config(root: Path | str) -> CourseConfig:
    root = Path(root)
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text) or {}
    except FileNotFoundError:
        raise BookError(CONFIG_FILE, None, "not found", "run from the course's top folder")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(CONFIG_FILE, mark.line + 1 if mark else None, f"invalid YAML: {exc}")
    flags = {}
    declared = raw.get("flags") or {}
    if not isinstance(declared, dict):
        raise BookError(CONFIG_FILE, _line_of(text, "flags"), "'flags' must be a mapping")
    for name, spec in declared.items():
        spec = spec or {}
        line = _line_of(text, str(name))
        unknown = set(spec) - {"default", "requires", "install", "enable", "help"}
        if unknown or not isinstance(spec.get("default", False), bool):
            raise BookError(
                CONFIG_FILE,
                line,
                f"flag {name!r}: expected keys default (true/false), requires, install, enable, help",
            )
        flags[str(name)] = Flag(
            name=str(name),
            default=spec.get("default", False),
            requires=tuple(spec.get("requires") or ()),
            install=str(spec.get("install", "")),
            enable=str(spec.get("enable", "")),
            help=str(spec.get("help", "")),
        )
    return CourseConfig(root=root, raw=raw, flags=flags)


def parse_flag_request(text: str | None, flags: dict[str, Flag]) -> dict[str, bool]:
    """``"torch,-other"`` -> overrides; unknown names are an error listing the known flags."""
    overrides: dict[str, bool] = {}
    for item in (text or "").replace(" ", ",").split(","):
        item = item.strip()
        if not item:
            continue
        on = not item.startswith("-")
        name = item.lstrip("+-")
        if name not in flags:
            known = ", ".join(sorted(flags)) or "none declared"
            raise BookError(
                CONFIG_FILE,
                None,
                f"unknown flag {name!r} requested (FLAGS / {FLAGS_ENV})",
                hint=f"known flags: {known}",
            )
        overrides[name] = on
    return overrides


def active_flags(config: CourseConfig, request: str | None = None) -> dict[str, bool]:
    """Each declared flag's state for this build: its default, overridden by the request."""
    if request is None:
        request = os.environ.get(FLAGS_ENV, "")
    state = {name: flag.default for name, flag in config.flags.items()}
    state.update(parse_flag_request(request, config.flags))
    return state


def check_requirements(config: CourseConfig, state: dict[str, bool]) -> None:
    """A flag that is on needs its modules importable; fail before any lab executes."""
    for name, on in sorted(state.items()):
        if not on:
            continue
        flag = config.flags[name]
        missing = [m for m in flag.requires if importlib.util.find_spec(m) is None]
        if missing:
            how = flag.install or f"pip install {' '.join(missing)}"
            raise BookError(
                CONFIG_FILE,
                _line_of((config.root / CONFIG_FILE).read_text(encoding="utf-8"), name),
                f"flag {name!r} is on but needs {', '.join(missing)}, which cannot be imported",
                hint=f"install it with: {how}   (or build without the flag)",
            )
