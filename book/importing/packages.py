"""The packages imported material needs, found at import and pinned in ``requirements/course.txt``.

The code of every lab is scanned for ``import x`` / ``from x import y`` (with ``ast``; IPython
magics and shell lines set aside) and for ``!pip install`` / ``%pip install`` lines. A module name
becomes the distribution to install by, in order:

1. this machine's installed distributions (``importlib.metadata.packages_distributions()``): exact
   for whatever is installed here;
2. pipreqs's maintained module → distribution mapping (its ``mapping`` data file, ~1,150 names),
   read as data when the ``pipreqs`` package is installed (it is not a dependency: pipreqs 0.5.0
   pins ``ipython==8.12.3``, which would downgrade the build's; ``pip install --no-deps
   pipreqs==0.5.0`` makes the mapping available);
3. ``KNOWN`` below: the few names common in teaching material that differ from their distribution;
4. the module's own name (pip then says whether such a package exists).

Standard-library modules (``sys.stdlib_module_names``) and the project's own ``.py`` files are not
packages. Each distribution is pinned to the version installed here, or else to the newest that
``pip index versions`` finds for this Python; one that pip cannot find is named, not written.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# module -> distribution, where they differ and pipreqs's mapping may be absent (or lacks it)
KNOWN = {
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "PIL": "pillow",
    "yaml": "PyYAML",
    "bs4": "beautifulsoup4",
    "skimage": "scikit-image",
    "Bio": "biopython",
    "dateutil": "python-dateutil",
    "mpl_toolkits": "matplotlib",
    "IPython": "ipython",
    "google.colab": "",  # Colab's own module: nothing to install
    "torchvision": "torchvision",
    "quantecon": "quantecon",
    "statsmodels": "statsmodels",
    "attr": "attrs",
    "dotenv": "python-dotenv",
    "jwt": "PyJWT",
    "serial": "pyserial",
    "docx": "python-docx",
    "umap": "umap-learn",
}
PIP_LINE = re.compile(r"^\s*[!%]\s*pip3?\s+install\s+(?P<args>.+)$", re.M)
MAGIC = re.compile(r"^\s*[!%?]")
WRITES_FILE = re.compile(r"^\s*%%(?:write)?file\s+(?:-a\s+)?(\S+\.py)\b")


@dataclass
class Found:
    modules: dict[str, list[str]] = field(default_factory=dict)  # module -> files importing it
    pip: dict[str, list[str]] = field(default_factory=dict)  # requirement -> files installing it
    local: set[str] = field(default_factory=set)  # modules a cell writes (%%file mod.py)

    def add_code(self, code: str, where: str) -> None:
        if m := WRITES_FILE.match(code):
            self.local.add(Path(m.group(1)).stem)
            return
        for m in PIP_LINE.finditer(code):
            for arg in m.group("args").split():
                if not arg.startswith("-"):
                    self.pip.setdefault(arg.strip("'\""), []).append(where)
        clean = "\n".join("pass" if MAGIC.match(line) else line for line in code.splitlines())
        try:
            tree = ast.parse(clean)
        except SyntaxError:
            return
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                key = name if name in KNOWN else top
                files = self.modules.setdefault(key, [])
                if where not in files:
                    files.append(where)


@dataclass
class Requirement:
    module: str
    distribution: str
    version: str | None
    how: str  # "installed here", "pipreqs mapping", "known name", "the module's own name"
    files: list[str]

    def line(self) -> str:
        return f"{self.distribution}=={self.version}"


def _pipreqs_mapping() -> dict[str, str]:
    spec = importlib.util.find_spec("pipreqs")
    if spec is None or not spec.submodule_search_locations:
        return {}
    mapping = Path(next(iter(spec.submodule_search_locations))) / "mapping"
    if not mapping.is_file():
        return {}
    pairs = (line.split(":", 1) for line in mapping.read_text().splitlines() if ":" in line)
    return {module: dist for module, dist in pairs}


def distribution_of(module: str, installed, pipreqs) -> tuple[str, str]:
    top = module.split(".")[0]
    if installed.get(top):
        return installed[top][0], "installed here"
    if module in pipreqs or top in pipreqs:
        return pipreqs.get(module) or pipreqs[top], "pipreqs mapping"
    if module in KNOWN:
        return KNOWN[module], "known name"
    return top, "the module's own name"


def available_version(distribution: str) -> str | None:
    """The newest version pip finds for this Python, or None."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "index", "versions", "--retries", "0", "--timeout", "10"]
            + [distribution],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"^\S+ \(([^)]+)\)", out, re.M)
    return m.group(1) if m else None


def listed(root: Path) -> set[str]:
    """Distributions the course's requirements files already name (normalised)."""
    out = set()
    for path in (root / "requirements").glob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
            if m:
                out.add(normalise(m.group(1)))
    return out


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve(found: Found, local: set[str], root: Path, look_up=available_version):
    """The requirements to add (pinned, or with ``version=None`` when pip finds none)."""
    installed = importlib.metadata.packages_distributions()
    pipreqs = _pipreqs_mapping()
    have = listed(root)
    out: dict[str, Requirement] = {}
    wanted = [(m, files) for m, files in found.modules.items()]
    wanted += [(re.split(r"[<>=!~\[;]", r)[0], files) for r, files in found.pip.items()]
    for module, files in wanted:
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in local | found.local or top == "book":
            continue
        dist, how = distribution_of(module, installed, pipreqs)
        if not dist or normalise(dist) in have or normalise(dist) in out:
            continue
        try:
            version: str | None = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = look_up(dist)
        out[normalise(dist)] = Requirement(module, dist, version, how, files)
    return list(out.values())


def write(root: Path, requirements: list[Requirement], log) -> list[str]:
    """Append the pinned lines to ``requirements/course.txt``; the ones pip could not find."""
    path = root / "requirements" / "course.txt"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines, missing = [], []
    for req in requirements:
        if req.version is None:
            missing.append(f"{req.distribution} (for `import {req.module}`): pip finds no version")
            continue
        lines.append(f"{req.line()}  # make import: `import {req.module}` ({req.how})")
    if lines:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        added = ", ".join(r.line() for r in requirements if r.version)
        log(f"  requirements/course.txt: added {added}")
    return missing
