"""``publish: {trust: untrusted}`` (issue 22): HTML and JavaScript from outputs, ``output: asis``
cells and raw HTML in Markdown are published as text; nothing the lab wrote runs on the page."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import run_build, write_lab

LAB = "labs/week09/session01-trust.md"
BODY = """Some <span onclick="steal()">inline html</span> in prose.

<div onclick="steal()"><script>alert("block")</script>A block</div>

```{code-cell} ipython3
from IPython.display import HTML, Javascript, display
class Table:
    def _repr_html_(self):
        return "<table><tr><td onclick='x()'>cell</td></tr></table>"
    def __repr__(self):
        return "Table(1 row)"
display(HTML("<script>alert('out')</script><b>bold</b>"))
display(Javascript("alert('js')"))
Table()
```

```{code-cell} ipython3
#| output: asis
print("<script>alert('asis')</script>**md**")
```
"""


def article(course):
    page = (course / "_build/html" / LAB.replace(".md", ".html")).read_text()
    return BeautifulSoup(page, "html.parser").select_one("article")


def test_untrusted_pages_show_html_and_scripts_as_text(course):
    write_lab(course, LAB, BODY)
    trusted = run_build(course)
    assert trusted.returncode == 0, trusted.stderr
    live = article(course)
    assert live.select("script") and live.select("[onclick]"), "trusted: published live"

    config = course / "_config.yml"
    config.write_text(config.read_text() + "\npublish:\n  trust: untrusted\n")
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = article(course)
    assert shown.select("script") == [] and shown.select("[onclick]") == []
    assert shown.select("table") == [] and shown.select("b") == []
    text = shown.get_text()
    assert '<span onclick="steal()">' in text  # inline HTML as its source
    assert '<div onclick="steal()"><script>alert("block")</script>' in text
    assert "Table(1 row)" in text  # an output's text form, not its HTML
    assert "<script>alert('asis')</script>" in text  # output: asis shown as text
    assert len(shown.select(".untrusted-html")) >= 4
