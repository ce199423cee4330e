"""``make import SRC=`` of a file, a folder, a Jupyter Book or a Quarto project: the plan, then
all of it in one step (``PLAN=1`` only prints the plan).

The plan says which file becomes which week and session, which page is a course page (the book's
root page: a page of the site, not a lab), which files are fragments (``{include}``d: copied beside
the labs that include them, never labs), and which packages come along (pinned in
``requirements/course.txt``). Chapters map to sessions in order: a book's parts (``parts:`` of a
Jupyter Book, ``part:`` of a Quarto book) to consecutive weeks from ``WEEK``, a book without parts
to ``WEEK`` alone; ``SESSION`` (default: the next free number in that week) numbers the first.
Everything is checked before anything is written: a taken session or an existing file stops the
whole import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from book.course.labs import read_labs
from book.course.scaffold import slugify, whole_number
from book.errors import BookError
from book.importing import packages as pkgs
from book.importing.assets import referenced, remote_images
from book.importing.importer import import_lab
from book.importing.pages import import_page
from book.importing.sources import Source, code_of, document_text, read_source


@dataclass
class Step:
    src: Path
    week: int = 0
    session: int = 0
    page: bool = False  # a course page, not a lab
    files: list[Path] = field(default_factory=list)  # images, data and fragments it brings
    remote: list[str] = field(default_factory=list)  # images it shows from the network: fetched


@dataclass
class Plan:
    source: Source
    steps: list[Step]
    requirements: list[pkgs.Requirement]
    pip: list[str]

    def lines(self, root: Path) -> list[str]:
        s = self.source
        out = [f"plan: import the {s.kind} {_shown(s.project, root)}"]
        if s.title or s.author or s.license:
            out.append(
                "  "
                + "; ".join(
                    x
                    for x in (
                        f"title {s.title!r}" if s.title else "",
                        f"authors: {s.author}" if s.author else "",
                        f"licence: {s.license}" if s.license else "",
                    )
                    if x
                )
            )
        for step in self.steps:
            rel = step.src.relative_to(s.project).as_posix()
            where = "course page" if step.page else f"Week {step.week}, Session {step.session}"
            out.append(f"  {rel:<40} -> {where}")
            for f in step.files:
                out.append(f"      brings {f.relative_to(s.project).as_posix()}")
            for url in step.remote:
                out.append(f"      downloads {url} (an image it shows from the network)")
        for fragment in s.fragments:
            rel = fragment.relative_to(s.project).as_posix()
            out.append(f"  {rel:<40} -> fragment (included by a page; copied beside it, not a lab)")
        for req in self.requirements:
            pin = req.line() if req.version else f"{req.distribution} (pip finds no version)"
            out.append(f"  package {pin:<32} for `import {req.module}` ({req.how})")
        return out


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def make_plan(root: Path, src: Path, week=None, session=None, look_up=pkgs.available_version):
    source = read_source(src)
    if not source.entries:
        raise BookError("import", None, f"{src} holds no .md, .ipynb or .qmd document to import")
    labs = read_labs(root)
    numbers = [lab.week_session for lab in labs if lab.week_session]
    last_week = max((w for w, _ in numbers), default=0)
    if week:
        first_week = whole_number(week, "WEEK")
    else:
        first_week = max(last_week, 1) if source.kind == "file" else last_week + 1
    parts: list[str | None] = []
    steps = []
    for entry in source.entries:
        if entry.root_page and source.kind != "file":
            steps.append(Step(entry.path, page=True))
            continue
        if entry.part not in parts:
            parts.append(entry.part)
        w = first_week + parts.index(entry.part)
        taken = [s for ww, s in numbers if ww == w] + [x.session for x in steps if x.week == w]
        if session and not taken_in(steps, w) and parts.index(entry.part) == 0:
            n = whole_number(session, "SESSION")
        else:
            n = max(taken, default=0) + 1
        if (w, n) in numbers:
            raise BookError(
                "import",
                None,
                f"Week {w}, Session {n} is taken",
                "choose another SESSION= or WEEK=",
            )
        if n > 99:
            raise BookError("import", None, f"Week {w} would need a Session {n}", "split the book")
        steps.append(Step(entry.path, w, n))
    found = pkgs.Found()
    for step in steps:
        text = document_text(step.src)
        step.files = [f for _, f in referenced(text, step.src.parent, source.project)]
        step.remote = remote_images(text)
        for code in code_of(step.src):
            found.add_code(code, step.src.name)
    local = {p.stem for p in source.project.rglob("*.py")}
    requirements = pkgs.resolve(found, local, root, look_up)
    return Plan(source, steps, requirements, sorted(found.pip))


def run_import(
    root,
    src,
    week=None,
    session=None,
    template="freeform",
    plan_only=False,
    log=print,
    look_up=pkgs.available_version,
):
    root = Path(root).resolve()
    plan = make_plan(root, Path(src), week, session, look_up)
    for line in plan.lines(root):
        log(line)
    if plan_only:
        log("PLAN=1: nothing written")
        return plan
    for step in plan.steps:  # nothing is written before every target is known to be free
        if step.page:
            continue
        for old in (root / "labs" / f"week{step.week:02d}").glob(f"session{step.session:02d}-*"):
            raise BookError(old.relative_to(root).as_posix(), None, "is in the plan's way")
    s = plan.source
    pip: list[str] = []
    for step in sorted(plan.steps, key=lambda st: st.page):  # pages last: they link to the labs
        if step.page:
            import_page(root, step.src, s.project, slugify(s.title or step.src.stem), log)
        else:
            import_lab(
                root,
                step.src,
                step.week,
                step.session,
                template,
                log,
                project=s.project,
                authors=s.author,
                license=s.license,
                packages=pip,
            )
    missing = pkgs.write(root, plan.requirements, log)
    for line in missing:
        log(f"could not: requirements/course.txt: {line}; add the right name by hand")
    log("next: `make check`, then `make html`")
    return plan


def taken_in(steps: list[Step], week: int) -> bool:
    return any(s.week == week for s in steps)
