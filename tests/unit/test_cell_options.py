"""Unit tests: `#|` cell options and flag declarations, with the messages an instructor sees."""

from __future__ import annotations

import nbformat
import pytest

from book.config.course import FlagConfig, load_config
from book.config.flags import parse_request, resolve
from book.errors import BookError
from book.reading.cell_options import apply_options, split_options
from book.reading.reader import LabReader

FLAGS = {"torch": FlagConfig("torch", requires=("torch",))}


def opts(source, line=10):
    return split_options(source, path="labs/x.md", line=line, known_flags=FLAGS)


def test_options_are_stripped_and_parsed():
    o, body = opts("#| eval: torch\n#| echo: false\nimport torch\n#| not an option here")
    assert o.values == {"eval": "torch", "echo": False}
    assert body == "import torch\n#| not an option here"
    assert o.lines == ["#| eval: torch", "#| echo: false"]


@pytest.mark.parametrize(
    "source, line, message",
    [
        ("x = 1\n", None, None),
        ("#| eval false\nx = 1", 10, "malformed cell option '#| eval false'"),
        ("#| echo: true\n#| evl: false\nx", 11, "unknown cell option 'evl'"),
        ("#| eval: tourch\nx", 10, "unknown flag 'tourch'"),
        ("#| echo: maybe\nx", 10, "takes true or false"),
        ("#| echo: false\n#| echo: true\nx", 11, "given twice"),
    ],
)
def test_bad_options_name_file_line_and_known_values(source, line, message):
    if message is None:
        opts(source)
        return
    with pytest.raises(BookError) as err:
        opts(source)
    text = err.value.format()
    assert text.startswith(f"labs/x.md:{line}: ")
    assert message in text
    if "unknown" in message or "malformed" in message:
        assert (
            "known options: eval, echo, output, include, error" in text
            or "known flags: torch" in text
        )


@pytest.mark.parametrize(
    "source, flags, tags, ran",
    [
        ("#| eval: torch\nx", {"torch": False}, ["skip-execution"], False),
        ("#| eval: torch\nx", {"torch": True}, [], True),
        ("#| eval: false\nx", {}, ["skip-execution"], False),
        ("#| include: false\nx", {}, ["remove-cell"], None),
        ("#| echo: false\n#| output: false\nx", {}, ["remove-input", "remove-output"], None),
        ("#| error: true\nraise ValueError", {}, ["raises-exception"], None),
    ],
)
def test_options_become_tags_and_metadata(source, flags, tags, ran):
    cell = nbformat.v4.new_code_cell(source)
    o, cell.source = opts(source)
    apply_options(cell, o, flags)
    assert cell.metadata.get("tags", []) == tags
    assert cell.metadata.get("book", {}).get("ran") is ran


def test_flag_state_changes_the_notebook_hash_only_where_used(tmp_path):
    from jupyter_cache.cache.main import JupyterCacheBase

    lab = "---\nkernelspec: {name: python3, display_name: P, language: python}\n---\n"
    gated = lab + "```{code-cell} ipython3\n#| eval: torch\nimport torch\n```\n"
    plain = lab + "```{code-cell} ipython3\nx = 1\n```\n"
    cache = JupyterCacheBase.__new__(JupyterCacheBase)

    def digest(text, on):
        nb = LabReader(tmp_path, FLAGS, {"torch": on}).read_text(text, "t.md")
        return cache.create_hashed_notebook(nb)[1]

    assert digest(gated, False) != digest(gated, True)
    assert digest(plain, False) == digest(plain, True)


def test_flag_requests(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "flags:\n  torch:\n    default: false\n    requires: [torch]\n  extra:\n    default: true\n"
    )
    config = load_config(tmp_path)
    assert resolve(config, "") == {"torch": False, "extra": True}
    assert resolve(config, "torch,-extra") == {"torch": True, "extra": False}
    with pytest.raises(BookError, match="unknown flag 'torh'.*\n.*known flags: extra, torch"):
        parse_request("torh", config.flags)


def test_bad_flag_declaration_names_the_line(tmp_path):
    (tmp_path / "_config.yml").write_text("title: x\nflags:\n  torch:\n    default: maybe\n")
    with pytest.raises(BookError) as err:
        load_config(tmp_path)
    assert err.value.format().startswith(
        "_config.yml:4: flags.torch.default must be true or false, not 'maybe'"
    )
