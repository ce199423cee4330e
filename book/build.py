"""The build: course checks → execute labs in parallel → Sphinx → search index → site checks →
publish.

``make html`` runs ``python -m book build``, which resolves the configuration and the flags once
and calls ``build``. Everything goes into the staging folder first; the published site is replaced
only when every step succeeded. ``build`` leaves the process as it found it: no working-directory
change, no environment variable written, ``sys.path`` restored after Sphinx.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

from . import flags as flag_state
from . import sandbox, sources
from .checks import run_checks
from .cluster import cluster_runner
from .config import CONFIG_FILE, CourseConfig
from .errors import BookError
from .execute import LabJob, LabResult, default_workers, execute_labs
from .fingerprint import generator_hash
from .fingerprint import record as record_fingerprint
from .layout import BuildLayout
from .leaks import traceback_paths
from .limits import KernelLimits, ensure_font_cache
from .lock import build_lock
from .publish import clean_build_dir, publish
from .reader import LabReader
from .release import release_state
from .schedule import release_plan
from .search import index_site
from .site_checks import scan_site
from .sphinx.settings import flag_help
from .toc import TOC_FILE, read_toc, source_of


def toc_documents(root: Path) -> list[str]:
    """The files listed in ``_toc.yml``, in order (the checks have already named missing ones)."""
    docs = []
    for entry in read_toc(root):
        source = source_of(root, entry.docname)
        if source is None:
            raise BookError(
                TOC_FILE,
                entry.line,
                f"lists {entry.docname!r}, but no such file exists",
                "create the file or remove the entry",
            )
        docs.append(source)
    return docs


def kernel_limits(config: CourseConfig) -> KernelLimits:
    """The configured limits, and how tracebacks of ``error: true`` cells show paths."""
    return KernelLimits.from_config(config, traceback_paths(config.root))


def build(
    config: CourseConfig,
    flags: dict[str, bool],
    workers: int | None = None,
    log=print,
    fingerprint: str | None = None,
    scheduler: str = "",
) -> int:
    """Build and publish the course for ``flags`` (resolved by ``book.flags``); 0 on success.

    ``scheduler``: a Dask scheduler's address (``--scheduler``; else ``execute.scheduler``)."""
    started = time.perf_counter()
    layout = config.layout
    with build_lock(layout, log):
        clean_build_dir(layout, log)  # what an interrupted or failed build left behind
        release = release_state(config)  # what is published at this moment, for whom
        reader = LabReader(config.root, config.flags, flags, layout.read_cache, release)
        run_checks(config.root, config, reader, log)  # every problem at once, before any run
        flag_state.check_requirements(config, flags)
        log(flag_state.summary(flags))
        ensure_font_cache()

        # sessions not yet released: not executed, not rendered (book.schedule)
        docs, release_settings = release_plan(config, release, toc_documents(config.root), log)
        jobs = [
            LabJob(doc, reader.read(doc)) for doc in docs if doc.endswith((".md", ".ipynb", ".qmd"))
        ]
        # with the sandbox the course is read-only to labs; without it, compare before and after
        before = None if sandbox.detect().bwrap else sources.snapshot(config.root)
        results = execute(config, flags, jobs, workers, scheduler, log)
        failed = [r.error for r in results if r.error is not None]
        if before is not None:
            failed += sources.lab_changes(
                config.root, before, {r.path: r.window for r in results if r.window}
            )
        if failed:
            return _failed(log, failed, f"{len(failed)} problem(s) while the labs ran")

        published = {  # what the seeded copy must share with this build (see _seed_staging)
            "docs": docs,
            "flags": flag_state.state_text(flags),
            "generator": generator_hash(),
            "config": hashlib.sha256((config.root / "_config.yml").read_bytes()).hexdigest(),
            "release": release.text(),
        }
        _seed_staging(layout, published)
        status = _sphinx(
            config,
            {
                "book_flags": flags,
                "book_flag_help": flag_help(config),
                "book_reader": reader,
                "book_display": config.display.as_settings(),
                "book_execution_report": {
                    r.path: {"status": r.status, "seconds": round(r.seconds, 3)} for r in results
                },
                **release_settings,
            },
        )
        if status != 0:
            return _failed(log, [], "Sphinx reported the problems above")
        if config.search.enable:
            try:
                log(f"search: {index_site(layout.staging, config.search)}")
            except BookError as exc:
                return _failed(log, [exc], "the search index was not built")
        problems = scan_site(
            layout.staging, config.root, {j.path.rsplit(".", 1)[0]: j.notebook for j in jobs}
        )
        if problems:
            return _failed(log, problems, "the built site is not clean")
        try:
            publish(layout.staging, layout.html, log)
        except BookError as exc:
            return _failed(log, [exc], "the new site could not be swapped in")
        layout.published.write_text(json.dumps(published))
        if fingerprint:
            record_fingerprint(layout, fingerprint)
    log(_summary(results, time.perf_counter() - started, layout.shown(layout.html)))
    return 0


