"""Stand-in media for editorial timelines: for each clip's media, a tiny synthetic file
named as relinking finds it, long enough for every source range (and handles), at the
clip's rate, starting at the timecode its source ranges count from.

    from otio_standins import make_standins
    folder = make_standins(SAMPLES / "dissolve_test.edl", tmp_path / "media")
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from media import run_ffmpeg

SIZE = "64x36"
MEDIA_SUFFIXES = (".mov", ".mp4", ".mxf", ".wav", ".aif", ".aiff", ".mp3", ".m4a")


@dataclass
class _Need:
    name: str
    rate: Fraction
    start: Fraction | None = None  # first source second needed
    end: Fraction = Fraction(0)
    known_start: Fraction | None = None  # the reference's available_range start
    audio_only: bool = False
    kinds: set[str] = field(default_factory=set)


def _rate(value: float) -> Fraction:
    from tlc.interchange.walk import rate

    return rate(value)


def needs(path: Path, edl_rate: int | None = None) -> dict[str, _Need]:
    """What media the timeline at ``path`` plays, by the name relinking finds it by."""
    import opentimelineio as otio

    from tlc.interchange.formats import load
    from tlc.interchange.media import basename, url_path
    from tlc.interchange.walk import seconds

    tl, _ = load(str(path))
    found: dict[str, _Need] = {}
    for clip in tl.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.GeneratorReference):
            continue
        url = getattr(ref, "target_url", None)
        if url:
            name = basename(url_path(url, "/"))
        elif isinstance(ref, otio.schema.MissingReference) and ref.name:
            name = ref.name
        else:
            name = clip.name
        sr = clip.trimmed_range()
        avail = ref.available_range if ref is not None else None
        rate = _rate((avail or sr).start_time.rate)
        need = found.setdefault(name, _Need(name, rate))
        speed = Fraction(1)
        for fx in clip.effects:
            if isinstance(fx, otio.schema.LinearTimeWarp):
                speed = abs(Fraction(fx.time_scalar).limit_denominator(1000))
        start = seconds(sr.start_time)
        end = start + seconds(sr.duration) * max(speed, Fraction(1))
        need.start = start if need.start is None else min(need.start, start)
        need.end = max(need.end, end)
        if avail is not None:
            need.known_start = seconds(avail.start_time)
        parent = clip.parent()
        while parent is not None and not hasattr(parent, "kind"):
            parent = parent.parent()
        need.kinds.add(parent.kind if parent is not None else "Video")
        need.audio_only = name.lower().endswith((".wav", ".aif", ".aiff", ".mp3"))
    return found


#: the pictures of stand-ins made with ``colours``, in the order of their names
PALETTE = ("red", "blue", "lime", "yellow", "magenta", "cyan", "white", "orange")


def make_standins(
    path: Path, folder: Path, handles: float = 3.0, colours: bool = False
) -> dict[str, str]:
    """Make the stand-ins of the timeline at ``path`` in ``folder``: test patterns, or
    with ``colours`` one flat colour each (of :data:`PALETTE`, by name). Returns each
    file's name -> its colour (or "testsrc2")."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}
    for index, need in enumerate(sorted(needs(path).values(), key=lambda n: n.name)):
        assert need.start is not None
        first = need.known_start
        tc = None
        if first is None:  # start on a whole second before the first source frame
            first = Fraction(max(0, math.floor(need.start - handles)))
            if first > 0:
                frames = round(first * need.rate)
                fps = round(need.rate)
                s = frames // fps
                tc = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{frames % fps:02d}"
        length = float(need.end - first) + handles
        fps = f"{need.rate.numerator}/{need.rate.denominator}"
        if "/" in need.name or need.name in ("", ".", ".."):
            continue  # (not a file name: the timeline's media cannot be relinked)
        has_ext = Path(need.name).suffix.lower() in MEDIA_SUFFIXES
        if need.kinds == {"Audio"} and not has_ext:
            need.audio_only = True
            name = need.name + ".m4a"
        else:
            name = need.name if has_ext else need.name + ".mov"
        out = folder / name
        args = ["-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={length}"]
        if need.audio_only and length > 120 and not has_ext:  # (a long one: silence, fast)
            out = folder / (need.name + ".flac")
            args = ["-f", "lavfi", "-i", f"anullsrc=r=8000:cl=mono:d={length}", "-c:a", "flac",
                    str(out)]
        elif need.audio_only:
            codec = ["pcm_s16le"] if name.endswith(".wav") else ["aac", "-b:a", "16k"]
            args += ["-c:a", *codec, str(out)]
        else:
            picture = PALETTE[index % len(PALETTE)] if colours else "testsrc2"
            source = (f"color=c={picture}:s={SIZE}:r={fps}:d={length}" if colours
                      else f"testsrc2=size={SIZE}:rate={fps}:duration={length}")
            made[name] = picture
            args = ["-f", "lavfi", "-i", source,
                    *args, "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", "-preset", "ultrafast", "-g", "1000", "-c:a", "aac", "-b:a", "32k"]
            if tc:
                args += ["-timecode", tc]
            args += ["-f", "mov", str(out)]
        run_ffmpeg(args)
    return made


def _tc(frames: int, fps: int) -> str:
    s = frames // fps
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{frames % fps:02d}"


def write_edl(path: Path, events: int, fps: int = 24, length: int = 6, reels: int = 5,
              dissolve_every: int = 50) -> Path:
    """A CMX 3600 EDL of ``events`` cuts of ``length`` frames from ``reels`` reels (R1,
    R2, ...) in timecode from 01:00:00:00, a 4-frame dissolve every ``dissolve_every``."""
    hour = 3600 * fps
    lines = ["TITLE: generated", "FCM: NON-DROP FRAME", ""]
    rec = hour
    for i in range(events):
        reel = f"R{i % reels + 1}"
        src = hour + (i * 7) % 200 + 10
        n = i + 1
        if i and dissolve_every and i % dissolve_every == 0:
            prev = f"R{(i - 1) % reels + 1}"
            prev_out = hour + ((i - 1) * 7) % 200 + 10 + length
            lines.append(f"{n:03d}  {prev:<8} V     C        {_tc(prev_out, fps)} "
                         f"{_tc(prev_out, fps)} {_tc(rec, fps)} {_tc(rec, fps)}")
            lines.append(f"{n:03d}  {reel:<8} V     D    004 {_tc(src, fps)} "
                         f"{_tc(src + length, fps)} {_tc(rec, fps)} {_tc(rec + length, fps)}")
        else:
            lines.append(f"{n:03d}  {reel:<8} V     C        {_tc(src, fps)} "
                         f"{_tc(src + length, fps)} {_tc(rec, fps)} {_tc(rec + length, fps)}")
        lines.append(f"* FROM CLIP NAME:  {reel}")
        rec += length
    path.write_text("\n".join(lines) + "\n")
    return path
