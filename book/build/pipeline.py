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
from pathlib import Path

from book import generator_hash
from book.build.fingerprint import record as record_fingerprint
from book.build.lock import build_lock
from book.build.provenance import tree_record
from book.build.sphinx_app import SphinxApps
from book.build.timings import Steps
from book.checks.course import run_checks
from book.checks.leaks import machine_needles
from book.checks.site import scan_key, scan_site
from book.config import flags as flag_state
from book.config.course import CONFIG_FILE, CourseConfig
from book.course import files as sources
from book.course.toc import TOC_FILE, read_toc, source_of
from book.errors import BookError
from book.execution import sandbox
from book.execution.ahead import KernelAhead
from book.execution.cluster import cluster_runner
from book.execution.kernel import course_limits
from book.execution.limits import ensure_font_cache
from book.execution.pool import LabJob, LabResult, default_workers, execute_labs
from book.publishing import staging, tree
from book.publishing.pdf import PDF_OFF, print_labs
from book.publishing.publish import clean_build_dir, publish
from book.publishing.search import index_site
from book.reading.reader import LabReader
from book.release.schedule import release_plan
from book.release.state import ReleaseState, release_state
from book.sphinx.settings import flag_help


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


def build(
    config: CourseConfig,
    flags: dict[str, bool],
    workers: int | None = None,
    log=print,
    fingerprint: str | None = None,
    scheduler: str = "",
    apps: SphinxApps | None = None,
    context: str = "fork",
    ahead: KernelAhead | None = None,
) -> int:
    """Build and publish the course for ``flags`` (resolved by ``book.config.flags``); 0 on success.

    ``scheduler``: a Dask scheduler's address (``--scheduler``; else ``execute.scheduler``).
    ``apps``: where the Sphinx application comes from; ``make serve`` passes one that keeps it
    warm between builds (by default each build makes its own, while the labs execute).
    ``context``: how lab workers start; ``spawn`` where other threads run (``make serve``).
    ``ahead``: a kernel started before the build needed it (``book.execution.kernel``)."""
    steps = Steps()
    layout = config.layout
    apps = apps or SphinxApps(keep=False)
    try:
        with build_lock(layout, log):
            run = (workers, scheduler, context, ahead)
            return _build(config, flags, log, fingerprint, steps, apps, run)
    finally:
        apps.release()
        steps.write(layout.timings)


