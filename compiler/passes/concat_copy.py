"""concat_copy: join clips that already are what the output asks for by stream copy.

When the main track needs no filter (no overlay, no fit, no fps change, no trim) and
its clips are stream-compatible with each other and with the output (codec, size,
SAR, pix_fmt, frame rate, time base, profile: probed), the video is the concat
demuxer with ``-c:v copy``; otherwise the concat filter and one encode.

Before::

    -i a.mp4 -i b.mp4 -filter_complex "[0:v]...[1:v]...concat=n=2:v=1:a=0[v]" -c:v libx264

After::

    -f concat -safe 0 -i list.txt ... -map 0:v -c:v copy

In a track with transitions, the items a transition joins are re-encoded (a run
each) and the clips around them that match are still copied: see
:mod:`tlc.passes._groups`, which says what it copied and why in ``tlc explain``.

Audio is not touched here: it is encoded once (see audio_once).
"""

from __future__ import annotations

from tlc.core.context import Context
from tlc.ir import Plan
from tlc.passes._groups import join_groups
from tlc.passes._joins import copy_join


def concat_copy(plan: Plan, ctx: Context) -> Plan:
    return join_groups(copy_join(plan, ctx, allow_trims=False), ctx, allow_trims=False)
