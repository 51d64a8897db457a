"""What each pass buys: tlc export with all passes, -O0, each pass off, and by hand.

For examples/teaser.tl, examples/join.tl and examples/transitions.tl this times, as
whole processes and round-robin (see bench/_common.py), ``tlc export`` with all
passes, with ``-O0``, and with ``--disable-pass NAME`` for every pass, beside one
ffmpeg command written by hand for the same result. Each variant's output is probed
once (length, streams) so a fast variant that renders something else is flagged.
Then it prints a table per timeline and the project's targets:

* all passes within 1.15x of the hand-written command (teaser, join, transitions);
* all passes at least 4x faster than -O0 on the teaser (and, printed, on the
  transitions timeline);
* start-up: for join8 (a copy join of 8 clips: the video copied, the sound encoded,
  written at run time), at most 0.15 s of ``tlc export``'s wall time spent outside
  ffmpeg. Its table has a row "ffmpeg alone": the very argv tlc runs (from ``tlc print
  --format json``, with ``-progress pipe:1 -nostats`` as tlc adds them), timed in the
  same rounds, and a row "tlc outside ffmpeg": the median of the whole ``tlc export``
  less that median (wall and cpu); and "tlc outside its run (log)": each export less
  its ffmpeg run's seconds as tlc's export log has them, run by run (on a busy
  machine, the steadier of the two wall figures).

    python bench/passes.py              # 5 rounds (several minutes)
    python bench/passes.py --runs 3
    python bench/passes.py --quick      # 1 round
    python bench/passes.py --only join
    python bench/passes.py --only join8 --runs 15   # start-up only (under a minute)

Times are printed, never asserted; this is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _common import (
    EXAMPLES,
    MEDIA,
    Probed,
    Variant,
    ensure_media,
    ffmpeg,
    load,
    machine,
    measure,
    probe,
    python_env,
    run_timed,
    table,
    tlc_command,
    tlc_steps,
)

HAND = "hand-written ffmpeg"
ALL = "tlc, all passes"
O0 = "tlc -O0"
ALONE = "ffmpeg alone (tlc's argv)"
OUTSIDE = "tlc outside ffmpeg"
OUTSIDE_LOG = "tlc outside its run (log)"
MAX_OVER_HAND = 1.15
MIN_OVER_O0 = 4.0
MAX_OUTSIDE = 0.15  # seconds of a copy join's `tlc export` not spent in ffmpeg
JOIN8 = (1, 2, 3, 1, 2, 3, 1, 2)  # the parts of join8, in order

# Every hand-written command starts so: quiet, never prompts, overwrites its own output.
QUIET = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
# What tlc writes for `preset production` with x264 (plugins/x264.py), and its defaults.
X264_PRODUCTION = ["-c:v", "libx264", "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p"]
AAC_192K = ["-c:a", "aac", "-b:a", "192k"]


def teaser_by_hand(ff: str, out: Path, _work: Path) -> list[str]:
    """examples/teaser.tl as one ffmpeg command, written the way one would by hand.

    The trims are input options (-ss/-t, so the demuxer seeks); every clip is fitted
    to 1280x720 only where it is not already, brought to 30 fps only where it is
    not already; the gap is a colour source and silence; the still loops; one
    concat joins pictures and sound; the overlays, the caption and the picture in
    picture are switched by `enable`; the music is mixed under without amix's
    normalization.
    """
    m = MEDIA
    fit = (
        "scale=1280:720:force_original_aspect_ratio=decrease,"
        "pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )
    graph = ";".join([
        # the program: six segments, each a picture and its sound
        "[0:v]setsar=1[v0]",                                   # intro: already 1280x720@30
        f"[1:v]{fit},fps=30,trim=duration=3.5[v1]",            # a: 1080p@25
        f"[2:v]{fit},fps=30[v2]",                              # b: 640x480@24
        "color=black:s=1280x720:r=30:d=1,setsar=1[v3]",        # gap 1s
        "anullsrc=r=48000:cl=stereo:d=1[a3]",
        "[3:v]format=yuv420p,setsar=1[v4]",                    # still, 1280x720 rgb
        "anullsrc=r=48000:cl=stereo:d=1.5[a4]",
        f"[4:v]{fit}[v5]",                                     # c: 960x540@30, no sound
        "anullsrc=r=48000:cl=stereo:d=2.5[a5]",
        "[v0][0:a][v1][1:a][v2][2:a][v3][a3][v4][a4][v5][a5]concat=n=6:v=1:a=1[prog][pa]",
        # drawn on top: logo twice (once see-through), caption, picture in picture
        "[5:v]split[l1][l2]",
        "[l2]format=rgba,colorchannelmixer=aa=0.6[l2a]",
        "[6:v]scale=320:180,setpts=PTS-STARTPTS+6/TB[pip]",
        "[prog][l1]overlay=20:20:enable='between(t,0,3)'[o1]",
        "[o1][l2a]overlay=1060:620:enable='between(t,9,12)',"
        "drawtext=text='Chapter 1':fontsize=48:fontcolor=white"
        ":x=(w-text_w)/2:y=(h-text_h)/2:box=1:boxcolor=black@0.5:boxborderw=12"
        ":enable='between(t,3,6)'[o2]",
        "[o2][pip]overlay=900:40:eof_action=pass:enable='between(t,6,10)'[v]",
        # the music under the program's sound
        "[7:a]volume=-12dB,afade=t=in:d=1,afade=t=out:st=12.5:d=2[music]",
        "[pa][music]amix=inputs=2:duration=first:normalize=0[a]",
    ])
    return [
        ff, *QUIET,
        "-i", str(m / "intro.mp4"),
        "-ss", "2", "-t", "3.5", "-i", str(m / "a.mp4"),
        "-ss", "3", "-t", "3", "-i", str(m / "b.mov"),
        "-loop", "1", "-framerate", "30", "-t", "1.5", "-i", str(m / "still.png"),
        "-t", "2.5", "-i", str(m / "c.mp4"),
        "-i", str(m / "logo.png"),
        "-t", "4", "-i", str(m / "pip.mp4"),
        "-t", "14.5", "-i", str(m / "music.m4a"),
        "-filter_complex", graph,
        "-map", "[v]", "-map", "[a]",
        *X264_PRODUCTION, *AAC_192K, "-movflags", "+faststart", str(out),
    ]


def join_by_hand(ff: str, out: Path, work: Path, parts: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """examples/join.tl by hand: the concat demuxer, video copied, audio encoded once."""
    listing = work / f"join{len(parts)}-list.txt"
    listing.write_text("".join(f"file '{MEDIA / f'part{i}.mp4'}'\n" for i in parts))
    return [
        ff, *QUIET, "-f", "concat", "-safe", "0", "-i", str(listing),
        "-map", "0:v", "-map", "0:a", "-c:v", "copy", *AAC_192K,
        "-movflags", "+faststart", str(out),
    ]


def transitions_by_hand(ff: str, out: Path, _work: Path) -> list[str]:
    """examples/transitions.tl as one ffmpeg command, written by hand.

    Each clip is fitted and brought to 30 fps only where it is not already; xfade
    joins the pictures (offsets: the length so far minus the transition), acrossfade
    the sound (equal power, qsin), silence stands in for c.mp4's missing sound; the
    music is mixed under without amix's normalization.
    """
    m = MEDIA
    fit = (
        "scale=1280:720:force_original_aspect_ratio=decrease,"
        "pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )
    audio = "aformat=sample_rates=48000:channel_layouts=stereo"
    graph = ";".join([
        "[0:v]settb=1/30,setsar=1[v0]",                         # intro: already 1280x720@30
        f"[1:v]{fit},fps=30,settb=1/30[v1]",                    # a: 1080p@25
        f"[2:v]{fit},fps=30,settb=1/30[v2]",                    # b: 640x480@24
        f"[3:v]{fit},settb=1/30[v3]",                           # c: 960x540@30
        "[v0][v1]xfade=transition=fade:duration=0.5:offset=2.5[x1]",
        "[x1][v2]xfade=transition=wipeleft:duration=1:offset=5[x2]",
        "[x2][v3]xfade=transition=slideup:duration=0.5:offset=7.5,format=yuv420p[v]",
        f"[0:a]{audio}[a0]", f"[1:a]{audio}[a1]", f"[2:a]{audio}[a2]",
        "anullsrc=r=48000:cl=stereo:d=2.5[a3]",
        "[a0][a1]acrossfade=d=0.5:c1=qsin:c2=qsin[y1]",
        "[y1][a2]acrossfade=d=1:c1=qsin:c2=qsin[y2]",
        "[y2][a3]acrossfade=d=0.5:c1=qsin:c2=qsin[y3]",
        "[4:a]volume=-12dB,afade=t=out:st=8:d=2[music]",
        "[y3][music]amix=inputs=2:duration=first:normalize=0[a]",
    ])
    return [
        ff, *QUIET,
        "-t", "3", "-i", str(m / "intro.mp4"),
        "-ss", "2", "-t", "3.5", "-i", str(m / "a.mp4"),
        "-ss", "3", "-t", "3", "-i", str(m / "b.mov"),
        "-t", "2.5", "-i", str(m / "c.mp4"),
        "-t", "10", "-i", str(m / "music.m4a"),
        "-filter_complex", graph,
        "-map", "[v]", "-map", "[a]",
        *X264_PRODUCTION, *AAC_192K, "-movflags", "+faststart", str(out),
    ]


def join8_by_hand(ff: str, out: Path, work: Path) -> list[str]:
    return join_by_hand(ff, out, work, JOIN8)


@dataclass(frozen=True)
class Timeline:
    name: str
    file: Path
    seconds: float  # the timeline's length
    fps: float
    by_hand: Callable[[str, Path, Path], list[str]]
    startup: bool = False  # only all passes, beside tlc's own argv run alone (no pass off)


TIMELINES = (
    Timeline("teaser", EXAMPLES / "teaser.tl", 14.5, 30, teaser_by_hand),
    Timeline("join", EXAMPLES / "join.tl", 9.0, 30, join_by_hand),
    Timeline("transitions", EXAMPLES / "transitions.tl", 10.0, 30, transitions_by_hand),
    # (written at run time into the bench's temp dir: see write_join8)
    Timeline("join8", Path("join8.tl"), 24.0, 30, join8_by_hand, startup=True),
)


def write_join8(tl: Timeline, work: Path) -> Timeline:
    """join8.tl: examples/join.tl's parts, 8 clips back to back (video copied)."""
    clips = "".join(f'  clip "{MEDIA / f"part{i}.mp4"}"\n' for i in JOIN8)
    path = work / tl.file
    path.write_text(f'output "out/join8.mp4" {{\n  size 1280x720\n  fps 30\n}}\n\n'
                    f"video {{\n{clips}}}\n")
    return Timeline(tl.name, path, tl.seconds, tl.fps, tl.by_hand, tl.startup)


