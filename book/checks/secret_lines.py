"""The secret scan's memory of lines (``book.checks.secrets``): each distinct line of a site
searched once, and the lines found clean kept between builds.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path


class LineVerdicts:
    """What the scan found in each distinct line: the pages of a site share most of their lines
    (the navigation, the header, the footer), so each distinct line is searched once however
    many files hold it (a cold build of 20 labs: 2.9 MB of text, 0.27 MB of distinct lines).

    The enabled plugins' patterns (``prefilter``) run over the new lines joined; a line none
    of them hits holds no secret detect-secrets would report (each plugin reports what its own
    patterns match within the one line it is handed), and only the lines they hit are handed to
    detect-secrets. Per suffix: the keyword plugin reads only text outputs.

    Kept for the process (a build, or ``make serve`` between builds) and, through ``load`` and
    ``save``, between builds: the lines found clean (by their hash) and the plugins' patterns,
    under the scanner's key (``key``: detect-secrets' version, its settings, our
    plugins). So a build searches only lines no earlier build saw, and detect-secrets is
    imported only when one of them needs it. A line that holds a secret is never kept."""

    LIMIT = 500_000  # distinct lines kept in the process; past it the memory starts again

    def __init__(
        self,
        prefilter: Callable[[str], tuple[re.Pattern[str], ...]],
        detect: Callable[[str, str], list[tuple[str, str]]],
        key: Callable[[], str],
    ) -> None:
        self._prefilter, self._detect, self._key = prefilter, detect, key
        self.hit: dict[str, dict[str, bool]] = {}
        self.found: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.clean: dict[str, set[bytes]] = {}  # suffix -> hashes of lines with no secret
        self.patterns: dict[str, list[tuple[str, int]]] = {}
        self.changed = False

    def secrets(self, line: str, suffix: str) -> list[tuple[str, str]]:
        """(detect-secrets' type, the whole secret) for each secret in ``line``."""
        hits = self.hit.setdefault(suffix, {})
        if line not in hits:  # ``prepare`` searches a whole text's new lines at once
            self.prepare([line], suffix)
            hits = self.hit[suffix]
        if not hits[line]:
            return []
        key = (suffix, line)
        if key not in self.found:
            self.found[key] = self._detect(line, suffix)
            if not self.found[key]:  # hit by a pattern, but no secret: clean
                self.clean.setdefault(suffix, set()).add(_digest(line))
                self.changed = True
        return self.found[key]

    def prepare(self, lines: list[str], suffix: str) -> None:
        """Search the lines not yet seen with the plugins' patterns."""
        hits = self.hit.setdefault(suffix, {})
        if sum(map(len, self.hit.values())) > self.LIMIT:
            self.hit.clear()
            self.found.clear()
            hits = self.hit.setdefault(suffix, {})
        clean = self.clean.setdefault(suffix, set())
        new = []
        for line in dict.fromkeys(line for line in lines if line not in hits):
            if _digest(line) in clean:
                hits[line] = False
            else:
                new.append(line)
        if not new:
            return
        joined = "\n".join(new)
        starts = [0]
        for line in new[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        numbers = {
            bisect_right(starts, m.start())
            for rx in self.prefilter(suffix)
            for m in rx.finditer(joined)
        }
        for n, line in enumerate(new, 1):
            hits[line] = n in numbers
            if not hits[line]:
                clean.add(_digest(line))
        self.changed = True

    def prefilter(self, suffix: str) -> tuple[re.Pattern[str], ...]:
        """``prefilter``'s patterns, compiled from the saved ones when there are."""
        if suffix not in self.patterns:
            self.patterns[suffix] = [(rx.pattern, rx.flags) for rx in self._prefilter(suffix)]
            self.changed = True
        return _compiled(tuple(self.patterns[suffix]))

    def load(self, path: Path) -> None:
        """The verdicts saved by an earlier build, if the scanner is the same."""
        try:
            saved = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if not isinstance(saved, dict) or saved.get("key") != self._key():
            return
        for suffix, hashes in saved.get("clean", {}).items():
            self.clean.setdefault(suffix, set()).update(hashes)
        for suffix, patterns in saved.get("patterns", {}).items():
            self.patterns.setdefault(suffix, [tuple(p) for p in patterns])

    def save(self, path: Path) -> None:
        if not self.changed:
            return
        data = {
            "key": self._key(),
            "clean": {suffix: set(hashes) for suffix, hashes in self.clean.items()},
            "patterns": {suffix: list(p) for suffix, p in self.patterns.items()},
        }
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(marshal.dumps(data))
        os.replace(partial, path)
        self.changed = False


def _digest(line: str) -> bytes:
    return hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[tuple[str, int], ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, flags) for pattern, flags in patterns)
