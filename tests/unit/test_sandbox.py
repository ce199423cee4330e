"""Which sandbox a build gets and what it lets a lab reach, decided without running a build:
``BOOK_SANDBOX`` over ``sandbox:`` in ``_config.yml``, ``sandbox: required``, the walls both
sandboxes share, and which labs may use the network (book/execution/sandbox.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from book.config.course import load_config
from book.errors import BookError
from book.execution import sandbox
from book.execution.limits import KernelLimits
from book.reading.lab_settings import check_lab_settings
from conftest import REPO

BASE = (REPO / "_config.yml").read_text(encoding="utf-8")


def config_with(tmp_path: Path, old: str, new: str):
    (tmp_path / "_config.yml").write_text(BASE.replace(old, new, 1), encoding="utf-8")
    return load_config(tmp_path)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", ("auto", False, "_config.yml")),
        ("landlock", ("landlock", False, "BOOK_SANDBOX=landlock")),
        ("off", ("none", False, "BOOK_SANDBOX=none")),
        ("required", ("auto", True, "BOOK_SANDBOX=required")),
    ],
)
def test_book_sandbox_picks_the_mode_over_the_config(monkeypatch, value, expected):
    monkeypatch.setenv(sandbox.SANDBOX_ENV, value)
    assert sandbox.mode_from("auto", False, None) == expected


def test_a_required_sandbox_stays_required_whatever_the_environment_says(monkeypatch):
    monkeypatch.setenv(sandbox.SANDBOX_ENV, "off")
    assert sandbox.mode_from("auto", True, 40) == (
        "none",
        True,
        "BOOK_SANDBOX=none (_config.yml:40: required)",
    )
    monkeypatch.setenv(sandbox.SANDBOX_ENV, "firejail")
    with pytest.raises(BookError, match="'firejail' is not a sandbox mode"):
        sandbox.mode_from("auto", False, None)


def test_where_no_sandbox_works_required_is_an_error_and_auto_says_why(monkeypatch):
    nothing = sandbox.Confinement("none", why_not="bwrap not found; Landlock: not offered")
    monkeypatch.setattr(sandbox, "detect", lambda mode="auto": nothing)
    assert sandbox.choose("auto", False, "_config.yml:40") is nothing
    assert "sandbox: none (bwrap not found; Landlock: not offered)" in nothing.describe(1, [])
    with pytest.raises(BookError) as required:
        sandbox.choose("auto", True, "_config.yml:40")
    assert required.value.format().startswith(
        "_config.yml:40: a sandbox is required, but labs would run unconfined here (bwrap not "
        "found; Landlock: not offered)\n  install bubblewrap"
    )
    with pytest.raises(BookError, match="the landlock sandbox was asked for, but bwrap not"):
        sandbox.choose("landlock", False, "BOOK_SANDBOX=landlock")


def test_the_config_declares_mode_required_and_read(tmp_path):
    (tmp_path / "data").mkdir()
    config = config_with(
        tmp_path, "  env: []", "  env: []\n  mode: landlock\n  required: true\n  read: [data]"
    )
    os.environ.pop(sandbox.SANDBOX_ENV, None)
    limits = KernelLimits.from_config(config, {})
    assert (limits.sandbox, limits.sandbox_required) == ("landlock", True)
    assert limits.sandbox_where.startswith("_config.yml:")
    assert limits.read == (str((tmp_path / "data").resolve()),)
    with pytest.raises(BookError, match="sandbox.mode must be auto or bubblewrap or landlock or"):
        config_with(tmp_path, "  env: []", "  env: []\n  mode: docker")


@pytest.mark.parametrize("folder", ["_build", "..", "missing"])
def test_sandbox_read_names_only_folders_of_the_course_outside_build(tmp_path, folder):
    (tmp_path / "_build").mkdir()
    config = config_with(tmp_path, "  env: []", f"  env: []\n  read: [{folder}]")
    with pytest.raises(BookError, match="not a folder of the course outside _build"):
        KernelLimits.from_config(config, {})


def test_execute_notebooks_inline_is_refused(tmp_path):
    """Jupyter Book's modes are the course executor's (off, force, cache, auto); only inline,
    execution inside Sphinx, is refused: myst-nb never executes."""
    with pytest.raises(BookError) as refused:
        config_with(tmp_path, "execute_notebooks: cache", "execute_notebooks: inline")
    line = BASE.splitlines().index("  execute_notebooks: cache") + 1
    assert refused.value.format().startswith(
        f"_config.yml:{line}: 'execute.execute_notebooks: inline' is not supported by the "
        "course's build: the course runs labs before Sphinx, in parallel and confined"
    )


def test_asking_myst_nb_to_execute_in_sphinx_config_is_refused(tmp_path):
    with pytest.raises(BookError) as refused:
        config_with(tmp_path, "  config:\n", "  config:\n    nb_execution_mode: force\n")
    text = (tmp_path / "_config.yml").read_text()
    line = text.splitlines().index("    nb_execution_mode: force") + 1
    assert refused.value.format().startswith(
        f"_config.yml:{line}: sphinx.config.nb_execution_mode: 'force' is not honoured"
    )


def lab(front: dict, gated: dict | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x = 1")
    if gated is not None:
        cell.metadata["book"] = gated
    return nbformat.v4.new_notebook(cells=[cell], metadata=front)


def test_which_labs_may_use_the_network():
    flags = ("data",)
    assert sandbox.network_reason(lab({}), flags) == ""
    assert sandbox.network_reason(lab({"network": False}), flags) == ""
    assert sandbox.network_reason(lab({"network": True}), flags) == (
        "its front matter says network: true"
    )
    assert sandbox.network_reason(lab({"network": "downloads MNIST"}), flags) == "downloads MNIST"
    ran = {"eval": "data", "ran": True}
    assert sandbox.network_reason(lab({}, ran), flags) == "flag data says network: true"
    assert sandbox.network_reason(lab({}, {**ran, "ran": False}), flags) == ""  # flag off
    assert sandbox.network_reason(lab({}, {"eval": "torch", "ran": True}), flags) == ""


def test_a_labs_network_and_execution_settings_are_checked_with_their_line():
    text = "---\nlab: {}\nnetwork: [yes]\n---\n"
    with pytest.raises(BookError, match=r"lab.md:3: network must be true, false or the reason"):
        check_lab_settings(lab({"network": ["yes"]}), text, "lab.md")
    text = "---\nmystnb:\n  execution_mode: force\n---\n"
    with pytest.raises(BookError, match=r"lab.md:3: mystnb.execution_mode 'force' is not hono"):
        check_lab_settings(lab({"mystnb": {"execution_mode": "force"}}), text, "lab.md")
    check_lab_settings(lab({"network": "fetches data", "mystnb": {}}), text, "lab.md")
    text = "---\nlab: {}\nkernel: new\n---\n"
    with pytest.raises(BookError, match=r"lab.md:3: kernel: 'new' is not a kernel setting"):
        check_lab_settings(lab({"kernel": "new"}), text, "lab.md")
    check_lab_settings(lab({"kernel": "fresh"}), text, "lab.md")


def test_which_kernels_are_forked(monkeypatch):
    """Every sandbox forks python3 kernels (bubblewrap: behind the walls of a stub's bwrap);
    kernel: fresh, BOOK_KERNELS=fresh and other languages start them fresh
    (book.execution.forked)."""
    from book.execution import forked

    monkeypatch.delenv(forked.KERNELS_ENV, raising=False)
    assert forked.forks("landlock", "python3", False) and forked.forks("none", "python3", False)
    assert forked.forks("bubblewrap", "python3", False)
    assert not forked.forks("landlock", "python3", True)  # the lab's kernel: fresh
    assert not forked.forks("landlock", "ir", False)
    monkeypatch.setenv(forked.KERNELS_ENV, "fresh")
    assert not forked.forks("none", "python3", False)
    monkeypatch.setattr(forked, "_WANTED", False)  # a worker with one lab
    assert not forked.forks("none", "python3", False)
    monkeypatch.setenv(forked.KERNELS_ENV, "forked")  # all that can be
    assert forked.forks("none", "python3", False) and forked.forks("bubblewrap", "python3", 0)
    monkeypatch.setattr(forked, "_BROKEN", True)  # a child could not enter a lab's walls
    assert not forked.forks("bubblewrap", "python3", False)


def test_both_sandboxes_have_the_same_walls(tmp_path):
    walls = sandbox.Walls(read=(str(tmp_path),))
    readable = walls.readable()
    home = str(Path.home())
    assert str(tmp_path) in readable and "/" not in readable and home not in readable
    assert (
        "/etc/resolv.conf" not in readable
        and "/etc/resolv.conf" in sandbox.Walls(network=True).readable()
    )
    lab_dir = tmp_path / "lab"
    bwrap = sandbox.Confinement("bubblewrap", "/usr/bin/bwrap").command(["k"], lab_dir, 64, walls)
    assert bwrap[1:4] != ["--ro-bind", "/", "/"] and "--unshare-net" in bwrap
    assert bwrap[bwrap.index("--cap-drop") :][:2] == ["--cap-drop", "ALL"]  # as root: none kept
    assert ["--ro-bind", str(tmp_path), str(tmp_path)] == bwrap[
        bwrap.index(str(tmp_path)) - 1 : bwrap.index(str(tmp_path)) + 2
    ]
    assert bwrap[-2:] == ["--", "k"] and bwrap.index("--remount-ro") > bwrap.index(str(lab_dir))
    netted = sandbox.Walls(network=True)
    assert "--unshare-net" not in sandbox.Confinement("bubblewrap", "bwrap").command(
        ["k"], lab_dir, 64, netted
    )
    ll = sandbox.Confinement("landlock").command(["k"], lab_dir, 64, walls)
    assert ll[:5] == [sys.executable, "-S", str(sandbox.LANDLOCK), "--parent", str(os.getpid())]
    given = [ll[i + 1] for i, arg in enumerate(ll) if arg == "--ro"]
    assert given == readable  # the very paths bubblewrap binds
    assert ll[-4:] == ["--rw", str(lab_dir), "--", "k"] and "--network" not in ll


def test_bubblewrap_shows_a_symbolic_link_as_a_link_and_binds_its_target(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "chain").symlink_to(tmp_path / "link")  # a .venv linked to a linked .venv
    assert sandbox._binds([str(tmp_path / "chain"), str(tmp_path / "link"), str(real / "x")]) == [
        "--symlink",
        str(real),
        str(tmp_path / "chain"),
        "--ro-bind",
        str(real),
        str(real),
        "--symlink",
        str(real),
        str(tmp_path / "link"),
    ]
