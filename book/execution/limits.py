"""What one lab's kernel may do and get: the limits from ``_config.yml``, the quiet environment,
matplotlib's font cache built once by the build, and its outputs held to the limits. Shared by
the local executor (``book.execution.pool``) and the cluster one (``book.execution.cluster``), which
send these
limits to workers.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

# On top of the kernel's allowed environment: no tool chatter in the log or on pages.
KERNEL_QUIET = {
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's frozen-modules warning
    "JUPYTER_PLATFORM_DIRS": "1",  # jupyter_core's path-migration notice
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    # one thread per kernel: the same numbers wherever a lab runs (a pool worker, a Dask worker,
    # a laptop); labs run in parallel instead
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


@dataclass(frozen=True)
class KernelLimits:
    """From ``_config.yml``: ``execute.timeout`` and ``allow_errors``, ``limits``,
    ``sandbox.env``."""

    timeout: int  # seconds per cell (a lab's ``execution: {timeout: N}`` wins)
    memory_mb: int
    max_output_bytes: int
    replacements: dict[
        str, str
    ]  # paths in tracebacks of error: true cells -> shown (longest first)
    env_names: tuple[str, ...] = ()  # environment variables the kernel may see, beyond the defaults
    cwd_root: str = ""  # the folder the labs' private folders are made in
    allow_errors: bool = False  # execute.allow_errors: a cell that raises does not stop the lab
    sandbox: str = "auto"  # which sandbox (book.execution.sandbox.MODES)
    sandbox_required: bool = False  # labs never run unconfined
    sandbox_where: str = ""  # where the two above were set, for messages
    read: tuple[str, ...] = ()  # course folders labs may read (``sandbox: read``), absolute
    network_flags: tuple[str, ...] = ()  # flags whose cells may use the network
    disk_mb: int = 2048  # limits.disk_mb: the largest file a kernel may write
    max_display_bytes: int = 10_000_000  # any one output that is not printed text (limits.*)
    max_notebook_bytes: int = 50_000_000  # all of a lab's outputs together

    @classmethod
    def from_config(cls, config, replacements: dict[str, str]) -> KernelLimits:
        from book.execution.sandbox import mode_from

        mode, required, where = mode_from(
            config.sandbox.mode,
            config.sandbox.required,
            config.line_of("sandbox.required" if config.sandbox.required else "sandbox.mode"),
        )
        return cls(
            timeout=config.execute.timeout,
            memory_mb=config.limits.memory_mb,
            max_output_bytes=config.limits.max_output_kb * 1000,
            replacements=dict(sorted(replacements.items(), key=lambda kv: -len(kv[0]))),
            env_names=tuple(config.sandbox.env),
            allow_errors=config.execute.allow_errors,
            sandbox=mode,
            sandbox_required=required,
            sandbox_where=where,
            read=_readable(config),
            network_flags=tuple(sorted(n for n, f in config.flags.items() if f.network)),
            disk_mb=config.limits.disk_mb,
            max_display_bytes=int(config.limits.max_display_mb * 1_000_000),
            max_notebook_bytes=int(config.limits.max_notebook_mb * 1_000_000),
        )


def lab_limits(metadata: dict, limits: KernelLimits) -> KernelLimits:
    """The course's limits with this lab's own ``limits:`` (checked by
    ``book.reading.lab_limits``; its timeout is also ``execution: timeout``)."""
    own = metadata.get("limits") or {}
    timeout = (metadata.get("execution") or {}).get("timeout", limits.timeout)
    return replace(limits, timeout=timeout, memory_mb=own.get("memory_mb", limits.memory_mb))


def largest_memory(notebooks, limits: KernelLimits) -> int:
    """The most memory any of these labs' kernels may have: a worker's own cap (each kernel then
    gets its lab's, ``book.execution.kernel``)."""
    return max([limits.memory_mb, *(lab_limits(nb.metadata, limits).memory_mb for nb in notebooks)])


def _readable(config) -> tuple[str, ...]:
    """``sandbox: read``: folders of the course labs may read, each checked to exist inside it."""
    from book.config.course import CONFIG_FILE
    from book.config.layout import BUILD_DIR
    from book.errors import BookError

    found = []
    for name in config.sandbox.read:
        path = (config.root / name).resolve()
        root = config.root.resolve()
        if (
            not path.is_relative_to(root)
            or path == root
            or not path.exists()
            or path.is_relative_to(root / BUILD_DIR)
        ):
            raise BookError(
                CONFIG_FILE,
                config.line_of("sandbox.read"),
                f"sandbox.read lists {name!r}, which is not a folder of the course outside _build",
                "name folders relative to the course, e.g. read: [data]",
            )
        found.append(str(path))
    return tuple(found)


def ensure_font_cache() -> None:
    """A kernel that builds matplotlib's font cache prints a notice to stderr, which would fail
    the build: build it here first, once (importing font_manager is what builds it); labs get a
    copy (``book.execution.sandbox``)."""
    cache = Path(
        os.environ.get("MPLCONFIGDIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    )
    if not any(cache.glob("fontlist-*.json")):
        import matplotlib.font_manager  # noqa: F401


def tidy_outputs(
    nb: nbformat.NotebookNode, replacements: dict[str, str], limits: KernelLimits
) -> tuple[int, str, str] | None:
    """Make outputs publishable: huge streams truncated with a notice; in the tracebacks of cells
    allowed to raise, the paths of the course, the lab's folder and Python shortened. Returns the
    first output over its limit as ``(cell index, message, hint)``, None when all are within:
    printed text is truncated, anything else (a figure, HTML, a cell's last expression, a
    traceback) cannot be cut and fails the lab, as do outputs too big for one page together.

    Printed text is never rewritten: what a cell printed is what the page shows (the site checks
    refuse a page showing anything of the build machine, naming the cell)."""
    max_bytes = limits.max_output_bytes

    def clean(text: str) -> str:
        for secret, shown in replacements.items():
            text = text.replace(secret, shown)
        return text

    sizes: dict[int, int] = {}  # cell index -> bytes of its outputs
    number = 0
    for index, cell in enumerate(nb.cells):
        number += cell.get("cell_type") == "code"
        _join_streams(cell)
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text = out.text
                size = len(text.encode())
                if size > max_bytes:
                    kept = text.encode()[:max_bytes].decode(errors="ignore")
                    text = (
                        kept + f"\n… output truncated: {size / 1e6:.1f} MB printed, "
                        f"the first {max_bytes // 1000} kB shown\n"
                    )
                out.text = text
            elif out.output_type == "error":
                out.traceback = [clean(line) for line in out.traceback]
                out.evalue = clean(out.evalue)
            size = output_bytes(out)
            sizes[index] = sizes.get(index, 0) + size
            if out.output_type != "stream" and size > limits.max_display_bytes:
                return (
                    index,
                    f"code cell {number} output {_kind(out)} of {_size(size)}, over the "
                    f"limit of {_size(limits.max_display_bytes)} for one output",
                    "show less (a smaller figure, a summary of the data, a semicolon after the "
                    "last expression), or raise 'limits: max_display_mb' in _config.yml",
                )
    total = sum(sizes.values())
    if total > limits.max_notebook_bytes:
        largest = max(sizes, key=lambda i: sizes[i])
        cell_number = sum(c.get("cell_type") == "code" for c in nb.cells[: largest + 1])
        return (
            largest,
            f"the lab's outputs come to {_size(total)}, over the limit of "
            f"{_size(limits.max_notebook_bytes)} for one lab (the largest: code cell "
            f"{cell_number}, {_size(sizes[largest])})",
            "show less in the lab's cells, split the lab, or raise 'limits: max_notebook_mb' "
            "in _config.yml",
        )
    return None


def output_bytes(out) -> int:
    """The bytes one output adds to the page and the notebook download."""
    if out.get("output_type") == "stream":
        return len(out.get("text", "").encode())
    if out.get("output_type") == "error":
        return sum(len(line.encode()) for line in out.get("traceback", []))
    total = 0
    for value in (out.get("data") or {}).values():
        if isinstance(value, list):
            value = "".join(value)
        total += len(value.encode()) if isinstance(value, str) else len(json.dumps(value))
    return total


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.1f} kB"


def _kind(out) -> str:
    if out.get("output_type") == "error":
        return "a traceback"
    types = sorted(out.get("data") or {}, key=lambda t: t == "text/plain")
    return types[0] if types else out.get("output_type", "an output")


def _join_streams(cell) -> None:
    """Consecutive outputs of one stream as one (the same notebook however the kernel's messages
    were split); in one pass, unlike nbclient's coalescing, which is quadratic in the output."""
    joined: list = []
    parts: dict[int, list[str]] = {}  # index in joined -> the texts of its stream, joined once
    for out in cell.get("outputs", []):
        last = joined[-1] if joined else None
        if (
            out.get("output_type") == "stream"
            and last is not None
            and last.get("output_type") == "stream"
            and last.get("name") == out.get("name")
        ):
            parts.setdefault(len(joined) - 1, [last["text"]]).append(out["text"])
        else:
            joined.append(out)
    for index, texts in parts.items():
        joined[index]["text"] = "".join(texts)
    if "outputs" in cell:
        cell["outputs"] = joined


def traceback_paths(root: Path, exec_root: str | None = None) -> dict[str, str]:
    """How tracebacks of ``#| error: true`` cells show paths (longest first): course paths
    relative, Python's own paths shortened. Printed output is never changed."""
    import site

    shown = {
        str(root) + "/": "",
        str(root): ".",
        os.path.realpath(root) + "/": "",
        str(Path.home()): "~",
    }
    for packages in site.getsitepackages():
        shown[packages] = "site-packages"
    shown[sys.prefix] = "<python>"
    shown[os.path.realpath(sys.prefix)] = "<python>"
    if exec_root:
        shown[exec_root] = "."
    return dict(
        sorted(((k, v) for k, v in shown.items() if len(k) > 1), key=lambda kv: -len(kv[0]))
    )
