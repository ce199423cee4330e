"""The declared configuration: every section's typos and bad values named with file, line and a
suggestion; settings that reach pages republish them; ``jupyter-book build .`` works; a build
leaves its process as it found it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from book.config.course import load_config
from conftest import REPO, copy_course, run_build

BASE = (REPO / "_config.yml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(
        n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(needle.strip())
    )


def test_a_typo_stops_make_check_and_the_build(tmp_path):
    root = copy_course(tmp_path / "course")
    (root / "_config.yml").write_text(BASE.replace("limits:", "limts:"), encoding="utf-8")
    line = line_of(BASE, "limits:")
    check = subprocess.run(
        [sys.executable, "-m", "book", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    build = run_build(root)
    for result in (check, build):
        assert result.returncode == 1
        assert (
            f"error: _config.yml:{line}: unknown key 'limts' (did you mean 'limits'?)"
            in result.stderr
        )
    assert not (root / "_build" / "html").exists()


def test_execute_cache_is_where_the_build_keeps_executed_labs(tmp_path):
    root = copy_course(tmp_path / "course")
    (root / "_config.yml").write_text(
        BASE.replace("  cache: _build/.jupyter_cache", "  cache: _build/exec-cache"),
        encoding="utf-8",
    )
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert (root / "_build" / "exec-cache" / "global.db").is_file()
    assert not (root / "_build" / ".jupyter_cache").exists()


def test_changing_a_flag_setting_republishes_the_pages_that_show_it(tmp_path):
    root = copy_course(tmp_path / "course")
    shutil.rmtree(root / "_freeze")  # no recorded outputs: the "Not run" labels name the command
    # how the site is built is said in the instructor build (book/sphinx/labels.py)
    site = root / "_build" / "instructor" / "html"
    lab = site / "labs" / "week02" / "session03-tabular-nn-torch.html"
    assert run_build(root, "--audience", "instructor").returncode == 0
    assert "<code>make html TORCH=1</code>" in lab.read_text(encoding="utf-8")
    config = root / "_config.yml"
    config.write_text(
        config.read_text().replace(
            "enable: make html TORCH=1", "enable: make html FLAGS=torch WORKERS=1"
        )
    )
    result = run_build(root, "--audience", "instructor")  # no --force
    assert result.returncode == 0, result.stderr
    page = lab.read_text(encoding="utf-8")
    assert "<code>make html FLAGS=torch WORKERS=1</code>" in page
    assert "<code>make html TORCH=1</code>" not in page


def test_plain_jupyter_book_build_works_and_says_what_it_leaves(tmp_path):
    root = copy_course(tmp_path / "course")
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "PYTHONPATH")}
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", "."], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "plain jupyter-book build" in result.stdout and "make html" in result.stdout
    site = root / "_build" / "html"
    lab = (site / "labs" / "week02" / "session03-tabular-nn-torch.html").read_text()
    assert "Recorded output" in lab and "Built with flags: <code>torch</code> off." in lab
    assert (site / "_sources" / "labs" / "week02" / "session03-tabular-nn-torch.ipynb").is_file()
    # the next `make html` does not take that site for its own
    rebuilt = run_build(root)
    assert rebuilt.returncode == 0 and "up to date" not in rebuilt.stdout
    assert (site / "pagefind" / "pagefind.js").is_file()


def test_a_build_leaves_its_process_as_it_found_it(tmp_path, monkeypatch):
    """...and reads each page once: checks, executor, Sphinx and downloads share one reading."""
    root = copy_course(tmp_path / "course")
    monkeypatch.chdir(tmp_path)
    from book.build.pipeline import build, toc_documents
    from book.config import flags
    from book.reading import reader

    parsed: list[str] = []
    real = reader._read_lab
    monkeypatch.setattr(
        reader, "_read_lab", lambda text, **kw: parsed.append(kw["path"]) or real(text, **kw)
    )

    config = load_config(root)
    before = (dict(os.environ), os.getcwd(), list(sys.path))
    lines: list[str] = []
    assert build(config, flags.resolve(config, ""), log=lambda *a, **k: lines.append(a[0])) == 0
    assert (dict(os.environ), os.getcwd(), list(sys.path)) == before
    assert any(line.startswith("built _build/html") for line in lines)
    assert sorted(parsed) == sorted(toc_documents(root))
