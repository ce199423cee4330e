"""A session released later and a solution released later, each with words found nowhere else:
what the release tests add to the bundled course (tests/build, tests/browser)."""

from __future__ import annotations

from pathlib import Path

SESSION_WORD = "zebrafinch"


SESSION_SENTENCE = f"The {SESSION_WORD} sings at dawn in this later session."


SOLUTION_WORD = "quokkasolution"


RELEASE, SOLUTIONS, LATER = "2027-01-10T09:00", "2027-01-20T09:00", "2027-03-01T00:00"


FUTURE = (
    f"## Later\n\n{SESSION_SENTENCE}\n\n```{{code-cell}} ipython3\nprint('{SESSION_WORD}')\n```\n"
)


EXERCISES = (
    "## Practice\n\n:::{exercise}\n:label: ex-sum\n\nAdd two numbers.\n:::\n\n"
    f":::{{solution}} ex-sum\nThe {SOLUTION_WORD} answer is `1 + 2`.\n:::\n\n"
    "```{solution-start} ex-sum\n:class: dropdown\n```\n\n"
    f"```{{code-cell}} ipython3\nprint('{SOLUTION_WORD} in code', 1 + 2)\n```\n\n"
    "```{solution-end}\n```\n\n"
    "```{code-cell} ipython3\nprint('after the solution')\n```\n"
)


def add_dates(path: Path, **dates: str) -> None:
    text = path.read_text()
    extra = "".join(f"  {k}: {v}\n" for k, v in dates.items())
    path.write_text(text.replace("  authors: [Test]\n", f"  authors: [Test]\n{extra}", 1))


def with_exercises(root: Path) -> None:
    """sphinx-exercise's directives on (as `make import` adds them)."""
    config = root / "_config.yml"
    text = config.read_text()
    config.write_text(text.replace("book.sphinx]", "sphinx_exercise, book.sphinx]", 1))


def build_timed(built_course: Path, dest: Path) -> tuple[Path, str]:
    """A copy of the built course with the later session and solution added, built today: its
    root and the build's output."""
    from conftest import copy_built, run_build, write_lab

    root = copy_built(built_course, dest)
    with_exercises(root)
    later = write_lab(root, "labs/week09/session01-later.md", FUTURE, week=9, title="Later")
    add_dates(later, date="2027-01-12", release=RELEASE)
    practice = write_lab(
        root, "labs/week10/session01-practice.md", EXERCISES, week=10, title="Practice"
    )
    add_dates(practice, date="2026-11-20", solutions=SOLUTIONS)
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout
