"""`make serve`: the preview server rebuilds on change and tells open pages to reload."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import copy_course
from helpers import free_port, get, wait_for


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
