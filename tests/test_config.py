"""The declared configuration: every section's typos and bad values named with file, line and a
suggestion; settings that reach pages republish them; ``jupyter-book build .`` works; a build
leaves its process as it found it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from book.config import load_config
from book.errors import BookError
from conftest import REPO, copy_course, run_build

BASE = (REPO / "_config.yml").read_text(encoding="utf-8")


def with_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "_config.yml").write_text(text, encoding="utf-8")
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return next(
        n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(needle.strip())
    )


TYPOS = [  # (the key as written in the section, misspelt, the suggestion)
    ("\nlimits:", "\nlimts:", "limits"),
    ("    default: false", "    defualt: false", "default"),
    ("  memory_mb: 4096", "  memory_mbb: 4096", "memory_mb"),
    ("  enable: true", "  enabel: true", "enable"),
    ("  timeout: 300", "  timout: 300", "timeout"),
    ("  favicon:", "  favicn:", "favicon"),
    ("  config:", "  confg:", "config"),
    ("  thebe: false", "  theb: false", "thebe"),
    ("parse:", "parse:\n  enable_extensions: []", "myst_enable_extensions"),
    ("\nhtml:", "\nhtml:\n  sidebar: true", None),
    ("  timezone: Europe/London", "  timezone: Europe/London\n  timzone: UTC", "timezone"),
    ("  timezone: Europe/London", "  timezone: Europe/London\n  now: 2027-01-01", None),
]


@pytest.mark.parametrize("old, new, suggestion", TYPOS)
def test_a_typo_in_any_section_names_line_and_suggestion(tmp_path, old, new, suggestion):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    with pytest.raises(BookError) as err:
        load_config(with_config(tmp_path, text))
    bad = new.split("\n")[-1].strip().split(":")[0]
    message = f"unknown key {bad!r}" + (f" (did you mean {suggestion!r}?)" if suggestion else "")
    assert err.value.format().startswith(f"_config.yml:{line_of(text, bad + ':')}: {message}\n")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("  memory_mb: 4096", "  memory_mb: -1", "limits.memory_mb must be a whole number above 0"),
        (
            "  max_output_kb: 100",
            "  max_output_kb: lots",
            "limits.max_output_kb must be a whole number above 0, not 'lots'",
        ),
        ("    default: false", "    default: maybe", "flags.torch.default must be true or false"),
        (
            "    requires: [torch]",
            "    requires: 3",
            "flags.torch.requires must be a list of names",
        ),
        ("  enable: true", "  enable: 'yes'", "search.enable must be true or false"),
        ("  timeout: 300", "  timeout: soon", "execute.timeout must be a whole number above 0"),
        (
            "  timezone: Europe/London",
            "  timezone: Europe/Lundon",
            "schedule.timezone must be a time zone name such as Europe/London or UTC",
        ),
    ],
)
def test_bad_values_name_the_line_and_what_is_expected(tmp_path, old, new, message):
    text = BASE.replace(old, new, 1)
    assert text != BASE
    with pytest.raises(BookError) as err:
        load_config(with_config(tmp_path, text))
    assert err.value.format().startswith(f"_config.yml:{line_of(text, new.strip())}: {message}")


def test_the_known_jupyter_book_keys_are_jupyter_books_own():
    from book.jb_keys import JUPYTER_BOOK_KEYS, derive_from_jupyter_book

    assert derive_from_jupyter_book() == JUPYTER_BOOK_KEYS


def test_the_course_configuration_resolves(tmp_path):
    config = load_config(REPO)
    assert config.flags["torch"].requires == ("torch",)
    assert config.flags["torch"].enable_command == "make html TORCH=1"
    assert (config.limits.memory_mb, config.limits.max_output_kb) == (4096, 100)
    assert config.execute.timeout == 300 and config.search.enable is True
    assert (config.schedule.timezone, config.schedule.events) == ("Europe/London", "schedule.yml")
    assert config.layout.jupyter_cache == REPO / "_build" / ".jupyter_cache"
    moved = load_config(
        with_config(
            tmp_path, BASE.replace("  cache: _build/.jupyter_cache", "  cache: _build/elsewhere")
        )
    )
    assert moved.layout.jupyter_cache == tmp_path.resolve() / "_build" / "elsewhere"


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
    lab = root / "_build" / "html" / "labs" / "week02" / "session03-tabular-nn-torch.html"
    assert run_build(root).returncode == 0
    assert "<code>make html TORCH=1</code>" in lab.read_text(encoding="utf-8")
    config = root / "_config.yml"
    config.write_text(
        config.read_text().replace(
            "enable: make html TORCH=1", "enable: make html FLAGS=torch WORKERS=1"
        )
    )
    result = run_build(root)  # no --force
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
    from book import flags, reader
    from book.build import build, toc_documents

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
