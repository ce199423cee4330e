"""The code of a lab's session-info cell: the Python counterpart of R's ``sessionInfo()``.

A lab writes a ``{session-info}`` directive; the reader replaces it with a code cell generated here,
so labs do not repeat the code and a downloaded notebook still runs without this package. It lists
the packages the lab imports (found from its code) that its kernel did import, so a cell that did
not run (a flag off) adds nothing; it never prints paths, user or host names.
"""

from __future__ import annotations

import ast
import sys

from book.config.words import ENGLISH, Words

SESSION_INFO_KEYS = (
    "",
    "_platform",
    "_os",
    "_blas_unknown",
    "_numpy_build",
    "_packages",
    "_not_installed",
)
IGNORED = set(sys.stdlib_module_names) | {"IPython", "__future__"}


def imported_modules(sources: list[str]) -> list[str]:
    """Top-level, non-standard-library modules imported by the given cell sources, in order."""
    found: list[str] = []
    for source in sources:
        code = "\n".join(
            line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in IGNORED and top not in found:
                    found.append(top)
    return found


def session_info_code(modules: list[str], words: Words = ENGLISH) -> str:
    """The cell's code; what it prints is in the course's language (``words``)."""
    w = {key: words(f"session_info{key}").replace('"', "'") for key in SESSION_INFO_KEYS}
    return f"""\
# {w[""]}
import platform
import sys
from importlib.metadata import PackageNotFoundError, packages_distributions, version

print(f"Python {{platform.python_version()}} ({{platform.python_implementation()}})")
print(f"{w["_platform"]}: {{platform.machine()}}-{{platform.system().lower()}}")
try:
    print(f"{w["_os"]}: {{platform.freedesktop_os_release()['PRETTY_NAME']}}")
except (OSError, AttributeError, KeyError):
    print(f"{w["_os"]}: {{platform.system()}} {{platform.release()}}")
try:
    import numpy
    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(f"BLAS: {{blas['name']}} {{blas['version']}} ({w["_numpy_build"]})")
except Exception:
    print("BLAS: {w["_blas_unknown"]}")
print("{w["_packages"]}")
dists = packages_distributions()
for module in {modules!r}:
    if module not in sys.modules:
        continue  # imported only by cells that did not run
    name = (dists.get(module) or [module])[0]
    try:
        print(f"  {{name}}=={{version(name)}}")
    except PackageNotFoundError:
        print(f"  {{name}}: {w["_not_installed"]}")"""
