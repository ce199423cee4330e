"""Math is served from the site itself: MathJax 3 from the pinned ``sphinx-mathjax-offline``
package, copied into ``_static/mathjax``, so a page with math renders with the network off.

Sphinx (and a lecture's own ``mathjax_path``) would load MathJax from a CDN: a course read in a
classroom without internet, or offline, would show raw TeX. Only what ``tex-chtml.js`` loads is
copied (the CommonHTML fonts, the TeX extensions it autoloads, the menu and its accessibility
parts), once per site; pages without math load none of it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "sphinx-mathjax-offline"  # its folder's name has hyphens: found by path, not imported
SCRIPT = "tex-chtml.js"
PARTS = (SCRIPT, "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y")
TARGET = "mathjax"  # under _static


def mathjax_dir() -> Path:
    spec = importlib.util.find_spec("sphinx_copybutton")  # any package in the same site-packages
    assert spec is not None and spec.origin is not None
    found = Path(spec.origin).parents[1] / PACKAGE / "static" / "mathjax"
    if not (found / SCRIPT).is_file():
        raise FileNotFoundError(
            f"{found / SCRIPT}: install requirements/build.txt "
            f"({PACKAGE} serves MathJax from the site)"
        )
    return found


def _on_config_inited(app: Sphinx, config: Config) -> None:
    if str(config.mathjax_path).startswith(("http:", "https:", "//")):
        logger.info(f"course: math served from the site, not {config.mathjax_path}")
    config.mathjax_path = f"{TARGET}/{SCRIPT}"  # relative to _static


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_dir(), Path(app.outdir) / "_static" / TARGET
    for part in PARTS:
        src, dst = source / part, target / part
        if dst.exists():
            continue  # the staged copy of the published site already has it
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _on_config_inited)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
