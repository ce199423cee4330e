"""The ``{prereq}`` role: ``{prereq}`week01/session02``` links that session, titled
"Week 1, Session 2 — Regularisation" from its front matter (the title lives in one place)."""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from book.course.labs import find_session, lab_title, parse_session_ref, read_labs, session_ref


def prereq_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    ref = parse_session_ref(text)
    lab = find_session(read_labs(Path(env.srcdir)), *ref) if ref else None
    if lab is None:
        why = "no such session" if ref else f"name a session as {session_ref(1, 2)}"
        msg = inliner.reporter.error(f"{{prereq}}`{text}`: {why}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    env.note_dependency(str(Path(env.srcdir) / lab.path))  # re-read when its title changes
    node = addnodes.pending_xref(
        rawtext,
        refdomain="std",
        reftype="doc",
        reftarget="/" + lab.path.removesuffix(".md"),
        refexplicit=True,
        refwarn=True,
        refdoc=env.docname,
    )
    node += nodes.inline(
        rawtext,
        lab_title(lab.lab or {}, env.config.book_words),
        classes=["xref", "std", "std-doc", "prereq"],
    )
    return [node], []


def setup(app: Sphinx) -> dict:
    app.add_role("prereq", prereq_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
