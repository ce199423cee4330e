"""The published folder and what builds leave behind (book.publishing.publish): a symlinked
``_build/html`` is refused, never replaced; ``_build/.stale-*`` folders really go, even where a
lab left folders without write permission."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from book.config.layout import BuildLayout
from book.errors import BookError
from book.publishing.publish import clean_build_dir, publish

NOBODY = 65534


def layout_of(tmp_path: Path) -> BuildLayout:
    root = tmp_path / "course"
    (root / "_build").mkdir(parents=True)
    return BuildLayout.for_course(root)


def test_a_symlinked_published_site_is_refused_and_left_alone(tmp_path):
    layout = layout_of(tmp_path)
    deploy = tmp_path / "www"
    deploy.mkdir()
    (deploy / "index.html").write_text("the deployed site")
    layout.html.symlink_to(deploy)
    with pytest.raises(BookError) as err:
        clean_build_dir(layout, log=lambda *a, **k: None)
    assert err.value.format() == (
        f"_build/html: is a symbolic link (to {deploy}): a build publishes by swapping the whole "
        "folder in one step, which would replace the link\n"
        "  remove the link (rm _build/html); to publish elsewhere, copy the site after each "
        "build (rsync -a --delete _build/html/ TARGET/) or point the web server at _build/html"
    )
    assert layout.html.is_symlink() and (deploy / "index.html").read_text() == "the deployed site"


def test_publish_swaps_in_the_new_site_and_removes_the_old(tmp_path):
    layout = layout_of(tmp_path)
    layout.html.mkdir()
    (layout.html / "old.html").write_text("old")
    layout.staging.mkdir()
    (layout.staging / "new.html").write_text("new")
    publish(layout.staging, layout.html, log=lambda *a, **k: None)
    assert [p.name for p in layout.html.iterdir()] == ["new.html"]
    assert not layout.staging.exists()
    assert list(layout.build.glob(".stale-*")) == []


def _locked_tree(folder: Path) -> None:
    """Folders a lab left without write or read permission, as the build's user."""
    (folder / "a/b").mkdir(parents=True)
    (folder / "a/b/data.bin").write_bytes(b"x" * 100)
    (folder / "a/c").mkdir()
    os.chmod(folder / "a/b", 0o500)
    os.chmod(folder / "a/c", 0o000)
    os.chmod(folder / "a", 0o500)


def test_stale_folders_are_removed_even_without_write_permission(tmp_path):
    if os.geteuid() != 0:
        layout = layout_of(tmp_path)
        stale = layout.build / ".stale-123-0"
        stale.mkdir()
        _locked_tree(stale)
        clean_build_dir(layout, log=print)
        assert not stale.exists()
        return
    # as root, permissions hold nothing back: do it as an ordinary user in a child process, in
    # a folder of its own (pytest's is root's alone)
    top = Path(tempfile.mkdtemp(prefix="stale-test-"))
    try:
        stale = layout_of(top).build / ".stale-123-0"
        stale.mkdir()
        for folder, dirs, _ in os.walk(top):
            for name in [".", *dirs]:
                os.chown(os.path.join(folder, name), NOBODY, NOBODY)
        _as_nobody(stale)
    finally:
        shutil.rmtree(top)


def _as_nobody(stale: Path) -> None:
    script = (  # everything imported before the user changes (Python may live in /root)
        "import inspect, os, sys; from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from book.config.layout import BuildLayout\n"
        "from book.publishing.publish import clean_build_dir\n"
        f"{inspect.getsource(_locked_tree)}\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "stale = Path(sys.argv[2])\n"
        "_locked_tree(stale)\n"
        "assert not os.access(stale / 'a', os.W_OK)\n"
        "clean_build_dir(BuildLayout.for_course(stale.parent.parent), log=print)\n"
        "print('gone' if not stale.exists() else 'left')\n"
    )
    repo = str(Path(__file__).resolve().parents[2])
    result = subprocess.run(
        [sys.executable, "-c", script, repo, str(stale)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "gone"


def test_the_trust_setting_is_declared_and_checked(tmp_path):
    from book.config.course import load_config

    (tmp_path / "_config.yml").write_text("title: A course\npublish:\n  trust: untrusted\n")
    assert load_config(tmp_path).publish.trust == "untrusted"
    (tmp_path / "_config.yml").write_text("title: A course\npublish:\n  trust: maybe\n")
    with pytest.raises(BookError) as err:
        load_config(tmp_path)
    assert err.value.format().startswith(
        "_config.yml:3: publish.trust must be trusted or untrusted, not 'maybe'"
    )
    (tmp_path / "_config.yml").write_text("title: A course\n")
    assert load_config(tmp_path).publish.trust == "trusted"
