"""YAML read with libyaml (PyYAML's C loader) where it is installed: front matter of every lab is
read on every build, and the pure-Python loader is ten times slower. Same safe subset, same
marks (line numbers) on composed nodes."""

from __future__ import annotations

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str):
    return yaml.load(text, Loader=LOADER)


def compose(text: str):
    return yaml.compose(text, Loader=LOADER)