def alone(steps: list[dict[str, object]], out: Path, work: Path) -> Variant:
    """tlc's one ffmpeg run by itself: its argv as tlc runs it (with ``-progress pipe:1
    -nostats``), writing ``out``, its aux files (the concat list) written here once,
    under a name tlc's sweep of orphaned work directories leaves alone."""
    (step,) = steps
    text = json.dumps(step)
    found = re.search(r"/[^\"]*\.tlc-work-[0-9]+-[0-9a-f]+-[0-9a-f]+", text)
    if found:
        text = text.replace(found[0], str(work / "alone-aux"))
    step = json.loads(text)
    for aux in step["files"]:
        Path(aux["path"]).parent.mkdir(parents=True, exist_ok=True)
        Path(aux["path"]).write_text(aux["content"])
    argv = [str(a) for a in step["argv"]]
    argv = [argv[0], "-progress", "pipe:1", "-nostats", *argv[1:]]
    return Variant(ALONE, argv, out, runs=1)


def variants(tl: Timeline, ff: str, work: Path, env: dict[str, str]) -> list[Variant]:
    """The hand-written command, then tlc with all passes, -O0, and each pass off (for a
    start-up timeline: all passes, and its ffmpeg run alone)."""
    from tlc.passes import PASS_NAMES

    tlc_options: list[tuple[str, list[str]]] = [(ALL, []), (O0, ["-O0"])]
    tlc_options += [(f"tlc, no {p}", ["--disable-pass", p]) for p in PASS_NAMES]
    if tl.startup:
        tlc_options = [(ALL, [])]

    hand_out = work / f"{tl.name}-hand.mp4"
    found = [Variant(HAND, tl.by_hand(ff, hand_out, work), hand_out, runs=1)]
    for i, (name, options) in enumerate(tlc_options):
        out = work / f"{tl.name}-{i}.mp4"
        steps = tlc_steps(tl.file, "-o", str(out), *options, env=env)  # also warms bytecode
        others = sorted({str(s["argv"][0]) for s in steps} - {ff})  # type: ignore[index]
        if others:
            print(f"warning: {tl.name}: {name} runs {', '.join(others)}, not {ff}")
        argv = [*tlc_command(), "export", str(tl.file), "-o", str(out), "-y",
                "--progress", "none", *options]
        found.append(Variant(name, argv, out, runs=len(steps), plan=_plan(steps, out)))
        if tl.startup and name == ALL:  # its export log: each run's seconds, as tlc timed it
            found[-1].env["TLC_LOG"] = str(work / f"{tl.name}-exports.jsonl")
        if tl.startup and name == ALL:
            found.append(alone(steps, out, work))
    return found


