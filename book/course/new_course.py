"""``python -m book new-course DIR`` (``course-site new-course DIR``): an empty course that uses
the installed generator.

The course gets what the bundled Course 4 has, less its labs: ``_config.yml``, ``_toc.yml``, a home
page, one lab from the ``workflow`` template (``book.course.scaffold``), a Makefile with the same
everyday targets, ``requirements/`` (the generator and the course's own packages) and the
publishing workflow. ``make html`` and ``make check`` work in it at once.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from book.course.scaffold import new_session
from book.errors import BookError

SKELETON = Path(__file__).parent / "new_course"
FIRST_WEEK, FIRST_SESSION, FIRST_TITLE = 1, 1, "First session"


def generator_requirement() -> str:
    """How the new course's ``requirements/generator.txt`` names this generator: its source
    folder where it is a checkout (an editable install), else the installed release."""
    from book import __version__

    source = Path(__file__).resolve().parents[2]
    if (source / "pyproject.toml").is_file():
        return f"course-site @ {source.as_uri()}"
    return f"course-site=={__version__}"


def new_course(
    dest: Path | str,
    title: str = "A new course",
    author: str = "The instructors",
    timezone: str = "UTC",
    log=print,
) -> Path:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BookError(
            str(dest), None, "the folder is not empty", "name a new folder (or an empty one)"
        )
    values = {
        "{title}": title.replace('"', "'"),
        "{author}": author.replace('"', "'"),
        "{year}": str(datetime.date.today().year),
        "{timezone}": timezone,
        "{generator}": generator_requirement(),
    }
    for path in sorted(SKELETON.rglob("*")):
        target = dest / path.relative_to(SKELETON)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in (".svg",):
            shutil.copyfile(path, target)
            continue
        text = path.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        target.write_text(text, encoding="utf-8")
    lab = new_session(
        dest, FIRST_WEEK, FIRST_SESSION, FIRST_TITLE, authors=[author], log=lambda *_: None
    )
    log(f"wrote a new course in {dest}: {lab.relative_to(dest).as_posix()} is its first lab,")
    log("a draft until you remove its 'draft: true' line (make html AUDIENCE=instructor shows it)")
    log(f"next: cd {dest} && make html   (then make serve to preview while you edit)")
    return dest
