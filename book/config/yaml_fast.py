"""YAML read with libyaml (PyYAML's C loader) where it is installed: front matter of every lab is
read on every build, and the pure-Python loader is ten times slower. Same safe subset, same
marks (line numbers) on composed nodes.

One difference from PyYAML's own loaders: a value that looks like a date but is none (an unquoted
``2026-02-30``) is a ``yaml.YAMLError`` at its line saying what to write, as every other bad YAML
is, instead of a ``ValueError`` from deep in the constructor (a traceback)."""

from __future__ import annotations

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATE_HINT = "write a real date as 2026-12-05 or 2026-12-05T09:00 (or quote it to keep it as text)"


class Loader(BASE):  # type: ignore[valid-type,misc]
    """The safe loader, with dates that are checked."""


def _timestamp(loader: SafeConstructor, node: yaml.ScalarNode):
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise ConstructorError(
            None, None, f"{node.value!r} is not a date ({exc}); {DATE_HINT}", node.start_mark
        ) from None


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
LOADER = Loader


def load(text: str):
    return yaml.load(text, Loader=LOADER)


def compose(text: str):
    return yaml.compose(text, Loader=LOADER)


def compose_and_load(text: str):
    """The text as nodes (for line numbers) and as data, parsed once."""
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()
