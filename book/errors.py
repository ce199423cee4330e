"""Errors that name the place: ``file:line: message``, with a hint on what to do."""

from __future__ import annotations


class BookError(Exception):
    """A problem in the course's sources or configuration, reported as ``file:line: message``."""

    def __init__(self, path: str | None, line: int | str | None, message: str, hint: str = ""):
        self.path = path
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        where = self.path or "<unknown file>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n  {self.hint}"
        return text


class BookErrors(Exception):
    """Several problems at once (checks report everything in one run)."""

    def __init__(self, errors: list[BookError]):
        self.errors = errors
        super().__init__("\n".join(e.format() for e in errors))
