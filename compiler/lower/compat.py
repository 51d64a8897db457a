"""Can these clips be joined by stream copy into this output?

One check serves the ``concat_copy`` and ``copy_trims`` passes (which copy when they
can) and ``video copy`` (which must copy, and says which clip differs and how).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from fractions import Fraction

from tlc.ir import ConcatEntry, OutputSpec, Sink, source_entry
from tlc.media.formats import unseekable
from tlc.media.info import MediaInfo
from tlc.media.keyframes import gop_facts, keyframes

FAMILY_OF_CODEC = {"h264": "h264", "hevc": "hevc", "av1": "av1"}
#: the families whose copy join may mix the sources' packets with files tlc encodes
#: (other encoder settings): the concat demuxer gives H.264 each file's parameter sets
#: in its stream (h264_mp4toannexb), so a decoder switches to them at the join. (An
#: HEVC join keeps the first file's, and x265 files of other settings decode garbled.)
MIXED_JOINS = frozenset({"h264"})
_EPS = Fraction(1, 1000)


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of one file that a copy join would take whole."""

    path: str
    seek: Fraction | None
    duration: Fraction | None
    info: MediaInfo | None  # None for an intermediate file tlc wrote itself
    sink: Sink | None = None


def stream_problem(piece: Piece, out: OutputSpec, first: Piece | None) -> str | None:
    """Why ``piece``'s video cannot be copied into ``out`` (None: it can)."""
    if "\n" in piece.path or "\r" in piece.path:
        return "its file name has a line break, which a concat list cannot hold"
    info = piece.info
    if info is None:
        return None
    v = info.video
    if v is None or info.is_image:
        return "it has no video stream to copy"
    family = FAMILY_OF_CODEC.get(v.codec)
    if out.video == "copy":
        if family is None:
            return f"its video is {v.codec}, which tlc cannot join by copy"
    elif family != out.video:
        return f"its video is {v.codec}, the output is {out.video}"
    if v.rotation:
        return f"its pictures are turned {v.rotation} degrees for display (ffmpeg turns them)"
    if (v.width, v.height) != (out.width, out.height):
        return (
            f"it is {v.width}x{v.height}, the output is {out.width}x{out.height} (it needs a fit)"
        )
    if v.fps != out.fps:
        return f"it runs at {float(v.fps):g} fps, the output at {float(out.fps):g}"
    if not v.steady and out.video != "copy":
        return f"its frame rate varies (its frames are not evenly spaced at {float(v.fps):g} fps)"
    if v.sar not in (0, 1):
        return f"its pixels are not square (SAR {v.sar})"
    if v.pix_fmt != "yuv420p":
        return f"its pixel format is {v.pix_fmt}, the output needs yuv420p"
    f0 = first.info.video if first is not None and first.info is not None else None
    if f0 is not None:
        if v.codec != f0.codec:
            return f"its video is {v.codec}, the first clip's is {f0.codec}"
        if v.time_base != f0.time_base:
            return f"its time base is {v.time_base}, the first clip's is {f0.time_base}"
        if v.profile != f0.profile:
            return f"its {v.codec} profile is {v.profile}, the first clip's is {f0.profile}"
    return None


def trim_problem(piece: Piece, allow_trims: bool) -> str | None:
    """Why the trim of ``piece`` cannot be a stream copy (None: it can)."""
    info = piece.info
    if info is None or piece.seek is None and _whole(piece):
        return None
    if not allow_trims:
        return "it is trimmed"
    if unseekable(info.format_name):
        return f"it is trimmed, and its container ({info.format_name}) cannot be cut exactly"
    kfs = keyframes(piece.path)
    start = piece.seek or Fraction(0)
    if not _near_any(start, kfs):
        return f"its trim starts at {float(start):.3f}s, which is not a keyframe"
    if not whole_end(piece):
        end = start + (piece.duration or 0)
        if not _near_any(end, kfs):
            return f"its trim ends at {float(end):.3f}s, which is not a keyframe"
    return None


def copy_entry(p: Piece) -> ConcatEntry:
    """The concat list entry that copies the source piece ``p`` (a trim on keyframes).

    To the file's end it has no outpoint (which cuts by timestamps that may be late).
    Else its outpoint is just before the decode time of the keyframe it ends on: the
    demuxer cuts by decode time, and with B-frames a keyframe is decoded a few frames
    before it is shown (an outpoint at its presentation time takes it, one frame too
    many); the entry then says its ``duration``, which the outpoint no longer is."""
    info = p.info
    assert info is not None  # (a source's piece)
    if whole_end(p):
        return source_entry(p.path, info, p.seek, None, p.duration)
    end = (p.seek or Fraction(0)) + (p.duration or 0)
    facts = gop_facts(p.path)
    dts = [d for t, d in zip(facts.pts, facts.dts, strict=True) if abs(t - end) <= _EPS]
    if not dts or dts[0] >= end:  # (no B-frames: shown as decoded)
        return source_entry(p.path, info, p.seek, end, p.duration)
    fps = info.video.fps if info.video is not None and info.video.fps else Fraction(60)
    cut = source_entry(p.path, info, p.seek, dts[0] - Fraction(1, 2) / fps)
    return replace(cut, duration=p.duration)


def video_track(pieces: Iterable[Piece]) -> int | None:
    """The id of the video stream in every piece's file (an MP4 track id), for the
    concat list's ``stream``/``exact_stream_id``: read alone, no other stream's start
    (an AAC track's priming, 1024 samples before 0) moves the video, which the demuxer
    otherwise starts that much late. None when the files' ids differ or are unknown."""
    ids = set()
    for p in pieces:
        if p.sink is None:
            ids.add(gop_facts(p.path).stream_id)
        elif p.sink.container in ("mp4", "mov"):  # (tlc's own file: tracks in map order)
            media = [s.media for s in p.sink.streams]
            ids.add(media.index("v") + 1 if "v" in media else 0)
        else:
            return None
    return ids.pop() if len(ids) == 1 and 0 not in ids else None


def _length(info: MediaInfo) -> Fraction | None:
    if info.video is not None and info.video.duration:
        return info.video.duration
    return info.duration


def _whole(piece: Piece) -> bool:
    return whole_end(piece) and not piece.seek


def whole_end(piece: Piece) -> bool:
    """True when ``piece`` runs to the end of its file (within half a frame)."""
    assert piece.info is not None
    length = _length(piece.info)
    if piece.duration is None or length is None:
        return True
    half_frame = Fraction(1, 2) / (
        piece.info.video.fps if piece.info.video and piece.info.video.fps else 60
    )
    return abs((piece.seek or 0) + piece.duration - length) <= half_frame


def _near_any(t: Fraction, points: tuple[Fraction, ...]) -> bool:
    return any(abs(t - p) <= _EPS for p in points)
