"""defer_format: scale, fps and pix_fmt once, at the final stage.

The naive plan conforms every item on its own (fit, fps, ``format=yuv420p``), even
when the item already has the output's size or rate, and converts the pixel format
before every encode. After this pass:

- a fit or fps filter that changes nothing for its input is gone (a clip that is
  already 1920x1080 square-pixel is not scaled);
- an item that must be fitted before the concat is scaled once, straight to the
  output size (never twice);
- the pixel format is converted once, right before the output's encoder, and
  nowhere in the middle of the graph.

Before::

    [0:v]setpts,scale=1920:1080,pad,setsar,fps=60,format=yuv420p[c0]; ... concat,format=yuv420p

After (clip 0 already 1920x1080 at 60 fps)::

    [0:v]setpts,...trim[c0]; ... concat,format=yuv420p
"""

from __future__ import annotations

from dataclasses import replace

from tlc.core.context import Context
from tlc.ir import F, Node, Plan, transform
from tlc.passes._inline import plain_chain

_CONFORM = {"fit", "fps", "conform"}


def _is_format(node: Node) -> bool:
    return isinstance(node, F) and node.role == "format" and len(node.srcs) == 1


def defer_format(plan: Plan, ctx: Context) -> Plan:
    def fn(node: Node) -> Node:
        if isinstance(node, F):
            if node.noop and node.role in _CONFORM and len(node.srcs) == 1:
                return node.srcs[0]
            if len(node.srcs) == 1 and not _is_format(node.srcs[0]):
                return node  # (the usual case, without the generator below)
            if any(_is_format(s) for s in node.srcs):
                srcs = tuple(
                    s.srcs[0] if _is_format(s) else s
                    for s in node.srcs
                )
                return replace(node, srcs=srcs)
        return node

    # (an item's chain of filters with no conform filter that does nothing and no format
    # filter in it is left as it is: most of the sound of a long main track)
    return transform(
        plan, fn, untouched=lambda node: plain_chain(node, _CONFORM, _is_format_filter)
    )


def _is_format_filter(node: F) -> bool:
    return node.role == "format"
