"""Make the media the example timelines use, from ffmpeg's synthetic sources only.

Nothing is downloaded: every file is drawn by ffmpeg's lavfi sources (testsrc2,
smptebars, mandelbrot, sine, aevalsrc, anoisesrc, ...) with the ffmpeg that tlc
itself would run (``--ffmpeg``, ``$TLC_FFMPEG``, PATH, or the one bundled with
imageio-ffmpeg). Files that already exist are kept unless ``--force``::

    python examples/make_media.py            # into examples/media/
    python examples/make_media.py --force    # remake everything
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = HERE / "media"

# Every video is H.264 yuv420p with these options; each file adds its own size and rate.
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]


def aac(rate: int = 48000, channels: int = 2, bitrate: str = "128k") -> list[str]:
    return ["-c:a", "aac", "-ar", str(rate), "-ac", str(channels), "-b:a", bitrate]


def lavfi(graph: str) -> list[str]:
    return ["-f", "lavfi", "-i", graph]


def chord(freqs: tuple[float, ...], seconds: float, rate: int, gain: float) -> str:
    """An aevalsrc graph: a soft stereo chord that swells slowly (the right channel detuned)."""
    swell = "(0.75+0.25*sin(2*PI*0.2*t))"
    left = "+".join(f"sin(2*PI*{f}*t)" for f in freqs)
    right = "+".join(f"sin(2*PI*{f * 1.003:.3f}*t)" for f in freqs)
    g = gain / len(freqs)
    return (
        f"aevalsrc=exprs='{g}*{swell}*({left})|{g}*{swell}*({right})'"
        f":sample_rate={rate}:duration={seconds}"
    )


def voice(freq: float, syllables: float, seconds: float, rate: int) -> str:
    """An aevalsrc graph that stands in for speech: a tone pulsed a few times a second."""
    return (
        f"aevalsrc=exprs='0.4*sin(2*PI*{freq}*t)*(0.5+0.5*sin(2*PI*{syllables}*t))'"
        f":sample_rate={rate}:duration={seconds}"
    )


def join_part(index: int) -> list[str]:
    """The arguments for ``part{index}.mp4``: the parts differ only in their pictures and tone.

    Every encoding option is the same for all parts, so they can be joined by stream
    copy: 1280x720, 30 fps, yuv420p, x264 high profile, a keyframe every 30 frames
    exactly (no scene-cut keyframes), one time scale, AAC 48 kHz stereo 128k.
    Each part shows a different 3 s stretch of testsrc2's clock and a different hue.
    """
    start = 3 * (index - 1)
    video = (
        f"testsrc2=size=1280x720:rate=30:duration={start + 3},"
        f"trim=start={start},setpts=PTS-STARTPTS,hue=h={120 * (index - 1)}"
    )
    audio = f"sine=frequency={330 * index}:sample_rate=48000:duration=3"
    return [
        *lavfi(video),
        *lavfi(audio),
        *X264,
        *["-profile:v", "high", "-r", "30", "-g", "30", "-keyint_min", "30"],
        *["-sc_threshold", "0", "-video_track_timescale", "15360"],
        *aac(48000, 2, "128k"),
        "-t", "3",
    ]


@dataclass(frozen=True)
class Medium:
    name: str
    what: str
    args: list[str]


MEDIA: tuple[Medium, ...] = (
    # --- the teaser (output 1280x720 @ 30 fps) ---
    Medium("intro.mp4", "1280x720 30 fps h264+aac 3 s", [
        *lavfi("testsrc2=size=1280x720:rate=30:duration=3"),
        *lavfi("sine=frequency=660:beep_factor=4:sample_rate=48000:duration=3"),
        *X264, *aac(), "-t", "3",
    ]),
    Medium("a.mp4", "1920x1080 25 fps h264+aac 8 s, colour bars + tone", [
        *lavfi(
            "smptebars=size=1920x1080:rate=25:duration=8,"
            "drawbox=x='mod(t*300,1920)':y=900:w=120:h=120:color=white:t=fill"
        ),
        *lavfi("sine=frequency=1000:sample_rate=48000:duration=8,volume=0.3"),
        *X264, *aac(), "-t", "8",
    ]),
    Medium("b.mov", "640x480 24 fps h264+aac in mov 12 s, mandelbrot", [
        *lavfi("mandelbrot=size=640x480:rate=24:maxiter=256,trim=duration=12"),
        *lavfi(chord((196.0, 246.94), 12, 48000, 0.4)),
        *X264, *aac(), "-t", "12",
    ]),
    Medium("c.mp4", "960x540 30 fps h264, no audio, 5 s", [
        *lavfi("testsrc=size=960x540:rate=30:duration=5"),
        *X264, "-an", "-t", "5",
    ]),
    Medium("pip.mp4", "640x360 30 fps h264+aac 6 s", [
        *lavfi("rgbtestsrc=size=640x360:rate=30:duration=6,hue=H=2*PI*t/6"),
        *lavfi("sine=frequency=880:sample_rate=48000:duration=6,volume=0.3"),
        *X264, *aac(), "-t", "6",
    ]),
    Medium("logo.png", "200x80 RGBA: a translucent band on a transparent ground", [
        "-filter_complex",
        # drawbox leaves alpha alone, so the picture and its alpha are drawn apart and merged
        "color=color=0x1e64c8:size=200x80:duration=1,"
        "drawbox=x=12:y=18:w=44:h=44:color=0xffc800:t=fill,"
        "drawbox=x=68:y=26:w=118:h=10:color=white:t=fill,"
        "drawbox=x=68:y=44:w=80:h=10:color=white:t=fill,format=rgb24[rgb];"
        "color=color=black:size=200x80:duration=1,format=gray,"
        "drawbox=x=0:y=8:w=200:h=64:color=0xc0c0c0:t=fill,"
        "drawbox=x=8:y=14:w=52:h=52:color=white:t=fill[alpha];"
        "[rgb][alpha]alphamerge,format=rgba",
        "-frames:v", "1", "-c:v", "png",
    ]),
    Medium("still.png", "1280x720 still", [
        *lavfi("mandelbrot=size=1280x720:rate=1:maxiter=512:start_scale=1.5"),
        "-frames:v", "1", "-c:v", "png", "-pix_fmt", "rgb24",
    ]),
    Medium("music.m4a", "AAC 48 kHz stereo 20 s, a soft chord", [
        *lavfi(chord((220.0, 277.18, 329.63, 440.0), 20, 48000, 0.5)),
        *aac(48000, 2, "128k"), "-t", "20",
    ]),
    # --- the podcast ---
    Medium("voice1.m4a", "AAC 44.1 kHz mono 5 s", [
        *lavfi(voice(180, 3.0, 5, 44100)), *aac(44100, 1, "96k"), "-t", "5",
    ]),
    Medium("voice2.m4a", "AAC 48 kHz mono 4.5 s", [
        *lavfi(voice(240, 3.5, 4.5, 48000)), *aac(48000, 1, "96k"), "-t", "4.5",
    ]),
    Medium("voice3.m4a", "AAC 44.1 kHz stereo 6 s", [
        *lavfi(voice(300, 4.0, 6, 44100)), *aac(44100, 2, "128k"), "-t", "6",
    ]),
    Medium("bed.mp3", "MP3 44.1 kHz stereo 20 s, chord over pink noise", [
        *lavfi(chord((130.81, 196.0, 261.63), 20, 44100, 0.5)),
        *lavfi("anoisesrc=color=pink:amplitude=0.04:sample_rate=44100:duration=20"),
        "-filter_complex",
        "[1:a]aformat=channel_layouts=stereo[noise];[0:a][noise]amix=inputs=2:normalize=0",
        "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100", "-ac", "2", "-t", "20",
    ]),
    # --- the join: identical encodings, so tlc can join them by stream copy ---
    Medium("part1.mp4", "1280x720 30 fps h264 gop 30 + aac 48k stereo, 3 s", join_part(1)),
    Medium("part2.mp4", "same encoding as part1, other content", join_part(2)),
    Medium("part3.mp4", "same encoding as part1, other content", join_part(3)),
)


def make(ffmpeg: str, medium: Medium, target: Path) -> None:
    """Write ``target`` through a temporary name, so an interrupted run leaves no half file."""
    partial = target.with_name(f".partial-{target.name}")
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            *medium.args, "-map_metadata", "-1", str(partial)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"ffmpeg failed making {target.name}:\n{proc.stderr.strip()}")
    os.replace(partial, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="only these files (default: all)")
    parser.add_argument("--force", action="store_true", help="remake files that exist")
    parser.add_argument("--ffmpeg", help="the ffmpeg to use (also $TLC_FFMPEG)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where to write")
    parser.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="ffmpeg runs at once (default: %(default)s)")
    args = parser.parse_args(argv)

    try:
        from tlc.core.errors import TlcError
        from tlc.core.toolchain import find_ffmpeg
    except ImportError:
        print("make_media: cannot import tlc; run `make venv` (or pip install -e .) first",
              file=sys.stderr)
        return 2
    try:
        ffmpeg = find_ffmpeg(args.ffmpeg).path
    except TlcError as err:
        print(f"make_media: {err.message}", file=sys.stderr)
        return 2

    known = {m.name: m for m in MEDIA}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"make_media: unknown file(s): {', '.join(unknown)}; "
              f"known: {', '.join(known)}", file=sys.stderr)
        return 2
    chosen = [known[n] for n in args.names] if args.names else list(MEDIA)

    args.dir.mkdir(parents=True, exist_ok=True)
    todo = [m for m in chosen if args.force or not (args.dir / m.name).exists()]
    if not todo:
        print(f"make_media: all {len(chosen)} files already in {args.dir}")
        return 0

    started = time.monotonic()

    def one(medium: Medium) -> bool:
        t0 = time.monotonic()
        try:
            make(ffmpeg, medium, args.dir / medium.name)
        except RuntimeError as err:
            print(f"make_media: {err}", file=sys.stderr, flush=True)
            return False
        print(f"  made {medium.name:<11} {medium.what} ({time.monotonic() - t0:.1f} s)",
              flush=True)
        return True

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        failed = sum(not ok for ok in pool.map(one, todo))
    kept = len(chosen) - len(todo)
    print(f"make_media: made {len(todo) - failed} file(s)"
          + (f", kept {kept} that existed" if kept else "")
          + f" in {args.dir} ({time.monotonic() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
