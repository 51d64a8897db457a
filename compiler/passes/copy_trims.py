"""copy_trims: a trim that starts on a keyframe is a stream copy.

A trimmed clip that is otherwise compatible with the output is copied when its trim
starts on a keyframe (and ends on one, or at the end of the source): the concat
demuxer's ``inpoint``/``outpoint`` cut it exactly. Any other trim is re-encoded:
copying from a non-keyframe would show frozen, black or extra frames.

Before::

    -ss 2 -t 4 -i a.mp4 ... trim ... -c:v libx264

After (keyframes at 0, 2, 4, 6 s; B-frames: the one at 6 s is decoded at 5.92 s)::

    list.txt: stream / exact_stream_id 1 /
              file '/abs/a.mp4' / inpoint 2 / outpoint 5.9 / duration 4     ... -c:v copy

(the list reads the video track only, and its outpoint is before the next keyframe's
decode time: see :func:`tlc.lower.compat.copy_entry`.)
"""

from __future__ import annotations

from tlc.core.context import Context
from tlc.ir import Plan
from tlc.passes._groups import join_groups
from tlc.passes._joins import copy_join


def copy_trims(plan: Plan, ctx: Context) -> Plan:
    return join_groups(copy_join(plan, ctx, allow_trims=True), ctx, allow_trims=True)
