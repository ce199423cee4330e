"""A lab's own ``limits:`` (front matter, or a notebook's metadata): the course's limits for this
lab only.

::

    limits:
      memory_mb: 8192   # address space of this lab's kernel (the course's: limits.memory_mb)
      timeout: 900      # seconds per cell (the course's: execute.timeout)

Checked here, when the lab is read, so a wrong value is an error naming the lab's line before
anything runs; the executor (``book.execution.limits.lab_limits``) applies them to this lab's
kernel. ``timeout`` is the same setting as Jupyter Book's ``execution: {timeout: N}``; giving both,
with different values, is an error.
"""

from __future__ import annotations

import re

from book.errors import BookError

FIELDS = {
    "memory_mb": "the memory of this lab's kernel in MB (the course's: limits.memory_mb)",
    "timeout": "seconds each cell may run (the course's: execute.timeout)",
}


def read_limits(metadata: dict, text: str, path: str | None) -> None:
    """Check ``metadata["limits"]``; the timeout also as ``metadata["execution"]["timeout"]``."""
    raw = metadata.get("limits")
    if raw is None:
        return
    where = limits_line(text, path)
    if not isinstance(raw, dict):
        raise BookError(path, where, "'limits:' must be a mapping", _example())
    for key, value in raw.items():
        if key not in FIELDS:
            raise BookError(path, where, f"limits: unknown field {key!r}", _example())
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise BookError(path, where, f"limits: {key} must be a whole number > 0, got {value!r}")
    if "timeout" in raw:
        execution = dict(metadata.get("execution") or {})
        if execution.get("timeout", raw["timeout"]) != raw["timeout"]:
            raise BookError(
                path,
                where,
                f"limits: timeout {raw['timeout']} and execution: timeout "
                f"{execution['timeout']} disagree",
                "keep one of them",
            )
        execution["timeout"] = raw["timeout"]
        metadata["execution"] = execution


def limits_line(text: str, path: str | None) -> int | str | None:
    """Where a lab's ``limits:`` is: its line in a ``.md``/``.qmd``, a notebook's "metadata"."""
    if (path or "").endswith(".ipynb"):
        return "metadata"
    found = re.search(r"^limits:", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _example() -> str:
    return "e.g. limits: {memory_mb: 8192, timeout: 900}; fields: " + "; ".join(
        f"{k}: {v}" for k, v in FIELDS.items()
    )
