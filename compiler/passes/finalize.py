"""finalize: what only the output needs, once, at the output.

- ``-movflags +faststart`` for MP4, MOV and M4A (the index at the front, so a player
  starts before the download ends);
- where the streams could differ in length (a copied stream beside an encoded one;
  encoded streams are already cut exactly in the graph), every stream ends at the
  timeline's length: ``-t``, which is exact where ``-shortest`` drops the copied
  video's last frame;
- the pixel format as the encoder's ``-pix_fmt yuv420p`` instead of a filter.

Before::  ... concat,format=pix_fmts=yuv420p[v] -map [v] -c:v libx264 out.mp4
After::   ... concat[v] -map [v] -c:v libx264 -pix_fmt yuv420p -movflags +faststart out.mp4
"""

from __future__ import annotations

from dataclasses import replace

from tlc.core.context import Context
from tlc.core.timefmt import sec
from tlc.ir import Copy, Encode, F, Node, Plan, Sink, map_outputs

FASTSTART = {"mp4", "mov", "ipod"}


def finalize(plan: Plan, ctx: Context) -> Plan:
    def fn(node: Node) -> Node:
        if not (isinstance(node, Sink) and node.role == "output"):
            return node
        streams = []
        for s in node.streams:
            src = s.src
            if (
                isinstance(s, Encode)
                and s.media == "v"
                and isinstance(src, F)
                and src.role == "format"
                and len(src.srcs) == 1
            ):
                pix_fmt = dict(src.args).get("pix_fmts")
                s = replace(s, src=src.srcs[0], codec=replace(s.codec, pix_fmt=pix_fmt))
            streams.append(s)
        flags = list(node.flags)
        if node.container in FASTSTART and "+faststart" not in flags:
            flags += ["-movflags", "+faststart"]
        # a copied stream cannot be cut in the graph: end every stream at the timeline's
        # length. (-shortest would do it too, but it drops the copied video's last frame.)
        if len(streams) > 1 and any(isinstance(s, Copy) for s in streams) and "-t" not in flags:
            flags += ["-t", sec(plan.timeline.duration)]
        return replace(node, streams=tuple(streams), flags=tuple(flags))

    return map_outputs(plan, fn)
