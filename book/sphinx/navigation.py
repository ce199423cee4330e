"""Navigation titles, and which pages a build must read again or write again.

- A lab is "Week W, Session S — Title" on its page and "Session S — Title" in the navigation, under
  its week's caption.
- A flag flip re-reads only the pages with cells gated on that flag (their notebooks differ), and
  a release (of a session or its solutions) or a recording (``_freeze/``) added, removed or edited
  only the pages it changes; Sphinx's own checks cover edited files.
- Every page shows the navigation: when a title or the set of pages changes, every page is
  written again.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from book.course.labs import nav_title
from book.sphinx.domain import course_domain


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    lab = course_domain(env).labs.get(env.docname)
    if lab is None:
        return
    title = nav_title(lab, app.config.book_words)
    env.titles[env.docname] = nodes.title("", title)
    toc = env.tocs.get(env.docname)
    first = next(iter(toc.findall(nodes.reference)), None) if toc is not None else None
    if first is not None:
        first.children = [nodes.Text(title)]


def _on_get_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    domain = course_domain(env)
    domain.titles_before = {d: t.astext() for d, t in env.titles.items()}
    domain.docs_changed = bool(added or removed)
    flipped = domain.flipped_since_read(app.config.book_flags or {})
    reader = app.config.book_reader
    reshaped = {  # a release or a recording (added, removed, edited) changed how it reads
        d
        for d, key in domain.release.items()
        if key != reader.shape_key(str(env.doc2path(d, False)))
    }
    return sorted(
        d
        for d, used in domain.gated.items()
        if (flipped & set(used) or d in reshaped) and d in env.found_docs
    )


def _on_get_updated(app: Sphinx, env) -> list[str]:
    domain = course_domain(env)
    changed = any(domain.titles_before.get(d) != t.astext() for d, t in env.titles.items())
    return sorted(env.found_docs) if changed or domain.docs_changed else []


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", _on_doctree_read, priority=900)  # after the title collector
    app.connect("env-get-outdated", _on_get_outdated)
    app.connect("env-get-updated", _on_get_updated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
