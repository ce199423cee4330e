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
