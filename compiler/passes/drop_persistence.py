"""drop_persistence: no intermediate files where one streaming graph serves.

Before (naive)::

    run 1: clip1.mp4 -> [fit,fps,format] -> x264 -> 001-clip1.mp4
    run 2: clip2.mp4 -> ...              -> x264 -> 002-clip2.mp4
    run 3: 001-clip1.mp4 002-clip2.mp4 -> concat -> x264 -> 003-joined.mp4
    ...

After::

    run 1: clip1.mp4 clip2.mp4 -> [fit,fps,...] -> concat -> ... -> out.mp4

The per-item and join files are inlined into the run that reads them. Files a cache
or a chunked render asks for (``Sink.keep``) stay.
"""

from __future__ import annotations

from tlc.core.context import Context
from tlc.ir import Plan
from tlc.passes._inline import inline


def drop_persistence(plan: Plan, ctx: Context) -> Plan:
    # and the exact-length trims re-applied when reading an item's file back are redundant
    # now: dropped in the same rewrite
    return inline(plan, lambda sink, media: sink.role in ("clip", "concat"), frozenset({"retrim"}))
