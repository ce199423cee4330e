"""The Sphinx extensions that MyST lecture series use, by the directives and roles they add.

A lecture from another course uses ``{exercise}``, ``{prf:theorem}`` or ``{cite}``; without the
extension Sphinx only says "Unknown directive type". This table names, for each, the package (all
pinned in ``requirements/build.txt``) and the module to list under ``sphinx: config: extensions``
in ``_config.yml``; ``make import`` adds the modules an imported lecture needs, and the Sphinx
error translation (``book/sphinx/warnings.py``) quotes the line to add.
"""

from __future__ import annotations

import re
from pathlib import Path

# (directive or role prefix, package, module, what it is)
EXTENSIONS = [
    ("exercise", "sphinx-exercise", "sphinx_exercise", "exercises"),
    ("solution", "sphinx-exercise", "sphinx_exercise", "exercises"),
    ("prf:", "sphinx-proof", "sphinx_proof", "proofs and theorems"),
    ("cite", "sphinxcontrib-bibtex", "sphinxcontrib.bibtex", "the bibliography"),
    ("bibliography", "sphinxcontrib-bibtex", "sphinxcontrib.bibtex", "the bibliography"),
    ("footcite", "sphinxcontrib-bibtex", "sphinxcontrib.bibtex", "the bibliography"),
    ("tab-set", "sphinx-design", "sphinx_design", "tabs"),
    ("tab-item", "sphinx-design", "sphinx_design", "tabs"),
    ("grid", "sphinx-design", "sphinx_design", "grids and cards"),
    ("card", "sphinx-design", "sphinx_design", "grids and cards"),
    ("dropdown", "sphinx-design", "sphinx_design", "dropdowns"),
]
USES = re.compile(r"\{([a-z][\w:-]*)\}")
EXTENSIONS_LIST = re.compile(r"^(?P<indent>[ \t]*)extensions:[ \t]*\[(?P<items>[^\]]*)\]", re.M)


def extension_for(name: str) -> tuple[str, str, str] | None:
    """(package, module, what) for a directive or role name, if an extension provides it."""
    for prefix, package, module, what in EXTENSIONS:
        if (
            name == prefix
            or (prefix.endswith(":") and name.startswith(prefix))
            or name.startswith(prefix + "-")
        ):
            return package, module, what
    return None


def needed_extensions(text: str) -> list[str]:
    """The extension modules the directives and roles of ``text`` need, in first-use order."""
    found: list[str] = []
    for m in USES.finditer(text):
        ext = extension_for(m.group(1))
        if ext and ext[1] not in found:
            found.append(ext[1])
    return found


def listed_extensions(config_text: str) -> list[str] | None:
    m = EXTENSIONS_LIST.search(config_text)
    if not m:
        return None
    return [item.strip().strip("'\"") for item in m.group("items").split(",") if item.strip()]


def add_extensions(config_path: Path, modules: list[str]) -> list[str]:
    """Add ``modules`` to ``sphinx: config: extensions: [...]`` in ``_config.yml`` (text edit:
    comments and layout kept); what was done, or the line to add by hand."""
    text = config_path.read_text(encoding="utf-8")
    listed = listed_extensions(text)
    missing = [m for m in modules if listed is None or m not in listed]
    if not missing:
        return []
    if listed is None:
        return [f"add to _config.yml, under sphinx: config: extensions: {', '.join(missing)}"]
    m = EXTENSIONS_LIST.search(text)
    assert m is not None
    items = m.group("items").rstrip()
    new_items = items + "".join(f", {name}" for name in missing)
    text = text[: m.start("items")] + new_items + text[m.start("items") + len(items) :]
    config_path.write_text(text, encoding="utf-8")
    return [f"_config.yml: added {name} to sphinx.config.extensions" for name in missing]
