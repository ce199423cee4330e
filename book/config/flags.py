"""Which execution flags are on for a build: declared defaults, overridden by the request.

A request is text such as ``torch`` or ``torch,-other`` (``make html FLAGS=...``, ``--flag``, or
the ``BOOK_FLAGS`` environment variable, which only the command line and a plain
``jupyter-book build`` read). A flag that is on must have its modules importable: that is checked
here, before any lab runs.
"""

from __future__ import annotations

import importlib.util
import os

from book.config.course import CONFIG_FILE, CourseConfig, FlagConfig
from book.errors import BookError

FLAGS_ENV = "BOOK_FLAGS"


def request_from_environment(*extra: str) -> str:
    """The user's request: ``BOOK_FLAGS`` and then any further items (e.g. ``--flag``)."""
    return ",".join([os.environ.get(FLAGS_ENV, ""), *extra])


def parse_request(text: str | None, flags: dict[str, FlagConfig]) -> dict[str, bool]:
    """``"torch,-other"`` -> overrides; unknown names are an error listing the known flags."""
    overrides: dict[str, bool] = {}
    for item in (text or "").replace(" ", ",").split(","):
        item = item.strip()
        if not item:
            continue
        name = item.lstrip("+-")
        if name not in flags:
            known = ", ".join(sorted(flags)) or "none declared"
            raise BookError(
                CONFIG_FILE,
                None,
                f"unknown flag {name!r} requested (FLAGS / {FLAGS_ENV})",
                hint=f"known flags: {known}",
            )
        overrides[name] = not item.startswith("-")
    return overrides


def resolve(config: CourseConfig, request: str | None) -> dict[str, bool]:
    """Each declared flag's state for this build: its default, overridden by the request."""
    state = {name: flag.default for name, flag in config.flags.items()}
    state.update(parse_request(request, config.flags))
    return dict(sorted(state.items()))


def check_requirements(config: CourseConfig, state: dict[str, bool]) -> None:
    """A flag that is on needs its modules importable; fail before any lab executes."""
    for name, on in sorted(state.items()):
        flag = config.flags[name]
        missing = [m for m in flag.requires if importlib.util.find_spec(m) is None] if on else []
        if missing:
            raise BookError(
                CONFIG_FILE,
                config.line_of(f"flags.{name}"),
                f"flag {name!r} is on but needs {', '.join(missing)}, which cannot be imported",
                hint=f"install it with: {flag.install_command}   (or build without the flag)",
            )


def state_text(state: dict[str, bool]) -> str:
    """``torch=0,other=1``: the flag state as one stable string (fingerprints, published state)."""
    return ",".join(f"{name}={int(on)}" for name, on in sorted(state.items()))


def summary(state: dict[str, bool]) -> str:
    on = [name for name, value in state.items() if value]
    return f"flags: {', '.join(on) if on else 'none on'} (declared: {', '.join(state) or 'none'})"