def _build(config, flags, log, fingerprint, steps: Steps, apps, run: tuple) -> int:
    workers, scheduler, context, ahead = run  # where and how the labs execute
    layout = config.layout
    with steps.step("checks"):
        clean_build_dir(layout, log)  # what an interrupted or failed build left behind
        release = release_state(config)  # what is published at this moment, for whom
        reader = LabReader(
            config.root, config.flags, flags, layout.read_cache, release, config.words
        )
        run_checks(config.root, config, reader, log)  # every problem at once, before any run
        flag_state.check_requirements(config, flags)
        # sessions not yet released: not executed, not rendered (book.release.schedule)
        docs, release_settings = release_plan(config, release, toc_documents(config.root), log)
        jobs = [
            LabJob(doc, reader.read(doc, shared=True))  # read only, here and in the executor
            for doc in docs
            if doc.endswith((".md", ".ipynb", ".qmd"))
        ]
    log(flag_state.summary(flags))
    published = published_state(config, docs, release)
    with steps.step("seed staging"):
        staging.seed(layout, {**published, "tree": tree_record(layout.html)})
    settings = {**sphinx_settings(config, flags, reader), **release_settings}
    key = app_key(published, settings)
    starting: list = []

    def start_sphinx() -> None:
        """Sphinx starts in a thread while the labs execute (Ctrl-C stays with this thread);
        called once the lab workers are forked (``execute_labs``)."""
        if not starting:
            starting.append(apps.start(config, settings, key))

    with steps.step("execute"):
        ensure_font_cache()
        # in a sandbox labs cannot reach the course; without one, compare before and after
        limits = course_limits(config)
        unconfined = sandbox.detect(limits.sandbox).kind == "none"
        before = sources.snapshot(config.root) if unconfined else None
        results = execute(
            config, flags, jobs, workers, scheduler, log, start_sphinx, context, ahead
        )
    failed = [r.error for r in results if r.error is not None]
    if before is not None:
        failed += sources.lab_changes(
            config.root, before, {r.path: r.window for r in results if r.window}
        )
    if failed:
        return _failed(log, failed, f"{len(failed)} problem(s) while the labs ran")
    start_sphinx()  # if no lab ran, or they ran elsewhere
    with steps.step("sphinx start (after the labs)"):
        try:
            app = starting[0].result()
        except Exception as exc:
            log(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return _failed(log, [], "Sphinx could not start")
    if app.builds == 0:  # made for this build (in parallel with the labs), not kept warm
        steps.seconds["sphinx start"] = app.seconds_to_start
    with steps.step("sphinx"):
        report = {r.path: {"status": r.status, "seconds": round(r.seconds, 3)} for r in results}
        status = app.build({**settings, "book_execution_report": report})
    if status != 0:
        return _failed(log, [], "Sphinx reported the problems above")
    if config.search.enable:
        try:
            with steps.step("search index"):
                log(f"search: {index_site(layout.staging, config.search)}")
        except BookError as exc:
            return _failed(log, [exc], "the search index was not built")
    if config.pdf.enable:
        try:
            with steps.step("pdf"):
                log(f"pdf: {print_labs(layout.staging)}")
        except BookError as exc:
            return _failed(log, [exc], "the PDFs were not made")
    else:
        log(f"pdf: {PDF_OFF}")
    with steps.step("site files"):
        extra = tree.extra_files(config.root, app.app.config.html_extra_path)
        pruned, strays = tree.settle(layout.staging, layout.html, docs, layout.shown, extra)
    if strays:
        return _failed(log, strays, "the built site holds files no page of this build made")
    if pruned:
        log(f"removed {pruned} file(s) no page links any more (figures and downloads)")
    with steps.step("site scan"):
        needles = machine_needles(config.root)  # looked for once: the key and the scan
        scan = scan_key(needles)
        unchanged = staging.shared(layout) if _read(layout.scanned) == scan else frozenset()
        notebooks = {j.path.rsplit(".", 1)[0]: j.notebook for j in jobs}
        problems = scan_site(
            layout.staging, config.root, notebooks, unchanged, needles, layout.scan_memory
        )
    if problems:
        return _failed(log, problems, "the built site is not clean")
    with steps.step("publish"):
        try:
            publish(layout.staging, layout.html, log)
        except BookError as exc:
            return _failed(log, [exc], "the new site could not be swapped in")
        # the tree just published: a later build seeds from it only while no other tool wrote in it
        layout.published.write_text(json.dumps({**published, "tree": tree_record(layout.html)}))
        layout.scanned.write_text(scan)
        if fingerprint:
            record_fingerprint(layout, fingerprint)
    log(_summary(results, steps.total(), layout.shown(layout.html)))
    return 0


def published_state(config: CourseConfig, docs: list[str], release: ReleaseState) -> dict:
    """What the published site must share with a build to seed its staging folder (and what a
    kept Sphinx application must have been made from)."""
    return {
        "docs": docs,
        "generator": generator_hash(),
        "config": _digest(config.root / CONFIG_FILE),
        "toc": _digest(config.root / TOC_FILE),
        "release": release.text(),
    }


def sphinx_settings(config: CourseConfig, flags: dict[str, bool], reader: LabReader) -> dict:
    """The extension's settings for a build (``book.sphinx.settings``)."""
    return {
        "book_flags": flags,
        "book_flag_help": flag_help(config),
        "book_reader": reader,
        "book_display": config.display.as_settings(),
        "book_words": config.words,
        "book_preview": config.schedule.preview,  # a preview's banner on every page
        "book_trust": config.publish.trust,
        "book_pdf": config.pdf.enable,
    }


def warm_up(config: CourseConfig, flags: dict[str, bool], apps: SphinxApps) -> None:
    """Make the Sphinx application the next build will use and render with it once into the
    staging folder, then drop that (``make serve``, before any edit: the first edit then finds
    the templates compiled and the renderers loaded). Nothing is published, and nothing is
    executed: a lab the executor has not run yet is read without outputs, and read again by the
    next build (``book.sphinx.parser``)."""
    layout = config.layout
    with build_lock(layout, _quiet):
        clean_build_dir(layout, _quiet)
        release = release_state(config)
        reader = LabReader(
            config.root, config.flags, flags, layout.read_cache, release, config.words
        )
        docs, release_settings = release_plan(config, release, toc_documents(config.root), _quiet)
        state = published_state(config, docs, release)
        settings = {**sphinx_settings(config, flags, reader), **release_settings}
        # linked: Sphinx writes the root page, the index, one lab
        staging.seed(layout, {**state, "tree": tree_record(layout.html)})
        lab = next(  # read again: the first edit then finds myst-nb's reading warm too
            (d for d in docs if any(c.cell_type == "code" for c in reader.read(d, True).cells)), ""
        )
        try:
            app = apps.start(config, settings, app_key(state, settings)).result()
            app.build(settings, reread=(lab.rsplit(".", 1)[0],) if lab else ())
        finally:
            apps.release()
            shutil.rmtree(layout.staging, ignore_errors=True)


def app_key(published: dict, settings: dict) -> str:
    """What a kept Sphinx application must have been made from: what seeds the staging folder
    and the page-wide settings that Sphinx compares only when it starts (the schedule's rows)."""
    return json.dumps({**published, "schedule": settings.get("book_schedule")}, sort_keys=True)


def _quiet(*args, **kwargs) -> None:
    pass


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def execute(
    config: CourseConfig,
    flags: dict[str, bool],
    jobs: list[LabJob],
    workers: int | None,
    scheduler: str,
    log,
    running=lambda: None,
    context: str = "fork",
    ahead: KernelAhead | None = None,
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
            limits=course_limits(config),
            progress=log,
            runner=runner,
            running=running,
            context=context,
            ahead=ahead,
            settings=config.execute,
        )


def _summary(results: list[LabResult], seconds: float, site: str = "_build/html") -> str:
    kinds = ("executed", "cached", "no code", "not executed")
    counts = {s: sum(1 for r in results if r.status == s) for s in kinds}
    skipped = f", {counts['not executed']} not executed" if counts["not executed"] else ""
    return (
        f"built {site} in {seconds:.1f} s: {counts['executed']} executed, "
        f"{counts['cached']} cached, 0 failed{skipped}, {counts['no code']} pages without code"
    )


def _failed(log, errors: list[BookError], why: str) -> int:
    for err in errors:
        log(f"error: {err.format()}", file=sys.stderr)
    log(f"error: build failed: {why}; the published site is unchanged", file=sys.stderr)
    return 1
