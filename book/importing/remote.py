"""Images an imported lab shows from the network, downloaded at import (``make import``).

A page that shows ``https://…/logo.svg`` needs the network to look right, and the build never
fetches anything. At import, each remote image is downloaded once into the lab's own folder,
``<lab folder>/_remote/<host>/<file name>``; the importer rewrites the reference to it
(``book.importing.assets``). One that cannot be downloaded (the server refuses, no network, not an
image, too large) keeps its address, and the import says so, naming it.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/svg+xml": ".svg",
    "image/webp": ".webp",
}
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream", "text/plain")
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 20
REMOTE_DIR = "_remote"
REMOTE = re.compile(r"^https?://", re.I)


class FetchError(Exception):
    """Why an image could not be downloaded, in words."""


def fetch(url: str) -> tuple[bytes, str]:
    """The image at ``url`` and its type (one of ``IMAGE_TYPES``)."""
    request = urllib.request.Request(url, headers={"User-Agent": "course-site make import"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data = response.read(MAX_BYTES + 1)
            sent = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot reach it: {exc.reason}") from None
    except (OSError, ValueError) as exc:  # a timeout, a connection reset, a malformed address
        raise FetchError(f"cannot download it: {exc}") from None
    if len(data) > MAX_BYTES:
        raise FetchError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    kind = sent
    if kind in GENERIC_TYPES:  # a server that does not say: the address's suffix
        kind = mimetypes.guess_type(urlsplit(url).path)[0] or sent
    if kind not in IMAGE_TYPES:
        raise FetchError(f"not an image: the server sent {sent}")
    return data, kind


def local_name(url: str, kind: str) -> str:
    """Where the image goes inside the lab's folder: ``_remote/<host>/<name><suffix>``; an
    address with a query gets a short hash of it, so two never share a file."""
    parts = urlsplit(url)
    host = re.sub(r"[^\w.-]", "_", parts.hostname or "host")
    stem = PurePosixPath(unquote(parts.path)).name or "image"
    stem = re.sub(r"[^\w.-]", "_", stem)
    suffix = IMAGE_TYPES[kind]
    if parts.query:
        digest = hashlib.sha256(parts.query.encode()).hexdigest()[:8]
        base, dot, ext = stem.rpartition(".")
        stem = f"{base}-{digest}.{ext}" if dot else f"{stem}-{digest}"
    if not stem.lower().endswith(tuple({suffix, ".jpeg" if suffix == ".jpg" else suffix})):
        stem += suffix  # Sphinx tells an image's type by its suffix
    return f"{REMOTE_DIR}/{host}/{stem}"


def data_uri(path: Path, kind: str) -> str:
    """The image as a ``data:`` address: what an HTML ``<img>`` shows without the network (the
    page publishes HTML as written, and Sphinx copies only the images of its own directives)."""
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
