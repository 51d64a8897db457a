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

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Literal

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
    encoder: str  # auto or a plugin's name
    fit: str  # contain | cover | stretch
    keyframes_at_cuts: bool
    container: str  # ffmpeg muxer name: mp4, mov, matroska, ipod, mp3, ...

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

    @property
    def has_main(self) -> bool:
        return bool(self.main)


# ---- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """Base of plan nodes. Compared by identity (see :class:`Src` for the exception)."""


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
        return (self.path, self.seek, self.duration, self.loop, self.rate)


@dataclass(frozen=True, slots=True)
class ConcatEntry:
    path: str
    inpoint: Fraction | None = None
    outpoint: Fraction | None = None
    sink: Sink | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ConcatSrc(Node):
    """A stream read through the concat demuxer (a list file of entries)."""

    entries: tuple[ConcatEntry, ...]
    media: Media

    def input_key(self) -> tuple[object, ...]:
        return ("concat", self.entries)


@dataclass(frozen=True, slots=True, eq=False)
class Lavfi(Node):
    """A source filter inside the graph: ``color``, ``anullsrc``."""

    name: str
    args: tuple[tuple[str, str], ...]
    media: Media
    role: str = "source"


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


@dataclass(frozen=True, slots=True, eq=False)
class Encode(Node):
    src: Node
    codec: Codec
    media: Media


@dataclass(frozen=True, slots=True, eq=False)
class Copy(Node):
    """A stream copied without decoding (``-c copy``)."""

    src: Src | ConcatSrc
    media: Media


Stream = Encode | Copy


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


def walk(roots: tuple[Node, ...] | list[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each once, children before parents."""
    seen: set[int] = set()
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(r, False) for r in reversed(list(roots))]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for c in reversed(children(node)):
            if id(c) not in seen:
                stack.append((c, False))
    return order


def transform(plan: Plan, fn: Callable[[Node], Node]) -> Plan:
    """Rebuild ``plan`` bottom-up: ``fn(node)`` sees a node whose children are already
    rewritten and returns its replacement (or the node itself). Shared nodes stay shared.
    """
    memo: dict[int, Node] = {}

    def rebuild(node: Node) -> Node:
        changes: dict[str, object] = {}
        if isinstance(node, Src):
            if node.sink is not None:
                new = memo[id(node.sink)]
                if new is not node.sink:
                    changes["sink"] = new
        elif isinstance(node, ConcatSrc):
            entries = []
            changed = False
            for e in node.entries:
                if e.sink is not None and memo[id(e.sink)] is not e.sink:
                    new_sink = memo[id(e.sink)]
                    assert isinstance(new_sink, Sink)
                    entries.append(replace(e, sink=new_sink))
                    changed = True
                else:
                    entries.append(e)
            if changed:
                changes["entries"] = tuple(entries)
        elif isinstance(node, F):
            srcs = tuple(memo[id(s)] for s in node.srcs)
            if any(a is not b for a, b in zip(srcs, node.srcs, strict=True)):
                changes["srcs"] = srcs
        elif isinstance(node, (Encode, Copy)):
            if memo[id(node.src)] is not node.src:
                changes["src"] = memo[id(node.src)]
        elif isinstance(node, Sink):
            streams = tuple(memo[id(s)] for s in node.streams)
            if any(a is not b for a, b in zip(streams, node.streams, strict=True)):
                changes["streams"] = streams
        if changes:
            node = replace(node, **changes)
        return node

    for node in walk(list(plan.outputs)):
        out = fn(rebuild(node))
        memo[id(node)] = out
    outputs = tuple(memo[id(s)] for s in plan.outputs)
    return replace(plan, outputs=outputs)  # type: ignore[arg-type]


def sinks(plan: Plan) -> list[Sink]:
    """Every file the plan writes, intermediates first (in an order that can run)."""
    return [n for n in walk(list(plan.outputs)) if isinstance(n, Sink)]


def node_fields(node: Node) -> list[str]:
    return [f.name for f in fields(node)]
