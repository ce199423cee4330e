"""The build: flags → execute out-of-date labs in parallel → Sphinx renders → checks → publish.

``make html`` runs ``python -m book build``. Everything goes into ``_build/.staging`` first; the
published ``_build/html`` is replaced only when every step succeeded.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from .config import FLAGS_ENV, active_flags, check_requirements, load_config
from .errors import BookError
from .execute import LabJob, default_workers, execute_labs
from .publish import build_lock, publish
from .reader import read_lab
from .search import index_site
from .site_checks import scan_site

BUILD = "_build"
EXEC_REPORT_ENV = "BOOK_EXEC_REPORT"  # where the build tells the extension what it executed


def toc_documents(root: Path) -> list[str]:
    """The documents listed in ``_toc.yml``, as paths relative to the course root."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(root / "_toc.yml")
    docs = []
    for docname in site:
        for suffix in (".md", ".ipynb", ".rst"):
            if (root / (docname + suffix)).exists():
                docs.append(docname + suffix)
                break
        else:
            raise BookError("_toc.yml", None, f"lists {docname!r}, but no such file exists",
                            "create the file or remove the entry")
    return docs


def flag_request_text(state: dict[str, bool]) -> str:
    return ",".join(name if on else f"-{name}" for name, on in sorted(state.items()))


def _quiet_environment() -> None:
    """Keep tool chatter out of the log and the pages (kernel warnings, path migrations)."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    import matplotlib.font_manager  # noqa: F401  builds the font cache before any kernel needs it


def build(root: Path, flag_request: str | None = None, workers: int | None = None,
          log=print) -> int:
    root = Path(root).resolve()
    os.chdir(root)
    started = time.perf_counter()
    build_dir = root / BUILD
    with build_lock(build_dir):
        config = load_config(root)
        state = active_flags(config, flag_request)
        check_requirements(config, state)
        os.environ[FLAGS_ENV] = flag_request_text(state)
        _quiet_environment()
        on = [n for n, v in sorted(state.items()) if v]
        log(f"flags: {', '.join(on) if on else 'none on'} (declared: {', '.join(sorted(state)) or 'none'})")

        jobs = []
        for doc in toc_documents(root):
            if not doc.endswith(".md"):
                continue
            text = (root / doc).read_text(encoding="utf-8")
            jobs.append(LabJob(doc, read_lab(text, path=doc, known_flags=config.flags, active=state)))
        timeout = int((config.raw.get("execute") or {}).get("timeout", 300))
        cache_path = root / BUILD / ".jupyter_cache"
        results = execute_labs(jobs, cache_path, workers=workers or default_workers(),
                               timeout=timeout, progress=log)
        failed = [r for r in results if r.status == "failed"]
        if failed:
            for r in failed:
                log(f"error: {r.error.format()}", file=sys.stderr)
            log(f"build failed: {len(failed)} lab(s) did not run; the published site is unchanged",
                file=sys.stderr)
            return 1

        staging = build_dir / ".staging"
        shutil.rmtree(staging, ignore_errors=True)
        html = staging / "html"
        staging.mkdir(parents=True)
        report = staging / "execution.json"
        report.write_text(json.dumps(
            {r.path: {"status": r.status, "seconds": round(r.seconds, 3)} for r in results}))
        os.environ[EXEC_REPORT_ENV] = str(report)
        status = _sphinx(root, html, build_dir / ".doctrees", cache_path)
        if status != 0:
            log("build failed: Sphinx reported the problems above; the published site is unchanged",
                file=sys.stderr)
            return 1
        try:
            log(f"search: {index_site(html)}")
        except BookError as exc:
            log(f"error: {exc.format()}", file=sys.stderr)
            log("build failed: the search index was not built; the published site is unchanged",
                file=sys.stderr)
            return 1
        problems = scan_site(html, root)
        if problems:
            for p in problems:
                log(f"error: {p.format()}", file=sys.stderr)
            log("build failed: the built site is not clean; the published site is unchanged",
                file=sys.stderr)
            return 1
        publish(html, build_dir / "html")
        shutil.rmtree(staging, ignore_errors=True)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("executed", "cached", "no code")}
    log(
        f"built _build/html in {time.perf_counter() - started:.1f} s: "
        f"{counts['executed']} executed, {counts['cached']} cached, 0 failed, "
        f"{counts['no code']} pages without code"
    )
    return 0


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
