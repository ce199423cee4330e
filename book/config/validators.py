"""Validators of the declared ``_config.yml`` settings (``book.config.sections``,
``book.config.execute``): each takes the value as YAML gave it and returns it checked, or raises
``ValueError`` with what the setting must be; the loader adds the line. ``_help`` makes a field's
metadata: its help text, validator and, where the key differs from the field, its key.
"""

from __future__ import annotations

from typing import Any


def _help(text: str, **more: Any) -> dict:
    return {"help": text, **more}


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(value: object) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("must be text")
    return str(value)


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of names")
    return tuple(value)


def _resources(value: object) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
        for k, v in value.items()
    ):
        raise ValueError("must map resource names to amounts above 0, e.g. {GPU: 1}")
    return {k: float(v) for k, v in value.items()}


def _positive_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("must be a whole number above 0")
    return value


def _one_of(*choices: str):
    """A validator accepting exactly one of ``choices``."""

    def check(value: object) -> str:
        if value not in choices:
            raise ValueError(f"must be {' or '.join(choices)}")
        return str(value)

    return check


def _env_names(value: object) -> tuple[str, ...]:
    names = _names(value) if isinstance(value, list) else ("",)
    if not all(n.isidentifier() for n in names):
        raise ValueError("must be a list of environment variable names, e.g. [HF_HUB_OFFLINE]")
    return names


def _timezone(value: object) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be a time zone name such as Europe/London or UTC") from None
    return str(value)
