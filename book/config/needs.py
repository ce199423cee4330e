"""Settings that need others: buttons need ``repository.url``; Colab and Deepnote need a GitHub
repository; an extension the course adds must be importable. Each refusal names its line in
``_config.yml`` and what to do (``book.config.parity`` calls ``needs``; the course checks call
``missing_extensions``, which looks for the modules without importing them).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from book.errors import BookError

CONFIG = "_config.yml"
BUTTONS = ("use_repository_button", "use_edit_page_button", "use_issues_button")
LAUNCH = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url")
GITHUB_ONLY = ("colab_url", "deepnote_url")
INTERFACES = ("classic", "jupyterlab")
REQUIREMENTS = "requirements/course.txt"


def _section(raw: dict, name: str) -> dict:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def needs(raw: dict, lines: dict[str, int]) -> None:
    html, launch = _section(raw, "html"), _section(raw, "launch_buttons")
    url = str(_section(raw, "repository").get("url") or "")
    wanted = [f"html.{b}" for b in BUTTONS if html.get(b) is True]
    wanted += [f"launch_buttons.{k}" for k in LAUNCH if launch.get(k)]
    for key in wanted:
        if not url:
            raise BookError(
                CONFIG,
                lines.get(key),
                f"'{key}' needs 'repository.url': the button links to each page's source in "
                "the course's repository",
                "set 'repository: url: https://github.com/ORG/REPO' (and branch, path_to_book "
                "when the course is not at the top of the default branch)",
            )
        if key.removeprefix("launch_buttons.") in GITHUB_ONLY and "github.com/" not in url:
            raise BookError(
                CONFIG,
                lines.get(key),
                f"'{key}' opens notebooks from GitHub only, and repository.url is {url}",
                "remove it, or use binderhub_url or jupyterhub_url (any git repository)",
            )
    interface = launch.get("notebook_interface", "classic")
    if interface not in INTERFACES:
        raise BookError(
            CONFIG,
            lines.get("launch_buttons.notebook_interface"),
            f"launch_buttons.notebook_interface must be classic or jupyterlab, not {interface!r}",
            "classic opens a lab in Jupyter Notebook's tree, jupyterlab in JupyterLab",
        )


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _findable(name: str, folder: Path | None) -> bool:
    if folder is not None:
        base = folder.joinpath(*name.split("."))
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package missing
        return False


def missing_extensions(root: Path, raw: dict, lines: dict[str, int]) -> list[BookError]:
    """The extensions ``_config.yml`` adds that cannot be imported, each with its line."""
    sphinx = _section(raw, "sphinx")
    wanted: list[tuple[str, str, Path | None]] = []
    for name in _names(sphinx.get("extra_extensions")):
        wanted.append((name, "sphinx.extra_extensions", None))
    for name in _names(_section(sphinx, "config").get("extensions")):
        wanted.append((name, "sphinx.config.extensions", None))
    for name, folder in _section(sphinx, "local_extensions").items():
        wanted.append((str(name), f"sphinx.local_extensions.{name}", root / str(folder)))
    problems = []
    for name, key, folder in wanted:
        if _findable(name, folder):
            continue
        if folder is not None:
            shown = os.path.relpath(folder, root)
            hint = f"put {name.replace('.', '/')}.py in {shown}/, or fix the name or the folder"
            where = f"in {shown}/ or installed"
        else:
            parts = name.split(".")
            guess = "-".join(parts[:2]) if parts[0] == "sphinxcontrib" else parts[0]
            hint = (
                f"add the package that provides it (often {guess.replace('_', '-')}), pinned "
                f"(name==version), to {REQUIREMENTS}; `make html` installs it"
            )
            where = "installed"
        problems.append(
            BookError(
                CONFIG,
                lines.get(key),
                f"the Sphinx extension {name!r} ({key}) is not {where}",
                hint,
            )
        )
    return problems


def schema_problems(raw: dict, lines: dict[str, int]) -> list[BookError]:
    """Values of the wrong type for Jupyter Book's schema (``thebe: "yes"``), each with its line:
    stock Jupyter Book prints a warning and goes on, with the value taken as it comes."""
    import jsonschema

    from book.config.jupyter_book_keys import jupyter_book_files

    schema, _ = jupyter_book_files()
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = []
    for error in sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.path]):
        path = [str(p) for p in error.path]
        dotted = ".".join(path)
        line = next(
            (
                lines[".".join(path[:n])]
                for n in range(len(path), 0, -1)
                if ".".join(path[:n]) in lines
            ),
            None,
        )
        problems.append(
            BookError(
                CONFIG,
                line,
                f"{dotted or 'the file'}: {error.message}",
                "the value Jupyter Book's schema expects there (docs/jupyter-book-parity.md)",
            )
        )
    return problems
