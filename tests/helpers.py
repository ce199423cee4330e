"""Small helpers shared by the test tiers: a free port, HTTP gets, waiting, ``make serve`` and
``new-session`` as processes, the downloads' ``Pages``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from book.publishing.notebook import Pages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("timed out")


def serve(root, *args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "BOOK_FLAGS"}
    server = subprocess.Popen(
        [sys.executable, "-m", "book", "serve", "--port", str(port), *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return server, f"http://127.0.0.1:{port}"


def serve_logged(root, port: int, out) -> subprocess.Popen:
    """``make serve`` on ``port`` writing its log to ``out`` (a file the test reads)."""
    env = {k: v for k, v in os.environ.items() if k != "BOOK_FLAGS"}
    return subprocess.Popen(
        [sys.executable, "-m", "book", "serve", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )


def scaffold(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "book", "new-session", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def pages(docname="labs/week02/session03", base_url=""):
    return Pages(
        docname,
        base_url,
        lambda d: {"setup": "Setting up Python"}.get(d),
        lambda ref: (
            ("Week 1, Session 2 — Regularisation", "labs/week01/session02-reg")
            if ref == "week01/session02"
            else None
        ),
    )


class ImageServer:
    """A local HTTP server standing in for the web (the registries are this machine's only
    network): ``files`` maps a path (``/img/logo.svg``) to (content type, bytes); any other path
    is a 404. ``with ImageServer(files) as url:``; ``url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, files: dict[str, tuple[str, bytes]]):
        import http.server
        import threading

        served = files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                found = served.get(self.path)
                if found is None:
                    self.send_error(404, "Not Found")
                    return
                kind, body = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
