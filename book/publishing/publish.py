"""Publishing the built site in one step: the published site is the old one or the new one.

A build writes into a staging folder; only a build that succeeded end to end replaces
``_build/html``, by swapping the two folders in a single ``renameat2(RENAME_EXCHANGE)`` call, so a
reader (or ``make serve``) sees either the old site or the new one, never a mixture. Every failure
of the swap itself (permissions, a full disk, a busy or read-only folder) leaves the old site in
place and says so; removing the old site after a successful swap is housekeeping: when it fails,
the remains are moved aside and removed by the next build, which also clears any staging folder
an interrupted build left behind.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from pathlib import Path

from book.config.layout import BuildLayout
from book.errors import BookError

AT_FDCWD = -100
RENAME_EXCHANGE = 2
STALE_PREFIX = ".stale-"  # _build/.stale-<pid>-<n>: remains of an old site, removed next build


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _not_published(target: Path, exc: OSError) -> BookError:
    why = exc.strerror or str(exc)
    return BookError(
        f"_build/{target.name}",
        None,
        f"the new site could not be published: {why} ({type(exc).__name__})",
        f"the published site is the previous one, unchanged; make {target} and its parent "
        "folder writable by this user (and not a mount point), then build again",
    )


def remove_tree(path: Path) -> None:
    """Remove the folder ``path``, also where a lab left folders without write permission (the
    owner may always grant it); what still cannot be removed stays (the caller checks)."""

    def retry(function, name, exc_info) -> None:
        try:
            os.chmod(os.path.dirname(name), 0o700)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, 0o700)
                shutil.rmtree(name, ignore_errors=True)
            else:
                function(name)
        except OSError:
            pass

    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, onerror=retry)


def _set_aside(path: Path, log) -> None:
    """Remove ``path``; what cannot be removed now is renamed for the next build to remove."""
    remove_tree(path)
    if not path.exists():
        return
    n = 0
    while (aside := path.with_name(f"{STALE_PREFIX}{os.getpid()}-{n}")).exists():
        n += 1
    try:
        path.rename(aside)
    except OSError as exc:
        log(f"warning: could not remove or move {path.name}: {exc.strerror or exc}")
        return
    log(
        f"warning: could not remove all of the previous site; moved to _build/{aside.name}, "
        "which the next build removes"
    )


def clean_build_dir(layout: BuildLayout, log=print) -> None:
    """At the start of a build: refuse a published site that is a link (``check_target``);
    remove what an interrupted or failed build left behind."""
    check_target(layout)
    for stale in sorted(layout.build.glob(STALE_PREFIX + "*")):
        remove_tree(stale)
        if stale.exists() or stale.is_symlink():
            log(f"warning: could not remove {layout.shown(stale)}; remove it by hand")
    staging = layout.staging
    if staging.exists():
        _set_aside(staging, log)
        if staging.exists():
            raise BookError(
                layout.shown(staging),
                None,
                "left by an earlier build and cannot be removed or moved",
                f"remove it by hand (rm -rf {staging}), then build again",
            )


def check_target(layout: BuildLayout) -> None:
    """``_build/html`` must be a folder of its own: a build publishes by swapping whole folders,
    which would replace a symbolic link (to a deploy target) with a folder, silently."""
    if layout.html.is_symlink():
        shown = layout.html.relative_to(layout.root).as_posix()
        raise BookError(
            shown,
            None,
            f"is a symbolic link (to {os.readlink(layout.html)}): a build publishes by swapping "
            "the whole folder in one step, which would replace the link",
            f"remove the link (rm {shown}); to publish elsewhere, copy the site after each build "
            f"(rsync -a --delete {shown}/ TARGET/) or point the web server at {shown}",
        )


def publish(staged: Path, target: Path, log=print) -> None:
    """Make ``staged`` the site at ``target`` in one step, or raise ``BookError`` with the old
    site untouched. The old site is removed afterwards (or set aside, see ``_set_aside``)."""
    try:
        if not target.exists():
            staged.rename(target)
            return
        if _exchange(staged, target):
            _set_aside(staged, log)  # now holds the previous site
            return
    except OSError as exc:
        raise _not_published(target, exc) from None
    # no renameat2: two renames, undone if the second fails
    old = target.with_name(target.name + ".old")
    remove_tree(old)
    try:
        target.rename(old)
    except OSError as exc:
        raise _not_published(target, exc) from None
    try:
        staged.rename(target)
    except OSError as exc:
        old.rename(target)
        raise _not_published(target, exc) from None
    _set_aside(old, log)
