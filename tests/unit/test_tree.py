"""The staged site is this build's output (book.publishing.tree): page files no page links go,
any other file no build step wrote is an error naming it."""

from __future__ import annotations

from pathlib import Path

from book.publishing.tree import settle


def write(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_site(tmp_path: Path) -> tuple[Path, Path]:
    site, published = tmp_path / ".html-staging", tmp_path / "html"
    write(
        site / "labs/week01/lab.html",
        '<img src="../../_images/kept.svg"/><a href="../../_sources/labs/week01/lab.ipynb#top">'
        '<a href="../../_downloads/ab12/data%20set.csv">d</a><a href="https://example.org/x.png">',
    )
    write(site / "intro.html", '<a href="labs/week01/lab.html">')
    for rel in (
        "_images/kept.svg",
        "_images/removed-figure.svg",
        "_sources/labs/week01/lab.ipynb",
        "_sources/labs/week00/gone.ipynb",
        "_downloads/ab12/data set.csv",
        "_downloads/cd34/old.csv",
        "_static/book.css",
        "pagefind/pagefind.js",
        "objects.inv",
        "build-info.json",
        "genindex.html",
    ):
        write(site / rel)
    return site, published


def test_files_no_page_links_are_removed_and_the_rest_kept(tmp_path):
    site, published = make_site(tmp_path)
    removed, problems = settle(site, published, ["intro.md", "labs/week01/lab.md"], str)
    assert problems == []
    assert removed == 3
    left = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert left == [
        "_downloads/ab12/data set.csv",
        "_images/kept.svg",
        "_sources/labs/week01/lab.ipynb",
        "_static/book.css",
        "build-info.json",
        "genindex.html",
        "intro.html",
        "labs/week01/lab.html",
        "objects.inv",
        "pagefind/pagefind.js",
    ]
    assert not (site / "_downloads/cd34").exists() and not (site / "_sources/labs/week00").exists()


def test_a_file_no_build_step_wrote_is_an_error_naming_it(tmp_path):
    site, published = make_site(tmp_path)
    write(site / "labs/week01/id_ed25519")
    write(published / "labs/week01/id_ed25519")  # dropped into the published site, then seeded
    write(site / "old-lab.html")  # the page of no document of this build
    _, problems = settle(site, published, ["intro.md", "labs/week01/lab.md"], str)
    messages = sorted(p.format() for p in problems)
    assert len(messages) == 2
    assert messages[0].startswith(
        f"{site}/labs/week01/id_ed25519: is no file this build wrote for a page: a lab or "
        f"another program put it in the site (it is in the published site: remove "
        f"{published}/labs/week01/id_ed25519)"
    )
    assert messages[1].startswith(f"{site}/old-lab.html: is no file this build wrote")
    assert (site / "labs/week01/id_ed25519").exists()  # named, not silently dropped


def test_files_of_html_extra_path_are_the_builds(tmp_path):
    site, published = make_site(tmp_path)
    course = tmp_path / "course"
    write(course / "extra/CNAME", "course.example.org")
    write(course / "extra/.well-known/security.txt")
    write(site / "CNAME", "course.example.org")
    write(site / ".well-known/security.txt")
    from book.publishing.tree import extra_files

    extra = extra_files(course, ["extra"])
    assert extra == {"CNAME", ".well-known/security.txt"}
    _, problems = settle(site, published, ["intro.md", "labs/week01/lab.md"], str, extra)
    assert problems == []
