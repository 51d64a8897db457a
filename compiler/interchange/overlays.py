"""Clips with transparency on a higher video track as overlays: what an editor puts
there most often (a logo, a title, a clip of ProRes 4444 or PNG frames) lets the
tracks below show through, which the flattened main track (:func:`.layers.flatten`,
the highest clip shows) cannot draw.

A clip of a track above the lowest whose media has an alpha channel, at normal speed
and with no transition at either edge, is lifted out of its track: the tracks left are
flattened as before into the main track, and the lifted clips are drawn over it, one
overlay track for each video track they came from (a higher track above a lower one),
each clip where no opaque clip of a higher track covers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from tlc.core.errors import Span
from tlc.interchange.layers import Layer, Piece, Source, flatten, where
from tlc.interchange.place import Placed
from tlc.syntax import ast


@dataclass(frozen=True, slots=True)
class Stacked:
    """The video layers as the main track, the overlays drawn over it (one list for each
    layer that has any, lowest first), and the clips with transparency kept flat (a
    transition at an edge, or a speed), which cover what is below."""

    main: Layer
    overlays: tuple[tuple[Piece, ...], ...]
    flat: tuple[Piece, ...]


def stack(layers: list[Layer], total: Fraction, alpha: Callable[[Source], bool]) -> Stacked:
    """``layers`` (lowest first) flattened, but for the clips of higher layers whose
    media ``alpha`` says has an alpha channel: those are overlays, where they show."""
    rest: list[Layer] = list(layers[:1])
    lifted: list[tuple[int, list[Piece]]] = []
    flat: list[Piece] = []
    for k, layer in enumerate(layers[1:], 1):
        edges = {c.at for c in layer.cuts}
        keep: list[Piece] = []
        up: list[Piece] = []
        for p in layer.pieces:
            s = p.source
            if s is None or s.black or s.ref < 0 or not alpha(s):
                keep.append(p)
            elif p.start in edges or p.end in edges or s.speed != 1:
                keep.append(p)
                flat.append(p)
            else:
                up.append(p)
        rest.append(Layer(tuple(keep), layer.cuts) if up else layer)
        if up:
            lifted.append((k, up))
    main = flatten(rest, total)
    overlays = []
    for k, up in lifted:
        shown = tuple(part for p in up for part in _uncovered(p, rest[k + 1:]))
        if shown:
            overlays.append(shown)
    showing = {_key(p.source) for p in main.pieces if p.source is not None}
    return Stacked(main, tuple(overlays),
                   tuple(p for p in flat if p.source is not None and _key(p.source) in showing))


def _key(s: Source) -> tuple[int, Fraction, str]:
    return s.ref, s.record, s.name


def _uncovered(p: Piece, above: list[Layer]) -> list[Piece]:
    """The parts of ``p`` that no clip of a layer ``above`` covers."""
    spans = sorted(
        (q.start, q.end) for lay in above for q in lay.pieces
        if q.source is not None and q.end > p.start and q.start < p.end
    )
    out: list[Piece] = []
    t = p.start
    for a, b in spans:
        if a > t:
            out.append(p.cut(t, min(a, p.end)))
        t = max(t, b)
        if t >= p.end:
            return out
    out.append(p.cut(t, p.end))
    return out


def warn_flat(flat: tuple[Piece, ...], placed: Placed) -> None:
    """Say which clips with transparency are drawn as opaque clips, and why."""
    for p in flat:
        s = p.source
        assert s is not None
        why = (f"at speed {float(s.speed):g}" if s.speed != 1 else
               "next to a transition (an overlay cannot have one)")
        placed.warn(f"{where(s.span)}: clip {s.name!r} on track {s.track} at "
                    f"{placed.tc(s.record)}: its transparency is lost {why}: it covers "
                    "the tracks below")


def overlay_items(pieces: tuple[Piece, ...], placed: Placed) -> list[ast.OverlayItem]:
    """Lifted clips as overlay items at their record times: a still as ``image``, a clip
    as ``video`` from its source time, each centred at its own size (full frame where
    its size is the output's)."""
    items: list[ast.OverlayItem] = []
    for p in pieces:
        src = p.source
        assert src is not None
        span = src.span
        at = ast.Range("span", _t(p.start, span), _t(p.end, span), None, span)
        path = ast.Path(placed.paths[src.ref], span)
        if placed.infos[src.ref].is_image:
            items.append(ast.ImageOverlay(path, at, "center", None, None, span))
            continue
        trim = ast.Range("dur", _t(placed.media_in(src), span), None, _t(p.duration, span),
                         span)
        items.append(ast.VideoOverlay(path, at, trim, "center", None, span))
    return items


def _t(seconds: Fraction, span: Span) -> ast.Time:
    return ast.Time(seconds, None, span)
