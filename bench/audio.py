"""Audio-only export at the encoder's floor: 50 AAC clips of 3 s to one M4A.

Makes 50 clips (44.1 kHz stereo AAC, 3 s each: 150 s in all) and times, as whole
processes and round-robin (see bench/_common.py), side by side:

* ``tlc export`` re-encoding (one ffmpeg run: the concat demuxer, one AAC encode);
* ``tlc export`` with ``audio copy`` (no re-encode; priming at every join);
* the hand-written gapless command: the concat demuxer and one AAC encode;
* ``tlc -O0``, tlc's naive plan (every clip its own input, mixed, encoded twice);
* the naive per-clip pipeline: one ffmpeg per clip (decode to WAV), then one encode;
* a chunked parallel encode (a prototype, not in tlc): the time split in K chunks
  encoded at once by one ffmpeg, each chunk with a little pre-roll and post-roll,
  joined by a packet copy that drops them (a second ffmpeg);
* MoviePy, when it is installed (``pip install tlc[bench]``, or ``--moviepy-python``
  naming a Python that has it).

Every output is decoded once with ffmpeg's own decoder: its length is printed beside
the time. Then the acceptance lines of the issue, and the cost of probing 500 files
twice (the second time from the cache).

    python bench/audio.py               # 5 rounds
    python bench/audio.py --runs 3
    python bench/audio.py --moviepy-python /path/to/venv/bin/python

Times are printed, never asserted; this is not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Variant, ffmpeg, machine, measure, python_env, table, tlc_command, tlc_steps

CLIPS = 50
SECONDS = 3
RATE = 44100
FRAME = 1024  # samples in an AAC frame: the tolerance on the length
QUIET = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
AAC = ["-c:a", "aac", "-b:a", "192k"]

HAND = "hand-written gapless ffmpeg"
TLC = "tlc export (re-encode)"
COPY = "tlc export, audio copy"


def make_clips(ff: str, d: Path) -> list[Path]:
    """50 distinct 3 s clips: a tone over quiet pink noise, encoded like a phone app's."""
    paths = [d / f"clip{i:02d}.m4a" for i in range(1, CLIPS + 1)]
    procs: list[subprocess.Popen[bytes]] = []
    for i, p in enumerate(paths):
        src = (f"sine=frequency={200 + 10 * i}:sample_rate={RATE}:duration={SECONDS}[t];"
               f"anoisesrc=color=pink:amplitude=0.05:sample_rate={RATE}:duration={SECONDS}[n];"
               "[t][n]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo")
        procs.append(subprocess.Popen([ff, *QUIET, "-filter_complex", src, "-c:a", "aac",
                                       "-b:a", "128k", str(p)]))
        if len(procs) >= (os.cpu_count() or 2) * 2:
            for proc in procs:
                proc.wait()
            procs = []
    for proc in procs:
        proc.wait()
    return paths


def write_timeline(d: Path, clips: list[Path], name: str, audio: str) -> Path:
    tl = d / f"{name}.tl"
    body = "\n".join(f'  clip "{c.name}"' for c in clips)
    tl.write_text(f'output "{name}.m4a" {audio}\naudio {{\n{body}\n}}\n')
    return tl


def hand_written(ff: str, d: Path, clips: list[Path], out: Path) -> list[str]:
    """The command one writes knowing ffmpeg well. Whole clips need no inpoint/outpoint
    (an `inpoint 0` would even lose each file's priming packet, and with it the
    decoder's pre-roll); `asetpts` starts the output at the first real sample (the
    concat input starts at the first file's priming, -23 ms, and without it the
    encoder would keep those 23 ms as sound)."""
    listing = d / "hand-list.txt"
    listing.write_text("".join(f"file '{c}'\n" for c in clips))
    return [ff, *QUIET, "-f", "concat", "-safe", "0", "-i", str(listing),
            "-af", "asetpts=PTS-STARTPTS", *AAC, str(out)]


def per_clip(ff: str, d: Path, clips: list[Path], out: Path) -> list[str]:
    """The naive pipeline: a process per clip (decode to WAV), then one encode."""
    lines = ["set -e"]
    listing = d / "wav-list.txt"
    wavs = [d / f"part{i:02d}.wav" for i in range(len(clips))]
    for c, w in zip(clips, wavs, strict=True):
        lines.append(" ".join([ff, *QUIET, "-i", str(c), "-c:a", "pcm_s16le", str(w)]))
    listing.write_text("".join(f"file '{w}'\n" for w in wavs))
    lines.append(" ".join([ff, *QUIET, "-f", "concat", "-safe", "0", "-i", str(listing),
                           *AAC, str(out)]))
    script = d / "per-clip.sh"
    script.write_text("\n".join(lines) + "\n")
    return ["sh", str(script)]


