"""The Sphinx configuration of a build: Jupyter Book's, with the course's own settings merged in.

Jupyter Book's ``get_final_config`` derives Sphinx settings from ``html.*``, ``repository.*``,
``launch_buttons.*`` (the theme options) and ``sphinx.extra_extensions``,
``sphinx.local_extensions`` and ``bibtex_bibfiles`` (the extensions), then *replaces* them with
``sphinx: config:`` when a course sets ``html_theme_options`` or ``extensions`` there: the
course's own ``home_page_in_navbar: true`` did nothing. Here they merge: theme options key by key
(the course's win), the extensions the course lists followed by the ones Jupyter Book adds.

Sphinx only renders: the labs ran before it (``book.execution.pool``), into the execution cache,
so myst-nb reads the cache (``execute_notebooks: off`` excepted: no outputs).
"""

from __future__ import annotations

import sys

from book.config.course import CONFIG_FILE, CourseConfig


def final_config(config: CourseConfig, cli_config: dict) -> dict:
    """What ``jupyter-book build`` would pass to Sphinx, merged rather than replaced."""
    import yaml
    from jupyter_book.config import get_default_sphinx_config, get_final_config

    user = yaml.safe_load((config.root / CONFIG_FILE).read_text(encoding="utf-8")) or {}
    sphinx = dict(user.get("sphinx") or {})
    own = dict(sphinx.get("config") or {})
    listed = own.pop("extensions", None)
    merged = {**user, "sphinx": {**sphinx, "config": own, "recursive_update": True}}
    mode = "off" if config.execute.execute_notebooks == "off" else "cache"
    sphinx_config, _ = get_final_config(
        user_yaml=merged,
        cli_config={**cli_config, "nb_execution_mode": mode},
        sourcedir=config.root,
        use_external_toc=True,
    )
    if listed is not None:
        defaults = set(get_default_sphinx_config()["extensions"])
        added = [e for e in sphinx_config["extensions"] if e not in defaults]
        sphinx_config["extensions"] = [*listed, *(e for e in added if e not in listed)]
    for folder in (sphinx.get("local_extensions") or {}).values():  # as Jupyter Book adds them
        path = (config.root / str(folder)).resolve().as_posix()
        if path not in sys.path:
            sys.path.append(path)
    return sphinx_config
