"""Figures, tables, equations and exercises numbered per page: each lab's first figure is
"Figure 1", as in Quarto and in each notebook, and a lab's numbers do not move when another lab is
inserted before it.

Sphinx numbers every enumerable node (figures, tables, code blocks, ``{math}`` equations with
``math_numfig``, sphinx-exercise's exercises, sphinx-proof's theorems) with one counter across the
site for pages outside a numbered toctree. After its ``env-get-updated`` handler (priority 500)
assigns those site-wide numbers, ``_per_page`` (900) keeps them aside and renumbers each page's
from 1, in the same order. Before Sphinx's handler, ``_site_wide`` (400) puts the site-wide
numbers back, so Sphinx's own comparison (which pages' numbers changed and must be rewritten)
compares like with like and an edit does not rewrite every page with a figure. A page in a
numbered toctree (section numbers, "Figure 2.1") keeps Sphinx's numbers.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

# Kept with the environment (pickled with it): the numbers Sphinx assigned, before renumbering.
SITE_WIDE = "book_site_wide_fignumbers"


def _site_wide(app: Sphinx, env: BuildEnvironment) -> list[str]:
    kept = getattr(env, SITE_WIDE, None)
    if kept is not None:
        env.toc_fignumbers = kept
    return []


def _per_page(app: Sphinx, env: BuildEnvironment) -> list[str]:
    setattr(env, SITE_WIDE, env.toc_fignumbers)
    renumbered: dict[str, dict[str, dict[str, tuple[int, ...]]]] = {}
    for docname, kinds in env.toc_fignumbers.items():
        renumbered[docname] = {}
        for kind, numbers in kinds.items():
            if any(len(n) != 1 for n in numbers.values()):  # under a numbered toctree: Sphinx's
                renumbered[docname][kind] = numbers
                continue
            order = sorted(numbers, key=lambda ident: numbers[ident])
            renumbered[docname][kind] = {ident: (i,) for i, ident in enumerate(order, 1)}
    env.toc_fignumbers = renumbered
    return []


def setup(app: Sphinx) -> dict:
    app.connect("env-get-updated", _site_wide, priority=400)
    app.connect("env-get-updated", _per_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
