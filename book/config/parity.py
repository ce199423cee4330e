"""Every Jupyter Book setting, placed: what the course's build does with it, next to what stock
Jupyter Book 1 does.

``PARITY`` has one row per setting of Jupyter Book's schema and default configuration (full
depth: ``html.analytics.google_analytics_id``), each one of

- ``same``: the build does what ``jupyter-book build`` does with it;
- ``differs``: honoured, with the difference said (a course's own rule wins, and why);
- ``refused``: the build stops with ``_config.yml:LINE``, why, and what to use instead, for the
  values in ``refuse`` (``ALL``: any value).

``check_settings`` is the one door: ``book.config.course.load_config`` calls it for every
command, so nothing a course sets is accepted and then ignored. ``jupyter_book_settings`` derives
the settings from the installed Jupyter Book; a test fails when it has one ``PARITY`` does not
place. ``python -m book docs`` renders the table into ``docs/jupyter-book-parity.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from book.config.jupyter_book_keys import derive_from_jupyter_book
from book.config.rows import ROWS
from book.errors import BookError

ALL = ("*",)  # refused whatever the value


@dataclass(frozen=True)
class Setting:
    key: str  # dotted: execute.run_in_temp
    kind: str  # same | differs | refused
    what: str  # what the course's build does with it
    refuse: tuple = ()  # the values refused (ALL: any); compared as YAML reads them
    why: str = ""  # why those values are refused
    instead: str = ""  # what to write instead

    def refuses(self, value: object) -> bool:
        if self.refuse == ALL:
            return True
        return any(value == v and type(value) is type(v) for v in self.refuse)


PARITY: dict[str, Setting] = {row[0]: Setting(*row) for row in ROWS}

# Free-form settings (any keys below them are the user's): not descended.
FREE_FORM = ("sphinx.config", "sphinx.local_extensions", "latex.latex_documents")
# Settings Jupyter Book translates that neither its schema nor its defaults declare.
TRANSLATED = ("parse.myst_substitutions",)
# Settings of the course's own in Jupyter Book's sections (book.config.sections.OWN_KEYS).
OWN = ("execute.scheduler",)


def jupyter_book_settings() -> list[str]:
    """Every setting the installed Jupyter Book declares, dotted, at full depth."""
    from book.config.jupyter_book_keys import jupyter_book_files

    schema, defaults = jupyter_book_files()
    keys: set[str] = set()

    def walk(prefix: str, spec: dict | None, default: object) -> None:
        subs = dict.fromkeys((spec or {}).get("properties", {}))
        if isinstance(default, dict):
            subs.update(dict.fromkeys(default))
        if not subs or prefix in FREE_FORM:
            keys.add(prefix)
            return
        for sub in subs:
            inner = (spec or {}).get("properties", {}).get(sub)
            walk(f"{prefix}.{sub}", inner, default.get(sub) if isinstance(default, dict) else None)

    for top, subs in derive_from_jupyter_book().items():
        spec = schema["properties"].get(top)
        default = defaults.get(top)
        if subs is None:
            keys.add(top)
            continue
        if not isinstance(default, dict):
            default = {}
        for sub in subs:
            inner = (spec or {}).get("properties", {}).get(sub)
            walk(f"{top}.{sub}", inner, default.get(sub))
    return sorted(keys)


def _shown(value: object) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _set(raw: dict):
    """Each setting the course sets: (dotted key, value), at full depth, free-form ones whole."""
    stack = [("", raw)]
    while stack:
        prefix, mapping = stack.pop()
        for key, value in mapping.items():
            dotted = f"{prefix}{key}"
            row = PARITY.get(dotted)
            if isinstance(value, dict) and row is None and dotted not in FREE_FORM:
                stack.append((dotted + ".", value))
            else:
                yield dotted, value


def check_settings(raw: dict, lines: dict[str, int]) -> None:
    """Refuse what the build cannot honour: ``_config.yml:LINE``, why, what to use instead."""
    from book.config.needs import needs

    for key, value in _set(raw):
        row = PARITY.get(key)
        if row is not None and row.refuses(value):
            shown = "" if row.refuse == ALL else f": {_shown(value)}"
            raise BookError(
                "_config.yml",
                lines.get(key),
                f"'{key}{shown}' is not supported by the course's build: {row.why}",
                f"instead: {row.instead}",
            )
        if key.startswith("parse.myst_") and row is None:
            name = key.removeprefix("parse.")
            raise BookError(
                "_config.yml",
                lines.get(key),
                f"'{key}': Jupyter Book 1 passes only myst_enable_extensions, "
                "myst_url_schemes and myst_substitutions from 'parse:' on to MyST; this one "
                "would do nothing",
                f"instead: set it under 'sphinx: config:' as '{name}'",
            )
    needs(raw, lines)


BEGIN = "<!-- generated by `python -m book docs`: do not edit the table -->"
END = "<!-- end of the generated table -->"
KIND_SHOWN = {
    "same": "as Jupyter Book",
    "differs": "differs",
    "refused": "refused",
    "course": "the course's own",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table() -> str:
    """The parity table as Markdown: one row per setting, in the order of ``PARITY``."""
    rows = [
        "| Setting | Course build | What it does | Refused | Why, and what to use instead |",
        "|---|---|---|---|---|",
    ]
    for row in PARITY.values():
        refused = "any value" if row.refuse == ALL else ", ".join(_shown(v) for v in row.refuse)
        why = f"{row.why}. Instead: {row.instead}" if row.why else ""
        cells = (f"`{row.key}`", KIND_SHOWN[row.kind], row.what, refused, why)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def with_table(text: str) -> str:
    """``text`` (the docs page) with its generated table replaced by the current one."""
    head, _, rest = text.partition(BEGIN + "\n")
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render_table()}{END}{tail}"
