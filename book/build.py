"""The build: course checks → flags → execute labs in parallel → Sphinx → site checks → publish.

``make html`` runs ``python -m book build``. Everything goes into ``_build/.html-staging`` first; the
published ``_build/html`` is replaced only when every step succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

from .checks import run_checks
from .config import FLAGS_ENV, active_flags, check_requirements, load_config
from .errors import BookError
from .labs import decode_utf8
from .execute import LabJob, default_workers, execute_labs
from .fingerprint import generator_hash, record as record_fingerprint
from .leaks import traceback_paths
from .lock import build_lock
from .publish import clean_build_dir, publish
from . import reader, sandbox, sources
from .reader import read_lab
from .sandbox import extra_env_names
from .search import index_site
from .site_checks import scan_site
from .toc import TOC_FILE, read_toc, source_of

BUILD = "_build"
EXEC_REPORT_ENV = "BOOK_EXEC_REPORT"
PUBLISHED = ".published.json"  # the pages and flags of the site in _build/html


def toc_documents(root: Path) -> list[str]:
    """The files listed in ``_toc.yml``, in order (the checks have already named missing ones)."""
    docs = []
    for entry in read_toc(root):
        source = source_of(root, entry.docname)
        if source is None:
            raise BookError(TOC_FILE, entry.line, f"lists {entry.docname!r}, but no such file "
                            "exists", "create the file or remove the entry")
        docs.append(source)
    return docs


def read_source(root: Path, doc: str) -> str:
    """A page's text; a file that is not UTF-8 is an error naming the line."""
    return decode_utf8(doc, (root / doc).read_bytes())


def execution_limits(config, root: Path) -> dict:
    """Timeout, memory and output limits from _config.yml; the kernels' extra variables; how
    tracebacks of ``#| error: true`` cells show paths (``book.leaks.traceback_paths``)."""
    limits = config.raw.get("limits") or {}
    return {
        "timeout": int((config.raw.get("execute") or {}).get("timeout", 300)),
        "memory_mb": int(limits.get("memory_mb", 4096)),
        "max_output_bytes": int(limits.get("max_output_kb", 100)) * 1000,
        "replacements": traceback_paths(root),
        "env_names": extra_env_names(config.raw, root),
    }


def flag_request_text(state: dict[str, bool]) -> str:
    return ",".join(name if on else f"-{name}" for name, on in sorted(state.items()))


