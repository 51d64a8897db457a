"""The one rewrite several passes share: read a stream instead of its file.

``Src(sink=S, media=m)`` becomes the node ``S`` encoded for ``m``: the ffmpeg run that
wrote S and the one that read it become one streaming graph, and S is no longer
written (unless something else still reads it).
"""

from __future__ import annotations

from collections.abc import Callable

from ..ir import Copy, Encode, F, Node, Plan, Sink, Src, transform


def inline(plan: Plan, wanted: Callable[[Sink, str], bool]) -> Plan:
    def fn(node: Node) -> Node:
        if isinstance(node, Src) and node.sink is not None and not node.sink.keep:
            sink = node.sink
            if not wanted(sink, node.media):
                return node
            stream = sink.stream(node.media)
            if isinstance(stream, Encode):
                return stream.src
            if isinstance(stream, Copy):
                return stream.src
        return node

    return transform(plan, fn)


def drop_roles(plan: Plan, roles: set[str]) -> Plan:
    """Remove filters of the given roles that are marked as no-ops."""

    def fn(node: Node) -> Node:
        if isinstance(node, F) and node.noop and node.role in roles and len(node.srcs) == 1:
            return node.srcs[0]
        return node

    return transform(plan, fn)
