"""Unit tests of the Sphinx side (``book/sphinx/``) with ``sphinx.testing`` on a tiny project.

No kernel runs here (myst-nb's execution is off): these check what each part does to pages, the
per-page data the domain keeps, and that settings passed as config values reach the pages with
the right rebuild scope. The end-to-end builds of the real course are in the other test files.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from book.config.course import FlagConfig
from book.reading.reader import LabReader
from book.sphinx.domain import CourseDomain, course_domain

FLAGS = {"torch": FlagConfig("torch", requires=("torch",), enable="make html TORCH=1")}


LAB = """\
---
kernelspec: {name: python3, display_name: Python 3, language: python}
lab: {template: x, course: Course 4, week: 1, session: 2, title: Ridge, authors: [A]}
---

## Execution

```{code-cell} ipython3
#| eval: torch
import torch
```

```{code-cell} ipython3
#| eval: false
print("never")
```
"""


LATER = """\
---
kernelspec: {name: python3, display_name: Python 3, language: python}
lab: {template: x, course: Course 4, week: 2, session: 1, title: Later, authors: [A]}
---

Before this: {prereq}`week01/session02`. Broken: {prereq}`week09/session09`.
"""


CONF = """\
extensions = ["myst_nb", "book.sphinx"]
html_theme = "sphinx_book_theme"
nb_execution_mode = "off"
nb_custom_formats = {".md": ["nbformat.reads", {"as_version": 4}]}
myst_enable_extensions = ["colon_fence", "attrs_block"]
exclude_patterns = ["_build"]
"""


@pytest.fixture
def project(tmp_path) -> Path:
    src = tmp_path / "src"
    (src / "labs" / "week01").mkdir(parents=True)
    (src / "labs" / "week02").mkdir(parents=True)
    (src / "conf.py").write_text(CONF)
    (src / "index.md").write_text(
        "# Home\n\n```{toctree}\nlabs/week01/session02-ridge\nlabs/week02/session01-later\n```\n"
    )
    (src / "labs" / "week01" / "session02-ridge.md").write_text(LAB)
    (src / "labs" / "week02" / "session01-later.md").write_text(LATER)
    return src


def make(
    src: Path, flags: dict[str, bool], enable: str = "make html TORCH=1", requires: str = "torch"
) -> SphinxTestApp:
    help_ = {"torch": {"help": "", "enable": enable, "install": "", "requires": requires}}
    return SphinxTestApp(
        "html",
        srcdir=src,
        confoverrides={
            "book_flags": flags,
            "book_flag_help": help_,
            "book_reader": LabReader(src, FLAGS, flags),
        },
    )


@contextmanager
def built(
    src: Path, flags: dict[str, bool], enable: str = "make html TORCH=1", requires: str = "torch"
):
    app = make(src, flags, enable, requires)
    try:
        app.build()
        yield app
    finally:
        app.cleanup()


def page(app: SphinxTestApp, name: str) -> str:
    return (Path(app.outdir) / f"{name}.html").read_text(encoding="utf-8")


def test_labels_titles_and_domain(project):
    with built(project, {"torch": False}) as app:
        html = page(app, "labs/week01/session02-ridge")
        assert html.count('class="cell-not-run"') == 2
        assert "this cell needs <code>torch</code>, which this site was built without" in html
        assert "Building the site" not in html, "said in the instructor build only"
        assert "<code>eval: false</code>" in html
        assert "Built with flags: <code>torch</code> off." in html
        assert "Week 1, Session 2 — Ridge" in html  # the page's own title
        assert "Session 2 — Ridge" in page(app, "index")  # the navigation's
        domain = course_domain(app.env)
        assert domain.labs["labs/week01/session02-ridge"]["flags_used"] == ["torch"]
        assert domain.labs["labs/week01/session02-ridge"]["cells_not_run"] == 2
        assert "index" not in domain.labs and domain.gated["index"] == []


def test_prereq_links_with_title_and_reports_unknown_sessions(project):
    with built(project, {"torch": False}) as app:
        html = page(app, "labs/week02/session01-later")
        assert 'href="../week01/session02-ridge.html"' in html
        assert "Week 1, Session 2 — Ridge" in html
        assert "{prereq}`week09/session09`: no such session" in app._warning.getvalue()


def test_a_changed_flag_setting_rewrites_pages_without_rereading(project):
    with built(project, {"torch": False}):
        pass
    with built(project, {"torch": False}, requires="torch, torchvision") as second:
        html = page(second, "labs/week01/session02-ridge")
        assert "<code>pip install torch torchvision</code>" in html
        assert "0 added, 0 changed, 0 removed" in second._status.getvalue()  # not re-read


def test_a_flag_flip_rereads_only_gated_pages(project):
    with built(project, {"torch": False}):
        pass
    with built(project, {"torch": True}) as flipped:
        # the lab with a torch cell is read again, the other pages are not
        assert "0 added, 1 changed, 0 removed" in flipped._status.getvalue()
        html = page(flipped, "labs/week01/session02-ridge")
        assert html.count('class="cell-not-run"') == 1  # eval: false stays unrun
        assert "Built with flags: <code>torch</code> on." in html
        # a page without gated cells does not state the flags, so the flip does not rewrite it
        later = page(flipped, "labs/week02/session01-later")
        assert "Built with flags" not in later and "course-build-flags" not in later


def test_domain_clear_and_merge(project):
    with built(project, {"torch": False}) as app:
        domain = course_domain(app.env)
        other = {"labs": {"a": {"week": 3}, "b": {"week": 4}}, "gated": {"a": ["torch"]}}
        domain.merge_domaindata(["a"], other)
        assert domain.labs["a"] == {"week": 3} and "b" not in domain.labs
        assert domain.gated["a"] == ["torch"]
        domain.clear_doc("a")
        assert "a" not in domain.labs and "a" not in domain.gated
        assert isinstance(domain, CourseDomain)
