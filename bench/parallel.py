"""Parallel segment renders on this machine: --jobs 1, --jobs 2, Dask with 2 workers.

The 50-clip timeline of bench/incremental.py (150 s, 960x540 @ 30, preset preview),
exported as whole ``tlc export`` processes, round-robin:

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

import argparse
import heapq
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clips import CLIPS, make_clips, timed, write_timeline  # noqa: E402
from _common import ffmpeg, load, machine, probe, python_env, table, tlc_command  # noqa: E402


def schedule(costs: list[float], workers: int) -> float:
    """When the last of ``costs`` ends, run longest first on ``workers`` (LPT)."""
    ends = [0.0] * workers
    heapq.heapify(ends)
    for c in sorted(costs, reverse=True):
        heapq.heappush(ends, heapq.heappop(ends) + c)
    return max(ends)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    ff, version = ffmpeg()
    with tempfile.TemporaryDirectory(prefix="tlc-bench-par-") as tmp:
        d = Path(tmp)
        env, note = python_env(d / "pycache")
        env["TLC_CACHE_DIR"] = str(d / "tlc-cache")
        print("making 50 clips ...", file=sys.stderr)
        clips = make_clips(ff, d / "clips")
        out = d / "out.mp4"
        tl = write_timeline(d, clips, out)
        tlc = [*tlc_command(), "export", str(tl), "-y", "--progress", "json"]
        variants = {
            "one run (no segments)": [],
            "segments, --executor local": ["--executor", "local"],
            "segments, --jobs 2 (pool)": ["--jobs", "2"],
            "segments, --executor dask --jobs 2": ["--executor", "dask", "--jobs", "2"],
        }
        times: dict[str, list[float]] = {k: [] for k in variants}
        reports: dict[str, dict[str, object]] = {}
        names = list(variants)
        for r in range(args.runs):
            print(f"  round {r + 1}/{args.runs}", file=sys.stderr, flush=True)
            for name in names[r % len(names):] + names[: r % len(names)]:
                wall, rep = timed([*tlc, *variants[name]], env)
                times[name].append(wall)
                reports[name] = rep
                assert probe(out).frames == CLIPS * 90, (name, probe(out))
        base = statistics.median(times[names[0]])
        rows = []
        for name in names:
            med = statistics.median(times[name])
            rows.append([name, f"{med:.2f} s", f"{med / base:.2f}x",
                         str(reports[name].get("segments", 1))])
        print(f"\n50 clips x 3 s = 150 s, 960x540 @ 30, preset preview; {args.runs} round(s)")
        print(f"{machine()}; load {load()}; ffmpeg {version}")
        if note:
            print(f"note: {note}")
        print(table(["export", "median", "vs one run", "renders"], rows,
                     [False, True, True, True]))

        # ---- the estimate -----------------------------------------------------------------
        local = reports["segments, --executor local"]
        renders = [(str(lbl), float(sec)) for lbl, sec in local["renders"]]  # type: ignore[union-attr]
        video = [s for lbl, s in renders if " video " in lbl]
        sound = [s for lbl, s in renders if lbl.endswith(" sound")]
        join = float(local["join_seconds"])  # type: ignore[arg-type]
        startup = statistics.median(times["segments, --executor local"]) - sum(
            s for _, s in renders) - join
        print(f"\nper-render costs (--executor local, one render at a time): "
              f"{len(video)} video windows, median {statistics.median(video):.2f} s, "
              f"max {max(video):.2f} s, sum {sum(video):.2f} s; sound {sum(sound):.2f} s; "
              f"join {join:.2f} s; the rest (start-up, probe, plan) {startup:.2f} s")
        est = []
        for n in (1, 2, 4, 16, 64):
            render = schedule(video + sound, n)
            total = startup + render + join
            est.append([str(n), f"{render:.2f} s", f"{join:.2f} s", f"{total:.2f} s",
                        f"{(startup + sum(video) + sum(sound) + join) / total:.1f}x"])
        print("estimate with these windows (one worker = one core's worth of render):")
        print(table(["workers", "renders", "join", "export", "speed-up"], est,
                    [True, True, True, True, True]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
