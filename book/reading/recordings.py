"""Recorded outputs of flag-gated cells (``_freeze/``): what readers see where the flag is off.

The published site is usually built where torch (or a GPU) is not. ``make freeze TORCH=1`` runs the
labs with the flag on and records, for each cell gated on it, its outputs and their provenance, in
``_freeze/<lab>.json`` (figures beside it as PNG files), meant to be committed. A build with the
flag off shows those outputs in place of "Not run", labelled with the provenance.

A recording belongs to the code that made it: each cell carries a hash of the lab's code up to
and including that cell. When the hash no longer matches, the recording is stale: the page says so
and shows no outputs, ``make check`` lists it, and ``freeze: {stale: error}`` fails the build. A
checksum over the whole record catches hand edits. A flag build (the flag on) never uses
recordings: it runs the code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import nbformat

from book.course.labs import LAB_SUFFIXES
from book.errors import BookError

FREEZE_DIR = "_freeze"
FORMAT = "course-recording/1"
TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex")
IMAGE_KEYS = ("image/png", "image/jpeg", "image/svg+xml")  # kept as files beside the record
BINARY_KEYS = ("image/png", "image/jpeg")  # base64 in notebooks


def recording_path(root: Path, lab: str) -> Path:
    return Path(root) / FREEZE_DIR / (lab.rsplit(".", 1)[0] + ".json")


def code_hashes(nb: nbformat.NotebookNode) -> list[str]:
    """For each code cell, a hash of the lab's code up to and including it (options stripped).
    A ``{session-info}`` cell's code is the generator's, in the course's language, not the lab's:
    it is not part of the hash (a recording holds in any language)."""
    digest, hashes = hashlib.sha256(), []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if not (cell.metadata.get("book") or {}).get("session_info"):
                digest.update(cell.source.encode() + b"\n\0")
            hashes.append(digest.copy().hexdigest())
    return hashes


def checksum(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _lines(text) -> list[str]:
    text = "".join(text) if isinstance(text, list) else str(text)
    return text.splitlines(keepends=True)


def encode_outputs(outputs: list, images: Path, stem: str) -> list[dict]:
    """Outputs as diff-friendly JSON: text as lines, images as files named in the record."""
    encoded = []
    for n, out in enumerate(outputs, 1):
        out = json.loads(json.dumps(out))  # a plain copy
        if "text" in out:
            out["text"] = _lines(out["text"])
        for key, value in list(out.get("data", {}).items()):
            if key in IMAGE_KEYS:
                text = "".join(value) if isinstance(value, list) else value
                data = base64.b64decode(text) if key in BINARY_KEYS else text.encode()
                name = f"{stem}-{n}.{key.split('/')[1].split('+')[0]}"
                images.mkdir(parents=True, exist_ok=True)
                (images / name).write_bytes(data)
                out["data"][key] = f"file:{name} sha256:{hashlib.sha256(data).hexdigest()}"
            elif key in TEXT_KEYS:
                out["data"][key] = _lines(value)
        encoded.append(out)
    return encoded


def decode_outputs(outputs: list[dict], images: Path, where: str) -> list:
    decoded = []
    for out in outputs:
        out = json.loads(json.dumps(out))
        if "text" in out:
            out["text"] = "".join(out["text"])
        for key, value in list(out.get("data", {}).items()):
            if key in IMAGE_KEYS:
                name, _, sha = str(value).removeprefix("file:").partition(" sha256:")
                try:
                    data = (images / name).read_bytes()
                except OSError:
                    raise _bad(where, f"its figure {name} is missing") from None
                if hashlib.sha256(data).hexdigest() != sha:
                    raise _bad(where, f"its figure {name} was changed after recording")
                out["data"][key] = (
                    base64.b64encode(data).decode() if key in BINARY_KEYS else data.decode()
                )
            elif isinstance(value, list):
                out["data"][key] = "".join(value)
        decoded.append(nbformat.from_dict(out))
    return decoded


def _bad(where: str, why: str) -> BookError:
    return BookError(
        where,
        None,
        f"recording cannot be used: {why}",
        "record it again with make freeze (e.g. make freeze TORCH=1), or delete it",
    )


def load_recording(root: Path, lab: str, known_flags: dict) -> dict | None:
    """The lab's recording, validated (format, checksum, flags); None when there is none."""
    path = recording_path(root, lab)
    where = path.relative_to(root).as_posix()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise _bad(where, f"not valid JSON ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise _bad(where, f"not a recording of format {FORMAT}")
    if record.get("checksum") != checksum(record):
        raise _bad(where, "it was edited by hand (its checksum does not match)")
    for cell in record.get("cells", []):
        if cell.get("flag") not in known_flags:
            raise BookError(
                where,
                None,
                f"recorded for the flag {cell.get('flag')!r}, which _config.yml does not declare",
                "declare the flag under 'flags:' or delete the recording",
            )
    record["where"] = where
    return record


def apply_recording(
    nb: nbformat.NotebookNode, record: dict | None, active: dict[str, bool], root: Path
) -> None:
    """Put recorded outputs into the gated cells whose flag is off; mark stale ones."""
    if record is None:
        return
    cells = {c["code_cell"]: c for c in record.get("cells", [])}
    hashes = iter(code_hashes(nb))
    number = 0
    images = recording_path(root, record["lab"]).with_suffix("")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        current = next(hashes)
        meta = cell.metadata.get("book") or {}
        flag = meta.get("eval")
        rec = cells.get(number)
        if not isinstance(flag, str) or active.get(flag) or rec is None or rec["flag"] != flag:
            continue
        about = {
            "date": record["recorded"],
            "device": record["device"],
            "flag": flag,
            "packages": record.get("packages", {}),
        }
        if rec["code_sha256"] != current:
            meta["recorded"] = {**about, "stale": True}
        else:
            cell.outputs = decode_outputs(rec["outputs"], images, record["where"])
            # the execution cache keys a notebook on its code and cell metadata, not its
            # outputs: without this, an edited recording would show the cached, older outputs
            digest = hashlib.sha256(json.dumps(rec["outputs"], sort_keys=True).encode())
            meta["recorded"] = {**about, "outputs_sha256": digest.hexdigest()}
        cell.metadata["book"] = meta


def stale_recordings(nb: nbformat.NotebookNode, lab: str) -> list[BookError]:
    """``file:line`` notices for the cells whose recording no longer matches the code."""
    found, number = [], 0
    source_map = nb.metadata.get("source_map") or []
    for index, cell in enumerate(nb.cells):
        number += cell.cell_type == "code"
        recorded = (cell.metadata.get("book") or {}).get("recorded") or {}
        if recorded.get("stale"):
            line = source_map[index] + 1 if index < len(source_map) else None
            found.append(
                BookError(
                    lab,
                    line,
                    f"the recorded output of code cell {number} is out of date: the "
                    f"lab's code changed since it was recorded on {recorded['date']}",
                    f"record it again where the flag can run: make freeze FLAGS={recorded['flag']}",
                )
            )
    return found


def orphaned_recordings(root: Path) -> list[BookError]:
    """A recording (``_freeze/<lab>.json``) whose lab no longer exists: a removed or renamed
    lab left it behind, and nothing will ever use it."""
    base = Path(root) / FREEZE_DIR
    found = []
    for record in sorted(base.rglob("*.json")) if base.is_dir() else ():
        lab = record.relative_to(base).with_suffix("").as_posix()
        if any((Path(root) / (lab + suffix)).is_file() for suffix in LAB_SUFFIXES):
            continue
        rel = record.relative_to(root).as_posix()
        found.append(
            BookError(
                rel,
                None,
                f"a recording of {lab}, which no longer exists (removed or renamed)",
                f"remove it and its figures: git rm -r {rel} {rel.removesuffix('.json')}"
                if record.with_suffix("").is_dir()
                else f"remove it: git rm {rel}",
            )
        )
    return found
