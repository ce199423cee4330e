"""Benchmark: `make html` (python -m book build) against stock `jupyter-book build`, in one run.

Generates a synthetic course of N small numpy/matplotlib labs (distinct code in each), builds the
same content both ways, and measures cold build, no-op rebuild, one-lab edit, flag flip and peak
memory (summed PSS of the build's process tree, sampled). Prints a table of medians and ratios
and writes it as JSON.

    python bench/bench.py --labs 20 --runs 3      # _build/bench/bench-20.json
    python bench/bench.py --labs 200 --runs 1     # 20, 100 and 200 labs, and bench-growth.svg/png
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

sys.path.insert(0, str(REPO))
from book.course.scaffold import new_session  # noqa: E402  the instructors' scaffold writes the labs
from book.reading.session_info import session_info_code  # noqa: E402

EXECUTION = """\
```{{code-cell}} ipython3
estimate = x.mean()
print(f"estimate: {{estimate:.3f}}")
```"""

SYNTHETIC = """\
```{{code-cell}} ipython3
y = 2.0 * x + rng.normal(0, 0.5, size=x.size) + {i} / 100
slope, intercept = np.polyfit(x, y, 1)
fig, ax = plt.subplots(figsize=(5, 3))
ax.scatter(x, y, s=4)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("Synthetic lab {i}")
plt.show()
estimate = x.mean()
print(f"lab {i}: slope {{slope:.3f}}, estimate {{estimate:.3f}}")
```
{gate}"""

GATED = """
```{code-cell} ipython3
#| eval: extra
print("extra section:", estimate)
```
"""


def make_course(dest: Path, labs: int, ours: bool) -> None:
    """N labs written by the scaffold, each with distinct code and a figure.

    Ours: as scaffolded (template front matter, {session-info}), the first lab with a cell under
    an `extra` flag. Stock: the same cells as a plain MyST notebook (H1 title, the session-info
    code written out), built with Jupyter Book's defaults and its execution cache.
    """
    dest.mkdir(parents=True)
    (dest / "intro.md").write_text("# Synthetic course\n\nA benchmark course.\n")
    (dest / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n")
    config = (REPO / "_config.yml").read_text()
    (dest / "_config.yml").write_text(
        config.replace("flags:\n", "flags:\n  extra:\n    default: false\n", 1)
    )
    for i in range(1, labs + 1):
        week, session = 1 + (i - 1) // 10, 1 + (i - 1) % 10
        path = new_session(dest, week, session, f"Synthetic lab {i}", log=lambda *a, **k: None)
        gate = GATED if i == 1 else ""
        text = path.read_text()
        assert "  draft: true\n" in text, "new sessions are drafts: update bench"
        text = text.replace("  draft: true\n", "", 1)  # published, as its author would
        assert EXECUTION.format() in text, "the scaffold's Execution cell changed: update bench"
        path.write_text(text.replace(EXECUTION.format(), SYNTHETIC.format(i=i, gate=gate)))
    if ours:
        shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("__pycache__"))
        return
    for path in (dest / "labs").rglob("*.md"):
        text = path.read_text()
        head, body = text.split("\n---\n", 1)
        lab = yaml.safe_load(textwrap.dedent(head.split("\nlab:\n", 1)[1]))
        head = head.split("\nlab:\n", 1)[0]
        title = f"# Week {lab['week']}, Session {lab['session']} — {lab['title']}\n"
        info = "```{code-cell} ipython3\n" + session_info_code(["numpy", "matplotlib"]) + "\n```"
        body = body.replace("```{session-info}\n```", info)
        path.write_text(f"{head}\n---\n\n{title}{body}")
    (dest / "_config.yml").write_text(  # stock Jupyter Book: its defaults, execution cache on
        "title: Synthetic course\nexecute:\n  execute_notebooks: cache\n"
    )


class PeakRSS(threading.Thread):
    """Sample the summed proportional memory (PSS) of a process and its descendants: a page shared
    by n processes (a forked kernel's, its server's) counts 1/n in each, so the sum is the
    memory the tree holds; resident sizes (RSS) would count it n times."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def _tree_rss(self) -> int:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            pid, ppid = int(entry), int(fields.get("PPid", "0").strip() or 0)
            children.setdefault(ppid, []).append(pid)
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            total += _pss(pid)
            todo.extend(children.get(pid, []))
        return total

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.05)


