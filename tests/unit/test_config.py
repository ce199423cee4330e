"""The declared configuration: every section's typos and bad values named with file, line and a
suggestion; settings that reach pages republish them; ``jupyter-book build .`` works; a build
leaves its process as it found it."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.config.course import load_config
from book.errors import BookError
from conftest import REPO

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
    from book.config.jupyter_book_keys import JUPYTER_BOOK_KEYS, derive_from_jupyter_book

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
