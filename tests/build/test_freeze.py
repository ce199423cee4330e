"""Recorded outputs of flag-gated cells (``make freeze``), end to end with real torch.

Freeze the torch lab, build without torch and read what students see; change code before a gated
cell and watch the recording go stale (page, ``make check``, strict builds); flip the flag on and
off; and feed the build broken recordings.
"""

from __future__ import annotations

import json
import shutil

import pytest
from bs4 import BeautifulSoup

from conftest import copy_course, run_book, run_build, site_digest, write_lab

pytest.importorskip("torch")  # installed by `make test` (requirements/torch.txt)


LAB = "labs/week02/session03-tabular-nn-torch"


RECORD = f"_freeze/{LAB}.json"


def run(root, *args, flags=""):
    return run_book(root, *args, env={"BOOK_FLAGS": flags, "PATH": "/usr/bin:/bin"})


def lab_page(root) -> BeautifulSoup:
    html = (root / "_build" / "html" / f"{LAB}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def frozen_copy(frozen, tmp_path):
    """A fresh copy of the course with the recordings made by the ``frozen`` fixture."""
    root = copy_course(tmp_path / "course")
    shutil.rmtree(root / "_freeze", ignore_errors=True)
    shutil.copytree(frozen / "_freeze", root / "_freeze")
    return root


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    """A course copy without the bundled recordings, frozen here with torch."""
    root = copy_course(tmp_path_factory.mktemp("freeze") / "course")
    shutil.rmtree(root / "_freeze", ignore_errors=True)
    write_lab(
        root,
        "labs/week09/session01-plain.md",
        "## Plain\n\n```{code-cell} ipython3\nprint(6 * 7)\n```\n",
    )
    result = run(root, "freeze", flags="torch")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"recorded 3 cell(s) in {RECORD}" in result.stdout
    return root


def test_a_recording_carries_outputs_and_provenance(frozen):
    record = json.loads((frozen / RECORD).read_text())
    assert record["device"] == "CPU" and record["packages"]["torch"].startswith("2.13.0")
    assert {c["flag"] for c in record["cells"]} == {"torch"}
    assert all(len(c["code_sha256"]) == 64 for c in record["cells"])
    texts = json.dumps(record["cells"])
    assert "final training MSE after 200 epochs" in texts and "held-out MSE" in texts
    figures = list((frozen / "_freeze" / LAB).glob("cell*-*.svg"))
    assert len(figures) == 1 and b"<svg" in figures[0].read_bytes()[:400]
    # a lab without gated cells writes no recording
    assert not (frozen / "_freeze" / "labs" / "week09").exists()
    assert not (frozen / "_freeze" / "labs" / "week01").exists()


def test_a_build_without_torch_shows_the_recorded_outputs_labelled(frozen):
    assert run_build(frozen).returncode == 0
    soup = lab_page(frozen)
    labels = soup.select(".cell-recorded")
    assert len(labels) == 3
    text = soup.select_one(".cell-recorded-note").get_text(" ", strip=True)  # once per lab
    assert "recorded on" in text and "torch 2.13.0" in text and "on CPU" in text
    assert "which this site was built without" in text
    cells = [label.find_parent(class_="cell") for label in labels]
    outputs = " ".join(c.select_one(".cell_output").get_text() for c in cells)
    assert "final training MSE after 200 epochs" in outputs and "held-out MSE" in outputs
    assert any(c.select_one(".cell_output img") for c in cells)  # the loss curve
    assert not soup.select(".cell-not-run:not(.cell-recorded)")  # nothing left unexplained
    notebook = (frozen / "_build" / "html" / "_sources" / f"{LAB}.ipynb").read_text()
    assert "held-out MSE" in notebook and "image/svg+xml" in notebook


def test_freeze_then_flag_on_then_off_is_never_stale_or_mixed(frozen):
    on = run_build(frozen, flags="torch")
    assert on.returncode == 0, on.stderr
    soup = lab_page(frozen)
    assert not soup.select(".cell-recorded") and not soup.select(".cell-not-run")
    assert "Built with flags: torch on." in soup.get_text(" ", strip=True)
    off = run_build(frozen)
    assert off.returncode == 0 and "warning" not in off.stderr
    assert len(lab_page(frozen).select(".cell-recorded")) == 3


def test_a_code_change_before_a_gated_cell_makes_the_recording_stale(frozen, tmp_path):
    root = frozen_copy(frozen, tmp_path)
    lab = root / f"{LAB}.md"
    text = lab.read_text()
    assert "torch.manual_seed(42)" in text
    lab.write_text(text.replace("torch.manual_seed(42)", "torch.manual_seed(7)", 1))
    rows = text[: text.index("torch.manual_seed(42)")].splitlines()
    # errors name a cell by its first line (as the executor's do)
    first = 1 + max(n for n, row in enumerate(rows, 1) if row.startswith("```{code-cell}"))
    check = run(root, "check")
    assert check.returncode == 0
    assert f"warning: {LAB}.md:{first}: the recorded output of code cell 4" in check.stderr
    assert check.stderr.count("is out of date") == 3  # every gated cell after the change
    assert "make freeze FLAGS=torch" in check.stderr
    assert run_build(root).returncode == 0
    soup = lab_page(root)
    stale = [p.get_text(" ", strip=True) for p in soup.select(".cell-not-run")]
    assert any("is not shown: the code has changed since" in s for s in stale)
    assert "final training MSE after 200 epochs: 0." not in soup.get_text()
    site = site_digest(root / "_build" / "html")
    strict = run_build(root, "--stale-recordings", "error")
    assert strict.returncode == 1 and f"error: {LAB}.md:{first}: the recorded" in strict.stderr
    assert site_digest(root / "_build" / "html") == site


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: p.write_text("{ not json"), "not valid JSON"),
        (
            lambda p: p.write_text(p.read_text().replace("held-out MSE 0.", "held-out MSE 9.")),
            "it was edited by hand",
        ),
        (
            lambda p: p.write_text(p.read_text().replace('"flag": "torch"', '"flag": "jax"')),
            "it was edited by hand",
        ),
    ],
)
def test_a_broken_recording_names_its_file_and_what_to_do(frozen, tmp_path, damage, message):
    root = frozen_copy(frozen, tmp_path)
    damage(root / RECORD)
    result = run_build(root)
    assert result.returncode == 1
    assert f"error: {RECORD}: recording cannot be used: {message}" in result.stderr
    assert "make freeze" in result.stderr


def test_a_recording_for_an_undeclared_flag_is_reported(frozen, tmp_path):
    from book.reading.recordings import checksum

    root = frozen_copy(frozen, tmp_path)
    record = json.loads((root / RECORD).read_text())
    record["cells"][0]["flag"] = "jax"
    record["checksum"] = checksum(record)
    (root / RECORD).write_text(json.dumps(record))
    result = run(root, "check")
    assert result.returncode == 1
    assert f"{RECORD}: recorded for the flag 'jax', which _config.yml does not declare" in (
        result.stderr
    )


def test_the_bundled_course_is_published_with_its_torch_recordings(site):
    soup = BeautifulSoup((site / f"{LAB}.html").read_text(encoding="utf-8"), "html.parser")
    labels = soup.select(".cell-recorded")
    assert len(labels) == 3
    loss = labels[1].find_parent(class_="cell")
    assert loss.select_one(".cell_output img") is not None