def _quiet_environment() -> None:
    """Keep tool chatter out of the log and the pages (kernel warnings, path migrations)."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    # A kernel that builds matplotlib's font cache prints a notice to stderr, which would fail
    # the build: build it here first, once (importing font_manager is what builds it).
    cache = Path(os.environ.get("MPLCONFIGDIR")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib")
    if not any(cache.glob("fontlist-*.json")):
        import matplotlib.font_manager  # noqa: F401


def build(root: Path, flag_request: str | None = None, workers: int | None = None,
          log=print, fingerprint: str | None = None) -> int:
    root = Path(root).resolve()
    os.chdir(root)
    started = time.perf_counter()
    build_dir = root / BUILD
    with build_lock(build_dir, log):
        clean_build_dir(build_dir, log)  # what an interrupted or failed build left behind
        reader.DISK_CACHE["dir"] = build_dir / ".read-cache"  # parsed labs, by content
        config = load_config(root)
        run_checks(root, config)  # every problem at once, before anything runs or is published
        state = active_flags(config, flag_request)
        check_requirements(config, state)
        os.environ[FLAGS_ENV] = flag_request_text(state)
        _quiet_environment()
        on = [n for n, v in sorted(state.items()) if v]
        log(f"flags: {', '.join(on) if on else 'none on'} (declared: {', '.join(sorted(state)) or 'none'})")

        docs = toc_documents(root)
        jobs = []
        for doc in docs:
            if not doc.endswith(".md"):
                continue
            text = read_source(root, doc)
            jobs.append(LabJob(doc, read_lab(text, path=doc, known_flags=config.flags, active=state)))
        cache_path = root / BUILD / ".jupyter_cache"
        # with the sandbox the course is read-only to labs; without it, compare before and after
        before = None if sandbox.detect().bwrap else sources.snapshot(root)
        results = execute_labs(jobs, cache_path, workers=workers or default_workers(),
                               limits=execution_limits(config, root), progress=log)
        failed = [r.error for r in results if r.status == "failed"]
        if before is not None:
            failed += sources.lab_changes(root, before, {r.path: r.window for r in results
                                                         if r.window})
        if failed:
            return _failed(log, failed, f"{len(failed)} problem(s) while the labs ran")

        # a sibling of _build/html: myst-nb keeps figures in <outdir>/../jupyter_execute, which
        # must outlive the build for Sphinx's dependency checks to see pages as unchanged
        html = build_dir / ".html-staging"
        shutil.rmtree(html, ignore_errors=True)
        published = {  # what the seeded copy must share with this build (see _seed_staging)
            "docs": docs, "flags": os.environ[FLAGS_ENV], "generator": generator_hash(),
            "config": hashlib.sha256((root / "_config.yml").read_bytes()).hexdigest(),
        }
        _seed_staging(build_dir, html, published)
        report = build_dir / ".execution.json"
        report.write_text(json.dumps(
            {r.path: {"status": r.status, "seconds": round(r.seconds, 3)} for r in results}))
        os.environ[EXEC_REPORT_ENV] = str(report)
        status = _sphinx(root, html, build_dir / ".doctrees", cache_path)
        if status != 0:
            return _failed(log, [], "Sphinx reported the problems above")
        try:
            log(f"search: {index_site(html)}")
        except BookError as exc:
            return _failed(log, [exc], "the search index was not built")
        problems = scan_site(html, root, {j.path.rsplit(".", 1)[0]: j.notebook for j in jobs})
        if problems:
            return _failed(log, problems, "the built site is not clean")
        try:
            publish(html, build_dir / "html", log)
        except BookError as exc:
            return _failed(log, [exc], "the new site could not be swapped in")
        (build_dir / PUBLISHED).write_text(json.dumps(published))
        if fingerprint:
            record_fingerprint(root, fingerprint)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("executed", "cached", "no code")}
    log(
        f"built _build/html in {time.perf_counter() - started:.1f} s: "
        f"{counts['executed']} executed, {counts['cached']} cached, 0 failed, "
        f"{counts['no code']} pages without code"
    )
    return 0


def _failed(log, errors: list[BookError], why: str) -> int:
    for err in errors:
        log(f"error: {err.format()}", file=sys.stderr)
    log(f"error: build failed: {why}; the published site is unchanged", file=sys.stderr)
    return 1


def _seed_staging(build_dir: Path, html: Path, state: dict) -> None:
    """Seed the staging folder for Sphinx.

    When the published site has the same pages, flags, configuration and generator, start from
    a copy of it: Sphinx then writes only the pages that changed (its own mtime and environment
    checks decide; the extension widens that to every page when a title changes). Otherwise
    start empty, so no page of a removed lab survives, every page states the new flags, and
    files written outside Sphinx's page checks (index.html, notebooks) are made anew."""
    published = build_dir / "html"
    try:
        same = json.loads((build_dir / PUBLISHED).read_text()) == state
    except (OSError, ValueError):
        same = False
    if same and published.is_dir():
        shutil.copytree(published, html, copy_function=shutil.copy2)
    else:
        html.mkdir(parents=True)


def _sphinx(root: Path, outdir: Path, doctrees: Path, cache_path: Path) -> int:
    from jupyter_book.sphinx import build_sphinx

    quiet = True
    result = build_sphinx(
        str(root), str(outdir),
        path_config=str(root / "_config.yml"),
        noconfig=True,
        doctreedir=str(doctrees),
        confoverrides={
            "latex_individualpages": False,  # jupyter-book expects the key
            "nb_execution_cache_path": str(cache_path),
            "nitpicky": True,
        },
        warningiserror=True,
        keep_going=True,
        quiet=quiet,
    )
    if isinstance(result, BaseException):
        print(f"error: {type(result).__name__}: {result}", file=sys.stderr)
        return 1
    return int(result or 0)