def _plan(steps: list[dict[str, object]], out: Path) -> str:
    """The ffmpeg runs, with the names that change from export to export made alike."""
    text = json.dumps([s["argv"] for s in steps]).replace(str(out), "OUT")
    return re.sub(r"\.tlc-work-[0-9]+-[0-9a-f]+", "WORK", text)


def checker(tl: Timeline, reference: Probed | None) -> Callable[[Variant], None]:
    """Check a variant's output against the timeline's length and the hand-written streams."""
    frame = 1 / tl.fps

    def check(v: Variant) -> None:
        try:
            got = probe(v.output)
        except Exception as err:  # anything PyAV cannot open is worth a line, not a crash
            print(f"\nwarning: {tl.name}: {v.name}: cannot probe {v.output.name}: {err}")
            return
        problems = []
        lengths = [got.duration, *got.stream_durations]
        if any(not abs(x - tl.seconds) <= frame + 1e-6 for x in lengths):
            shown = ", ".join(f"{x:.3f}" for x in lengths)
            problems.append(f"lasts {shown} s, not {tl.seconds} s within a frame")
        if reference is not None and got.streams != reference.streams:
            problems.append(
                f"streams {list(got.streams)}, hand-written has {list(reference.streams)}"
            )
        if problems:
            print(f"\nwarning: {tl.name}: {v.name}: " + "; ".join(problems), flush=True)

    return check


