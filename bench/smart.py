"""Smart render: a 10-minute 1080p30 recording with a 5 s logo, a 4 s caption and a
trim from a non-keyframe, exported three ways, side by side:

* ``tlc export --smart on``: the GOPs no edit touches copied, the rest re-encoded;
* ``tlc export --smart off``: the one-run re-encode of the whole program;
* the hand-written single ffmpeg pass a user would write for the same edit.

The source is made once (x264 veryfast, CRF 23, a keyframe every 2 s, B-frames,
stereo AAC:
what a camera or a screen recorder writes) and kept in ``bench/out/`` (about 400 MB,
never in the tests). Both re-encodes use x264 ``veryfast`` (tlc's ``preview``),
the source's own speed, so the smart spans and the full encodes cost the same per
frame. Each result is probed (its frame count must be the timeline's), and the share
of frames re-encoded is read from ``tlc explain``.

    python bench/smart.py                 # smart 3 runs, the two full encodes 1 run
    python bench/smart.py --runs 5 --full-runs 2

Times are printed, never asserted; this is not part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    ROOT,
    Variant,
    ffmpeg,
    load,
    machine,
    measure,
    probe,
    table,
    tlc_command,
)

OUT = ROOT / "bench" / "out"
SOURCE = OUT / "smart-source-v2.mp4"  # v2: stereo sound, as cameras record it
SECONDS, FPS = 600, 30
TRIM = 0.5  # frame 15: not a keyframe (they are every 2 s)
FRAMES = round((SECONDS - TRIM) * FPS)
LOGO_AT, CAPTION_AT = (60, 65), (120, 124)

TIMELINE = f"""output "smart-out.mp4" {{
  size 1920x1080
  fps {FPS}
  preset preview
}}
video {{
  clip "{SOURCE.name}" trim {TRIM}s..{SECONDS}s
}}
overlay {{
  image "smart-logo.png" at {LOGO_AT[0]}s..{LOGO_AT[1]}s pos 40,40
  text "Chapter two" at {CAPTION_AT[0]}s..{CAPTION_AT[1]}s size 64 box
}}
"""


def make_media(ff: str) -> None:
    """The source (once: kept in bench/out) and the logo."""
    OUT.mkdir(parents=True, exist_ok=True)
    quiet = [ff, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    if not SOURCE.exists():
        print(f"  making {SOURCE.name} ({SECONDS} s of 1080p{FPS}), once ...", file=sys.stderr)
        tmp = SOURCE.with_suffix(".tmp.mp4")
        subprocess.run([
            *quiet, "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate={FPS}:duration={SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
            "-map", "0:v", "-map", "1:a", "-ac", "2", "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "23", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", str(tmp),
        ], check=True)
        tmp.rename(SOURCE)
    logo = OUT / "smart-logo.png"
    if not logo.exists():
        subprocess.run([*quiet, "-f", "lavfi", "-i", "color=orange:s=240x120", "-frames:v", "1",
                        str(logo)], check=True)


def hand_written(ff: str, out: Path) -> list[str]:
    """The single ffmpeg pass a user would write for the same edit."""
    caption = (f"drawtext=text='Chapter two':fontsize=64:fontcolor=white:box=1:"
               f"boxcolor=black@0.5:boxborderw=16:x=(w-text_w)/2:y=(h-text_h)/2:"
               f"enable='between(t,{CAPTION_AT[0]},{CAPTION_AT[1]})'")
    graph = (f"[0:v][1:v]overlay=40:40:enable='between(t,{LOGO_AT[0]},{LOGO_AT[1]})',"
             f"{caption}[v]")
    return [ff, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-ss", str(TRIM), "-i", str(SOURCE), "-i", str(OUT / "smart-logo.png"),
            "-filter_complex", graph, "-map", "[v]", "-map", "0:a",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", str(out)]


def reencoded_share(tl: Path) -> tuple[int, int]:
    """(frames re-encoded, frames in all) of the smart export, from ``tlc explain``."""
    text = subprocess.run([*tlc_command(), "explain", str(tl), "--smart", "on"],
                          capture_output=True, text=True, check=True, cwd=ROOT).stdout
    runs = re.findall(r"^note:   (copy|re-encode) +source \S+ \((\d+) frames\)", text, re.M)
    spans = sum(int(n) for kind, n in runs if kind == "re-encode")
    return spans, sum(int(n) for _, n in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of the smart export")
    parser.add_argument("--full-runs", type=int, default=1,
                        help="runs of each full re-encode (minutes each)")
    args = parser.parse_args(argv)
    ff, version = ffmpeg()
    make_media(ff)
    tl = OUT / "smart.tl"
    tl.write_text(TIMELINE)
    tlc = [*tlc_command(), "export", "-y", "--progress", "none", str(tl)]
    smart = Variant("tlc --smart on", [*tlc, "--smart", "on", "-o", str(OUT / "smart-on.mp4")],
                    OUT / "smart-on.mp4")
    off = Variant("tlc --smart off", [*tlc, "--smart", "off", "-o", str(OUT / "smart-off.mp4")],
                  OUT / "smart-off.mp4")
    hand = Variant("hand-written ffmpeg", hand_written(ff, OUT / "smart-hand.mp4"),
                   OUT / "smart-hand.mp4")
    spans, total = reencoded_share(tl)
    load_before = load()

    def check(v: Variant) -> None:
        frames = probe(v.output).frames
        if abs(frames - FRAMES) > 1:
            v.failed = f"{frames} frames, the timeline has {FRAMES}"

    measure([smart], args.runs, check, "smart")
    measure([off, hand], args.full_runs, check, "full")
    rows = []
    for v in (smart, off, hand):
        rows.append([
            v.name, str(len(v.times)), f"{v.median:.1f}", f"{v.cpu_median:.1f}",
            f"{v.median / smart.median:.1f}x" if v is not smart else "1.0x",
            f"{v.cpu_median / smart.cpu_median:.1f}x" if v is not smart else "1.0x",
            v.failed or "ok",
        ])
    print(f"smart render: {SECONDS} s 1080p{FPS}, {FRAMES} frames out; {machine()}; {version}")
    print(f"re-encoded by smart render: {spans} of {total} frames ({100 * spans / total:.2f} %)")
    print(table(["variant", "runs", "wall s (median)", "cpu s (median)", "wall vs smart",
                 "cpu vs smart", "result"], rows,
                [False, True, True, True, True, True, False]))
    print(f"load average before: {load_before}; after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
