"""Incremental re-export from the segment cache: a 50-clip timeline.

Times, as whole ``tlc export`` processes (Python start-up included), round by round:

* the one-run export (no segments), for reference;
* the full incremental export: ``--incremental`` with an empty cache (every window
  of video and the sound rendered, then joined);
* the re-export with nothing changed (target: at most 5 % of the full export);
* the re-export after one clip changed: each round trims another clip differently,
  so its window and the sound are rendered again (target: at most 15 %).

Every output is probed: its frame count must be the timeline's (4,500 frames).

    python bench/incremental.py            # 3 rounds
    python bench/incremental.py --runs 5

Times are printed, never asserted; this is not part of the test suite.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clips import CLIPS, FRAMES, bench, bench_args, timed  # noqa: E402
from _common import probe, table, tlc_command  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = bench_args(__doc__ or "", argv)
    with bench(args, "tlc-bench-inc-") as b:
        cache = b.dir / "segments"
        tlc = [*tlc_command(), "export", "-y", "--progress", "json"]
        rows: dict[str, list[float]] = {k: [] for k in ("one", "full", "same", "one-clip")}
        counts: dict[str, str] = {}
        for r in range(args.runs):
            print(f"  round {r + 1}/{args.runs}", file=sys.stderr, flush=True)
            wall, _ = timed([*tlc, str(b.timeline)], b.env)
            rows["one"].append(wall)
            shutil.rmtree(cache, ignore_errors=True)
            for key, tl in (("full", b.timeline), ("same", b.timeline),
                            ("one-clip", b.write(changed=(17 * r + 5) % CLIPS))):
                wall, rep = timed([*tlc, str(tl), "--cache", str(cache)], b.env)
                rows[key].append(wall)
                counts[key] = f"{rep['rendered']} rendered, {rep['cached']} cached"
                assert probe(b.out).frames == FRAMES, probe(b.out)
        full = statistics.median(rows["full"])
        names = {
            "one": "one-run export (no segments)",
            "full": "incremental, empty cache (full)",
            "same": "re-export, nothing changed",
            "one-clip": "re-export, one clip changed",
        }
        targets = {"same": 0.05, "one-clip": 0.15}
        out_rows = []
        for key, label in names.items():
            med = statistics.median(rows[key])
            ratio = med / full
            target = targets.get(key)
            verdict = "" if target is None else ("PASS" if ratio <= target else "MISS")
            out_rows.append([label, f"{med:.2f} s", f"{ratio * 100:.1f} %",
                             f"<= {target * 100:.0f} % {verdict}" if target else "",
                             counts.get(key, "1 run")])
        b.header()
        print(table(["export", "median", "of full", "target", "segments"], out_rows,
                    [False, True, True, False, False]))
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
