"""Preview while editing: serve ``_build/html`` on 127.0.0.1, rebuild on change, reload the page.

``make serve`` runs ``python -m book serve``. A watcher (``watchfiles``) wakes on a change to one
of the course's sources and rebuilds in this process with a warm builder (``book.build.warm``:
Sphinx
and the environment stay loaded, only the affected pages are read and written, a kernel starts
only for a lab whose code changed); again, until it runs, when a manual build holds the lock.
Pages opened from this server ask five times a second whether a new site was published and
reload themselves when it was. The reload script is added by this server as it sends a page: the
published site does not contain it. A failed build prints its errors and keeps serving the last
good site.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import http.server
import sys
import threading
from pathlib import Path

from book.build.warm import BUSY, WarmBuilder, WatchedSources

BUILD_ID = "/__build_id"
RELOAD = b"""<script>/* live reload: added by `make serve`, not part of the site */
(function () {
  var seen = null;
  setInterval(function () {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (id) {
      if (seen !== null && id !== seen) { location.reload(); }
      seen = id;
    }).catch(function () {});
  }, 200);
})();
</script>""" % BUILD_ID.encode()


def build_id(site: Path) -> str:
    """Changes whenever a build publishes a new site."""
    try:
        return str((site / "build-info.json").stat().st_mtime_ns)
    except OSError:
        return "none"


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    site: Path

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == BUILD_ID:
            return self._send(build_id(self.site).encode(), "text/plain")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes()
            at = page.rfind(b"</body>")
            page = page[:at] + RELOAD + page[at:] if at >= 0 else page + RELOAD
            return self._send(page, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def watch(
    root: Path, stop: threading.Event, request: str = "", builder: WarmBuilder | None = None
) -> None:
    """Rebuild, in this process and with Sphinx kept warm (``book.build.warm``), when a course
    source
    changes; the build itself decides what is out of date. A build that found another one
    running (a manual ``make html``) is retried until it runs."""
    import logging

    import watchfiles

    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its own "1 change detected"
    builder = builder or WarmBuilder(root, request)
    sources = WatchedSources(root)
    waiting = False
    builder.warm_up()  # Sphinx loaded before the first edit
    changed = builder.stale()  # edits made while the server was not running (or warming up)
    due = builder.next_moment()  # a live server rebuilds when the next release moment passes
    events = watchfiles.watch(
        root,
        watch_filter=sources,
        stop_event=stop,
        debounce=40,  # one rebuild for an editor's burst of writes
        step=10,
        rust_timeout=1000,
        yield_on_timeout=True,  # a wake-up each second while waiting for the lock
        raise_interrupt=False,
    )
    try:
        for batch in events:
            changed = changed or bool(batch)
            if due is not None and dt.datetime.now(due.tzinfo) >= due and not changed:
                print(f"release moment {due:%Y-%m-%d %H:%M} passed: rebuilding …", flush=True)
                changed, due = True, None
            if not (changed or waiting):
                continue
            if batch and builder.generator_changed():
                builder.restart()
            if not waiting:
                print("change detected: rebuilding …", flush=True)
            code = builder.build()
            if code == BUSY:
                if not waiting:
                    print(
                        "another build of this course is running; rebuilding when it is done",
                        flush=True,
                    )
                waiting = True
                continue
            waiting = changed = False
            due = builder.next_moment()
            sources.refresh()
            print(
                "rebuilt; open pages reload"
                if code == 0
                else "build failed (see above); still serving the last good site",
                flush=True,
            )
    finally:
        builder.close()


def _bind(port: int):
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), PreviewHandler), None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return None, (
                f"error: port {port} on 127.0.0.1 is already in use (another make serve?)"
                f"\n  stop that server, or use another port: make serve PORT={port + 1}"
            )
        return None, f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}"


def serve(
    root: Path,
    port: int = 8000,
    rebuild: bool = True,
    request: str = "",
    now: str = "",
    audience: str = "public",
) -> int:
    """``request``: the flags asked for (``BOOK_FLAGS``); the builds it starts inherit them.
    ``now``, ``audience``: a preview (``make serve NOW=… AUDIENCE=instructor``), built into its
    own folder with a banner on every page (``book.release.preview``)."""
    root = Path(root).resolve()
    server, problem = _bind(port)  # before any build: a taken port is said at once
    if server is None:
        print(problem, file=sys.stderr)
        return 1
    builder = WarmBuilder(root, request, now, audience)
    site = builder.site()
    if not site.is_dir():
        print("no site yet: building it first", flush=True)
        if builder.build() != 0:
            builder.close()
            server.server_close()
            return 1
    handler = functools.partial(
        type("Handler", (PreviewHandler,), {"site": site}), directory=str(site)
    )
    server.RequestHandlerClass = handler
    stop = threading.Event()
    if rebuild:
        threading.Thread(target=watch, args=(root, stop, request, builder), daemon=True).start()
    print(
        f"Serving the course site on http://127.0.0.1:{server.server_port} "
        f"({'rebuilds and reloads on change; ' if rebuild else ''}Ctrl-C to stop)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        stop.set()
        server.server_close()
    return 0
