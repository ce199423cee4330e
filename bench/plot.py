"""How each measure of ``bench/bench.py`` grows with the course: one panel per measure, seconds
against the number of labs, ours and stock Jupyter Book, written as SVG and PNG.

    python bench/plot.py _build/bench/bench-20.json _build/bench/bench-100.json ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MEASURES = (
    "cold",
    "no-op",
    "one-lab edit",
    "flag flip",
    "serve: prose edit",
    "serve: code edit",
)


def plot(tables: list[dict], stem: Path) -> list[Path]:
    """Write ``stem``.svg and ``stem``.png from bench tables (any sizes, any order)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tables = sorted(tables, key=lambda t: t["labs"])
    labs = [t["labs"] for t in tables]
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.5), layout="constrained")
    panels = [*MEASURES, "peak memory"]
    for ax, measure in zip(axes.flat, panels, strict=False):
        for who, style in (("ours", "o-"), ("stock", "s--")):
            if measure == "peak memory":
                values = [t["peak_memory_mib"].get(who) for t in tables]
            else:
                values = [t["median_seconds"].get(who, {}).get(measure) for t in tables]
            points = [(n, v) for n, v in zip(labs, values, strict=True) if v is not None]
            if points:
                ax.plot(*zip(*points, strict=True), style, label=who)
        ax.set_title(measure)
        ax.set_xlabel("labs")
        ax.set_ylabel("MiB" if measure == "peak memory" else "seconds")
        ax.set_xticks(labs)
        ax.set_ylim(bottom=0)
        ax.legend()
    axes.flat[-1].axis("off")
    cores = tables[-1].get("cores", "?")
    runs = tables[-1].get("runs", "?")
    fig.suptitle(f"make bench: ours against stock Jupyter Book ({cores} cores, {runs} run(s))")
    written = []
    for suffix in (".svg", ".png"):
        path = stem.with_suffix(suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110, metadata={"Date": None} if suffix == ".svg" else None)
        written.append(path)
    plt.close(fig)
    return written


def main(argv: list[str]) -> int:
    tables = [json.loads(Path(p).read_text()) for p in argv]
    if not tables:
        print("usage: python bench/plot.py BENCH.json ...", file=sys.stderr)
        return 2
    for path in plot(tables, Path(argv[0]).parent / "bench-growth"):
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
