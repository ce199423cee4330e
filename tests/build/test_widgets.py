"""ipywidgets on the page, for real: a lab whose cells make widgets is built (the kernel runs
ipywidgets, the build saves the widget outputs and state as Jupyter does). A widget with no static
form becomes a note in the course's words linking to the notebook; widgets with an image or HTML
fallback show it; no widget script, widget state or CDN address reaches the page; the downloaded
notebook keeps the widgets."""

from __future__ import annotations

import json

from conftest import copy_course, run_build, write_lab

LAB = "labs/week09/session01-scratch"
BODY = '''## Widgets

```{code-cell} ipython3
import ipywidgets as widgets

widgets.IntSlider(value=5, description="n")
```

```{code-cell} ipython3
import base64
import io

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt


class Canvas(widgets.Box):
    """A widget that gives a static image as its fallback (as ipympl's canvas does)."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        figure, axes = plt.subplots(figsize=(2, 2))
        axes.plot([0, 1, 4, 9])
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        bundle["image/png"] = base64.b64encode(buffer.getvalue()).decode()
        return bundle


Canvas()
```

```{code-cell} ipython3
class Table(widgets.Box):
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = "<p class='static-table'>three rows of a table</p>"
        return bundle


Table()
```
'''


def test_widgets_show_their_static_form_or_a_note(tmp_path):
    root = copy_course(tmp_path / "course")
    for lab in (root / "labs").rglob("*.md"):
        lab.unlink()
    toc = (root / "_toc.yml").read_text()
    (root / "_toc.yml").write_text(toc.split("  - caption: Week 1")[0])
    write_lab(root, f"{LAB}.md", BODY)
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr

    site = root / "_build" / "html"
    page = (site / f"{LAB}.html").read_text()
    note = "This output is interactive: it appears when the notebook is run."
    assert page.count(note) == 1, "the slider, which has no static form"
    assert 'href="../../_sources/labs/week09/session01-scratch.ipynb">Download the notebook' in page
    assert "IntSlider(value=5" not in page, "its repr is not what it shows"
    assert "three rows of a table" in page, "the HTML fallback"
    figures = [line for line in page.splitlines() if "<img" in line and "_images/" in line]
    assert len(figures) == 1, "the image fallback"
    for absent in ("widget-view+json", "widget-state+json", "cdn.jsdelivr", "require.min.js"):
        assert absent not in page, absent

    notebook = json.loads((site / "_sources" / f"{LAB}.ipynb").read_text())
    assert notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    kinds = [set(o.get("data", {})) for c in notebook["cells"] for o in c.get("outputs", [])]
    assert sum("application/vnd.jupyter.widget-view+json" in k for k in kinds) == 3
