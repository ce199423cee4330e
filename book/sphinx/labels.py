"""What a page says about execution: a "Not run in this build" label on each cell that did not
run, and, on a page with gated cells, the build's setting of the flags they use (a line at the end
of the lab, a ``<meta>``).

Reading only marks the cells (a ``not_run`` node, no text); the words are made when the page is
written, from ``book_flags`` and ``book_flag_help``. A page states only the flags its own cells
use, so a flip of a flag re-reads and rewrites just the pages gated on it (``navigation``), and a
changed flag help text (the ``"html"`` rebuild scope) rewrites the pages without re-reading them.
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.application import Sphinx

from book.config.words import ENGLISH, Words
from book.sphinx.domain import course_domain


class not_run(nodes.General, nodes.Element):  # noqa: N801  docutils names nodes in lower case
    """A code cell that this build did not execute; ``flag`` is its flag, or "" for never;
    ``stale``: the date of a recording that no longer matches the code."""


class recorded(nodes.General, nodes.Element):  # noqa: N801
    """A gated cell showing outputs recorded elsewhere (``_freeze/``): ``flag``, ``date``,
    ``device`` and ``packages`` (name -> version) say where and when."""


def _say(words: Words, key: str, **markup: str) -> str:
    """A message as HTML: its words escaped, the ``markup`` filled in as it is."""
    return html.escape(words.text(key), quote=False).format(**markup)


def _badge(words: Words, key: str) -> str:
    return f'<span class="cell-not-run-badge">{_say(words, key)}</span>'


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def label_html(
    flag: str, flag_help: dict[str, dict[str, str]], stale: str = "", words: Words = ENGLISH
) -> str:
    """To the reader first (what to do in their own notebook), then to whoever builds the site."""
    if flag:
        spec = flag_help.get(flag) or {}
        enable = spec.get("enable") or f"make html FLAGS={flag}"
        needs = [n.strip() for n in spec.get("requires", "").split(",") if n.strip()] or [flag]
        names = html.escape(words("names_and")).join(_code(n) for n in needs)
        why = (
            _say(
                words, "not_run_flag", names=names, command=_code(f"pip install {' '.join(needs)}")
            )
            + ' <span class="cell-not-run-builder">'
            + _say(words, "not_run_builder", command=_code(enable))
            + "</span>"
        )
    else:
        why = _say(words, "not_run_never", option=_code("eval: false"))
    if stale:
        why += " " + _say(words, "stale_recording", date=html.escape(words.day(stale)))
    return (
        '<p class="cell-not-run" role="note">'
        + _say(words, "badge_note", badge=_badge(words, "not_run_badge"), note=why)
        + "</p>"
    )


def recorded_html(
    node: recorded, flag_help: dict[str, dict[str, str]], words: Words = ENGLISH
) -> str:
    flag, packages = node["flag"], node["packages"]
    wanted = [m.strip() for m in (flag_help.get(flag) or {}).get("requires", "").split(",")]
    shown = [f"{name} {packages[name]}" for name in wanted if name in packages] or [
        f"{name} {v}" for name, v in sorted(packages.items())
    ]
    with_ = words("recorded_with", packages=", ".join(shown)) if shown else ""
    needs = html.escape(words("names_and")).join(_code(n) for n in wanted if n) or _say(
        words, "its_flag"
    )
    enable = (flag_help.get(flag) or {}).get("enable") or f"make html FLAGS={flag}"
    install = f"pip install {' '.join(n for n in wanted if n) or flag}"
    note = _say(
        words,
        "recorded_note",
        names=needs,
        date=html.escape(words.day(node["date"])),
        with_packages=html.escape(with_),
        device=html.escape(node["device"]),
        command=_code(install),
    )
    builder = _say(words, "recorded_builder", command=_code(enable))
    return (
        '<p class="cell-not-run cell-recorded" role="note">'
        + _say(words, "badge_note", badge=_badge(words, "recorded_badge"), note=note)
        + " "
        f'<span class="cell-not-run-builder">{builder}</span></p>'
    )


def flags_note_html(flags: dict[str, bool], words: Words = ENGLISH) -> str:
    if not flags:
        return f'<p class="build-flags">{_say(words, "no_flags")}</p>'
    states = ", ".join(
        f"{_code(name)} {html.escape(words('flag_on' if on else 'flag_off'))}"
        for name, on in sorted(flags.items())
    )
    return f'<p class="build-flags">{_say(words, "flags", states=states)}</p>'


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code":
            continue
        meta = (container.get("cell_metadata") or {}).get("book") or {}
        if meta.get("ran") is not False:
            continue
        flag = meta.get("eval")
        rec = meta.get("recorded") or {}
        if rec and not rec.get("stale"):
            container.insert(
                0,
                recorded(
                    flag=flag,
                    date=rec["date"],
                    device=rec["device"],
                    packages=dict(rec.get("packages") or {}),
                ),
            )
        else:
            container.insert(
                0, not_run(flag=flag if isinstance(flag, str) else "", stale=rec.get("date", ""))
            )
        container["classes"].append("cell-not-run-container")


def _visit_html(self, node: not_run) -> None:
    config = self.builder.config
    self.body.append(
        label_html(node["flag"], config.book_flag_help, node["stale"], config.book_words)
    )
    raise nodes.SkipNode


def _visit_recorded_html(self, node: recorded) -> None:
    config = self.builder.config
    self.body.append(recorded_html(node, config.book_flag_help, config.book_words))
    raise nodes.SkipNode


def _skip(self, node: not_run) -> None:
    raise nodes.SkipNode


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A page with gated cells states the build's setting of those flags (and only of those: a
    flip of any other flag leaves the page as it is, so the build does not write it again)."""
    gated = course_domain(app.env).gated.get(pagename) or []
    if not gated:
        return
    build_flags = app.config.book_flags or {}
    flags = {name: bool(build_flags.get(name)) for name in gated}
    context["body"] = context.get("body", "") + flags_note_html(flags, app.config.book_words)
    states = ", ".join(f"{n}={'on' if v else 'off'}" for n, v in sorted(flags.items()))
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="course-build-flags" content="{html.escape(states)}">'
    )


def setup(app: Sphinx) -> dict:
    skip = (_skip, None)  # other builders: no label
    app.add_node(not_run, html=(_visit_html, None), latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_node(
        recorded, html=(_visit_recorded_html, None), latex=skip, text=skip, man=skip, texinfo=skip
    )
    app.connect("doctree-read", _on_doctree_read)
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
