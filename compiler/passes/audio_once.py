"""audio_once: intermediates are video-only; audio is mixed and encoded once, at the end.

Before (naive): every run re-encodes the audio it passes on, and the audio tracks are
mixed into a file of their own::

    run 1: clip1.mp4 -> ... -c:a aac 001-clip1.mp4      (audio encode 1)
    run 3: ... -> concat -> -c:a aac 003-joined.mp4     (audio encode 2)
    run 7: 003-joined.mp4 music.m4a -> amix -> 007-mix.m4a
    run 8: ... 007-mix.m4a -> -c:a aac out.mp4

After: the audio graph reads the sources and is encoded once, in the run that writes
the output; intermediate files that remain carry video only.
"""

from __future__ import annotations

from dataclasses import replace

from tlc.core.context import Context
from tlc.ir import Node, Plan, Sink, sinks, transform
from tlc.passes._inline import inline


def audio_once(plan: Plan, ctx: Context) -> Plan:
    # (the passes after this one look for files only: no full walk of the plan)
    plan = inline(plan, lambda sink, media: media == "a", files=True)
    if not any(s.intermediate for s in sinks(plan)):
        return plan

    def video_only(node: Node) -> Node:
        if isinstance(node, Sink) and node.intermediate and node.stream("v") is not None:
            streams = tuple(s for s in node.streams if s.media == "v")
            if len(streams) != len(node.streams):
                return replace(node, streams=streams)
        return node

    return transform(plan, video_only)
