"""Layers as `.tl` items: the main track (clips, gaps, freeze frames, transitions that
borrow handle frames) and the audio tracks (items at their record times, transitions as
overlapping fades, on as many tracks as overlaps need).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from tlc.core.errors import MediaError, Span
from tlc.interchange.layers import Cut, Layer, Piece, Source, where
from tlc.media.info import MediaInfo
from tlc.resolve.base import video_length
from tlc.syntax import ast


@dataclass
class Placed:
    """What placing needs of the reader: each reference's path, probe and start time."""

    paths: dict[int, str]
    infos: dict[int, MediaInfo]
    starts: dict[int, Fraction]  # the source time of each media file's first frame
    fps: Fraction
    warn: Callable[[str], None]
    origin: Fraction  # the record time of the timeline's 0 (for messages)

    file: str

    def tc(self, t: Fraction) -> str:
        return record_tc(self.origin + t, self.fps)

    def down(self, t: Fraction) -> Fraction:
        """``t`` down to whole frames."""
        return Fraction(math.floor(t * self.fps)) / self.fps

    def media_in(self, src: Source) -> Fraction:
        """The time in the media file of the source's first frame."""
        at = src.src - self.starts[src.ref]
        if at < 0:
            raise MediaError(
                f"clip {src.name!r} on track {src.track} at {self.tc(src.record)} starts "
                f"{float(-at):g}s before the first frame of its media "
                f"({self.paths[src.ref]}, whose timecode starts at "
                f"{self.tc(self.starts[src.ref] - self.origin)})",
                src.span,
            )
        return at

    def room(self, p: Piece, audio: bool = False) -> tuple[Fraction | None, Fraction | None]:
        """How much longer (record seconds) a piece can play before its start and after
        its end, from its media (None: without limit)."""
        src = p.source
        if src is None or src.black or src.ref < 0 or src.speed == 0:
            return None, None
        info = self.infos[src.ref]
        if audio:
            length = info.audio.duration if info.audio and info.audio.duration else None
            length = length or info.duration
        else:
            length = video_length(info)
        start = self.media_in(src)
        before = start / src.speed
        after = None if length is None else (length - start) / src.speed - p.duration
        return before, None if after is None else max(Fraction(0), after)


def record_tc(t: Fraction, fps: Fraction) -> str:
    """A record time as ``HH:MM:SS:FF`` at ``fps`` (non-drop frame)."""
    frames = round(t * fps)
    base = round(fps)
    rest = frames // base
    return f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}:{frames % base:02d}"


def _t(seconds: Fraction, span: Span) -> ast.Time:
    return ast.Time(seconds, None, span)


def _handles(
    pieces: tuple[Piece, ...], cuts: dict[Fraction, Cut], placed: Placed, audio: bool
) -> tuple[list[Fraction], list[Fraction], list[Cut | None]]:
    """Each piece's extension at its start and its end, and the transition before it:
    OpenTimelineIO's offsets, clamped (with a warning) to the media's handle frames."""
    n = len(pieces)
    ext_start, ext_end = [Fraction(0)] * n, [Fraction(0)] * n
    before: list[Cut | None] = [None] * n
    for i in range(1, n):
        c = cuts.get(pieces[i].start)
        left, right = pieces[i - 1], pieces[i]
        if c is None or left.end != c.at:
            continue
        after_room = placed.room(left, audio)[1]
        before_room = placed.room(right, audio)[0]
        why: list[str] = []
        out = _clamp(c.after, [(right.duration, f"{_name(right)} is only {{}} long"),
                               (after_room, f"the media of {_name(left)} has {{}} after it")],
                     placed, why)
        rest = left.duration - ext_start[i - 1]
        into = _clamp(c.before, [
            (rest, f"{_name(left)} has {{}} after the transition before it" if ext_start[i - 1]
             else f"{_name(left)} is only {{}} long"),
            (before_room, f"the media of {_name(right)} has {{}} before it")], placed, why)
        if why:
            frames = round((into + out) * placed.fps)
            wanted = round((c.before + c.after) * placed.fps)
            placed.warn(
                f"{where(c.span)}: transition {c.label or c.name!r} at {placed.tc(c.at)}: "
                f"{'; '.join(why)}: it lasts {frames} frames, not {wanted} (the timeline "
                "keeps its length)"
            )
        if into + out > 0:
            ext_end[i - 1], ext_start[i], before[i] = out, into, Cut(
                c.at, into, out, c.name, c.label, c.span
            )
    return ext_start, ext_end, before


