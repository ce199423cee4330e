"""A cell's last expression too big to publish (issue 22): the build refuses it, naming the lab,
the cell and the setting, and publishes nothing; printed text is truncated, not refused."""

from __future__ import annotations

from conftest import run_build, site_digest, write_lab

LAB = "labs/week09/session01-big.md"


def test_a_huge_last_expression_is_refused_naming_lab_cell_and_setting(course):
    cfg = course / "_config.yml"
    cfg.write_text(
        cfg.read_text().replace("  max_output_kb: 100", "  max_output_kb: 100\n  max_display_mb: 1")
    )
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nprint('x' * 3_000_000)\n```\n\n"
        "```{code-cell} ipython3\n'y' * 2_000_000\n```\n",
    )
    before = site_digest(course / "_build/html")
    result = run_build(course)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"error: {LAB}:20: code cell 2 output text/plain of 2.0 MB, over the limit of 1.0 MB "
        "for one output\n  show less (a smaller figure, a summary of the data, a semicolon after "
        "the last expression), or raise 'limits: max_display_mb' in _config.yml"
    ) in result.stderr
    assert site_digest(course / "_build/html") == before
    assert "code cell 1" not in result.stderr  # printed text is truncated on the page instead


def test_a_full_disk_is_not_reported_as_the_memory_limit(course):
    """The build caps the files a lab writes (``limits: disk_mb``): past it, the cell fails with
    the disk's message and the setting, not the memory limit's."""
    config = course / "_config.yml"
    config.write_text(config.read_text().replace("limits:\n", "limits:\n  disk_mb: 1\n", 1))
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nwith open('big.bin', 'wb') as f:\n"
        "    f.write(bytes(2 << 20))\n```\n",
    )
    result = run_build(course)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"error: {LAB}:16: code cell 1 raised OSError: [Errno 27] File too large" in (
        result.stderr
    )
    assert "the lab filled the disk or file size it may write to" in result.stderr
    assert "files up to 1 MB" in result.stderr and "'limits: disk_mb'" in result.stderr
    assert "memory limit" not in result.stderr
