"""A lab's own settings in its front matter that concern how it runs, checked where it is read.

- ``network:`` true, or the reason in words (``network: downloads the MNIST files``): the lab's
  kernel may use the network (``book.execution.sandbox``); every other lab runs without one.
- ``kernel: fresh``: the lab's kernel starts as a new process, not forked from the one started
  once per worker (``book.execution.forked``).
- ``mystnb: {execution_mode: ...}``: refused. myst-nb executes nothing; lab code runs only
  through the course's executor (``book.sphinx.parser``).
"""

from __future__ import annotations

import re

import nbformat

from book.errors import BookError


def _line(text: str, key: str) -> int | None:
    found = re.search(rf"^\s*{key}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def check_lab_settings(nb: nbformat.NotebookNode, text: str, path: str | None) -> None:
    network = nb.metadata.get("network")
    if network is not None and not isinstance(network, (bool, str)):
        raise BookError(
            path,
            _line(text, "network"),
            f"network must be true, false or the reason the lab needs it, not {network!r}",
            "e.g. 'network: downloads the data set from zenodo.org'",
        )
    kernel = nb.metadata.get("kernel")
    if kernel is not None and kernel != "fresh":
        raise BookError(
            path,
            _line(text, "kernel"),
            f"kernel: {kernel!r} is not a kernel setting; the one there is 'kernel: fresh'",
            "say 'kernel: fresh' for a lab whose kernel must start as a new process "
            "(the language's kernel is the kernelspec's)",
        )
    mystnb = nb.metadata.get("mystnb")
    if isinstance(mystnb, dict) and mystnb.get("execution_mode", "off") != "off":
        raise BookError(
            path,
            _line(text, "execution_mode"),
            f"mystnb.execution_mode {mystnb['execution_mode']!r} is not honoured: myst-nb "
            "executes nothing here; labs run only through the course's executor, confined",
            "remove it: `make html` runs a lab again whenever its code changes",
        )
