"""The plan: *how* to make a timeline, as a graph of streams (see :mod:`tlc.ir`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from fractions import Fraction
from typing import TypeVar

from tlc.ir.timeline import Media, Timeline
from tlc.media.info import MediaInfo

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
    """A stream read through the concat demuxer (a list file of entries).

    ``stream_id``: read only the files' stream of that id (an MP4 track id: the list's
    ``stream``/``exact_stream_id``), so that no other stream's start (an AAC track's
    priming) moves its timestamps. ``offset``: seconds added to every timestamp read
    (the input's ``-itsoffset``): a copied sound's list puts its first file's encoder
    priming before 0 again, where the output's edit list skips it, as in that file."""

    entries: tuple[ConcatEntry, ...]
    media: Media
    stream_id: int | None = None
    offset: Fraction = Fraction(0)

    def input_key(self) -> tuple[object, ...]:
        return ("concat", self.entries, self.stream_id, self.offset)


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
    language: str | None = None  # a subtitle stream's language tag (ISO 639-2)


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
    # (start, end, title) of each chapter, in time order: emit writes them as an
    # ffmetadata input and maps its chapters (outputs only)
    chapters: tuple[tuple[Fraction, Fraction, str], ...] = ()

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
    # what the passes decided and why, in their order (``tlc explain`` prints each pass's)
    notes: tuple[str, ...] = field(default=(), compare=False)


__all__ = [
    "Node", "Src", "frame_at", "ConcatEntry", "source_entry", "ConcatSrc", "Lavfi", "F", "Codec",
    "Encode", "Copy", "Stream", "Sink", "Plan"
]
