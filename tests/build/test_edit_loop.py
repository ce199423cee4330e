"""The edit loop: `make serve` keeps the builder warm, `make html` after an edit does only what the
edit needs, and neither ever changes the published site in place."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from book.publishing.staging import NOT_SEEDED_FILES
from conftest import run_build, site_digest, write_lab

LAB = "labs/week01/session02-regularisation"


def _files(site: Path) -> dict[str, tuple[int, str]]:
    """rel -> (inode, content hash) of every file of a site."""
    found = {}
    for p in site.rglob("*"):
        if p.is_file():
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            found[p.relative_to(site).as_posix()] = (p.stat().st_ino, digest)
    return found


def test_an_edit_build_shares_unchanged_files_and_never_writes_through_them(course):
    site = course / "_build/html"
    assert run_build(course, "--force").returncode == 0  # Sphinx's environment, in this folder
    before = _files(site)
    by_inode = {ino: digest for ino, digest in before.values()}
    lab = course / f"{LAB}.md"
    lab.write_text(lab.read_text().replace("\n## ", "\nA sentence added by the test.\n\n## ", 1))
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": executed" not in result.stdout  # a prose edit starts no kernel
    after = _files(site)
    shared = [rel for rel, (ino, _) in after.items() if ino in by_inode]
    # nothing unchanged was copied: every page, source and figure but the edited lab's is the
    # published file itself (theme assets, the index and a few top-level files are made anew;
    # Sphinx always writes the root page, whose toctree lists every page)
    anew = ("_static/", "pagefind/", "_images/", "intro.", "_sources/intro.", ".buildinfo")
    anew = (*anew, *NOT_SEEDED_FILES)
    # a page that links the lab with {prereq} shows its title: Sphinx reads it again too
    linking = [
        str(p.relative_to(course).with_suffix(""))
        for p in (course / "labs").rglob("*.md")
        if "{prereq}`week01/session02`" in p.read_text()
    ]
    redone = (LAB, *linking)
    copied = [
        r
        for r in after
        if r not in shared and not r.startswith(anew) and not any(d in r for d in redone)
    ]
    assert copied == [] and len(shared) > 20, (copied, len(shared))
    # ... and none of them was written through: each still holds what it held
    changed = [rel for rel in shared if after[rel][1] != by_inode[after[rel][0]]]
    assert changed == []
    assert after[f"{LAB}.html"][0] != before[f"{LAB}.html"][0]  # the edited page is new
    assert "A sentence added by the test." in (site / f"{LAB}.html").read_text()
    assert after["setup.html"][0] == before["setup.html"][0]  # a page it did not touch is not


def test_a_flag_flip_rewrites_only_the_pages_gated_on_it(course):
    config = course / "_config.yml"
    config.write_text(
        config.read_text().replace("flags:\n", "flags:\n  extra:\n    default: false\n", 1)
    )
    write_lab(
        course,
        "labs/week09/session01-gated.md",
        "## Gated\n\n```{code-cell} ipython3\n#| eval: extra\nprint('extra ran')\n```\n",
    )
    assert run_build(course).returncode == 0
    site = course / "_build/html"
    before = _files(site)
    flipped = run_build(course, flags="extra")
    assert flipped.returncode == 0, flipped.stdout + flipped.stderr
    executed = [line for line in flipped.stdout.splitlines() if ": executed" in line]
    assert len(executed) == 1 and "session01-gated" in executed[0], flipped.stdout
    after = _files(site)
    gated = "labs/week09/session01-gated.html"
    assert after[gated][0] != before[gated][0]
    page = (site / gated).read_text()
    assert "extra ran" in page and "Built with flags: <code>extra</code> on." in page
    for rel in ("setup.html", f"{LAB}.html", "labs/week02/session03-tabular-nn-torch.html"):
        assert after[rel] == before[rel], f"{rel} was rewritten by a flip of a flag it never uses"
        assert "extra" not in (site / rel).read_text()  # states only the flags it uses
    assert '"extra": true' in (site / "build-info.json").read_text()


def _serve(root: Path, log) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    return subprocess.Popen(
        [sys.executable, "-m", "book", "serve", "--port", "0"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_rebuilt(log: Path, count: int, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    while True:
        text = log.read_text()
        if text.count("rebuilt; open pages reload") >= count:
            return text
        assert "build failed" not in text, text
        assert time.monotonic() < deadline, text
        time.sleep(0.2)


def test_the_preview_after_a_sequence_of_edits_is_what_a_clean_build_publishes(course, tmp_path):
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = _serve(course, out)
        try:
            deadline = time.monotonic() + 60
            while "Serving the course site" not in log.read_text():
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            intro = course / "intro.md"
            intro.write_text(intro.read_text() + "\nA prose edit.\n")
            text = _wait_rebuilt(log, 1)
            assert ": executed" not in text  # prose only: no kernel started
            lab = write_lab(
                course,
                "labs/week09/session01-added.md",
                "## Added\n\n```{code-cell} ipython3\nprint('first version')\n```\n",
            )
            _wait_rebuilt(log, 2)  # a new lab and a new _toc.yml
            lab.write_text(lab.read_text().replace("first version", "second version"))
            text = _wait_rebuilt(log, 3)
            assert text.count("session01-added.md: executed") == 2
            lab.write_text(lab.read_text().replace("title: Scratch lab", "title: Renamed"))
            _wait_rebuilt(log, 4)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    assert "Traceback" not in log.read_text(), log.read_text()

    clean = tmp_path / "clean"
    shutil.copytree(course, clean, ignore=shutil.ignore_patterns("_build"), symlinks=True)
    assert run_build(clean).returncode == 0

    def pages(site: Path) -> dict[str, bytes]:
        skip = ("build-info.json", ".buildinfo", "pagefind/")  # timings; the index of the same
        return {k: v for k, v in site_digest(site).items() if not k.startswith(skip)}

    preview, fresh = pages(course / "_build/html"), pages(clean / "_build/html")
    assert sorted(preview) == sorted(fresh)
    differ = [rel for rel in fresh if preview[rel] != fresh[rel]]
    assert differ == [], differ
    assert "Session 1 — Renamed" in (course / "_build/html/intro.html").read_text()
    assert "second version" in (course / "_build/html/labs/week09/session01-added.html").read_text()
