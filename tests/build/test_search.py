"""Search: how pages are marked for Pagefind, the index in the published site, and index
failures."""

from __future__ import annotations

import shutil

from bs4 import BeautifulSoup

from conftest import run_build, site_digest

LAB = "labs/week02/session03-tabular-nn-torch"


def test_published_site_has_the_pagefind_index_and_no_sphinx_search(site):
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert list((site / "pagefind" / "fragment").iterdir()), "the pages are in the index"
    assert not (site / "search.html").exists() and not (site / "searchindex.js").exists()
    for name in ("intro", "setup", LAB):
        soup = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        body = soup.select("[data-pagefind-body]")
        assert len(body) == 1 and body[0].find_parent("article"), name
        assert not soup.select(
            "script[src*=searchtools], script[src*=searchindex], link[rel=search]"
        )
        assert len(soup.select("#pst-search-dialog input")) == 1
    lab = BeautifulSoup((site / f"{LAB}.html").read_text(encoding="utf-8"), "html.parser")
    filters = {d["data-pagefind-filter"] for d in lab.select("[data-pagefind-filter]")}
    assert filters == {"week:Week 2", "flag:torch"}
    assert not BeautifulSoup((site / "genindex.html").read_text(), "html.parser").select(
        "[data-pagefind-body]"
    ), "generated pages are not searched"


def test_an_indexing_failure_stops_the_build_and_keeps_the_published_site(
    built_course, tmp_path, monkeypatch
):
    root = tmp_path / "course"
    shutil.copytree(built_course, root)  # with its execution cache and published site
    before = site_digest(root / "_build/html")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")  # Pagefind "fails"
    result = run_build(root, "--force")  # nothing changed: without --force it would not build
    assert result.returncode == 1
    assert "Pagefind failed to build the search index" in result.stderr
    assert "the published site is unchanged" in result.stderr
    assert site_digest(root / "_build/html") == before
