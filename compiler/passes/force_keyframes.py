"""force_keyframes: keyframes where the plan joins segments, or where the output asks.

- A file that a later run joins by stream copy (a segment, or an item file when
  persistence is kept) must start on a keyframe: its encoder gets
  ``-force_key_frames 0``.
- An output with ``keyframes at-cuts`` gets a keyframe at every cut of the main
  track: ``-force_key_frames 4.5,9,12``.

Before::  ... -c:v libx264 -preset medium -crf 20 out.mp4
After::   ... -c:v libx264 -preset medium -crf 20 -force_key_frames 4.5,9 out.mp4
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from tlc.core.context import Context
from tlc.ir import (
    ConcatSrc,
    Encode,
    Node,
    Plan,
    Sink,
    Timeline,
    map_outputs,
    transform,
    walk_files,
)
from tlc.lower.programs import for_output


def _with_keyframes(sink: Sink, times: tuple[Fraction, ...]) -> Sink:
    streams = tuple(
        replace(s, codec=replace(s.codec, keyframes=times))
        if isinstance(s, Encode) and s.media == "v"
        else s
        for s in sink.streams
    )
    return replace(sink, streams=streams)


def _cuts(tl: Timeline) -> tuple[Fraction, ...]:
    return tuple(item.start for item in tl.main[1:] if item.transition is None)


def force_keyframes(plan: Plan, ctx: Context) -> Plan:
    tl = plan.timeline
    joined = {
        e.sink.path
        for n in walk_files(plan)
        if isinstance(n, ConcatSrc)
        for e in n.entries
        if e.sink is not None
    }
    # (each output's own cuts: one of another frame rate has them on its own frames)
    at_cuts = {o.path: _cuts(for_output(tl, o)) for o in tl.outputs if o.keyframes_at_cuts}

    def fn(node: Node) -> Node:
        if isinstance(node, Sink):
            if node.path in joined:
                return _with_keyframes(node, (Fraction(0),))
            cuts = at_cuts.get(node.path) if node.role == "output" else None
            if cuts:
                return _with_keyframes(node, cuts)
        return node

    if not joined:  # only outputs change: no need to visit the graph
        return map_outputs(plan, fn)
    return transform(plan, fn)
