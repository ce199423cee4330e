"""The lab reader's disk cache: a parsed lab, by its content and what its reading depends on.

A lab's reading depends on its text, its recordings, the release, the declared flags, the
generator and the states of the flags *its own cells are gated on*. The states of the other flags
do not change it, so they are not part of its key: after a flag flip only the labs gated on the
flipped flag are parsed again. Which flags a lab uses is known once it has been parsed; it is
kept beside the entries, under the key without flag states.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import nbformat


def flags_used(nb: nbformat.NotebookNode) -> list[str]:
    """The flags the notebook's cells are gated on."""
    used = set()
    for cell in nb.cells:
        gate = (cell.get("metadata", {}).get("book") or {}).get("eval")
        if isinstance(gate, str):
            used.add(gate)
    return sorted(used)


def _digest(state) -> str:
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def cached_read(
    folder: Path, base: tuple, flags: dict[str, bool], read: Callable[[], nbformat.NotebookNode]
) -> nbformat.NotebookNode:
    """The lab read with ``read()``, or as read before with the same ``base`` (content, state)
    and the same states of the flags it uses."""
    index = folder / f"{_digest(base)}.flags"
    try:
        used = json.loads(index.read_text())
        entry = folder / f"{_digest((base, [(f, flags.get(f)) for f in used]))}.pickle"
        return pickle.loads(entry.read_bytes())
    except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    nb = read()
    used = flags_used(nb)
    entry = folder / f"{_digest((base, [(f, flags.get(f)) for f in used]))}.pickle"
    _write(entry, pickle.dumps(nb))
    _write(index, json.dumps(used).encode())
    return nb
