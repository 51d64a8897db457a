"""merge_overlays: every overlay and caption in ONE filter graph, images read once.

Before (naive): one full re-encode of the program per overlay item::

    run 4: joined.mp4 logo.png -> overlay=enable='between(t,0,4)' -> x264 -> ov1.mp4
    run 5: ov1.mp4 -> drawtext=enable='between(t,1,3)' -> x264 -> ov2.mp4
    run 6: ov2.mp4 logo.png -> overlay=enable='between(t,8,10)' -> x264 -> ov3.mp4

After: one chain in the graph that makes the program; the logo used twice is one
input, split in two::

    [prog][logo1]overlay=...:enable='between(t,0,4)',drawtext=...,[logo2]overlay=...
"""

from __future__ import annotations

from tlc.core.context import Context
from tlc.ir import Plan
from tlc.passes._inline import inline


def merge_overlays(plan: Plan, ctx: Context) -> Plan:
    # (the overlays' files are looked for among the plan's files: most plans have none,
    # and the next rewrite, defer_format's, walks the whole plan once either way)
    return inline(plan, lambda sink, media: sink.role == "overlay", files=True)
