"""Shared by concat_copy and copy_trims: turn an encoded join into a stream copy.

The pattern is the output's video ``Encode`` over (optionally) a ``concat`` of
item chains, each chain only trims, timestamp resets and no-op fits/fps/formats over
a :class:`~tlc.ir.Src`. When every piece is stream-compatible with the others and
with the output, the whole thing becomes ``Copy(ConcatSrc(...))``: the concat
demuxer with ``-c:v copy``.
"""

from __future__ import annotations

from dataclasses import replace

from tlc.core.context import Context
from tlc.ir import (
    ConcatEntry,
    ConcatSrc,
    Copy,
    Encode,
    F,
    Node,
    Plan,
    Sink,
    Src,
    map_outputs,
)
from tlc.lower.compat import Piece, copy_entry, stream_problem, trim_problem, video_track

# filters a copy can stand in for, when lowering marked them as no-ops (or they only
# cut the exact length, which the concat demuxer's inpoint/outpoint also do)
_PASSABLE_NOOP = {"fit", "fps", "format", "conform"}
_PASSABLE = {"pts", "trim", "retrim"}


def pieces_of(node: Node) -> list[Piece] | None:
    """The pieces a copy join would read for ``node``, or None if it is not a plain join."""
    # concat_copy and copy_trims ask in turn about the same join (nodes are immutable)
    if _LAST and _LAST[0][0] is node:
        found = _LAST[0][1]
    else:
        found = _pieces_of(node)
        _LAST[:] = [(node, found)]
    return None if found is None else list(found)


#: the last join pieces_of looked at, and its pieces (holding the node: its id stays its)
_LAST: list[tuple[Node, tuple[Piece, ...] | None]] = []


def _pieces_of(node: Node) -> tuple[Piece, ...] | None:
    node = peel(node)
    parts = node.srcs if isinstance(node, F) and node.role == "concat" else (node,)
    out: list[Piece] = []
    for part in parts:
        leaf = peel(part)
        if not isinstance(leaf, Src) or leaf.loop:
            return None
        if leaf.sink is not None:
            if leaf.sink.role not in ("clip", "segment"):
                return None
            out.append(Piece(leaf.sink.path, None, None, None, sink=leaf.sink))
        else:
            out.append(Piece(leaf.path, leaf.seek, leaf.duration, None))
    return tuple(out)


def peel(node: Node) -> Node:
    """``node`` without the filters a copy stands in for (trims, no-op fits, formats)."""
    while (
        isinstance(node, F)
        and len(node.srcs) == 1
        and (
            node.role in _PASSABLE
            or (node.role in _PASSABLE_NOOP and node.noop)
            or node.role == "format"
        )
    ):
        node = node.srcs[0]
    return node


def copy_join(plan: Plan, ctx: Context, allow_trims: bool) -> Plan:
    tl = plan.timeline
    by_path = {o.path: o for o in tl.outputs}

    def fn(node: Node) -> Node:
        if not (isinstance(node, Sink) and node.role == "output"):
            return node
        out = by_path.get(node.path)
        enc = node.stream("v")
        if out is None or not isinstance(enc, Encode):
            return node
        pieces = pieces_of(enc.src)
        if not pieces:
            return node
        pieces = [Piece(p.path, p.seek, p.duration, tl.media.get(p.path), p.sink) for p in pieces]
        # concat_copy joins whole clips; copy_trims is the one for joins with trims
        trimmed = any(p.sink is None and trim_problem(p, allow_trims=False) for p in pieces)
        if trimmed != allow_trims:
            return node
        first = pieces[0]
        entries = []
        for p in pieces:
            if p.sink is not None:
                s = p.sink.stream("v")
                if not isinstance(s, Encode) or s.codec.family != out.video:
                    return node
                entries.append(ConcatEntry(p.path, sink=p.sink))
                continue
            if stream_problem(p, out, first) or trim_problem(p, allow_trims):
                return node
            entries.append(copy_entry(p))
        copy = Copy(ConcatSrc(tuple(entries), "v", video_track(pieces)), "v")
        streams = tuple(copy if s is enc else s for s in node.streams)
        return replace(node, streams=streams)

    return map_outputs(plan, fn)