def _pss(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    line = next((x for x in rollup.splitlines() if x.startswith("Pss:")), "Pss: 0 kB")
    return int(line.split()[1]) * 1024


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    sampler = PeakRSS(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark build failed: {' '.join(cmd)}\n{err[-3000:]}")
    return seconds, sampler.peak


@contextlib.contextmanager
def local_cluster(workers: int):
    """A Dask LocalCluster of ``workers`` single-threaded worker processes on 127.0.0.1."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_shows(url: str, marker: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return marker in response.read().decode()
    except OSError:
        return False


def serve_edits(course: Path, runs: int, env: dict) -> dict[str, list[float]]:
    """Edit-to-reload in `make serve`: seconds from an edited lab's write to the page with the new
    content being served, for a prose edit and for a code edit (its output changes)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "book", "serve", "--port", str(port)],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        text=True,
    )
    lab = next((course / "labs" / "week01").glob("session03-*.md"))
    url = f"http://127.0.0.1:{port}/labs/week01/{lab.stem}.html"
    measured: dict[str, list[float]] = {"serve: prose edit": [], "serve: code edit": []}
    try:
        assert server.stdout is not None
        for line in server.stdout:  # serving, warmed up (Sphinx loaded) once it says so
            if "Serving the course site" in line:
                break
        time.sleep(8)  # the warm-up (imports, Sphinx) before the first edit
        for n in range(runs):
            for kind in ("prose", "code"):
                marker = f"bench{kind}{n}x{time.time_ns()}"
                text = lab.read_text()
                if kind == "prose":
                    text = text.replace("\n## ", f"\nProse {marker}.\n\n## ", 1)
                else:
                    text = text.replace('print(f"lab 3', f'print(f"{marker} lab 3', 1)
                started = time.perf_counter()
                lab.write_text(text)
                while not page_shows(url, marker):
                    if time.perf_counter() - started > 120:
                        raise SystemExit(f"make serve did not show the {kind} edit in 120 s")
                    time.sleep(0.01)
                measured[f"serve: {kind} edit"].append(time.perf_counter() - started)
                print(f"  ours  serve {kind} edit {measured[f'serve: {kind} edit'][-1]:7.2f} s")
                time.sleep(1.5)
    finally:  # SIGTERM: a benchmark started in the background has SIGINT ignored
        server.terminate()
        server.wait(timeout=60)
    return measured


def steps_of(course: Path, wall: float) -> dict[str, float]:
    """The last build's steps (``_build/.timings.json``), with process start-up as the rest."""
    record = json.loads((course / "_build" / ".timings.json").read_text())
    steps = dict(record["steps"])
    steps["start-up (python, imports, configuration)"] = round(wall - record["total"], 3)
    return steps


def own_seconds(course: Path, stem: str) -> float:
    info = json.loads((course / "_build" / "html" / "build-info.json").read_text())
    return next(v["seconds"] for k, v in info["labs"].items() if k.endswith(stem))


def edit_one_lab(course: Path) -> None:
    lab = next((course / "labs" / "week01").glob("session02-*.md"))
    lab.write_text(lab.read_text().replace('print(f"lab 2:', 'print(f"lab 2 (edited):', 1))


