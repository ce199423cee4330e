"""Jupyter Book's settings in real builds, a few builds of many keys each: each key's effect on the
published site (or the build's message) is what the parity table (``book.config.rows``) says.
The refusals themselves are unit-tested (tests/unit/test_parity.py)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from book.config.parity import PARITY
from conftest import copy_course, run_build, write_lab

REPO_URL = "https://github.com/example/course4"
RAISES = "raise ValueError('on purpose')\n"


def configure(root: Path, settings: dict[str, object]) -> None:
    """Set dotted keys in the course's ``_config.yml``."""
    path = root / "_config.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in settings.items():
        *parents, leaf = dotted.split(".")
        node = data
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def notebook_lab(root: Path, relpath: str, week: int, session: int, code: str) -> None:
    """An ``.ipynb`` lab (front matter in its metadata), listed in ``_toc.yml``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["lab"] = {
        "template": "scratch",
        "course": "Course 4",
        "week": week,
        "session": session,
        "title": "Notebook lab",
        "authors": ["Test"],
    }
    nb.cells = [nbformat.v4.new_markdown_cell("Text."), nbformat.v4.new_code_cell(code)]
    (root / relpath).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, root / relpath)
    with open(root / "_toc.yml", "a", encoding="utf-8") as toc:
        toc.write(f"      - file: {relpath.removesuffix('.ipynb')}\n")


def page(root: Path, doc: str) -> str:
    return (root / "_build" / "html" / f"{doc}.html").read_text(encoding="utf-8")


def home_link(html: str) -> bool:
    return "bd-sidenav__home-link" in html


# ---- the groups: (settings, labs to add, what to check) ------------------------------------


def site_course(root: Path) -> dict:
    """Buttons, banners, analytics, extensions: the theme options and extension list Jupyter
    Book derives, next to the course's own (which used to replace them)."""
    (root / "exts").mkdir()
    (root / "exts" / "course_mark.py").write_text(
        "from pathlib import Path\n\n"
        "def _done(app, exc):\n"
        "    Path(app.outdir, 'course-mark.txt').write_text('local extension ran')\n\n"
        "def setup(app):\n"
        "    app.connect('build-finished', _done)\n"
        "    return {'parallel_read_safe': True}\n"
    )
    write_lab(
        root, "labs/week09/session01-plain.md", "Text.\n\n```{code-cell} python\n1 + 1\n```\n"
    )
    notebook_lab(root, "labs/week09/session02-notebook.ipynb", 9, 2, "2 + 2")
    local = yaml.safe_load((root / "_config.yml").read_text())["sphinx"]["local_extensions"]
    return {
        "repository.url": REPO_URL,
        "repository.branch": "main",
        "repository.path_to_book": "site",
        "html.use_repository_button": True,
        "html.use_edit_page_button": True,
        "html.use_issues_button": True,
        "html.announcement": "ANNOUNCE-MARK",
        "html.extra_footer": "<p>FOOTER-MARK</p>",
        "html.analytics.google_analytics_id": "G-PARITY123",
        "html.comments.hypothesis": True,
        "launch_buttons.binderhub_url": "https://mybinder.org",
        "launch_buttons.jupyterhub_url": "https://hub.example.edu",
        "launch_buttons.colab_url": "https://colab.research.google.com",
        "launch_buttons.deepnote_url": "https://deepnote.com",
        "launch_buttons.notebook_interface": "jupyterlab",
        "sphinx.extra_extensions": ["sphinx.ext.githubpages"],
        "sphinx.local_extensions": {**local, "course_mark": "exts"},
    }


def check_site(root: Path, result) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "_build" / "html"
    md = page(root, "labs/week09/session01-plain")
    ipynb = page(root, "labs/week09/session02-notebook")
    sources = sorted(p for p in (root / "labs").rglob("*") if p.suffix in (".md", ".ipynb"))
    assert len(sources) == 4  # the bundled course's two labs and this test's two
    for source in sources:  # every lab page links to its own file
        doc = source.relative_to(root).with_suffix("").as_posix()
        html = page(root, doc)
        path = f"site/{source.relative_to(root).as_posix()}"
        assert "ANNOUNCE-MARK" in html and "FOOTER-MARK" in html
        assert "G-PARITY123" in html
        assert "hypothes.is/embed.js" in html  # html.comments, through sphinx-comments
        assert home_link(html)  # the bundled course's own html.home_page_in_navbar: true
        assert f'href="{REPO_URL}"' in html
        assert f"{REPO_URL}/edit/main/{path}" in html, doc
        assert f"{REPO_URL}/issues/new" in html
        assert f"https://mybinder.org/v2/gh/example/course4/main?urlpath=lab/tree/{path}" in html
        hub = re.search(
            r'href="(https://hub\.example\.edu/hub/user-redirect/git-pull\?[^"]+)"', html
        )
        assert hub, "no JupyterHub button"
        assert f"urlpath=lab/tree/course4/{path}" in hub.group(1).replace("&amp;", "&")
        assert "repo=https%3A//github.com/example/course4" in hub.group(1)
        assert "deepnote.com/launch?url=https%3A%2F%2Fgithub.com%2Fexample%2Fcourse4" in html
    assert (
        "colab.research.google.com/github/example/course4/blob/main/site/labs/week09/session02-notebook.ipynb"
        in ipynb
    )
    assert "colab.research.google.com" not in md  # Colab opens notebooks only
    assert (site / ".nojekyll").is_file()  # sphinx.ext.githubpages, from extra_extensions
    assert (site / "course-mark.txt").read_text() == "local extension ran"
    # pages without code have no launch buttons, as stock
    assert "hub.example.edu" not in page(root, "intro")


