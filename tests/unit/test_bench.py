"""``make bench``'s generated course is what an instructor would publish: its labs are the
scaffold's, published (not drafts), each with its own code, so the bench measures real builds."""

from __future__ import annotations

import importlib.util

from book.config.course import load_config
from book.course.labs import read_labs
from book.release.state import release_state
from conftest import REPO


def test_the_generated_labs_are_published_and_distinct(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_module", REPO / "bench" / "bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    course = tmp_path / "course"
    bench.make_course(course, 3, ours=True)
    labs = read_labs(course)
    assert len(labs) == 3
    release = release_state(load_config(course))
    assert all(release.shows(lab.path) for lab in labs), "a generated lab is held back"
    texts = {(course / lab.path).read_text() for lab in labs}
    assert len(texts) == 3 and all("draft" not in text for text in texts)