def _name(p: Piece) -> str:
    return repr(p.source.name) if p.source is not None else "the gap"


def _clamp(
    wanted: Fraction, limits: list[tuple[Fraction | None, str]], placed: Placed,
    why: list[str],
) -> Fraction:
    """``wanted`` down to each limit (whole frames) that is below it; ``why`` is told."""
    got = wanted
    for limit, said in limits:
        if limit is not None and placed.down(max(limit, Fraction(0))) < got:
            got = placed.down(max(limit, Fraction(0)))
            why.append(said.format(f"{round(got * placed.fps)} frames"))
    return got


def main_items(main: Layer, placed: Placed) -> list[ast.VideoItem]:
    """The flattened video layer as the main track's items (muted: an editor's video
    items carry no sound; audio tracks do)."""
    pieces = main.pieces
    ext_start, ext_end, before = _handles(pieces, {c.at: c for c in main.cuts}, placed, False)
    items: list[ast.VideoItem] = []
    for i, p in enumerate(pieces):
        src = p.source
        span = src.span if src is not None else Span(placed.file, 0, 0)
        c = before[i]
        if c is not None:
            items.append(ast.Transition(c.name, c.span, _t(c.before + c.after, c.span), c.span))
        length = p.duration + ext_start[i] + ext_end[i]
        if src is None or src.black or src.ref < 0:
            items.append(ast.Gap(_t(length, span), span))
            continue
        path = ast.Path(placed.paths[src.ref], span)
        if placed.infos[src.ref].is_image:  # (a still: an EDL's JPG reel)
            items.append(ast.Still(path, _t(length, span), span))
            continue
        start = placed.media_in(src)
        if src.speed == 0:
            items.append(ast.Freeze(path, _t(start, span), _t(length, span), span))
            continue
        trim = ast.Range(
            "dur", _t(start - ext_start[i] * src.speed, span), None,
            _t(length * src.speed, span), span,
        )
        speed = None if src.speed == 1 else src.speed
        items.append(ast.Clip(path, trim, True, None, span, speed=speed))
    return items


def audio_items(layer: Layer, placed: Placed) -> list[list[ast.AudioClip]]:
    """An audio layer's clips at their record times, transitions as overlapping fades,
    spread over as few tracks as their overlaps need."""
    pieces: list[Piece] = []  # the clips, and silence between them (a fade's other side)
    for p in layer.pieces:
        if p.source is None or p.source.black:
            continue
        end = pieces[-1].end if pieces else Fraction(0)
        if p.start > end:
            pieces.append(Piece(end, p.start - end, None))
        pieces.append(p)
    end = pieces[-1].end if pieces else Fraction(0)
    last = [c for c in layer.cuts if c.at == end]
    if last:  # a transition after the last clip: it fades out into silence
        pieces.append(Piece(end, last[0].after, None))
    ext_start, ext_end, before = _handles(
        tuple(pieces), {c.at: c for c in layer.cuts}, placed, True
    )
    fades_out: dict[int, Fraction] = {}
    for i, c in enumerate(before):
        if c is not None:
            fades_out[i - 1] = c.before + c.after
    lanes: list[list[ast.AudioClip]] = []
    ends: list[Fraction] = []
    for i, p in enumerate(pieces):
        src = p.source
        if src is None or src.speed == 0:  # (silence; a freeze frame is silent)
            continue
        if src.speed != 1:
            placed.warn(f"{where(src.span)}: clip {src.name!r} on track {src.track}: its sound "
                        f"plays at normal speed (speed {float(src.speed):g} is for pictures)")
        span = src.span
        start = p.start - ext_start[i]
        length = p.duration + ext_start[i] + ext_end[i]
        media_in = placed.media_in(src) - ext_start[i] * (src.speed or 1)
        c = before[i]
        item = ast.AudioClip(
            path=ast.Path(placed.paths[src.ref], span),
            trim=ast.Range("dur", _t(media_in, span), None, _t(length, span), span),
            at=_t(start, span),
            volume_db=None,
            fade_in=_t(c.before + c.after, span) if c is not None else None,
            fade_out=_t(fades_out[i], span) if i in fades_out else None,
            span=span,
        )
        lane = next((k for k, end in enumerate(ends) if end <= start), None)
        if lane is None:
            lanes.append([])
            ends.append(Fraction(0))
            lane = len(lanes) - 1
        lanes[lane].append(item)
        ends[lane] = start + length
    return lanes
