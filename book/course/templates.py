"""Lab templates as data: the front matter a lab needs and its sections, in order.

The generator ships its templates in ``book/course/templates/<name>.yml``; a course adds its own, or
overrides one of the same name, in ``templates/<name>.yml`` at the course root. The checks
validate labs against them and ``new-session`` scaffolds labs from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from book.errors import BookError

BUILTIN_DIR = Path(__file__).parent / "templates"
COURSE_DIR = "templates"
FIELD_TYPES = ("str", "int", "list[str]")


@dataclass(frozen=True)
class Section:
    heading: str
    prose: str = ""
    code: str = ""


@dataclass(frozen=True)
class Template:
    name: str
    path: str
    description: str
    front_matter: dict[str, str]  # field -> type (one of FIELD_TYPES)
    sections: tuple[Section, ...]
    intro: str = ""

    @property
    def headings(self) -> list[str]:
        return [s.heading for s in self.sections]


def _template(path: Path, shown: str) -> Template:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BookError(shown, mark.line + 1 if mark else None, f"invalid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise BookError(shown, 1, "a template must be a mapping (name, front_matter, sections)")
    fields = raw.get("front_matter")
    if not isinstance(fields, dict) or not fields:
        raise BookError(shown, None, "'front_matter' must map each lab: field to its type")
    for name, kind in fields.items():
        if kind not in FIELD_TYPES:
            raise BookError(
                shown,
                None,
                f"field {name!r}: unknown type {kind!r}",
                f"known types: {', '.join(FIELD_TYPES)}",
            )
    sections = []
    for item in raw.get("sections") or ():
        if isinstance(item, str):
            item = {"heading": item}
        if not isinstance(item, dict) or not str(item.get("heading", "")).strip():
            raise BookError(shown, None, f"each section needs a 'heading', got {item!r}")
        sections.append(
            Section(
                str(item["heading"]).strip(),
                str(item.get("prose") or ""),
                str(item.get("code") or ""),
            )
        )
    if not isinstance(raw.get("sections", []), list):
        raise BookError(
            shown,
            None,
            "'sections' must list the lab's level-2 headings (an empty list: any headings)",
        )
    return Template(
        name=str(raw.get("name") or path.stem),
        path=shown,
        description=str(raw.get("description", "")),
        front_matter={str(k): str(v) for k, v in fields.items()},
        sections=tuple(sections),
        intro=str(raw.get("intro") or ""),
    )


def load_templates(root: Path | str) -> dict[str, Template]:
    """The built-in templates, then the course's own (``templates/*.yml``), by name."""
    found: dict[str, Template] = {}
    course_dir = Path(root) / COURSE_DIR
    sources = [(p, f"book/course/templates/{p.name}") for p in sorted(BUILTIN_DIR.glob("*.yml"))]
    if course_dir.is_dir():
        sources += [(p, f"{COURSE_DIR}/{p.name}") for p in sorted(course_dir.glob("*.yml"))]
    for path, shown in sources:
        template = _template(path, shown)
        found[template.name] = template
    return found


def get_template(
    templates: dict[str, Template],
    name: str,
    path: str | None = None,
    line: int | str | None = None,
) -> Template:
    try:
        return templates[name]
    except KeyError:
        raise BookError(
            path,
            line,
            f"unknown template {name!r}",
            f"known templates: {', '.join(sorted(templates))}; a course adds its own "
            f"as {COURSE_DIR}/{name}.yml (the format of book/course/templates/workflow.yml; "
            "freeform: front matter only, any sections)",
        ) from None
