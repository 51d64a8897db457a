"""The IR: the resolved timeline, and the plan as a graph of streams.

Two layers, both frozen values:

- :class:`Timeline` is what the `.tl` *means*: outputs with every setting
  resolved, the main track with exact start times and frame counts, overlays and
  audio items in output time. :mod:`tlc.resolve` builds it from the AST and the
  probed media.
- :class:`Plan` is *how* to make it: a graph whose leaves read media
  (:class:`Src`, :class:`ConcatSrc`, :class:`Lavfi`), whose inner nodes are
  filters (:class:`F`), and whose roots are files (:class:`Sink`), each a set of
  encoded (:class:`Encode`) or copied (:class:`Copy`) streams. A :class:`Src` may
  read an intermediate :class:`Sink`: that is one ffmpeg run feeding another.
  :mod:`tlc.lower` builds the naive plan; the passes rewrite it; :mod:`tlc.emit`
  turns each run into an argv.

Nodes are compared by identity in passes (graphs can be large); :class:`Src` is
compared by value so the same file read twice becomes one ffmpeg input.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import MISSING, dataclass, field, fields, replace
from fractions import Fraction
from operator import is_, is_not
from typing import Literal, TypeVar

from .errors import Span
from .probe import MediaInfo

Media = Literal["v", "a"]

# ---- the resolved timeline ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """One ``output``, every setting resolved (defaults, `source`, CLI overrides)."""

    path: str
    span: Span
    width: int
    height: int
    fps: Fraction
    video: str  # h264 | hevc | av1 | copy | none
    audio: str  # aac | opus | mp3 | copy | none
    audio_bitrate: int | None
    preset: str  # draft | preview | production (auto resolved)
    encoder: str  # auto or a plugin's name; after tlc.selection, the video encoder's name
    fit: str  # contain | cover | stretch
    keyframes_at_cuts: bool
    container: str  # ffmpeg muxer name: mp4, mov, matroska, ipod, mp3, ...
    audio_encoder: str = "auto"  # set by tlc.selection
    fallback_encoder: str | None = None  # software encoder to retry with if auto's GPU one fails

    @property
    def has_video(self) -> bool:
        return self.video != "none"

    @property
    def has_audio(self) -> bool:
        return self.audio != "none"


MainKind = Literal["clip", "gap", "still"]


@dataclass(frozen=True, slots=True)
class MainItem:
    """An item of the main program, placed on the output frame grid."""

    kind: MainKind
    path: str | None
    start: Fraction  # timeline seconds
    frames: int  # length in output frames
    duration: Fraction  # frames / fps, exact
    src_in: Fraction  # source time where it starts (clips)
    mute: bool
    volume_db: float | None
    span: Span
    trimmed: bool = False  # the user wrote a trim


@dataclass(frozen=True, slots=True)
class OverlayItem:
    kind: Literal["image", "text", "video"]
    start: Fraction
    end: Fraction
    span: Span
    path: str | None = None
    text: str | None = None
    pos: tuple[int, int] | str | None = None
    scale: tuple[int, int] | None = None
    opacity: float | None = None
    size: int | None = None
    color: str | None = None
    font: str | None = None
    box: bool = False
    src_in: Fraction = Fraction(0)
    # a video overlay's later part, in a window of a segmented export: read from
    # ``lead`` seconds before the window (so the frame on screen at its start is there)
    # and its frames keep their source timing (no PTS-STARTPTS), as in the one-run export
    lead: Fraction | None = None


@dataclass(frozen=True, slots=True)
class AudioItem:
    path: str
    start: Fraction  # timeline seconds
    src_in: Fraction
    duration: Fraction  # audible length, already cut at the timeline's end
    volume_db: float | None
    fade_in: Fraction | None
    fade_out: Fraction | None
    span: Span


@dataclass(frozen=True, slots=True)
class Timeline:
    outputs: tuple[OutputSpec, ...]
    main: tuple[MainItem, ...]
    overlays: tuple[tuple[OverlayItem, ...], ...]
    audio: tuple[tuple[AudioItem, ...], ...]
    duration: Fraction
    fps: Fraction  # the frame grid of the main program (the first video output's)
    width: int
    height: int
    media: dict[str, MediaInfo] = field(hash=False, compare=False)
    file: str = "<string>"
    # a window of a longer main track (tlc.segment) with a single item: its frames get
    # the time base the concat filter gives the whole track in one run (1/1000000), so
    # overlays meet its frames exactly as they do there
    concat_timebase: bool = False

    @property
    def has_main(self) -> bool:
        return bool(self.main)


# ---- the plan ---------------------------------------------------------------------------

_T = TypeVar("_T")


def _quick_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass an ``__init__`` that sets each slot through its
    descriptor: what the generated one does (``object.__setattr__`` for each field), a
    third cheaper. A plan of 10,000 clips makes a few hundred thousand nodes."""
    names, params, defaults = [], [], {}
    for f in fields(cls):  # type: ignore[arg-type]
        assert f.init and not f.kw_only and f.default_factory is MISSING, f
        names.append(f.name)
        if f.default is MISSING:
            params.append(f.name)
        else:
            defaults[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
    assert not hasattr(cls, "__post_init__")
    setters = [f"_s_{n}" for n in names]
    body = "".join(f"        _s_{n}(self, {n})\n" for n in names) or "        pass\n"
    source = (
        f"def _make({', '.join([*setters, *defaults])}):\n"
        f"    def __init__(self, {', '.join(params)}):\n{body}"
        "    return __init__\n"
    )
    namespace: dict[str, Callable[..., Callable[..., None]]] = {}
    exec(source, {}, namespace)  # noqa: S102 (made from the field names above)
    init = namespace["_make"](*(getattr(cls, n).__set__ for n in names), *defaults.values())
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls



@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """Base of plan nodes. Compared by identity (see :class:`Src` for the exception)."""


@_quick_init
@dataclass(frozen=True, slots=True)
class Src(Node):
    """A stream read from a file: media, an image, or an intermediate :class:`Sink`.

    ``seek``/``duration`` become ``-ss``/``-t`` before ``-i``; ``loop`` reads an image
    as a stream of ``rate`` frames per second (``-loop 1 -framerate``).
    """

    path: str
    media: Media
    seek: Fraction | None = None
    duration: Fraction | None = None
    loop: bool = False
    rate: Fraction | None = None
    sink: Sink | None = field(default=None, compare=False, hash=False)

    def input_key(self) -> tuple[object, ...]:
        """Streams with the same key come from one ``-i``."""
        # fractions as (numerator, denominator): equal when they are, and hashed far
        # faster (emit hashes the key of every read of every run)
        return (self.path, _pair(self.seek), _pair(self.duration), self.loop, _pair(self.rate))


def frame_at(seconds: Fraction, fps: Fraction, down: bool = False) -> int:
    """The frame of the grid at ``fps`` nearest ``seconds`` (a half frame rounds up), or
    with ``down`` the last at or before it. In integers: 10,000 clips ask twice each."""
    num = seconds.numerator * fps.numerator
    den = seconds.denominator * fps.denominator
    return num // den if down else (2 * num + den) // (2 * den)


def _pair(x: Fraction | None) -> tuple[int, int] | None:
    return None if x is None else (x.numerator, x.denominator)


@_quick_init
@dataclass(frozen=True, slots=True)
class ConcatEntry:
    """One file of a concat list, from ``inpoint`` to ``outpoint`` (the file's own
    timestamps: see :func:`source_entry`); ``duration``: how long it lasts in the join
    (the next file starts then), when the file's own duration is not to be trusted."""

    path: str
    inpoint: Fraction | None = None
    outpoint: Fraction | None = None
    sink: Sink | None = field(default=None, compare=False, hash=False)
    duration: Fraction | None = None


def source_entry(
    path: str,
    info: MediaInfo,
    start: Fraction | None,
    end: Fraction | None,
    length: Fraction | None = None,
) -> ConcatEntry:
    """The entry for a source's stretch from ``start`` to ``end`` (seconds from its
    beginning; None for either end of the file) that lasts ``length`` in the join.

    The concat demuxer takes inpoint and outpoint as the file's own timestamps, which
    begin at its start time (1.4 s in a usual MPEG-TS): they are shifted by it. A
    stretch to the file's end gets no outpoint (the demuxer ends a file when *any* of
    its streams reaches it: a TS's sound runs ahead of its pictures, whose last frames
    were lost) but its ``length``: the demuxer would take the file's duration, which
    counts the sound's overhang, and start the next file that much late."""
    origin = info.start_time
    return ConcatEntry(
        path,
        None if start is None else origin + start,
        None if end is None else origin + end,
        duration=length if end is None else None,
    )


@_quick_init
@dataclass(frozen=True, slots=True)
class ConcatSrc(Node):
    """A stream read through the concat demuxer (a list file of entries)."""

    entries: tuple[ConcatEntry, ...]
    media: Media

    def input_key(self) -> tuple[object, ...]:
        return ("concat", self.entries)


@_quick_init
@dataclass(frozen=True, slots=True, eq=False)
class Lavfi(Node):
    """A source filter inside the graph: ``color``, ``anullsrc``."""

    name: str
    args: tuple[tuple[str, str], ...]
    media: Media
    role: str = "source"


@_quick_init
@dataclass(frozen=True, slots=True, eq=False)
class F(Node):
    """A filter with one output. ``role`` names what it is for, so passes can find it:

    fit, fps, format, trim, concat, overlay, text, conform, mix, volume, fade, delay,
    pad, pts, scale, opacity.
    """

    name: str
    args: tuple[tuple[str, str], ...]
    srcs: tuple[Node, ...]
    media: Media
    role: str
    noop: bool = False  # lowering knows this filter changes nothing for its input


@dataclass(frozen=True, slots=True)
class Codec:
    """How a stream is encoded: encoder name and its argv (without ``-c:v``)."""

    encoder: str
    args: tuple[str, ...] = ()
    pix_fmt: str | None = None
    keyframes: tuple[Fraction, ...] = ()
    family: str = ""
    # what the encoder's plugin says it needs (tlc.plugin.Needs), empty for most encoders:
    filters: str = ""  # a chain the stream goes through just before the encoder (hwupload)
    global_args: tuple[str, ...] = ()  # options before the inputs (-init_hw_device ...)


@_quick_init
@dataclass(frozen=True, slots=True, eq=False)
class Encode(Node):
    src: Node
    codec: Codec
    media: Media


@_quick_init
@dataclass(frozen=True, slots=True, eq=False)
class Copy(Node):
    """A stream copied without decoding (``-c copy``)."""

    src: Src | ConcatSrc
    media: Media


Stream = Encode | Copy


@_quick_init
@dataclass(frozen=True, slots=True, eq=False)
class Sink(Node):
    """A file written by one ffmpeg run.

    ``role`` says why it exists: clip, concat, overlay, mix (intermediates of the naive
    plan), segment (kept for a cache or chunked render), or output.
    """

    path: str
    streams: tuple[Stream, ...]
    role: str
    container: str
    flags: tuple[str, ...] = ()
    keep: bool = False  # a cache or chunked render asks for this file
    duration: Fraction | None = None  # for progress

    @property
    def intermediate(self) -> bool:
        return self.role != "output"

    def stream(self, media: Media) -> Stream | None:
        for s in self.streams:
            if s.media == media:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Plan:
    """The final files of an export; everything they need hangs below them."""

    outputs: tuple[Sink, ...]
    timeline: Timeline = field(compare=False)
    workdir: str = ""  # where intermediate files go


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
_WALKS: list[tuple[tuple[Node, ...], list[Node]]] = []
_WALKS_KEPT = 2


def walk(roots: tuple[Node, ...] | list[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each once, children before parents."""
    key = tuple(roots)
    for cached, order in _WALKS:
        if len(cached) == len(key) and all(a is b for a, b in zip(cached, key, strict=True)):
            return list(order)
    order = _walk(key)
    _WALKS.insert(0, (key, order))
    del _WALKS[_WALKS_KEPT:]
    return list(order)


def _walk(
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
                replace(e, sink=get(id(e.sink)))  # type: ignore[arg-type]
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
        order = _walk(tuple(plan.outputs), leaves, is_leaf=skip)
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
        seen: set[int] = set()
        images = []
        for node in order:
            image = memo[id(node)]
            if id(image) not in seen:
                seen.add(id(image))
                images.append(image)
        _WALKS.insert(0, (outputs, images))
        del _WALKS[_WALKS_KEPT:]
    return replace(plan, outputs=outputs)  # type: ignore[arg-type]


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
    order = _walk(key, is_leaf=_over_media)
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


def node_fields(node: Node) -> list[str]:
    return [f.name for f in fields(node)]