def execute_course(root: Path) -> dict:
    """execute: run_in_temp false (files beside the lab), allow_errors, exclude_patterns, force."""
    lab = write_lab(
        root,
        "labs/week09/session01-data.md",
        "```{code-cell} python\nprint(open('data.csv').read().strip())\n"
        "open('written.txt', 'w').write('x')\n```\n\n"
        f"```{{code-cell}} python\n{RAISES}```\n\n"
        "```{code-cell} python\nprint('ran on after the error')\n```\n",
    )
    (lab.parent / "data.csv").write_text("a,b\n1,2-DATA-BESIDE\n")
    write_lab(
        root,
        "labs/week09/session02-excluded.md",
        f"```{{code-cell}} python\n#| error: false\n{RAISES}```\n",
        session=2,
        toc=False,
    )
    with open(root / "_toc.yml", "a", encoding="utf-8") as toc:
        toc.write("      - file: labs/week09/session02-excluded\n")
    return {
        "execute.run_in_temp": False,
        "execute.allow_errors": True,
        "execute.exclude_patterns": ["labs/week09/session02-*"],
        "execute.execute_notebooks": "force",
    }


def check_execute(root: Path, result) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "labs/week09/session02-excluded.md: not executed" in result.stdout
    html = page(root, "labs/week09/session01-data")
    assert "2-DATA-BESIDE" in html  # read from beside the lab
    assert "ValueError" in html and "ran on after the error" in html  # allow_errors
    assert not (root / "labs" / "week09" / "written.txt").exists()  # the course is unchanged
    excluded = page(root, "labs/week09/session02-excluded")
    assert "on purpose" in excluded and "cell_output" not in excluded  # code, no outputs
    # force: a second build runs every lab again instead of taking it from the cache
    again = run_build(root)
    assert again.returncode == 0, again.stderr
    assert "labs/week09/session01-data.md: executed" in again.stdout
    # a cell's own `#| error: false` wins over execute.allow_errors
    configure(root, {"execute.exclude_patterns": []})
    failed = run_build(root)
    assert failed.returncode == 1
    assert "session02-excluded.md:" in failed.stderr and "raised ValueError" in failed.stderr
    assert "'#| error: false', which wins over execute.allow_errors" in failed.stderr
    # a lab cached under allow_errors: true runs again when it is turned off (and fails)
    configure(
        root,
        {
            "execute.execute_notebooks": "cache",
            "execute.allow_errors": False,
            "execute.exclude_patterns": ["labs/week09/session02-*"],
        },
    )
    strict = run_build(root)
    assert strict.returncode == 1
    assert "session01-data.md:" in strict.stderr and "raised ValueError" in strict.stderr
    assert "'execute: allow_errors: true' in _config.yml" in strict.stderr


def off_course(root: Path) -> dict:
    """execute_notebooks: off (no lab runs), home_page_in_navbar: false."""
    write_lab(root, "labs/week09/session01-fails.md", f"```{{code-cell}} python\n{RAISES}```\n")
    return {"execute.execute_notebooks": False, "html.home_page_in_navbar": False}  # YAML's off


def check_off(root: Path, result) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "labs/week09/session01-fails.md: not executed" in result.stdout
    assert ": 0 executed, 0 cached, 0 failed, 3 not executed" in result.stdout
    html = page(root, "labs/week09/session01-fails")
    assert "on purpose" in html and "cell_output" not in html  # code, no outputs
    assert not home_link(html)


def stderr_course(root: Path) -> dict:
    """stderr_output: warn (the bundled course's) fails the build, naming the key."""
    write_lab(
        root,
        "labs/week09/session01-stderr.md",
        "```{code-cell} python\nimport sys\nprint('to stderr', file=sys.stderr)\n```\n",
    )
    return {"execute.stderr_output": "warn"}


def check_stderr(root: Path, result) -> None:
    assert result.returncode == 1
    assert "stderr was found in the cell outputs" in result.stderr
    assert "'execute: stderr_output' in _config.yml" in result.stderr


GROUPS = {
    "site": (site_course, check_site),
    "execute": (execute_course, check_execute),
    "off": (off_course, check_off),
    "stderr": (stderr_course, check_stderr),
}


@pytest.mark.parametrize("group", list(GROUPS))
def test_jupyter_book_settings_do_what_the_table_says(tmp_path, group):
    make, check = GROUPS[group]
    root = copy_course(tmp_path / "course")
    settings = make(root)
    for key in settings:  # every key exercised is in the table, and not refused for this value
        assert not PARITY[key].refuses(settings[key]), key
    configure(root, settings)
    check(root, run_build(root))
