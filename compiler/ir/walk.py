"""Walking and rewriting a plan: the helpers every pass and the backend share."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import fields, replace
from operator import is_, is_not

from tlc.ir.plan import ConcatSrc, Copy, Encode, F, Lavfi, Node, Plan, Sink, Src

# ---- walking and rewriting ------------------------------------------------------------------


def children(node: Node) -> tuple[Node, ...]:
    """The nodes ``node`` reads, in order (an intermediate Sink counts as a child of its Src)."""
    if type(node) is F:  # most nodes: checked first
        return node.srcs
    if isinstance(node, Src):
        return (node.sink,) if node.sink is not None else ()
    if isinstance(node, ConcatSrc):
        return tuple(e.sink for e in node.entries if e.sink is not None)
    if isinstance(node, F):
        return node.srcs
    if isinstance(node, (Encode, Copy)):
        return (node.src,)
    if isinstance(node, Sink):
        return tuple(node.streams)
    return ()


# The last walks, by their roots. Nodes are immutable, so the same roots always walk the
# same way, and the passes that change nothing in a plan share one walk (a plan of 10,000
# clips has a few hundred thousand nodes).
# (A rewrite's walk is kept as the function that makes it, from the walk it rewrote: made
# only if a later pass asks for it.)
_WALKS: list[tuple[tuple[Node, ...], list[Node] | Callable[[], list[Node]]]] = []
_WALKS_KEPT = 2


def walk(roots: tuple[Node, ...] | list[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each once, children before parents."""
    key = tuple(roots)
    for i, (cached, known) in enumerate(_WALKS):
        if len(cached) == len(key) and all(a is b for a, b in zip(cached, key, strict=True)):
            if not isinstance(known, list):
                known = known()
                _WALKS[i] = (cached, known)
            return list(known)
    order = walk_from(key)
    _WALKS.insert(0, (key, order))
    del _WALKS[_WALKS_KEPT:]
    return list(order)


def walk_from(
    roots: tuple[Node, ...],
    leaves: Collection[int] = (),
    inputs_are_leaves: bool = False,
    is_leaf: Callable[[Node], bool] | None = None,
) -> list[Node]:
    # depth first, children in order, each node once; with a stack of its own, since a
    # chain of a thousand captions is deeper than Python's recursion limit. The nodes
    # whose ids are in ``leaves``, those ``is_leaf`` says, and with ``inputs_are_leaves``
    # every Src and ConcatSrc (the nodes of one ffmpeg run) are walked as if they had no
    # children.
    seen: set[int] = set()
    add = seen.add
    order: list[Node] = []
    for root in roots:
        if id(root) in seen:
            continue
        add(id(root))
        stack: list[tuple[Node, tuple[Node, ...], int]] = []
        node, kids, i = root, children(root), 0
        while True:
            n = len(kids)
            while i < n:
                c = kids[i]
                i += 1
                if id(c) not in seen:
                    add(id(c))
                    stack.append((node, kids, i))
                    if (
                        id(c) in leaves
                        or (inputs_are_leaves and isinstance(c, (Src, ConcatSrc)))
                        or (is_leaf is not None and is_leaf(c))
                    ):
                        node, kids, i = c, (), 0
                    else:
                        node, kids, i = c, children(c), 0
                    n = len(kids)
            order.append(node)
            if not stack:
                break
            node, kids, i = stack.pop()
    return order


# F is rebuilt by its constructor, a few times faster than dataclasses.replace
_F_FIELDS = ("name", "args", "srcs", "media", "role", "noop")


