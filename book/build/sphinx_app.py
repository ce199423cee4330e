"""The course's Sphinx application: made once, built as often as needed.

``jupyter_book.sphinx.build_sphinx`` makes a Sphinx application, builds once and drops it. A
``SphinxApp`` makes the same application (Jupyter Book's final configuration, its multitoc
numbering) and keeps it, so that

- ``make html`` can make it while the labs execute (start-up overlaps execution), and
- ``make serve`` keeps it warm between rebuilds: the environment, the extensions and the theme
  stay loaded, and an edit costs only the reading and writing of the pages it affects.

Per-build settings (the lab reader, the flags, the execution report) are set on the config before
each build; what Sphinx compares at start-up (``env``-scoped values, the configuration file) is
fixed for the application's life, so whoever holds one makes a new one when ``_config.yml`` or
the generator changes (``SphinxApp.key``). Docutils' global registries are patched for the
application's whole life (as ``sphinx-build`` does for one build); close it to restore them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import sys
import time

from book.build.sphinx_config import final_config
from book.config.course import CourseConfig
from book.errors import BookError


class SphinxApp:
    def __init__(self, config: CourseConfig, settings: dict, key: str = "") -> None:
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        self.key = key  # what the application was made from (configuration, generator)
        self.broken = False  # a build raised: Sphinx dropped its environment; make a new one
        self.builds = 0
        self.seconds_to_start = 0.0
        started = time.perf_counter()
        layout = config.layout
        self._saved_path = list(sys.path)  # Jupyter Book appends local_extensions' folders
        sphinx_config = final_config(  # Jupyter Book's, the course's own settings merged in
            config,
            {
                "latex_individualpages": False,  # jupyter-book expects the key
                "nb_execution_cache_path": str(layout.jupyter_cache),
                "nitpicky": True,
                **settings,
            },
        )
        self._stack = contextlib.ExitStack()
        try:
            self._stack.enter_context(patch_docutils(None))
            self._stack.enter_context(docutils_namespace())
            self.app = Sphinx(
                srcdir=config.root,
                confdir=None,
                outdir=layout.staging,
                doctreedir=layout.doctrees,
                buildername="html",
                confoverrides=sphinx_config,
                status=None,
                warning=sys.stderr,
                freshenv=False,
                warningiserror=True,
                keep_going=True,
            )
            self._multitoc_numbering()
            # Themes add a page's own scripts with app.add_js_file in html-page-context, which
            # also lands in the registry that the next build starts every page from: each build
            # starts from the assets registered at set-up
            holders = (
                (self.app.registry, ("js_files", "css_files")),
                (self.app.builder, ("_js_files", "_css_files")),
            )
            self._assets = [
                (getattr(holder, name), list(getattr(holder, name)))
                for holder, names in holders
                for name in names
            ]
        except BaseException:
            self.close()
            raise
        self.seconds_to_start = time.perf_counter() - started

    def _multitoc_numbering(self) -> None:
        """As Jupyter Book: numbering across the book when the toc numbers any part."""
        app = self.app
        if not app.config["use_multitoc_numbering"]:
            return
        if "external_toc_path" in app.config:
            import yaml

            if "numbered: true" not in yaml.dump(app.config.external_site_map.as_json()):
                return
        app.setup_extension("sphinx_multitoc_numbering")

    def build(self, settings: dict, reread: tuple[str, ...] = ()) -> int:
        """Read and write what is out of date, with this build's ``settings``; 0 on success.
        ``reread``: pages to read again although unchanged (warming up ``make serve``)."""
        app = self.app
        # the environment keeps doctrees it read from disk in memory, and does not refresh them
        # when a page is read again: drop them, as sphinx.testing does between builds (private:
        # Sphinx has no public call for it)
        app.env._pickled_doctree_cache.clear()
        app.env._write_doc_doctree_cache.clear()
        app.env.__dict__.pop("master_doctree", None)  # a cached property of the root page
        for docname in reread:
            if docname in app.env.all_docs:
                app.env.all_docs[docname] = 0  # read long ago: out of date
        for name, value in settings.items():
            setattr(app.config, name, value)
        app.statuscode, app._warncount = 0, 0  # private: reset per build, no public setter
        for assets, at_start in self._assets:
            assets[:] = at_start
        self.builds += 1
        app.outdir.mkdir(parents=True, exist_ok=True)
        try:
            app.build(False, [])
        except Exception as exc:  # Sphinx has removed its pickled environment
            self.broken = True
            ours = getattr(exc, "orig_exc", None)  # a BookError raised inside Sphinx
            message = (
                ours.format() if isinstance(ours, BookError) else f"{type(exc).__name__}: {exc}"
            )
            print(f"error: {message}", file=sys.stderr)
            return 1
        return int(app.statuscode or 0)

    def close(self) -> None:
        self._stack.close()
        sys.path[:] = self._saved_path


class SphinxApps:
    """Where a build gets its application. ``start`` returns a future: the application kept
    from the previous build when it was made from the same ``key`` (``keep``: ``make serve``),
    else a new one, made in a thread so that Sphinx starts while the labs execute. ``release``
    after each build closes what is not kept (and an application whose build failed: Sphinx has
    then dropped its environment)."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.current: SphinxApp | None = None
        self._pending: concurrent.futures.Future | None = None

    def start(self, config: CourseConfig, settings: dict, key: str) -> concurrent.futures.Future:
        if self.current is not None and self.current.key == key and not self.current.broken:
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(self.current)
            self._pending = done
            return done
        self.close()
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sphinx-start")
        self._pending = pool.submit(SphinxApp, config, settings, key)
        pool.shutdown(wait=False)
        return self._pending

    def release(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            app = pending.result()  # a build that failed early waits for Sphinx to finish starting
        except BaseException:
            return
        if self.keep and not app.broken:
            self.current = app
        else:
            app.close()
            if app is self.current:
                self.current = None

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
