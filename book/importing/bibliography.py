"""Bibliographies brought by imported material, merged into the course's.

A lecture that cites needs its entries in a ``.bib`` file named by ``bibtex_bibfiles`` in
``_config.yml`` and a ``{bibliography}`` on its page. The source's ``.bib`` files are the ones its
``{bibliography} path`` directives name, else its project's ``bibtex_bibfiles``, else every
``.bib`` in its project. Each entry is merged into the course's bibliography:

- a key the course does not have: the entry is added (to a course file of the same name, or to a
  new file listed in ``bibtex_bibfiles``);
- a key the course has with the same entry (spacing and field order aside): kept once;
- a key the course has with a different entry: an error naming both files and lines (two works
  cannot share a key; rename one in the source, with its ``{cite}`` roles, and import again).

``{bibliography}`` directives lose their path arguments (sphinxcontrib-bibtex reads only
``bibtex_bibfiles``) and get ``:filter: docname in docnames`` when they have no filter (each page
lists what it cites; two unfiltered bibliographies on a site cite every entry twice); the
course's existing labs' unfiltered ones get the same filter.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from book.errors import BookError

ENTRY = re.compile(r"^[ \t]*@(?P<type>\w+)\s*\{\s*(?P<key>[^,\s]+)\s*,", re.M)
DIRECTIVE = re.compile(
    r"^(?P<fence>[ \t]*(?:`{3,}|:{3,}))\{bibliography\}(?P<args>[^\n]*)\n"
    r"(?P<opts>(?:[ \t]*:[^\n]*\n)*)",
    re.M,
)
BIBFILES = re.compile(r"^bibtex_bibfiles:[ \t]*\[(?P<items>[^\]]*)\]", re.M)


def entries(text: str) -> dict[str, tuple[str, int]]:
    """key -> (the entry's text, its line) of a ``.bib`` file's text."""
    out: dict[str, tuple[str, int]] = {}
    for m in ENTRY.finditer(text):
        if m.group("type").lower() in ("comment", "preamble", "string"):
            continue
        depth, end = 0, len(text)
        for i in range(text.index("{", m.start()), len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                end = i + 1
                break
        out.setdefault(
            m.group("key"), (text[m.start() : end].strip(), text.count("\n", 0, m.start()) + 1)
        )
    return out


def same(a: str, b: str) -> bool:
    """The same work: the same fields and values, spacing, case and order aside."""

    def fields(entry: str) -> set[tuple[str, str]]:
        body = entry[entry.index(",") + 1 : entry.rstrip().rstrip("}").__len__()]
        pairs = re.findall(r"(\w+)\s*=\s*(\{(?:[^{}]|\{[^{}]*\})*\}|\"[^\"]*\"|[^,\n]+)", body)
        return {(k.lower(), re.sub(r"[\s{}\"]+", " ", v).strip().lower()) for k, v in pairs}

    return fields(a) == fields(b)


def course_bibfiles(root: Path) -> list[str]:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    files = config.get("bibtex_bibfiles") or []
    return [files] if isinstance(files, str) else [str(f) for f in files]


def source_bibs(body: str, src: Path, project: Path, config: dict) -> list[Path]:
    named = []
    for m in DIRECTIVE.finditer(body):
        for arg in m.group("args").split():
            p = (src.parent / arg).resolve()
            if p.is_file() and p not in named:
                named.append(p)
    if named:
        return named
    listed = config.get("bibtex_bibfiles") or []
    listed = [listed] if isinstance(listed, str) else listed
    found = [(project / str(f)).resolve() for f in listed if (project / str(f)).is_file()]
    return found or sorted(p.resolve() for p in project.rglob("*.bib") if "_build" not in p.parts)


def merge(root: Path, bibs: list[Path], log) -> None:
    """Each entry of ``bibs`` into the course's bibliography (see the module's docstring)."""
    listed = course_bibfiles(root)
    have: dict[str, tuple[str, str, int]] = {}  # key -> (entry, course file, line)
    for name in listed:
        path = root / name
        if path.is_file():
            for key, (entry, line) in entries(path.read_text(encoding="utf-8")).items():
                have.setdefault(key, (entry, name, line))
    for bib in bibs:
        new = []
        for key, (entry, line) in entries(bib.read_text(encoding="utf-8")).items():
            if key not in have:
                new.append(entry)
                have[key] = (entry, bib.name, line)
            elif not same(entry, have[key][0]):
                raise BookError(
                    f"{bib.name}",
                    line,
                    f"the key {key!r} names another work in the course's {have[key][1]}:"
                    f"{have[key][2]}",
                    f"rename it in {bib.name} and in the {{cite}} roles that use it, then import "
                    "again",
                )
        if not new:
            log(f"  {bib.name}: all its entries are already in the course's bibliography")
            continue
        name = (
            bib.name if bib.name in listed or not (root / bib.name).exists() else _free(root, bib)
        )
        target = root / name
        old = target.read_text(encoding="utf-8").rstrip("\n") + "\n\n" if target.is_file() else ""
        target.write_text(old + "\n\n".join(new) + "\n", encoding="utf-8")
        log(f"  {name}: {len(new)} bibliography entries from {bib.name}")
        if name not in listed:
            listed.append(name)
            _list(root, listed)
            log(f"  _config.yml: bibtex_bibfiles: [{', '.join(listed)}]")


def _free(root: Path, bib: Path) -> str:
    n = 2
    while (root / f"{bib.stem}-{n}.bib").exists():
        n += 1
    return f"{bib.stem}-{n}.bib"


def _list(root: Path, names: list[str]) -> None:
    config = root / "_config.yml"
    text = config.read_text(encoding="utf-8")
    line = f"bibtex_bibfiles: [{', '.join(names)}]"
    if BIBFILES.search(text):
        text = BIBFILES.sub(line, text, count=1)
    elif re.search(r"^bibtex_bibfiles:", text, re.M):
        raise BookError("_config.yml", None, "bibtex_bibfiles is not a [list]", f"write: {line}")
    else:
        text = text.rstrip("\n") + f"\n\n# the {{cite}} roles' references\n{line}\n"
    config.write_text(text, encoding="utf-8")


def filtered(body: str) -> str:
    """``{bibliography}`` directives without path arguments, each filtered to its page."""

    def one(m: re.Match) -> str:
        opts = m.group("opts")
        if ":filter:" not in opts:
            opts = ":filter: docname in docnames\n" + opts
        return f"{m.group('fence')}{{bibliography}}\n{opts}"

    return DIRECTIVE.sub(one, body)


def add_bibliography(body, src, project, config, root, log, unresolved) -> str:
    """A lecture that cites: its entries merged, its ``{bibliography}`` read and filtered (or one
    added at its end)."""
    if "{cite" not in body and "{bibliography}" not in body:
        return body
    bibs = source_bibs(body, src, project, config)
    if bibs:
        merge(root, bibs, log)
    elif "{cite" in body:
        unresolved.append(
            "cites references, but no .bib file was found next to it: copy it "
            "to the course and add 'bibtex_bibfiles: [refs.bib]' to _config.yml"
        )
    if "{bibliography}" not in body:
        body = body.rstrip("\n") + "\n\n## References\n\n```{bibliography}\n```\n"
        log("  added a References section with a {bibliography} (the lecture cites)")
    return filtered(body)


def filter_existing(root: Path, labs, log) -> None:
    """The course's labs with an unfiltered ``{bibliography}`` get the per-page filter."""
    for lab in labs:
        if "{bibliography}" not in lab.text or lab.path.endswith(".ipynb"):
            continue
        new = filtered(lab.text)
        if new != lab.text:
            (root / lab.path).write_text(new, encoding="utf-8")
            log(f"  {lab.path}: its {{bibliography}} now lists only what the page cites")
