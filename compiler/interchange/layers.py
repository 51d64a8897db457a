"""An editorial timeline's tracks as plain values, without OpenTimelineIO: pieces placed
at exact record times (seconds, :class:`~fractions.Fraction`) and the transitions at
their cuts; and the flattening of stacked video tracks into one sequence.

Video tracks are composited as editors do with opaque, full-frame clips: at each
moment the highest track that has a clip there is what shows. Flattening keeps, for
each stretch of the timeline, that clip (from the frame it is at), and a transition of
a track where that track shows on either side of its cut.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from tlc.core.errors import Span


@dataclass(frozen=True, slots=True)
class Source:
    """What a clip plays: its media and the source time at the piece's first frame."""

    name: str  # the clip's name
    track: str  # "V1", "A2" (the top-level track it is on)
    record: Fraction  # where the clip starts on the timeline (seconds, for messages)
    src: Fraction  # source time (the timeline's view: timecode included) at the start
    speed: Fraction  # source seconds per record second; 0 for a freeze frame
    ref: int  # the index of its media in the reader's table
    span: Span
    black: bool = False  # an opaque black generator (no media)


@dataclass(frozen=True, slots=True)
class Piece:
    """One stretch of one track: ``source`` None where it shows what is below."""

    start: Fraction
    duration: Fraction
    source: Source | None

    @property
    def end(self) -> Fraction:
        return self.start + self.duration

    def cut(self, start: Fraction, end: Fraction) -> Piece:
        """The part of this piece from ``start`` to ``end`` (record times)."""
        src = self.source
        if src is not None and start != self.start:
            src = replace(src, src=src.src + (start - self.start) * src.speed)
        return Piece(start, end - start, src)


@dataclass(frozen=True, slots=True)
class Cut:
    """A transition at record time ``at``: it begins ``before`` earlier and ends
    ``after`` later (OpenTimelineIO's in and out offsets), and does not move a cut."""

    at: Fraction
    before: Fraction
    after: Fraction
    name: str  # the .tl transition name
    label: str  # its name in the timeline, for messages
    span: Span


@dataclass(frozen=True, slots=True)
class Layer:
    """One track: its pieces in order (without overlaps) and its transitions."""

    pieces: tuple[Piece, ...]
    cuts: tuple[Cut, ...] = ()

    def window(self, start: Fraction, end: Fraction, shift: Fraction) -> Layer:
        """The part from ``start`` to ``end`` of this layer, moved by ``shift``."""
        pieces = []
        for p in self.pieces:
            a, b = max(p.start, start), min(p.end, end)
            if b > a:
                c = p.cut(a, b)
                pieces.append(Piece(c.start + shift, c.duration, c.source))
        cuts = tuple(
            replace(c, at=c.at + shift) for c in self.cuts if start <= c.at <= end
        )
        return Layer(tuple(pieces), cuts)


def flatten(layers: list[Layer], total: Fraction) -> Layer:
    """Stacked video layers (lowest first) as one sequence from 0 to ``total``: each
    stretch shows the highest layer with a clip there; a gap (``source`` None) where
    none has one. A transition is kept where its layer shows on one side of its cut
    and no higher layer shows on the other."""
    bounds = {Fraction(0), total}
    for layer in layers:
        for p in layer.pieces:
            if p.source is not None:
                bounds.update((min(p.start, total), min(p.end, total)))
    edges = sorted(b for b in bounds if 0 <= b <= total)
    # (layer index, piece) showing in each elementary stretch
    shown: list[tuple[int, Piece | None]] = []
    cursors = [0] * len(layers)
    for a in edges[:-1]:
        top: tuple[int, Piece | None] = (-1, None)
        for k in range(len(layers) - 1, -1, -1):
            pieces = layers[k].pieces
            i = cursors[k]
            while i < len(pieces) and pieces[i].end <= a:
                i += 1
            cursors[k] = i
            if i < len(pieces) and pieces[i].start <= a and pieces[i].source is not None:
                top = (k, pieces[i])
                break
        shown.append(top)
    merged: list[tuple[int, Piece]] = []
    for (k, piece), a, b in zip(shown, edges, edges[1:], strict=False):
        if merged and merged[-1][0] == k and (
            piece is None or merged[-1][1].source is not None and _same(merged[-1][1], piece)
        ):
            last = merged[-1][1]
            merged[-1] = (k, Piece(last.start, b - last.start, last.source))
            continue
        merged.append((k, piece.cut(a, b) if piece is not None else Piece(a, b - a, None)))
    starts = {p.start: i for i, (_, p) in enumerate(merged)}
    kept: dict[Fraction, Cut] = {}
    for k, layer in enumerate(layers):
        for c in layer.cuts:
            at = starts.get(c.at)
            if at is None or c.at in kept:
                continue
            left = merged[at - 1][0] if at > 0 else -1
            right = merged[at][0]
            if k in (left, right) and max(left, right) <= k:
                kept[c.at] = c
    return Layer(tuple(p for _, p in merged), tuple(kept[a] for a in sorted(kept)))


def _same(a: Piece, b: Piece) -> bool:
    """Whether ``b`` goes on where ``a`` ends (the same clip, the next frame)."""
    return a.source is not None and b.source is not None and (
        a.source.ref == b.source.ref and a.source.record == b.source.record
        and a.source.name == b.source.name
    )


def where(span: Span) -> str:
    """``FILE:LINE:COL`` of a span, or ``FILE`` where it has no line."""
    return str(span) if span.line > 0 else span.file
