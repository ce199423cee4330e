"""One document becomes a lab (``book.importing.project`` plans and calls this for each).

Takes a MyST lecture (``.md``), a Jupyter notebook (``.ipynb``) or a Quarto document (``.qmd``,
kept as ``.qmd``: the lab reader reads it directly) and writes
``labs/weekWW/sessionSS-slug.<suffix>``:

- the ``lab:`` block (front matter, or a notebook's metadata) for the template (``freeform`` by
  default: any sections), the lecture's own ``# Title`` becoming the lab's title (the page's one
  ``<h1>``), its authors and licence (from the document, else its book), a ``kernelspec`` with its
  ``language``;
- the images, data and fragments it references copied into the lab's own folder, links rewritten
  (``assets``); a Quarto document's includes pasted; ``{figure}`` alt text from the caption;
- ``{doc}`` and ``[text](page)`` links to siblings imported before (``imported_from``) rewritten
  to their new names, and earlier labs' links to this one too (``links``);
- ``!pip install`` cells as notes, their packages collected (``pip_cells``);
- the Sphinx extensions it uses added to ``_config.yml``, its bibliography merged
  (``bibliography``);
- the entry in ``_toc.yml`` under its week (``scaffold.insert_into_toc``).

It prints each change, and what it could not do with what to do by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from book.checks.imported import imported_names
from book.course.extensions import add_extensions, needed_extensions
from book.course.labs import read_labs
from book.course.scaffold import _course_name, insert_into_toc, slugify, whole_number
from book.course.templates import get_template, load_templates
from book.course.toc import TOC_FILE, parse_toc
from book.errors import BookError
from book.importing.assets import Assets, figure_alt, paste_quarto_includes
from book.importing.bibliography import add_bibliography, filter_existing
from book.importing.front import split_front, take_title
from book.importing.links import DOC_ROLE, relink_earlier
from book.importing.pip_cells import pip_cells_to_notes
from book.importing.sources import people

COMMAND = "import"
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}
SIBLING_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?![a-z]+:)"
    r"(?P<target>[^)\s#]+\.(?:ipynb|md|qmd))(?:#[^)]*)?\)"
)
BARE_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?![a-z]+:)(?P<target>[\w/-]+)(?:#[^)\s]*)?\)"
)
DOC_SUFFIXES = (".md", ".ipynb", ".qmd")
REF_ROLE = re.compile(r"\{ref\}`(?:(?P<text>[^`<]*?)\s*<(?P<t1>[^>`]+)>|(?P<t2>[^`<>]+))`")
ROLE_TEXT = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^>`]*>)?`")


def _source_root(src: Path) -> Path:
    """The folder of the project the file came from (``/_static/x.png`` is relative to it)."""
    for folder in [src.parent, *src.parent.parents]:
        if (folder / "_config.yml").is_file() or (folder / "_toc.yml").is_file():
            return folder
    return src.parent


class Importer:
    def __init__(self, root: Path, src: Path, log, project: Path | None = None):
        self.root, self.src, self.log = root, src, log
        self.project = project or _source_root(src)
        self.unresolved: list[str] = []
        self.labels = [lab.text for lab in read_labs(root)]  # other labs' (label)= targets

    def rewrite_docs(self, text: str, renamed: dict[str, str], where: str) -> str:
        def one(m: re.Match) -> str:
            target = (m.group("t1") or m.group("t2")).strip()
            stem = target.lstrip("/").removesuffix(".md").rsplit("/", 1)[-1]
            if target.startswith("/labs/"):
                return m.group(0)
            if stem in renamed:
                new = "/" + renamed[stem]
                self.log(f"  {where}: {{doc}}`{target}` -> {{doc}}`{new}`")
                text_part = m.group("text")
                return f"{{doc}}`{text_part} <{new}>`" if text_part else f"{{doc}}`{new}`"
            shown = (m.group("text") or target).strip()
            self.log(
                f"  {where}: {{doc}}`{target}` (not imported yet) is its text '{shown}' "
                f"until {target} is imported, which restores the link"
            )
            return f"*{shown}*<!-- doc: {target} -->"

        def link(m: re.Match) -> str:  # [text](sibling.ipynb): a notebook series' links
            target = m.group("target")
            stem = Path(target).stem
            if stem in renamed:
                self.log(f"  {where}: ({target}) -> {{doc}}`/{renamed[stem]}`")
                return f"{{doc}}`{m.group('text')} </{renamed[stem]}>`"
            self.log(
                f"  {where}: the link to {target} (not imported yet) is its text until "
                "that file is imported, which restores the link"
            )
            return f"*{m.group('text')}*<!-- doc: {stem} -->"

        def bare(m: re.Match) -> str:  # [text](sibling): MyST's link to a page, no suffix
            target = m.group("target")
            if not any((self.src.parent / f"{target}{sfx}").is_file() for sfx in DOC_SUFFIXES):
                return m.group(0)
            return link(m)

        text = SIBLING_LINK.sub(link, DOC_ROLE.sub(one, text))
        text = BARE_LINK.sub(bare, text)
        return REF_ROLE.sub(lambda m: self._ref(m, text, where), text)

    def _ref(self, m: re.Match, text: str, where: str) -> str:
        """A ``{ref}`` to a label of another lecture: its text, so the page builds."""
        target = (m.group("t1") or m.group("t2")).strip()
        if re.search(rf"^\({re.escape(target)}\)=", text, re.M) or any(
            re.search(rf"^\({re.escape(target)}\)=", t, re.M) for t in self.labels
        ):
            return m.group(0)
        shown = (m.group("text") or target).strip()
        self.log(
            f"  {where}: {{ref}}`{target}` (a label of another lecture) replaced by its "
            f"text '{shown}'"
        )
        return f"*{shown}*"


def _named(src: Path, project: Path) -> str:
    try:
        return src.relative_to(project).as_posix()
    except ValueError:
        return src.name


def import_lab(
    root: Path | str,
    src: Path | str,
    week=None,
    session=None,
    template_name: str = "freeform",
    log=print,
    *,
    project: Path | None = None,
    authors: str | None = None,
    license: str | None = None,
    packages: list[str] | None = None,
) -> Path:
    """Import one document as a lab; ``project`` (the book it is part of), its ``authors`` and
    ``license`` when ``make import`` takes a whole book; the packages of its ``!pip install``
    cells are appended to ``packages``."""
    root, src = Path(root).resolve(), Path(src).resolve()
    if not src.is_file():
        raise BookError(
            COMMAND,
            None,
            f"SRC={src} is not a file",
            "make import SRC=path/to/lecture.md (or .ipynb, .qmd)",
        )
    suffix = src.suffix.lower()
    if suffix not in (".md", ".ipynb", ".qmd"):
        raise BookError(
            str(src.name),
            None,
            f"cannot import a {suffix} file",
            "make import takes a MyST .md, a Jupyter .ipynb or a Quarto .qmd",
        )
    template = get_template(load_templates(root), template_name)
    labs = read_labs(root)
    numbers = [lab.week_session for lab in labs if lab.week_session]
    week = whole_number(week, "WEEK") if week else max((w for w, _ in numbers), default=1)
    session = (
        whole_number(session, "SESSION")
        if session
        else max((s for w, s in numbers if w == week), default=0) + 1
    )
    if (week, session) in numbers:
        raise BookError(
            COMMAND, None, f"Week {week}, Session {session} is taken", "choose another SESSION="
        )
    text = src.read_text(encoding="utf-8")
    nb = json.loads(text) if suffix == ".ipynb" else None
    if nb is not None:
        meta = nb.setdefault("metadata", {})
        title = None
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                title, rest = take_title("".join(cell.get("source") or ""))
                if title:
                    cell["source"] = rest
                    if not rest.strip():  # the title was the whole cell
                        nb["cells"].remove(cell)
                    break
        body = "\n".join("".join(c.get("source") or "") for c in nb.get("cells", []))
    else:
        meta, body = split_front(text)
        title, body = take_title(body)
    heading = bool(title)
    title = title or str(meta.get("title") or "") or src.stem.replace("_", " ").capitalize()
    title = ROLE_TEXT.sub(lambda m: m.group(1), title)  # {index}`NumPy <single: NumPy>`
    title = re.sub(r"[*`]", "", title).strip()
    slug = slugify(title) or slugify(src.stem) or "lab"
    folder = root / "labs" / f"week{week:02d}"
    target = folder / f"session{session:02d}-{slug}{suffix}"
    rel = target.relative_to(root).as_posix()
    if target.exists():
        raise BookError(rel, None, "already exists; import never overwrites a lab")
    log(f"importing {src.name} as {rel} (template {template.name!r})")
    imp = Importer(root, src, log, project)
    assets = Assets(root, imp.project, folder / target.stem, log)
    renamed = imported_names(root, labs)
    config_path = root / "_config.yml"
    author = (
        authors
        or people(meta.get("author") or meta.get("authors"))
        or yaml.safe_load(config_path.read_text(encoding="utf-8")).get("author")
        or "TODO"
    )
    license = license or (str(meta["license"]) if meta.get("license") else None)
    fields = {
        "template": template.name,
        "course": _course_name(root, labs),
        "week": week,
        "session": session,
        "title": title,
        "authors": [a.strip() for a in re.split(r",| and | & ", str(author)) if a.strip()],
    }
    fields = {k: fields.get(k, "TODO") for k in template.front_matter}
    folder.mkdir(parents=True, exist_ok=True)

    named = _named(src, imp.project)  # the source file, as messages name it
    if nb is not None:
        for number, cell in enumerate(nb.get("cells", []), 1):
            src_text = "".join(cell.get("source") or "")
            if cell.get("cell_type") == "markdown":
                where = f"{named}:cell {number}"
                src_text = figure_alt(assets.rewrite(src_text, src.parent, folder, where))
                src_text = imp.rewrite_docs(src_text, renamed, rel)
            cell["source"] = src_text
            if cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
        kernel = meta.get("kernelspec") or {}
        meta["kernelspec"] = {**KERNEL, **kernel, "language": kernel.get("language", "python")}
        nb["cells"] = pip_cells_to_notes(nb["cells"], packages, log)
        meta["lab"], meta["imported_from"] = fields, src.name
        if license:
            meta["license"] = license
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        if suffix == ".qmd":
            body = paste_quarto_includes(body, src.parent, imp.project, log)
        body = figure_alt(assets.rewrite(body, src.parent, folder, named, origin=text))
        body = imp.rewrite_docs(body, renamed, rel)
        body = pip_cells_to_notes(body, packages, log)
        kernel = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
        if suffix == ".md" or kernel:
            meta["kernelspec"] = {**KERNEL, **kernel, "language": kernel.get("language", "python")}
        for key in ("title", "author", "authors"):
            meta.pop(key, None)
        if license:
            meta["license"] = license
        meta["imported_from"] = src.name
        meta["lab"] = fields
        source_config = imp.project / "_config.yml"
        config = yaml.safe_load(source_config.read_text()) if source_config.is_file() else {}
        body = add_bibliography(body, src, imp.project, config or {}, root, log, imp.unresolved)
        if "{bibliography}" in body:
            filter_existing(root, labs, log)
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
        target.write_text(f"---\n{front}---\n\n{body.lstrip(chr(10))}", encoding="utf-8")
    log(
        f"  the title {title!r} is now the lab's title"
        + (" (the lecture's own '# ' heading removed)" if heading else "")
    )

    toc_path = root / TOC_FILE
    docname = rel.rsplit(".", 1)[0]
    toc_text = insert_into_toc(toc_path.read_text(encoding="utf-8"), week, session, docname)
    if docname not in [e.docname for e in parse_toc(toc_text)]:
        raise BookError(TOC_FILE, None, "could not add the lab; add it by hand")
    toc_path.write_text(toc_text, encoding="utf-8")
    log(f"  listed in {TOC_FILE} under 'Week {week}'")
    for line in add_extensions(config_path, needed_extensions(body)):
        log(f"  {line}")
    relink_earlier(root, labs, src.stem, docname, log)
    for problem in [*assets.unresolved, *imp.unresolved]:
        log(f"could not: {rel}: {problem}")
    return target