def warm_up(tl: Timeline, hand: Variant, env: dict[str, str]) -> Probed | None:
    """Run the hand-written command once, untimed: it reads every medium into the page
    cache (so no variant pays for a cold first read) and its result is the reference."""
    _, _, proc = run_timed(hand.argv, env)
    if proc.returncode != 0:
        print(f"warning: {tl.name}: the hand-written command failed: {proc.stderr.strip()}")
        return None
    try:
        return probe(hand.output)
    except Exception as err:
        print(f"warning: {tl.name}: cannot probe the hand-written output: {err}")
        return None


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 and not math.isnan(a / b) else "-"


def report(tl: Timeline, found: list[Variant], reference: Probed | None) -> None:
    hand = next(v for v in found if v.name == HAND)
    every = next(v for v in found if v.name == ALL)
    rows = []
    for v in found:
        same = "" if v in (hand, *_named(found, ALONE)) else (
            "same" if v.plan == every.plan else "other")
        if v.failed:
            rows.append([v.name, str(v.runs), same, "failed", "", "", "", "", "", ""])
            continue
        rows.append([
            v.name, str(v.runs), same, f"{v.median:.2f}", f"{v.best:.2f}",
            ratio(v.median, hand.median), ratio(v.median, every.median),
            f"{v.cpu_median:.2f}", ratio(v.cpu_median, hand.cpu_median), str(len(v.times)),
        ])
    for a in _named(found, ALONE):
        wall, cpu = outside(every, a)
        rows.append([OUTSIDE, "", "", f"{wall:.3f}", "", "", "", f"{cpu:.3f}", "",
                     str(min(len(every.times), len(a.times)))])
        paired = outside_by_log(every)
        if paired:
            rows.append([OUTSIDE_LOG, "", "", f"{statistics.median(paired):.3f}",
                         f"{min(paired):.3f}", "", "", "", "", str(len(paired))])
    where = tl.file.relative_to(EXAMPLES.parent) if tl.file.is_relative_to(EXAMPLES) else (
        f"{tl.file.name}, written at run time")
    print(f"\n{tl.name} ({where}, {tl.seconds} s)")
    print(table(
        ["variant", "ffmpeg runs", "plan", "median s", "min s", "/ hand", "/ all",
         "cpu s", "cpu / hand", "n"],
        rows, [False, True, False, True, True, True, True, True, True, True],
    ))
    print("plan: 'same' runs exactly the ffmpeg commands of all passes (that pass changes "
          "nothing here); cpu s: user+system time of tlc and its ffmpeg runs (median)")
    if reference is not None:
        print(f"hand-written output: {reference.duration:.3f} s, {reference.frames} frames, "
              + ", ".join(reference.streams))
    for v in found:
        if v.failed:
            print(f"failed: {v.name}: {v.failed}")


def _named(found: list[Variant], name: str) -> list[Variant]:
    return [v for v in found if v.name == name]


def outside(every: Variant, by_itself: Variant) -> tuple[float, float]:
    """Seconds of ``tlc export`` spent outside its ffmpeg run: wall and cpu medians of the
    whole command less those of its argv run alone (in the same rounds)."""
    return every.median - by_itself.median, every.cpu_median - by_itself.cpu_median


