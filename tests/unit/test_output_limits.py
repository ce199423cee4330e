"""Outputs held to the limits (book.execution.limits.tidy_outputs): printed text is truncated with
a notice; any other output over ``limits: max_display_mb``, or a lab's outputs together over
``limits: max_notebook_mb``, fail the lab with a message naming the cell and the setting."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from book.execution.limits import KernelLimits, output_bytes, tidy_outputs

LIMITS = KernelLimits(
    timeout=30,
    memory_mb=512,
    max_output_bytes=1000,
    replacements={},
    max_display_bytes=10_000,
    max_notebook_bytes=25_000,
)


def lab(*cells) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_markdown_cell("# A lab"), *cells])


def test_printed_text_is_truncated_with_a_notice():
    nb = lab(new_code_cell("print('x' * 5000)", outputs=[new_output("stream", text="x" * 5000)]))
    assert tidy_outputs(nb, {}, LIMITS) is None
    text = nb.cells[1].outputs[0].text
    assert text.startswith("x" * 1000) and "output truncated: 0.0 MB printed" in text
    assert output_bytes(nb.cells[1].outputs[0]) < 1100


def test_a_huge_last_expression_fails_the_lab_naming_the_cell():
    big = new_output("execute_result", data={"text/plain": "'" + "x" * 20_000 + "'"})
    nb = lab(new_code_cell("1"), new_code_cell("'x' * 20_000", outputs=[big]))
    index, message, hint = tidy_outputs(nb, {}, LIMITS)
    assert index == 2
    assert (
        message
        == "code cell 2 output text/plain of 20.0 kB, over the limit of 10.0 kB for one output"
    )
    assert "raise 'limits: max_display_mb' in _config.yml" in hint


def test_a_huge_figure_or_html_names_its_type():
    figure = new_output(
        "display_data", data={"image/png": "iVBOR" * 4000, "text/plain": "<Figure>"}
    )
    nb = lab(new_code_cell("plot()", outputs=[figure]))
    _, message, _ = tidy_outputs(nb, {}, LIMITS)
    assert message.startswith("code cell 1 output image/png of 20.0 kB, over the limit")


def test_outputs_over_the_lab_limit_together_fail_it_naming_the_largest_cell():
    def shown(n: int):
        return new_output("display_data", data={"text/html": "<p>" + "y" * n + "</p>"})

    nb = lab(
        new_code_cell("a", outputs=[shown(9000)]),
        new_code_cell("b", outputs=[shown(9500), new_output("stream", text="z" * 900)]),
        new_code_cell("c", outputs=[shown(8000)]),
    )
    index, message, hint = tidy_outputs(nb, {}, LIMITS)
    assert index == 2
    assert message.startswith("the lab's outputs come to 27.4 kB, over the limit of 25.0 kB")
    assert message.endswith("(the largest: code cell 2, 10.4 kB)")
    assert "'limits: max_notebook_mb'" in hint


def test_outputs_within_the_limits_pass_unchanged():
    out = new_output("display_data", data={"text/html": "<b>ok</b>", "text/plain": "ok"})
    nb = lab(new_code_cell("ok", outputs=[out]))
    assert tidy_outputs(nb, {}, LIMITS) is None
    assert nb.cells[1].outputs[0].data["text/html"] == "<b>ok</b>"
