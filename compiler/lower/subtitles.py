"""Subtitles and chapters in the plan: the ``subtitles`` filter that burns a file into
the program's picture (after the overlays, so it is on top), the soft subtitle streams
of an output (each file encoded in the codec its container holds, cut at the
timeline's end: see :func:`end_flags`), and an output's chapters."""

from __future__ import annotations

import os
from fractions import Fraction

from tlc.core.timefmt import sec
from tlc.ir import Codec, Encode, F, Node, OutputSpec, Src, SubtitleFile, Timeline
from tlc.media.containers import CHAPTERS, subtitle_codec


def burn(v: Node, sub: SubtitleFile) -> F:
    """``v`` with ``sub`` drawn on it by libass (the ``subtitles`` filter)."""
    args: list[tuple[str, str]] = [("filename", sub.path)]
    style = []
    if sub.size is not None:
        style.append(f"FontSize={sub.size}")
    if sub.font_name is not None:
        # (force_style is a list split at commas: a family name keeps none)
        style.append("FontName=" + sub.font_name.replace(",", " "))
    if style:
        args.append(("force_style", ",".join(style)))
    if sub.font is not None:
        args.append(("fontsdir", os.path.dirname(sub.font)))
    return F("subtitles", tuple(args), (v,), "v", "subtitles")


def soft_streams(tl: Timeline, out: OutputSpec) -> list[Encode]:
    """The soft subtitle streams of ``out``, in the order written (none in an output its
    resolve found cannot hold them)."""
    streams = []
    for sub in tl.soft_subtitles:
        codec = subtitle_codec(out.container, sub.format)
        if codec is None:
            continue
        streams.append(Encode(Src(sub.path, "s"), Codec(codec, language=sub.lang), "s"))
    return streams


def end_flags(tl: Timeline, streams: list[Encode]) -> tuple[str, ...]:
    """For an output with soft subtitles, its end at the timeline's length: ``-t`` drops
    the cues that start past it, and the ``setts`` bitstream filter ends a cue across it
    there (an input's ``-t`` does not cut subtitles, and no filter reads them)."""
    if not streams:
        return ()
    end = sec(tl.duration)
    return ("-t", end, "-bsf:s", f"setts=duration='min(DURATION,{end}/TB-PTS)'")


def chapters(tl: Timeline, out: OutputSpec) -> tuple[tuple[Fraction, Fraction, str], ...]:
    """``out``'s chapters as (start, end, title), where its container holds them."""
    if out.container not in CHAPTERS:
        return ()
    return tuple((c.start, c.end, c.title) for c in tl.chapters)
