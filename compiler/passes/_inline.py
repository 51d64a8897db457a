"""The one rewrite several passes share: read a stream instead of its file.

``Src(sink=S, media=m)`` becomes the node ``S`` encoded for ``m``: the ffmpeg run that
wrote S and the one that read it become one streaming graph, and S is no longer
written (unless something else still reads it).
"""

from __future__ import annotations

from collections.abc import Callable

from tlc.ir import Copy, Encode, F, Lavfi, Node, Plan, Sink, Src, transform, walk, walk_files


def inline(
    plan: Plan,
    wanted: Callable[[Sink, str], bool],
    drop: frozenset[str] = frozenset(),
    files: bool = False,
) -> Plan:
    """Inline the files ``wanted`` says; in the same rewrite, remove the filters of the
    ``drop`` roles that are marked as no-ops (as :func:`drop_roles` does). ``files``:
    look for them in :func:`~tlc.ir.walk_files` (for a pass whose plan is rewritten
    next by passes that need no full walk)."""

    def inlinable(node: Node) -> bool:
        return (
            isinstance(node, Src)
            and node.sink is not None
            and not node.sink.keep
            and wanted(node.sink, node.media)
        )

    def untouched(node: Node) -> bool:
        if isinstance(node, Sink):  # an item's file: its streams, each a plain chain
            return all(isinstance(s, Encode) and plain_chain(s.src, drop) for s in node.streams)
        return plain_chain(node, drop)

    # (with no drop: the full walk, cached, the next pass's rewrite of this plan reuses it;
    # ``files`` for a pass that reads the walk of the files only)
    if not drop:
        nodes = walk_files(plan) if files else walk(plan.outputs)
        if not any(inlinable(n) for n in nodes):
            return plan

    def fn(node: Node) -> Node:
        if isinstance(node, Src) and inlinable(node):
            assert node.sink is not None
            stream = node.sink.stream(node.media)
            if isinstance(stream, Encode):
                return stream.src
            if isinstance(stream, Copy):
                return stream.src
        elif drop and _droppable(node, drop):
            return node.srcs[0]
        return node

    if drop:  # the naive plan: most of it is items' chains of filters, left as they are
        return transform(plan, fn, untouched=untouched)
    return transform(plan, fn)


#: chains longer than this are walked node by node (see plain_chain)
_CHAIN_LOOKAHEAD = 64


def plain_chain(
    node: Node,
    drop: frozenset[str] | set[str] = frozenset(),
    changed: Callable[[F], bool] | None = None,
) -> bool:
    """True when ``node`` is a chain of one-input filters (none a no-op of the ``drop``
    roles, none that ``changed`` says a rewrite changes) over a media file or a source
    filter: an item's filters, where no file is read back and nothing is inlined, so a
    rewrite that inlines files can skip it whole (most of a 10,000-clip plan)."""
    for _ in range(_CHAIN_LOOKAHEAD):
        if type(node) is F and len(node.srcs) == 1:
            if (node.noop and node.role in drop) or (changed is not None and changed(node)):
                return False
            node = node.srcs[0]
            continue
        return (type(node) is Src and node.sink is None) or type(node) is Lavfi
    return False


def _droppable(node: Node, roles: frozenset[str] | set[str]) -> bool:
    return isinstance(node, F) and node.noop and node.role in roles and len(node.srcs) == 1


def drop_roles(plan: Plan, roles: set[str]) -> Plan:
    """Remove filters of the given roles that are marked as no-ops."""

    def fn(node: Node) -> Node:
        if _droppable(node, roles):
            return node.srcs[0]
        return node

    return transform(plan, fn)