def bench(labs: int, runs: int, workdir: Path) -> dict:
    stock_cmd = [str(BIN / "jupyter-book"), "build", ".", "--quiet"]
    ours_cmd = [sys.executable, "-m", "book", "build"]
    results: dict[str, dict[str, list[float]]] = {"stock": {}, "ours": {}}
    memory = {"stock": 0, "ours": 0}
    breakdown: dict[str, dict[str, float]] = {}  # the last run's steps, per measure
    lab_run: dict[str, list[float]] = {"one-lab edit": [], "flag flip": [], "serve: code edit": []}

    def record(who: str, what: str, seconds: float, peak: int) -> None:
        results[who].setdefault(what, []).append(seconds)
        memory[who] = max(memory[who], peak)
        print(f"  {who:5} {what:13} {seconds:7.2f} s  peak {peak / 2**20:6.0f} MiB", flush=True)

    for run in range(1, runs + 1):
        print(f"run {run}/{runs}", flush=True)
        for who, cmd in (("stock", stock_cmd), ("ours", ours_cmd)):
            course = workdir / who
            shutil.rmtree(course, ignore_errors=True)
            make_course(course, labs, ours=(who == "ours"))
            record(who, "cold", *timed(cmd, course))
            record(who, "no-op", *timed(cmd, course))
            edit_one_lab(course)
            record(who, "one-lab edit", *timed(cmd, course))
            if who == "ours":
                breakdown["one-lab edit"] = steps_of(course, results[who]["one-lab edit"][-1])
                lab_run["one-lab edit"].append(own_seconds(course, "session02-synthetic-lab-2"))
                record(who, "flag flip", *timed(cmd, course, {"BOOK_FLAGS": "extra"}))
                breakdown["flag flip"] = steps_of(course, results[who]["flag flip"][-1])
                lab_run["flag flip"].append(own_seconds(course, "session01-synthetic-lab-1"))
                for what, seconds in serve_edits(course, 1, {"BOOK_FLAGS": "extra"}).items():
                    results[who].setdefault(what, []).extend(seconds)
                lab_run["serve: code edit"].append(own_seconds(course, "session03-synthetic-lab-3"))
        # the same cold build, its labs executed on a 2-worker Dask LocalCluster (same cores)
        course = workdir / "cluster"
        shutil.rmtree(course, ignore_errors=True)
        make_course(course, labs, ours=True)
        with local_cluster(2) as address:
            record("ours", "cold, cluster", *timed([*ours_cmd, "--scheduler", address], course))
    # the edited lab's own execution time, as the build-info of our build measured it
    info = json.loads((workdir / "ours" / "_build" / "html" / "build-info.json").read_text())
    lab_seconds = (
        statistics.median(v["seconds"] for v in info["labs"].values() if v["seconds"] > 0)
        if info["labs"]
        else None
    )
    med = {who: {k: statistics.median(v) for k, v in r.items()} for who, r in results.items()}
    # extra worker-seconds a lab costs on the cluster (task, child process, transfer)
    cluster_overhead = round((med["ours"]["cold, cluster"] - med["ours"]["cold"]) * 2 / labs, 3)
    own = {k: statistics.median(v) for k, v in lab_run.items() if v}  # the labs' own execution
    ours, stock = med["ours"], med["stock"]
    table = {
        "labs": labs,
        "runs": runs,
        "cores": len(os.sched_getaffinity(0)),
        "median_seconds": med,
        "ratio_ours_to_stock": {
            k: round(med["ours"][k] / med["stock"][k], 3) for k in med["stock"] if k in med["ours"]
        },
        "peak_memory_mib": {k: round(v / 2**20) for k, v in memory.items()},
        "median_lab_execution_seconds": lab_seconds,
        "cluster_vs_local_cold": round(med["ours"]["cold, cluster"] / med["ours"]["cold"], 3),
        "cluster_overhead_seconds_per_lab": cluster_overhead,
        "edited_lab_execution_seconds": own,
        "steps_seconds": breakdown,
        "targets": {
            f"serve prose edit <= {1.0 if labs <= 20 else 1.5} s": ours["serve: prose edit"]
            <= (1.0 if labs <= 20 else 1.5),
            "serve code edit <= lab + 1.0 s": ours["serve: code edit"]
            <= own["serve: code edit"] + 1.0,
            f"one-lab edit <= {0.7 if labs <= 20 else 0.5}x stock": ours["one-lab edit"]
            <= (0.7 if labs <= 20 else 0.5) * stock["one-lab edit"],
            "flag flip <= gated lab + 1.5 s": ours["flag flip"] <= own["flag flip"] + 1.5,
            "cold <= 0.55x stock": med["ours"]["cold"] <= 0.55 * med["stock"]["cold"],
            "no-op <= 0.25 s or <= 0.2x stock": med["ours"]["no-op"] <= 0.25
            or med["ours"]["no-op"] <= 0.2 * med["stock"]["no-op"],
            "peak memory < 1.5 GiB": memory["ours"] < 1.5 * 2**30,
        },
    }
    return table


