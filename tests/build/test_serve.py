"""`make serve`: the preview server rebuilds on change and tells open pages to reload."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import copy_course


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


def test_serve_rebuilds_on_change_and_pages_reload(tmp_path):
    root = copy_course(tmp_path / "course")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "BOOK_FLAGS"}
    server = subprocess.Popen(
        [sys.executable, "-m", "book", "serve", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        page = wait_for(lambda: get(f"{base}/intro.html"), 300)  # builds first: no site yet
        assert "live reload: added by `make serve`" in page
        assert "__build_id" not in (root / "_build/html/intro.html").read_text(), (
            "the published site itself carries no reload script"
        )
        first_id = get(f"{base}/__build_id")
        intro = root / "intro.md"
        intro.write_text(intro.read_text().replace("Welcome.", "Welcome, students."))
        wait_for(lambda: get(f"{base}/__build_id") != first_id, 120)
        assert "Welcome, students." in get(f"{base}/intro.html")
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert "change detected: rebuilding" in out
