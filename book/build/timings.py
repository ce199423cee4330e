"""How long each step of a build took: kept beside the site for ``make bench`` and for anyone
asking where a build's time went (``_build/.timings.json``, never published).

``Steps`` times named steps in order; a step run twice adds up. ``book.build.pipeline`` wraps each
of its
steps in ``steps.step(name)`` and writes the record when the build ends, failed or not.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path


class Steps:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()

    @contextlib.contextmanager
    def step(self, name: str):
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - began

    def total(self) -> float:
        return time.perf_counter() - self.started

    def write(self, path: Path, **extra) -> None:
        record = {
            "steps": {k: round(v, 4) for k, v in self.seconds.items()},
            "total": round(self.total(), 4),
            **extra,
        }
        try:
            path.write_text(json.dumps(record, indent=1) + "\n")
        except OSError:
            pass  # a record for the curious: never a reason to fail a build
