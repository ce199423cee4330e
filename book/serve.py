"""Preview while editing: serve ``_build/html`` on 127.0.0.1, rebuild on change, reload the page.

``make serve`` runs ``python -m book serve``. A watcher compares the course's fingerprint (the same
one that makes a no-op build instant, over the course's sources only) every second; when a source
changes it runs the build (again, until it runs, when a manual build holds the lock), and
pages opened from this server reload themselves once the new site is published. The reload script
is added by this server as it sends a page: the published site does not contain it. A failed
build prints its errors and keeps serving the last good site.
"""

from __future__ import annotations

import errno
import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

from . import flags
from .config import load_config
from .errors import BookError
from .fingerprint import course_fingerprint, recorded
from .layout import BuildLayout
from .lock import LOCK_BUSY_EXIT

BUILD_ID = "/__build_id"
RELOAD = b"""<script>/* live reload: added by `make serve`, not part of the site */
(function () {
  var seen = null;
  setInterval(function () {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (id) {
      if (seen !== null && id !== seen) { location.reload(); }
      seen = id;
    }).catch(function () {});
  }, 1000);
})();
</script>""" % BUILD_ID.encode()


def build_id(root: Path) -> str:
    """Changes whenever a build publishes a new site."""
    try:
        return str((BuildLayout.for_course(root).html / "build-info.json").stat().st_mtime_ns)
    except OSError:
        return "none"


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    root: Path

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == BUILD_ID:
            return self._send(build_id(self.root).encode(), "text/plain")
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


def _fingerprint(root: Path, request: str) -> str:
    config = load_config(root)
    return course_fingerprint(config, flags.resolve(config, request))


def _build(root: Path) -> int:
    return subprocess.run([sys.executable, "-m", "book", "build"], cwd=root).returncode


def watch(root: Path, stop: threading.Event, request: str = "", interval: float = 1.0) -> None:
    """Rebuild when a course source changes (``book.sources``: not a log file beside them); the
    build itself decides what is out of date. A build that found another one running (a manual
    ``make html``) is retried until it runs."""
    last, waiting = None, False
    while not stop.is_set():
        try:
            current = _fingerprint(root, request)
        except BookError as exc:
            current = f"config error: {exc}"
        if (current != last or waiting) and current != recorded(BuildLayout.for_course(root)):
            if not waiting:
                print("change detected: rebuilding …", flush=True)
            code = _build(root)
            if code == LOCK_BUSY_EXIT:
                if not waiting:
                    print(
                        "another build of this course is running; rebuilding when it is done",
                        flush=True,
                    )
                waiting = True
                stop.wait(interval)
                continue
            waiting = False
            print(
                "rebuilt; open pages reload"
                if code == 0
                else "build failed (see above); still serving the last good site",
                flush=True,
            )
        else:
            waiting = False
        last = current
        stop.wait(interval)


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


def serve(root: Path, port: int = 8000, rebuild: bool = True, request: str = "") -> int:
    """``request``: the flags asked for (``BOOK_FLAGS``); the builds it starts inherit them."""
    root = Path(root).resolve()
    site = BuildLayout.for_course(root).html
    server, problem = _bind(port)  # before any build: a taken port is said at once
    if server is None:
        print(problem, file=sys.stderr)
        return 1
    if not site.is_dir():
        print("no site yet: building it first", flush=True)
        if _build(root) != 0:
            server.server_close()
            return 1
    handler = functools.partial(
        type("Handler", (PreviewHandler,), {"root": root}), directory=str(site)
    )
    server.RequestHandlerClass = handler
    stop = threading.Event()
    if rebuild:
        threading.Thread(target=watch, args=(root, stop, request), daemon=True).start()
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