def print_table(table: dict) -> None:
    med = table["median_seconds"]
    print(
        f"\n{table['labs']} labs, {table['runs']} run(s), {table['cores']} cores (median seconds)"
    )
    print(f"{'measure':18} {'stock':>8} {'ours':>8} {'ours/stock':>11}")
    for key in (
        "cold",
        "no-op",
        "one-lab edit",
        "flag flip",
        "serve: prose edit",
        "serve: code edit",
    ):
        stock = med["stock"].get(key)
        ours = med["ours"].get(key)
        ratio = table["ratio_ours_to_stock"].get(key)
        cells = ["n/a" if v is None else f"{v:.2f}" for v in (stock, ours, ratio)]
        print(f"{key:18} {cells[0]:>8} {cells[1]:>8} {cells[2]:>11}")
    cluster = med["ours"]["cold, cluster"]
    print(
        f"{'cold, cluster':14} {'':>8} {cluster:8.2f}   x{table['cluster_vs_local_cold']:.2f} "
        f"of local ({table['cluster_overhead_seconds_per_lab']:+.2f} s a lab, 2 workers)"
    )
    own = table["edited_lab_execution_seconds"]
    print(f"the edited labs' own execution (s; their kernel was started ahead): {own}")
    for measure, steps in table["steps_seconds"].items():
        print(f"{measure}, step by step (last run):")
        for step, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
            print(f"  {step:42} {seconds:6.3f} s")
    mem = table["peak_memory_mib"]
    print(f"{'peak memory':14} {mem['stock']:6} MiB {mem['ours']:5} MiB")
    for target, met in table["targets"].items():
        print(f"  [{'met' if met else 'NOT met'}] {target}")


LADDER = (20, 100, 200)  # the sizes below --labs that a run measures too (--no-grow: not)


def main() -> int:
    # Both sides run as on a user's machine, where Python caches the bytecode of what it imports:
    # pip compiled stock Jupyter Book's modules when it installed them, and our generator (copied
    # into the course) is compiled by its first build. With PYTHONDONTWRITEBYTECODE set (some
    # shells and CI images set it), every build of ours would compile the generator again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=None, help="folder for the tables and the plot")
    parser.add_argument(
        "--grow",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the sizes of 20, 100, 200 labs below --labs, and plot them",
    )
    args = parser.parse_args()
    sizes = [n for n in LADDER if n < args.labs and args.grow] + [args.labs]
    out = Path(args.out) if args.out else REPO / "_build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    tables = []
    for labs in sizes:
        with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
            table = bench(labs, args.runs, Path(tmp))
        print_table(table)
        path = out / f"bench-{labs}.json"
        path.write_text(json.dumps(table, indent=2) + "\n")
        print(f"written: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
        tables.append(table)
    from plot import plot  # bench/plot.py, beside this file

    for path in plot(tables, out / "bench-growth"):
        print(f"written: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
