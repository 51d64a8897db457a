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

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clips import CLIPS, make_clips, timed, write_timeline  # noqa: E402
from _common import ffmpeg, load, machine, probe, python_env, table, tlc_command  # noqa: E402

FRAMES = CLIPS * 90


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--preset", default="production")
    args = ap.parse_args(argv)
    look = {"size": args.size, "preset": args.preset}
    ff, version = ffmpeg()
    with tempfile.TemporaryDirectory(prefix="tlc-bench-inc-") as tmp:
        d = Path(tmp)
        env, note = python_env(d / "pycache")
        env["TLC_CACHE_DIR"] = str(d / "tlc-cache")  # probes; segments go to --cache
        print("making 50 clips ...", file=sys.stderr)
        clips = make_clips(ff, d / "clips")
        out = d / "out.mp4"
        base = write_timeline(d, clips, out, **look)
        cache = d / "segments"
        tlc = [*tlc_command(), "export", "-y", "--progress", "json"]
        rows: dict[str, list[float]] = {k: [] for k in ("one", "full", "same", "one-clip")}
        counts: dict[str, str] = {}
        for r in range(args.runs):
            print(f"  round {r + 1}/{args.runs}", file=sys.stderr, flush=True)
            wall, _ = timed([*tlc, str(base)], env)
            rows["one"].append(wall)
            shutil.rmtree(cache, ignore_errors=True)
            wall, rep = timed([*tlc, str(base), "--cache", str(cache)], env)
            rows["full"].append(wall)
            counts["full"] = f"{rep['rendered']} rendered, {rep['cached']} cached"
            wall, rep = timed([*tlc, str(base), "--cache", str(cache)], env)
            rows["same"].append(wall)
            counts["same"] = f"{rep['rendered']} rendered, {rep['cached']} cached"
            assert probe(out).frames == FRAMES, probe(out)
            changed = write_timeline(d, clips, out, changed=(17 * r + 5) % CLIPS, **look)
            wall, rep = timed([*tlc, str(changed), "--cache", str(cache)], env)
            rows["one-clip"].append(wall)
            counts["one-clip"] = f"{rep['rendered']} rendered, {rep['cached']} cached"
            assert probe(out).frames == FRAMES, probe(out)
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
        print(f"\n50 clips x 3 s = 150 s (960x540 sources) to {args.size} @ 30, preset "
              f"{args.preset}; {args.runs} round(s)")
        print(f"{machine()}; load {load()}; ffmpeg {version}")
        if note:
            print(f"note: {note}")
        print(table(["export", "median", "of full", "target", "segments"], out_rows,
                    [False, True, True, False, False]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
