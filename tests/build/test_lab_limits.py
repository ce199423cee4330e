"""Per-lab limits, for real: a lab whose front matter raises its memory above the course's
runs where the course's limit would stop it, and runs again (not from the cache) when only its
limit changes; a lab's own timeout stops a slow cell, named."""

from __future__ import annotations

import subprocess
import sys

from conftest import copy_course, run_build

LAB = "labs/week01/session05-big-arrays.md"
TEXT = """---
kernelspec: {{display_name: Python 3, language: python, name: python3}}
limits:
  {limits}
---

# Big arrays

```{{code-cell}} ipython3
{code}
```
"""
# 5 GB of address space (calloc'd: not touched, no real memory used); the course allows 4096 MB
ALLOCATE = "block = bytearray(5 * 1024**3)\nprint('allocated', len(block) // 1024**3, 'GB')"


def test_a_labs_own_limits_apply_to_its_kernel(tmp_path):
    root = copy_course(tmp_path / "course")
    src = tmp_path / "big_arrays.md"
    src.write_text(TEXT.format(limits="memory_mb: 8192", code=ALLOCATE))
    imported = subprocess.run(
        [sys.executable, "-m", "book", "import", str(src), "--week", "1", "--session", "5"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "allocated 5 GB" in (root / "_build/html" / LAB.replace(".md", ".html")).read_text()

    lab = root / LAB
    # only the limit changes: the cached outputs (made under 8192 MB) are not reused
    lab.write_text(lab.read_text().replace("memory_mb: 8192", "memory_mb: 4096"))
    result = run_build(root)
    assert result.returncode != 0, "the course's own limit stops the same lab"
    assert f"{LAB}" in result.stderr and "4096 MB" in result.stderr, result.stderr

    lab.write_text(lab.read_text().replace("memory_mb: 4096", "memory_mb: 8192"))
    result = run_build(root)  # failed under the small limit, runs under the bigger one
    assert result.returncode == 0, result.stdout + result.stderr

    lab.write_text(
        lab.read_text()
        .replace("memory_mb: 8192", "timeout: 2")
        .replace(ALLOCATE, "import time\ntime.sleep(8)")
    )
    result = run_build(root)
    assert result.returncode != 0
    assert "ran past the timeout of 2 s" in result.stderr, result.stderr