MOVIEPY = """
import sys
from moviepy import AudioFileClip, concatenate_audioclips
clips = [AudioFileClip(p) for p in sys.argv[2:]]
concatenate_audioclips(clips).write_audiofile(
    sys.argv[1], fps=44100, codec="aac", bitrate="192k", logger=None)
"""


def moviepy_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    return sys.executable if importlib.util.find_spec("moviepy") else None


# ---- the chunked parallel encode (a prototype) ------------------------------------------------


PRE = POST = 2 * FRAME  # pre-roll and post-roll of each chunk, in samples


def chunked(ff: str, clips: list[str], out: str, k: int, work: str) -> None:
    """Encode [0, N) as ``k`` chunks at once, then join them by packet copy.

    Chunk i covers [b_i, b_i+1), b_i a multiple of the AAC frame. It is encoded from
    b_i - PRE to b_i+1 + POST; its first PRE/1024 + 1 packets (priming and pre-roll)
    and the packets after b_i+1 are dropped in the join. The packets on each side of
    a join were both coded from the true signal around it, so the decoder's overlap-add
    cancels as it does inside one encode.
    """
    each = SECONDS * RATE
    total = len(clips) * each
    bounds = [0, *[(total * i // k) // FRAME * FRAME for i in range(1, k)], total]
    inputs: list[str] = []
    graph: list[str] = []
    outs: list[str] = []
    for i in range(k):
        lo = max(0, bounds[i] - (PRE if i else 0))
        hi = min(total, bounds[i + 1] + (POST if i < k - 1 else 0))
        first, last = lo // each, (hi - 1) // each
        listing = os.path.join(work, f"chunk-in{i}.txt")
        with open(listing, "w") as fh:
            fh.write("".join(f"file '{c}'\n" for c in clips[first:last + 1]))
        inputs += ["-f", "concat", "-safe", "0", "-i", listing]
        cut = f"atrim=start_sample={lo - first * each}:end_sample={hi - first * each}"
        graph.append(f"[{i}:a]asetpts=PTS-STARTPTS,{cut},asetpts=PTS-STARTPTS[c{i}]")
        outs += ["-map", f"[c{i}]", *AAC, os.path.join(work, f"chunk{i}.m4a")]
    subprocess.run([ff, *QUIET, *inputs, "-filter_complex", ";".join(graph), *outs],
                   check=True)
    lines = ["ffconcat version 1.0"]
    for i in range(k):
        lines.append(f"file chunk{i}.m4a")
        if i:
            lines.append(f"inpoint {PRE / RATE:.6f}")  # lands on the packet that starts there
        if i < k - 1:
            span = bounds[i + 1] - bounds[i]
            lines.append(f"duration {span / RATE:.6f}")  # so the next chunk's packets follow
            lines.append(f"outpoint {(span + (PRE if i else 0) - FRAME // 2) / RATE:.6f}")
    join = os.path.join(work, "chunk-join.txt")
    with open(join, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    # -copyts keeps the first chunk's priming at -1024 samples, so the MP4 edit list
    # drops it as it does in any AAC file
    subprocess.run([ff, *QUIET, "-copyts", "-f", "concat", "-i", join, "-c", "copy",
                    "-movflags", "+faststart", out], check=True)


# ---- measuring and reporting ------------------------------------------------------------------


def decoded_samples(ff: str, path: Path) -> int:
    proc = subprocess.run([ff, "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
                           "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"],
                          capture_output=True, check=True)
    return len(proc.stdout) // 2


def probe_500(clips: list[Path], d: Path) -> tuple[float, float]:
    """Seconds to probe 500 files with an empty cache, then again from the cache."""
    many = d / "probe500"
    many.mkdir()
    paths = []
    for i in range(500):
        p = many / f"c{i:03d}.m4a"
        try:
            os.link(clips[i % len(clips)], p)
        except OSError:
            shutil.copyfile(clips[i % len(clips)], p)
        paths.append(str(p))
    os.environ["TLC_CACHE_DIR"] = str(d / "probe-cache")
    from tlc.media.probe import probe_many

    started = time.perf_counter()
    first = probe_many(paths)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    assert probe_many(paths) == first
    return cold, time.perf_counter() - started


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 and not math.isnan(a / b) else "-"


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                     epilog="Times are printed, never asserted.")
    parser.add_argument("--runs", type=int, default=5, metavar="N",
                        help="rounds of every variant (default: %(default)s)")
    parser.add_argument("--chunks", type=int, action="append", metavar="K",
                        help="chunked prototype with K chunks (repeatable; default: 2 and 4)")
    parser.add_argument("--moviepy-python", metavar="PYTHON",
                        help="a Python with moviepy installed (default: this one, if it has it)")
    parser.add_argument("--chunked-run", nargs=4, metavar=("FF", "OUT", "K", "WORK"),
                        help=argparse.SUPPRESS)  # the chunked variant's own process
    parser.add_argument("clips", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.chunked_run:
        ff, out, k, work = args.chunked_run
        chunked(ff, args.clips, out, int(k), work)
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    ff, version = ffmpeg()
    print(f"ffmpeg {version}: {ff}")
    print(f"{machine()}; {args.runs} round(s), round-robin; times are whole processes")
    with tempfile.TemporaryDirectory(prefix="tlc-bench-audio-") as tmp:
        d = Path(tmp)
        env, note = python_env(d / "pycache")
        if note:
            print(f"note: {note}")
        env["TLC_CACHE_DIR"] = str(d / "cache")
        clips = make_clips(ff, d)
        reencode = write_timeline(d, clips, "tlc", "audio aac 192k")
        copy = write_timeline(d, clips, "copy", "audio copy")
        found: list[Variant] = []
        out = d / "hand.m4a"
        found.append(Variant(HAND, hand_written(ff, d, clips, out), out))
        for name, tl, opts in ((TLC, reencode, []), (COPY, copy, []),
                               ("tlc -O0 (naive plan)", reencode, ["-O0"])):
            out = d / f"{tl.stem}{'-O0' if opts else ''}.m4a"
            steps = tlc_steps(tl, "-o", str(out), *opts, env=env)  # also warms probe cache
            argv = [*tlc_command(), "export", str(tl), "-o", str(out), "-y",
                    "--progress", "none", *opts]
            found.append(Variant(name, argv, out, runs=len(steps)))
        out = d / "per-clip.m4a"
        found.append(Variant("naive per-clip pipeline", per_clip(ff, d, clips, out), out,
                             runs=CLIPS + 1))
        for k in args.chunks or [2, 4]:
            out = d / f"chunked{k}.m4a"
            argv = [sys.executable, __file__, "--chunked-run", ff, str(out), str(k), str(d),
                    *map(str, clips)]
            found.append(Variant(f"chunked prototype, {k} chunks", argv, out, runs=2))
        mp = moviepy_python(args.moviepy_python)
        if mp:
            out = d / "moviepy.m4a"
            found.append(Variant("MoviePy", [mp, "-c", MOVIEPY, str(out), *map(str, clips)],
                                 out, runs=CLIPS + 1))
            env["FFMPEG_BINARY"] = ff  # the same ffmpeg for everyone
        lengths: dict[str, int] = {}

        def check(v: Variant) -> None:
            lengths[v.name] = decoded_samples(ff, v.output)

        measure(found, args.runs, check, label="audio", env=env)

        want = CLIPS * SECONDS * RATE
        hand = next(v for v in found if v.name == HAND)
        rows = []
        for v in found:
            if v.failed:
                rows.append([v.name, str(v.runs), "failed", "", "", "", ""])
                continue
            n = lengths.get(v.name, 0)
            rows.append([v.name, str(v.runs), f"{v.median:.2f}", f"{v.best:.2f}",
                         ratio(v.median, hand.median), f"{n / RATE:.3f}",
                         f"{(n - want) * 1000 / RATE:+.1f}"])
        print(f"\n{CLIPS} clips x {SECONDS} s = {CLIPS * SECONDS} s, AAC 192k, {RATE} Hz")
        print(table(["variant", "ffmpeg runs", "median s", "min s", "/ hand",
                     "decoded s", "off by ms"], rows,
                    [False, True, True, True, True, True, True]))
        if not mp:
            print("MoviePy: not installed (pip install 'tlc[bench]', or --moviepy-python)")
        for v in found:
            if v.failed:
                print(f"failed: {v.name}: {v.failed}")

        cold, warm = probe_500(clips, d)
        print(f"\nprobe 500 files: {cold:.2f} s with an empty cache, {warm * 1000:.0f} ms "
              "the second time (one cache file, no media opened)")

        by = {v.name: v for v in found}
        over = by[TLC].median / hand.median
        off = abs(lengths.get(TLC, 0) - want)
        print("\nacceptance")
        print(f"  re-encode: {by[TLC].runs} ffmpeg run, decoded {lengths.get(TLC, 0) / RATE:.3f} s "
              f"({'within' if off <= FRAME else 'NOT within'} one AAC frame of 150 s), "
              f"{over:.2f}x the hand-written command (target <= 1.15): "
              f"{'PASS' if over <= 1.15 and off <= FRAME and by[TLC].runs == 1 else 'MISS'}")
        print(f"  audio copy: {by[COPY].median:.2f} s for the whole tlc process (target < 0.5): "
              f"{'PASS' if by[COPY].median < 0.5 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
