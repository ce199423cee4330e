"""The published tree is this build's output, and a page follows its recording (issue 22): a
recording deleted, added back or edited gives the page a clean build gives; a removed figure's
image leaves ``_images``; a file no build step wrote stops the build, named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from book.reading.recordings import checksum
from conftest import IGNORE, run_build

TORCH = "labs/week02/session03-tabular-nn-torch"
RECORD = f"_freeze/{TORCH}.json"


def built(root: Path, *args: str) -> Path:
    result = run_build(root, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "_build/html"


def article(site: Path) -> str:
    """The torch lab's page, less what names the build (its build-time report)."""
    soup = BeautifulSoup((site / f"{TORCH}.html").read_text(), "html.parser")
    return str(soup.select_one("article"))


def images(site: Path) -> set[str]:
    return {p.name for p in (site / "_images").iterdir()}


def clean_build(root: Path, dest: Path) -> Path:
    """The same sources built from nothing (no _build)."""
    shutil.copytree(root, dest, ignore=IGNORE)
    return built(dest)


def test_a_page_follows_its_recording_deleted_added_and_edited(course, site, tmp_path):
    recorded = article(site)
    assert recorded.count("Recorded output") == 3
    saved = tmp_path / "saved"
    shutil.copytree(course / "_freeze", saved)

    shutil.rmtree(course / "_freeze")  # deleted
    after = built(course)
    clean = clean_build(course, tmp_path / "clean-deleted")
    assert "Recorded output" not in article(after)
    assert article(after) == article(clean)
    assert images(after) == images(clean) < images(site), "the recorded figure's image goes"

    shutil.copytree(saved, course / "_freeze")  # added back
    after = built(course)
    assert article(after) == recorded
    assert images(after) == images(site)

    record = json.loads((course / RECORD).read_text())  # edited (and signed again, as freeze does)
    record["cells"][0]["outputs"][0]["text"] = ["final training MSE after 200 epochs: 0.321\n"]
    record["checksum"] = checksum(record)
    (course / RECORD).write_text(json.dumps(record, indent=1))
    after = built(course)
    assert "0.321" in article(after)
    assert article(after) == article(clean_build(course, tmp_path / "clean-edited"))


def test_a_file_dropped_into_the_published_site_stops_the_build_named(course):
    (course / "_build/html/labs/notes.txt").write_text("copied here by a lab")
    (course / "_build/html/_images/stale.svg").write_text("<svg/>")  # no page links it
    result = run_build(course, "--force")
    assert result.returncode == 1
    assert (
        "error: _build/.html-staging/labs/notes.txt: is no file this build wrote for a page: "
        "a lab or another program put it in the site (it is in the published site: remove "
        "_build/html/labs/notes.txt)"
    ) in result.stderr
    assert result.stderr.count("error: ") == 2, result.stderr  # the file, the summary
    (course / "_build/html/labs/notes.txt").unlink()
    site = built(course, "--force")
    assert not (site / "_images/stale.svg").exists()
