"""The torch flag end to end with real torch: off -> on -> off, caching, and bad input."""

from __future__ import annotations

import json
import shutil

import pytest
from bs4 import BeautifulSoup

from conftest import copy_course, run_build, site_digest, write_lab

LAB = "labs/week02/session03-tabular-nn-torch"


pytest.importorskip("torch")  # installed by `make test` (requirements/torch.txt)


def outputs(soup):
    return " ".join(o.get_text() for o in soup.select(".cell_output"))


def lab_state(root):
    site = root / "_build" / "html"
    soup = BeautifulSoup((site / f"{LAB}.html").read_text(), "html.parser")
    info = json.loads((site / "build-info.json").read_text())
    return soup, info


@pytest.fixture(scope="module")
def flips(tmp_path_factory):
    """Build the course off, on, off, recording pages, build-info and build logs."""
    root = copy_course(tmp_path_factory.mktemp("flags") / "course")
    shutil.rmtree(root / "_freeze")  # the flag alone: no recorded outputs (see test_freeze.py)
    write_lab(
        root,
        "labs/week09/session01-plain.md",
        "## Plain\n\n```{code-cell} ipython3\nprint(6 * 7)\n```\n",
    )
    states = []
    doctrees = root / "_build" / ".doctrees"
    for flags in ("", "torch", ""):
        result = run_build(root, flags=flags)
        assert result.returncode == 0, result.stdout + result.stderr
        read = {
            d: (doctrees / f"{d}.doctree").stat().st_mtime_ns
            for d in (LAB, "labs/week09/session01-plain")
        }
        states.append((result.stdout, *lab_state(root), read))
    return states


def test_off_shows_code_labelled_and_no_torch_output(flips):
    _, soup, info, _ = flips[0]
    labels = soup.select(".cell-not-run")
    assert len(labels) == 3
    assert "final training MSE" not in outputs(soup)
    assert info["flags"] == {"torch": False}


def test_on_runs_real_torch(flips):
    log, soup, info, read = flips[1]
    text = outputs(soup)
    assert not soup.select(".cell-not-run")
    assert (
        "final training MSE after 200 epochs: 0.1" in text
        or "final training MSE after 200 epochs: 0.2" in text
    )
    assert "held-out MSE" in text
    assert len(soup.select("article.bd-article img")) == 4  # + the torch loss curve
    assert info["flags"] == {"torch": True}
    assert info["labs"][LAB]["cells_not_run"] == 0
    assert info["packages"]["torch"].startswith("2.13.0")
    # the flip re-executed only the lab with torch cells; the plain lab stayed cached
    assert f"{LAB}.md: executed" in log
    assert "labs/week09/session01-plain.md: cached" in log
    # and Sphinx re-read only that lab's page, not the plain lab's
    assert read[LAB] != flips[0][3][LAB]
    assert read["labs/week09/session01-plain"] == flips[0][3]["labs/week09/session01-plain"]


def test_off_again_is_cached_and_never_stale(flips):
    log, soup, info, _ = flips[2]
    assert len(soup.select(".cell-not-run")) == 3
    assert "final training MSE" not in outputs(soup)
    assert "held-out MSE" not in outputs(soup)
    assert len(soup.select("article.bd-article img")) == 3
    assert f"{LAB}.md: cached" in log and "0 executed" in log
    assert flips[0][1].select_one("article").get_text() == soup.select_one("article").get_text()


def test_changing_a_cells_options_re_executes_its_lab(tmp_path):
    root = copy_course(tmp_path / "course")
    lab = write_lab(
        root,
        "labs/week09/session01-plain.md",
        "## Plain\n\n```{code-cell} ipython3\nprint(6 * 7)\n```\n",
    )
    assert run_build(root).returncode == 0
    lab.write_text(lab.read_text().replace("print(6 * 7)", "#| echo: false\nprint(6 * 7)"))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert "labs/week09/session01-plain.md: executed" in result.stdout
    assert f"{LAB}.md: cached" in result.stdout
    page = (root / "_build/html/labs/week09/session01-plain.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert "42" in soup.select_one(".cell_output").get_text()
    assert not soup.select(".cell_input")


def _failing_build(tmp_path, body=None, flags=""):
    root = copy_course(tmp_path / "course")
    assert run_build(root).returncode == 0
    before = site_digest(root / "_build/html")
    if body is not None:
        write_lab(root, "labs/week09/session01-bad.md", body)
    result = run_build(root, flags=flags)
    assert result.returncode != 0
    assert site_digest(root / "_build/html") == before, "the published site must stay as it was"
    return result.stderr


def test_unknown_flag_in_a_cell(tmp_path):
    err = _failing_build(tmp_path, "```{code-cell} ipython3\n#| eval: tourch\nx = 1\n```\n")
    assert "labs/week09/session01-bad.md:16: unknown flag 'tourch' in 'eval: tourch'" in err
    assert "known flags: torch" in err


def test_unknown_flag_requested(tmp_path):
    err = _failing_build(tmp_path, flags="tourch")
    assert "unknown flag 'tourch' requested" in err and "known flags: torch" in err


def test_malformed_option(tmp_path):
    err = _failing_build(
        tmp_path,
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\n#| echo false\ny = 2\n```\n",
    )
    assert "labs/week09/session01-bad.md:20: malformed cell option '#| echo false'" in err
    assert "known options: eval, echo, output, include, error" in err


def test_missing_requirement_fails_before_any_lab_runs(tmp_path):
    extra = (
        "  gpu:\n    default: false\n    requires: [no_such_module_xyz]\n"
        "    install: pip install no-such-module-xyz\n"
    )
    text = (copy_course(tmp_path / "probe") / "_config.yml").read_text()
    assert "\nflags:\n  torch:" in text  # the extra flag lands under flags:
    root = copy_course(tmp_path / "course")
    cfg = root / "_config.yml"
    cfg.write_text(text.replace("\nflags:\n", "\nflags:\n" + extra, 1))
    result = run_build(root, flags="gpu")
    assert result.returncode != 0
    assert "flag 'gpu' is on but needs no_such_module_xyz" in result.stderr
    assert "install it with: pip install no-such-module-xyz" in result.stderr
    assert "_config.yml:" in result.stderr
    assert "executed" not in result.stdout and not (root / "_build/.jupyter_cache").exists()
