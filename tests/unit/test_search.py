"""Search: how pages are marked for Pagefind, the index in the published site, and index
failures."""

from __future__ import annotations

from bs4 import BeautifulSoup

from book.errors import BookError
from book.publishing.search import index_site, index_view
from book.sphinx.search import mark_body

BODY = """<section class="tex2jax_ignore mathjax_ignore" id="week-1-session-2-lasso">
<h1>Week 1, Session 2 — Lasso<a class="headerlink" href="#week-1-session-2-lasso">#</a></h1>
<section id="goal">
<h2>1. Goal<a class="headerlink" href="#goal">#</a></h2>
<p>Shrink.</p>
<div class="highlight"><pre><span class="n">optimizer</span><span class="o">.</span>\
<span class="n">zero_grad</span><span class="p">()</span></pre></div>
<section id="detail">
<h3>Detail</h3>
</section></section></section>"""


def test_mark_body_makes_the_article_the_indexed_body_with_filters():
    soup = BeautifulSoup(mark_body(BODY, {"week": ["Week 1"], "flag": ["torch"]}), "html.parser")
    body = soup.select_one("[data-pagefind-body]")
    assert body is soup.contents[0], "the whole page body, and only it, is indexed"
    filters = [div["data-pagefind-filter"] for div in body.select("[data-pagefind-filter]")]
    assert filters == ["week:Week 1", "flag:torch"]


def test_mark_body_titles_by_h1_and_weights_linkable_headings():
    soup = BeautifulSoup(mark_body(BODY, {}), "html.parser")
    h1, h2, h3 = soup.find("h1"), soup.find("h2"), soup.find("h3")
    assert h1["data-pagefind-meta"] == "title"
    assert [h.get("id") for h in (h1, h2, h3)] == ["week-1-session-2-lasso", "goal", "detail"]
    assert [int(h["data-pagefind-weight"]) for h in (h1, h2, h3)] == [10, 7, 5]
    assert not h2.has_attr("data-pagefind-meta")
    assert not [s for s in soup.find_all("section") if s.has_attr("id")], "each id stays unique"
    # the permalink still points at the id
    assert h2.find("a", class_="headerlink")["href"] == "#goal"


def test_pages_keep_code_as_written_and_only_the_index_view_splits_it():
    page = mark_body(BODY, {})
    assert "\u2063" not in page and "<br" not in page, "what readers copy is the code as written"
    pre = BeautifulSoup(index_view(page), "html.parser").find("pre")
    # a line break (a word boundary for Pagefind) and an invisible separator that search.js removes
    # from excerpts, so code reads as written there too
    assert pre.find("br") is not None
    assert pre.get_text() == "optimizer.\u2063zero_grad()"


def test_index_site_indexes_marked_pages(tmp_path):
    (tmp_path / "a.html").write_text(
        "<html lang='en'><body><nav>menu</nav>"
        "<main data-pagefind-body><h1>A</h1><p>alpha</p></main>"
        "</body></html>"
    )
    assert index_site(tmp_path) == "Indexed 1 page"
    assert (tmp_path / "pagefind" / "pagefind.js").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "pagefind"], "no index view"


def test_index_site_fails_clearly_without_pages(tmp_path):
    try:
        index_site(tmp_path)
    except BookError as exc:
        assert "Pagefind" in str(exc)
    else:
        raise AssertionError("indexing an empty site must fail")