def transform(
    plan: Plan,
    fn: Callable[[Node], Node],
    leaves: Collection[int] = (),
    untouched: Callable[[Node], bool] | None = None,
) -> Plan:
    """Rebuild ``plan`` bottom-up: ``fn(node)`` sees a node whose children are already
    rewritten and returns its replacement (or the node itself). Shared nodes stay shared,
    and a plan in which nothing changed is returned as it is.

    ``leaves``: ids of nodes whose children the rewrite leaves alone (it replaces those
    nodes whole): what lies below them is not visited. ``untouched(node)``: True when
    ``fn`` changes neither ``node`` nor anything below it: none of them is visited.
    """
    memo: dict[int, Node] = {}
    get = memo.__getitem__
    fast_f = tuple(f.name for f in fields(F)) == _F_FIELDS

    def rebuild(node: Node) -> Node:
        changes: dict[str, object] = {}
        if isinstance(node, Src):
            if node.sink is not None and get(id(node.sink)) is not node.sink:
                changes["sink"] = get(id(node.sink))
        elif isinstance(node, ConcatSrc):
            entries = tuple(
                replace(e, sink=get(id(e.sink)))
                if e.sink is not None and get(id(e.sink)) is not e.sink
                else e
                for e in node.entries
            )
            if any(a is not b for a, b in zip(entries, node.entries, strict=True)):
                changes["entries"] = entries
        elif isinstance(node, F):
            srcs = tuple([get(id(s)) for s in node.srcs])
            if any(a is not b for a, b in zip(srcs, node.srcs, strict=True)):
                changes["srcs"] = srcs
        elif isinstance(node, (Encode, Copy)):
            if get(id(node.src)) is not node.src:
                changes["src"] = get(id(node.src))
        elif isinstance(node, Sink):
            streams = tuple([get(id(s)) for s in node.streams])
            if any(a is not b for a, b in zip(streams, node.streams, strict=True)):
                changes["streams"] = streams
        return replace(node, **changes) if changes else node

    changed = False
    # A rewrite is *local* when each node becomes a node with the same children (rebuilt)
    # or its only child: then the new plan walks as this one did, with nodes replaced.
    local = not leaves and untouched is None
    skipped: set[int] = set()  # the nodes ``untouched`` said are

    def skip(node: Node) -> bool:
        if untouched is not None and untouched(node):
            skipped.add(id(node))
            return True
        return False

    if leaves or untouched is not None:
        order = walk_from(tuple(plan.outputs), leaves, is_leaf=skip)
    else:
        order = walk(plan.outputs)
    for node in order:
        new = node
        if id(node) in skipped:
            memo[id(node)] = node
            continue
        if id(node) in leaves:
            out = fn(node)
            memo[id(node)] = out
            changed = changed or out is not node
            continue
        if fast_f and type(node) is F:
            srcs = node.srcs
            if len(srcs) == 1:  # most filters: a chain
                src = get(id(srcs[0]))
                if src is not srcs[0]:
                    new = F(node.name, node.args, (src,), node.media, node.role, node.noop)
            else:
                fresh = tuple(map(get, map(id, srcs)))
                if any(map(is_not, fresh, srcs)):
                    new = F(node.name, node.args, fresh, node.media, node.role, node.noop)
        else:
            new = rebuild(node)
        out = fn(new)
        memo[id(node)] = out
        if out is not node:
            changed = True
            if local and out is not new:
                kids = children(new)
                if not (len(kids) == 1 and out is kids[0]) and not _same(children(out), kids):
                    local = False
    if not changed:
        return plan
    outputs = tuple(memo[id(s)] for s in plan.outputs)
    if local:

        def images() -> list[Node]:
            seen: set[int] = set()
            found = []
            for node in order:
                image = memo[id(node)]
                if id(image) not in seen:
                    seen.add(id(image))
                    found.append(image)
            return found

        _WALKS.insert(0, (outputs, images))
        del _WALKS[_WALKS_KEPT:]
    return replace(plan, outputs=outputs)


def _same(a: tuple[Node, ...], b: tuple[Node, ...]) -> bool:
    return len(a) == len(b) and all(map(is_, a, b))


def map_outputs(plan: Plan, fn: Callable[[Sink], Sink]) -> Plan:
    """``plan`` with ``fn`` applied to each output: :func:`transform` for a rewrite that
    only changes outputs, without visiting the graph (nothing reads an output)."""
    outputs = tuple(fn(s) for s in plan.outputs)
    if all(a is b for a, b in zip(outputs, plan.outputs, strict=True)):
        return plan
    return replace(plan, outputs=outputs)


def sinks(plan: Plan) -> list[Sink]:
    """Every file the plan writes, intermediates first (in an order that can run)."""
    return [n for n in walk_files(plan) if isinstance(n, Sink)]


def walk_files(plan: Plan) -> list[Node]:
    """The nodes of ``plan`` as :func:`walk` orders them, but not those inside a chain of
    filters over a media file or a source filter: every :class:`Sink`, every
    :class:`ConcatSrc` and every :class:`Src` that reads a file the plan writes is here.
    (Such chains are most of a 10,000-clip plan: a pass that looks for files need not
    walk them.)"""
    key = plan.outputs
    for cached, order in _FILE_WALKS:
        if len(cached) == len(key) and all(map(is_, cached, key)):
            return list(order)
    order = walk_from(key, is_leaf=_over_media)
    _FILE_WALKS.insert(0, (key, order))
    del _FILE_WALKS[_WALKS_KEPT:]
    return list(order)


# the last walks of walk_files, as _WALKS
_FILE_WALKS: list[tuple[tuple[Node, ...], list[Node]]] = []


def _over_media(node: Node) -> bool:
    """True when ``node`` is a chain of one-input filters over a media file or a source
    filter (looked at up to 64 filters deep): no file is written below it."""
    for _ in range(64):
        if type(node) is F and len(node.srcs) == 1:
            node = node.srcs[0]
            continue
        return (type(node) is Src and node.sink is None) or type(node) is Lavfi
    return False


__all__ = [
    "children", "walk", "walk_from", "transform", "map_outputs", "sinks", "walk_files"
]
