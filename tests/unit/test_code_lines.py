"""Code that wraps on phones keeps its indentation (book/sphinx/code_lines.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from book.sphinx.code_lines import hang_code

CODE = (
    '<div class="highlight"><pre><span></span><span class="k">for</span> <span class="n">e</span>'
    ' <span class="ow">in</span> <span class="n">epochs</span><span class="p">:</span>\n'
    '    <span class="n">losses</span><span class="o">.</span><span class="n">append</span>'
    '<span class="p">(</span><span class="n">loss</span><span class="p">)</span>\n'
    '\n<span class="s2">&quot;&quot;&quot;a string\n  over lines&quot;&quot;&quot;</span>\n'
    "</pre></div>"
)


def test_each_line_is_a_block_with_its_indentation_and_the_text_is_unchanged():
    hung = BeautifulSoup(hang_code(CODE), "html.parser")
    original = BeautifulSoup(CODE, "html.parser")
    assert hung.pre.get_text() == original.pre.get_text(), "what is copied is unchanged"
    lines = hung.select(".code-line")
    assert [line.get_text() for line in lines] == [
        "for e in epochs:\n",
        "    losses.append(loss)\n",
        "\n",
        '"""a string\n',
        '  over lines"""\n',
    ]
    assert [line["style"] for line in lines] == [f"--indent: {n}" for n in (0, 4, 0, 0, 2)]
    assert [line.select_one(".code-indent").get_text() for line in lines] == [
        "",
        "    ",
        "",
        "",
        "  ",
    ]
    # a string over two lines: each line's part of it keeps the string's colour
    assert lines[4].select_one(".code-text .s2").get_text() == 'over lines"""'
