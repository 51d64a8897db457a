"""Parallel segment renders on this machine: --jobs 1, --jobs 2, Dask with 2 workers.

The 50-clip timeline of bench/incremental.py (150 s at 1280x720 @ 30, preset
production, unless ``--size`` and ``--preset`` say otherwise), exported as whole
``tlc export`` processes, round-robin:

* one run (no segments): ffmpeg and x264 use every core by themselves;
* segmented, ``--executor local`` (one render at a time);
* segmented, ``--jobs 2`` (the pool executor);
* segmented, ``--executor dask --jobs 2`` (a local cluster of 2 worker processes,
  started and stopped inside the export: its start-up is in the time).

Then, from the measured per-segment render times and the join, an estimate of the
export's time on 4, 16 and 64 workers (the renders scheduled longest first over the
workers, then the serial join): the numbers docs/scaling.md quotes.

    python bench/parallel.py             # 3 rounds
    python bench/parallel.py --runs 5

Times are printed, never asserted; this is not part of the test suite.
"""

from __future__ import annotations

import heapq
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clips import CLIPS, FRAMES, bench, bench_args, timed  # noqa: E402
from _common import probe, table, tlc_command  # noqa: E402


def schedule(costs: list[float], workers: int) -> float:
    """When the last of ``costs`` ends, run longest first on ``workers`` (LPT)."""
    ends = [0.0] * workers
    heapq.heapify(ends)
    for c in sorted(costs, reverse=True):
        heapq.heappush(ends, heapq.heappop(ends) + c)
    return max(ends)


def _costs(rep: dict[str, object]) -> tuple[list[float], float, float]:
    renders = [(str(lbl), float(sec)) for lbl, sec in rep["renders"]]  # type: ignore[attr-defined]
    video = [s for lbl, s in renders if " video " in lbl]
    sound = sum(s for lbl, s in renders if lbl.endswith(" sound"))
    return video, sound, float(rep["join_seconds"])  # type: ignore[arg-type]


def estimate(local: list[tuple[float, dict[str, object]]],
             fine: tuple[float, dict[str, object]], one_run: float) -> None:
    """How the export's time falls with more workers, from the measured renders.

    A worker is a machine like this one rendering one window at a time (each render
    uses its cores as x264 does). A window of L seconds costs ``start + rate * L``:
    the two are fitted from the local export (windows of 9 s) and the one with a
    window per clip (3 s). The windows are those tlc cuts for that many workers (a
    third of the timeline per worker, 2 to 10 s: whole 3-s clips here); the sound
    is one render; the join, start-up and planning are serial.
    """
    wall, rep = sorted(local, key=lambda x: x[0])[len(local) // 2]  # the median run
    video, sound, join = _costs(rep)
    fine_video, _, _ = _costs(fine[1])
    coarse_len, fine_len = 150 / len(video), 150 / len(fine_video)
    coarse, small = statistics.mean(video), statistics.mean(fine_video)
    rate = (coarse - small) / (coarse_len - fine_len)
    start = small - rate * fine_len
    serial = wall - sum(video) - sound - join  # start-up, probes, planning, waiting
    print(f"\nmeasured, one render at a time: {len(video)} windows of {coarse_len:.1f} s, "
          f"{coarse:.2f} s each; {len(fine_video)} windows of {fine_len:.1f} s, {small:.2f} s "
          f"each; so a window costs {start:.2f} s + {rate:.3f} s per second of video. "
          f"Sound {sound:.2f} s, join {join:.2f} s, start-up and planning {serial:.2f} s.")
    est = []
    for n in (1, 2, 4, 16, 64):
        target = min(10.0, max(2.0, 150 / (3 * n)))
        per = max(1, int(target // 3))  # clips of 3 s in a window
        windows = [3.0 * per] * (CLIPS // per) + ([3.0 * (CLIPS % per)] if CLIPS % per else [])
        render = schedule([start + rate * w for w in windows] + [sound], n)
        total = serial + render + join
        est.append([str(n), str(len(windows)), f"{render:.2f} s", f"{join:.2f} s",
                    f"{total:.2f} s", f"{one_run / total:.1f}x"])
    print("estimate (a worker: a machine like this one, one render at a time):")
    print(table(["workers", "windows", "renders", "join", "export", "vs one run"], est,
                [True, True, True, True, True, True]))


def main(argv: list[str] | None = None) -> int:
    args = bench_args(__doc__ or "", argv)
    with bench(args, "tlc-bench-par-") as b:
        tlc = [*tlc_command(), "export", str(b.timeline), "-y", "--progress", "json"]
        variants = {
            "one run (no segments)": [],
            "segments, --executor local": ["--executor", "local"],
            "segments, --jobs 2 (pool)": ["--jobs", "2"],
            "segments, --executor dask --jobs 2": ["--executor", "dask", "--jobs", "2"],
        }
        runs: dict[str, list[tuple[float, dict[str, object]]]] = {k: [] for k in variants}
        names = list(variants)
        for r in range(args.runs):
            print(f"  round {r + 1}/{args.runs}", file=sys.stderr, flush=True)
            for name in names[r % len(names):] + names[: r % len(names)]:
                runs[name].append(timed([*tlc, *variants[name]], b.env))
                assert probe(b.out).frames == FRAMES, (name, probe(b.out))
        # one more local export, with a window per clip: the cost of a window's start
        print("  one local export with a window per clip (--segment 3)", file=sys.stderr)
        fine = timed([*tlc, "--executor", "local", "--segment", "3"], b.env)

        def median(name: str) -> float:
            return statistics.median(wall for wall, _ in runs[name])

        base = median(names[0])
        rows = [
            [name, f"{median(name):.2f} s", f"{median(name) / base:.2f}x",
             str(runs[name][0][1].get("segments", 1))]
            for name in names
        ]
        b.header()
        print(table(["export", "median", "vs one run", "renders"], rows,
                    [False, True, True, True]))
        estimate(runs["segments, --executor local"], fine, base)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
