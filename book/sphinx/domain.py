"""Per-page course data, kept in Sphinx's environment by a ``Domain`` (as ``sphinx.ext.duration``
keeps reading times): for each page, its lab (week, session, title) and the flags its cells are
gated on; for the environment, the flag states its pages were last read with.

Sphinx pickles this with the environment, clears a page's entry before re-reading it and merges
entries from parallel readers. Transient facts of one build (titles before reading, pages written)
live on the domain object and start afresh with each build (``begin_build``, the first handler of
``env-get-outdated``): one application may build many times (``book.build.sphinx_app``).
"""

from __future__ import annotations

import time
from typing import Any

from sphinx.application import Sphinx
from sphinx.domains import Domain


class CourseDomain(Domain):
    name = "course"
    label = "Course"
    initial_data: dict[str, Any] = {
        "labs": {},
        "gated": {},
        "flags_read": None,
        "release": {},
        "unexecuted": {},
        "installs": {},
    }

    def __init__(self, env) -> None:
        super().__init__(env)
        self.begin_build()

    def begin_build(self) -> None:
        self.titles_before: dict[str, str] = {}  # navigation titles before this build's reading
        self.docs_changed = False  # pages added or removed in this build
        self.written: set[str] = set()  # pages written in this build
        self.started = time.time()  # when this build started

    @property
    def labs(self) -> dict[str, dict]:
        """docname -> the lab's week, session, title, flags used and cells not run."""
        return self.data["labs"]

    @property
    def gated(self) -> dict[str, list[str]]:
        """docname -> the flags its cells are gated on (every page, labs or not)."""
        return self.data["gated"]

    @property
    def release(self) -> dict[str, str]:
        """docname -> what shaped its reading besides its text: its recording and the release
        (``LabReader.shape_key``)."""
        return self.data.setdefault("release", {})

    @property
    def unexecuted(self) -> dict[str, bool]:
        """docname -> True: read before the course's executor ran its code (no outputs), so
        read again by the next build (``make serve``'s warm-up, a plain ``jupyter-book build``)."""
        return self.data.setdefault("unexecuted", {})

    @property
    def installs(self) -> dict[str, list[dict]]:
        """docname -> its "Install ..." sections: title, id, the first line of their first code
        block (the set-up page's install commands, which the notes on recorded outputs cite)."""
        return self.data.setdefault("installs", {})

    def note_page(
        self,
        docname: str,
        lab: dict | None,
        flags_used: list[str],
        not_run: int,
        release: str = "",
        executed: bool = True,
    ) -> None:
        self.gated[docname] = flags_used
        self.release[docname] = release
        if executed:
            self.unexecuted.pop(docname, None)
        else:
            self.unexecuted[docname] = True
        if lab is not None:
            self.labs[docname] = {**lab, "flags_used": flags_used, "cells_not_run": not_run}

    def flipped_since_read(self, flags: dict[str, bool]) -> set[str]:
        """The flags whose state differs from the last reading (none on a first build)."""
        before = self.data["flags_read"]
        self.data["flags_read"] = dict(flags)
        if before is None:
            return set()
        return {f for f in {*before, *flags} if before.get(f) != flags.get(f)}

    def clear_doc(self, docname: str) -> None:
        self.labs.pop(docname, None)
        self.gated.pop(docname, None)
        self.release.pop(docname, None)
        self.unexecuted.pop(docname, None)
        self.installs.pop(docname, None)

    def merge_domaindata(self, docnames: list[str], otherdata: dict) -> None:
        wanted = set(docnames)
        for key in ("labs", "gated", "release", "unexecuted", "installs"):
            self.data.setdefault(key, {}).update(
                {d: v for d, v in otherdata.get(key, {}).items() if d in wanted}
            )

    def resolve_any_xref(self, *args, **kwargs) -> list:
        return []


def course_domain(env) -> CourseDomain:
    return env.get_domain(CourseDomain.name)


def _on_get_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    domain = course_domain(env)
    domain.begin_build()
    return sorted(d for d in domain.unexecuted if d in env.found_docs)


def setup(app: Sphinx) -> dict:
    app.add_domain(CourseDomain)
    app.connect("env-get-outdated", _on_get_outdated, priority=1)  # before the other parts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