def outside_by_log(every: Variant) -> list[float]:
    """Each timed ``tlc export`` less the seconds its ffmpeg run took as tlc timed it (its
    export log, ``TLC_LOG``): paired run by run, so a busy moment hits both alike."""
    log = every.env.get("TLC_LOG")
    if not log or not Path(log).exists():
        return []
    lines = [json.loads(line) for line in Path(log).read_text().splitlines() if line.strip()]
    ran = [sum(r["seconds"] for r in line["runs"]) for line in lines if line["status"] == 0]
    if len(ran) != len(every.times):
        return []  # (not one line per timed run: nothing to pair)
    return [t - r for t, r in zip(every.times, ran, strict=True)]


def _verdict(value: float, met: bool) -> str:
    return "n/a" if math.isnan(value) else "PASS" if met else "MISS"


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        epilog="Times are printed, never asserted.",
    )
    parser.add_argument("--runs", type=int, default=5, metavar="N",
                        help="rounds of every variant (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="one round (same as --runs 1)")
    parser.add_argument("--only", choices=[t.name for t in TIMELINES], action="append",
                        help="only this timeline (repeatable; default: all)")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.runs
    if rounds < 1:
        parser.error("--runs must be at least 1")
    chosen = [t for t in TIMELINES if not args.only or t.name in args.only]

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # warnings in order
    ensure_media()
    ff, version = ffmpeg()
    print(f"ffmpeg {version}: {ff}")
    print(f"{machine()}; {rounds} round(s), round-robin; times are whole processes")

    results: dict[str, list[Variant]] = {}
    logged: dict[str, list[float]] = {}  # (read before the temp dir with the logs goes)
    with tempfile.TemporaryDirectory(prefix="tlc-bench-passes-") as tmp:
        work = Path(tmp)
        env, note = python_env(work / "pycache")
        if note:
            print(f"note: {note}")
        for tl in chosen:
            if tl.name == "join8":
                tl = write_join8(tl, work)
            found = variants(tl, ff, work, env)
            reference = warm_up(tl, found[0], env)
            before = load()
            measure(found, rounds, checker(tl, reference), label=tl.name, env=env)
            report(tl, found, reference)
            print(f"load average (1, 5, 15 min): {before} before, {load()} after; "
                  f"above {os.cpu_count()} the wall times are noisy, the cpu times less so")
            results[tl.name] = found
            logged[tl.name] = outside_by_log(next(v for v in found if v.name == ALL))
            for v in found:  # free the disk between timelines
                v.output.unlink(missing_ok=True)

    print("\ntargets")
    for name, found in results.items():
        by = {v.name: v for v in found}
        if ALONE in by:
            wall, cpu_s = outside(by[ALL], by[ALONE])
            verdict = _verdict(wall, wall <= MAX_OUTSIDE)
            print(f"  {name:<11} tlc outside ffmpeg = {wall:5.3f} s "
                  f"(target <= {MAX_OUTSIDE} s)  {verdict}   [cpu time: {cpu_s:.3f} s]")
            paired = logged.get(name, [])
            if paired:
                met = statistics.median(paired)
                print(f"  {name:<11} the same, paired by tlc's export log = {met:5.3f} s  "
                      f"{_verdict(met, met <= MAX_OUTSIDE)}")
        over_hand = by[ALL].median / by[HAND].median
        verdict = _verdict(over_hand, over_hand <= MAX_OVER_HAND)
        cpu = by[ALL].cpu_median / by[HAND].cpu_median
        print(f"  {name:<11} all passes / hand-written = {over_hand:5.2f}x "
              f"(target <= {MAX_OVER_HAND})  {verdict}   [cpu time: {cpu:.2f}x]")
    if "teaser" in results:
        by = {v.name: v for v in results["teaser"]}
        speedup = by[O0].median / by[ALL].median
        verdict = _verdict(speedup, speedup >= MIN_OVER_O0)
        cpu = by[O0].cpu_median / by[ALL].cpu_median
        print(f"  teaser  -O0 / all passes         = {speedup:5.2f}x "
              f"(target >= {MIN_OVER_O0})   {verdict}   [cpu time: {cpu:.2f}x]")
    if "transitions" in results:  # (no target: how much the passes save there)
        by = {v.name: v for v in results["transitions"]}
        speedup = by[O0].median / by[ALL].median
        cpu = by[O0].cpu_median / by[ALL].cpu_median
        print(f"  transitions -O0 / all passes     = {speedup:5.2f}x   [cpu time: {cpu:.2f}x]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
