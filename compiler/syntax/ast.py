"""The syntax tree of a `.tl` file: what was written, with where it was written.

The parser builds these; :mod:`tlc.resolve` checks their meaning and turns them into
the IR. Nothing here knows about media or ffmpeg. Times are kept as written (seconds
or frames) because frames depend on the output's fps, known only when lowering.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from tlc.core.errors import Span


@dataclass(frozen=True, slots=True)
class Time:
    """A time as written: ``seconds`` for 2.5s/1m30s/01:02:03.5, ``frames`` for 48f."""

    seconds: Fraction | None
    frames: int | None
    span: Span


RangeKind = Literal["point", "span", "dur", "from", "to"]


@dataclass(frozen=True, slots=True)
class Range:
    """``A..B`` (span), ``A+D`` (dur), ``A..`` (from), ``..B`` (to), or a bare ``T`` (point).

    ``start`` is set for point/span/dur/from, ``end`` for span/to, ``duration`` for dur.
    """

    kind: RangeKind
    start: Time | None
    end: Time | None
    duration: Time | None
    span: Span


@dataclass(frozen=True, slots=True)
class Path:
    """A quoted path, unescaped, as written (relative to the `.tl` file's directory)."""

    value: str
    span: Span


# ---- output -------------------------------------------------------------------------

OptionName = Literal["size", "fps", "video", "audio", "preset", "encoder", "fit", "keyframes"]


@dataclass(frozen=True, slots=True)
class Option:
    """One output setting. Values:

    - size: ``(w, h)`` ints or ``"source"``
    - fps: ``Fraction`` or ``"source"``
    - video: ``"h264" | "hevc" | "av1" | "copy" | "none"``
    - audio: ``(codec, bitrate_bps | None)`` with codec ``aac|opus|mp3|copy|none``
    - preset: ``"draft" | "preview" | "production" | "auto"``
    - encoder: a name (``"auto"`` or a plugin's)
    - fit: ``"contain" | "cover" | "stretch"``
    - keyframes: ``"at-cuts"`` (or ``"auto"``)
    """

    name: str
    value: object
    span: Span


@dataclass(frozen=True, slots=True)
class Output:
    path: Path
    options: tuple[Option, ...]
    span: Span


# ---- items --------------------------------------------------------------------------

Pos = tuple[int, int] | Literal["center"]


@dataclass(frozen=True, slots=True)
class Clip:
    """``clip PATH [trim R] [mute] [volume DB] [speed F]`` in a video track."""

    path: Path
    trim: Range | None
    mute: bool
    volume_db: float | None
    span: Span
    speed: Fraction | None = None  # plays the trimmed range this many times as fast


@dataclass(frozen=True, slots=True)
class Gap:
    """``gap DURATION``: black frames and silence."""

    duration: Time
    span: Span


@dataclass(frozen=True, slots=True)
class Still:
    """``image PATH for DURATION`` in a video track."""

    path: Path
    duration: Time
    span: Span


@dataclass(frozen=True, slots=True)
class Transition:
    """``transition NAME DURATION`` between two items of a video track: they overlap by
    DURATION. ``name`` as written (checked against ffmpeg's list when resolving)."""

    name: str
    name_span: Span
    duration: Time
    span: Span


@dataclass(frozen=True, slots=True)
class Freeze:
    """``freeze PATH at T for D``: the frame of PATH at source time T, held for D."""

    path: Path
    at: Time
    duration: Time
    span: Span


@dataclass(frozen=True, slots=True)
class ImageOverlay:
    """``image PATH at RANGE [pos X,Y|center] [scale WxH] [opacity F]``."""

    path: Path
    at: Range | None
    pos: Pos | None
    scale: tuple[int, int] | None
    opacity: float | None
    span: Span


@dataclass(frozen=True, slots=True)
class TextOverlay:
    """``text STRING at RANGE [pos ..] [size N] [color C] [font PATH] [box]``."""

    text: str
    at: Range | None
    pos: Pos | None
    size: int | None
    color: str | None
    font: Path | None
    box: bool
    span: Span


@dataclass(frozen=True, slots=True)
class VideoOverlay:
    """``video PATH at RANGE|T [trim R] [pos ..] [scale WxH]``: picture in picture."""

    path: Path
    at: Range | None
    trim: Range | None
    pos: Pos | None
    scale: tuple[int, int] | None
    span: Span


@dataclass(frozen=True, slots=True)
class AudioClip:
    """``clip PATH [trim R] [at T] [volume DB] [fade in D] [fade out D]`` in an audio track."""

    path: Path
    trim: Range | None
    at: Time | None
    volume_db: float | None
    fade_in: Time | None
    fade_out: Time | None
    span: Span


VideoItem = Clip | Gap | Still | Transition | Freeze
OverlayItem = ImageOverlay | TextOverlay | VideoOverlay


@dataclass(frozen=True, slots=True)
class VideoTrack:
    items: tuple[VideoItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class OverlayTrack:
    items: tuple[OverlayItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class AudioTrack:
    items: tuple[AudioClip, ...]
    span: Span


Track = VideoTrack | OverlayTrack | AudioTrack


@dataclass(frozen=True, slots=True)
class Subtitles:
    """``subtitles PATH [burn | soft] [lang CODE] [size N] [font PATH]``.

    ``mode`` is None where neither ``burn`` nor ``soft`` is written (burn)."""

    path: Path
    mode: Literal["burn", "soft"] | None
    lang: str | None
    size: int | None
    font: Path | None
    span: Span
    lang_span: Span | None = None


@dataclass(frozen=True, slots=True)
class Chapter:
    """``chapter "TITLE" at T``."""

    title: str
    at: Time
    span: Span


@dataclass(frozen=True, slots=True)
class Timeline:
    """A whole file: its outputs and its tracks in the order written."""

    outputs: tuple[Output, ...]
    tracks: tuple[Track, ...]
    file: str
    source: str
    subtitles: tuple[Subtitles, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    # the frame rate an edit without an output renders at (an editor's timeline's own,
    # set by tlc.interchange, which only it sets); None: the defaults'
    fps: Fraction | None = None