def execute(
    config: CourseConfig,
    flags: dict[str, bool],
    jobs: list[LabJob],
    workers: int | None,
    scheduler: str,
    log,
) -> list[LabResult]:
    """The labs executed here, or on the Dask cluster at the scheduler's address."""
    address = scheduler or config.execute.scheduler
    where = "SCHEDULER" if scheduler else f"{CONFIG_FILE}:{config.line_of('execute.scheduler')}"
    with cluster_runner(address, where, jobs, config, flags) as runner:
        if runner is not None:
            log(f"executing on the Dask cluster at {address}")
        return execute_labs(
            jobs,
            config.root,
            config.layout.jupyter_cache,
            workers=workers or default_workers(),
            limits=kernel_limits(config),
            progress=log,
            runner=runner,
        )


def _summary(results: list[LabResult], seconds: float, site: str = "_build/html") -> str:
    counts = {
        s: sum(1 for r in results if r.status == s) for s in ("executed", "cached", "no code")
    }
    return (
        f"built {site} in {seconds:.1f} s: {counts['executed']} executed, "
        f"{counts['cached']} cached, 0 failed, {counts['no code']} pages without code"
    )


def _failed(log, errors: list[BookError], why: str) -> int:
    for err in errors:
        log(f"error: {err.format()}", file=sys.stderr)
    log(f"error: build failed: {why}; the published site is unchanged", file=sys.stderr)
    return 1


def _seed_staging(layout: BuildLayout, state: dict) -> None:
    """Seed the staging folder for Sphinx.

    When the published site has the same pages, flags, configuration and generator, start from
    a copy of it: Sphinx then writes only the pages that changed (its own mtime and environment
    checks decide; the extension widens that to every page when a title changes). Otherwise
    start empty, so no page of a removed lab survives, every page states the new flags, and
    files written outside Sphinx's page checks (index.html, notebooks) are made anew."""
    shutil.rmtree(layout.staging, ignore_errors=True)
    try:
        same = json.loads(layout.published.read_text()) == state
    except (OSError, ValueError):
        same = False
    if same and layout.html.is_dir():
        shutil.copytree(layout.html, layout.staging, copy_function=shutil.copy2)
    else:
        layout.staging.mkdir(parents=True)


def _sphinx(config: CourseConfig, settings: dict) -> int:
    """Render with Jupyter Book's Sphinx set-up; ``settings`` are the extension's config values."""
    from jupyter_book.sphinx import build_sphinx

    layout = config.layout
    saved_path = list(sys.path)  # Jupyter Book appends local_extensions' folders
    try:
        result = build_sphinx(
            str(config.root),
            str(layout.staging),
            path_config=str(config.root / "_config.yml"),
            noconfig=True,
            doctreedir=str(layout.doctrees),
            confoverrides={
                "latex_individualpages": False,  # jupyter-book expects the key
                "nb_execution_cache_path": str(layout.jupyter_cache),
                "nitpicky": True,
                **settings,
            },
            warningiserror=True,
            keep_going=True,
            quiet=True,
        )
    finally:
        sys.path[:] = saved_path
    if isinstance(result, BaseException):
        print(f"error: {type(result).__name__}: {result}", file=sys.stderr)
        return 1
    return int(result or 0)
