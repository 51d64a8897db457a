"""The resolved timeline: what the `.tl` *means* (see :mod:`tlc.ir`).

Outputs with every setting resolved, the main track with exact start times and
frame counts, overlays and audio items in output time. :mod:`tlc.resolve` builds
it from the AST and the probed media.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from tlc.core.errors import Span
from tlc.media.info import MediaInfo

Media = Literal["v", "a", "s"]  # video, audio, subtitles (soft, in an output only)

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
    encoder: str  # auto or a plugin's name; after tlc.plugin.selection, the video encoder's name
    fit: str  # contain | cover | stretch
    keyframes_at_cuts: bool
    container: str  # ffmpeg muxer name: mp4, mov, matroska, ipod, mp3, ...
    audio_encoder: str = "auto"  # set by tlc.plugin.selection
    fallback_encoder: str | None = None  # software encoder to retry with if auto's GPU one fails
    implicit: bool = False  # no `output` in the file: the defaults' output, to check the edit on

    @property
    def has_video(self) -> bool:
        return self.video != "none"

    @property
    def has_audio(self) -> bool:
        return self.audio != "none"


MainKind = Literal["clip", "gap", "still", "freeze"]


@dataclass(frozen=True, slots=True)
class Transition:
    """``transition NAME D`` into a main item from the one before it: the two overlap by
    ``frames`` (``duration`` = frames / fps, exact); ``xfade`` is ffmpeg's name for it
    (``dissolve`` is xfade's ``fade``)."""

    name: str  # as written
    xfade: str
    frames: int
    duration: Fraction
    span: Span


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
    # a clip's speed: it reads ``duration * speed`` of its source from src_in
    speed: Fraction = Fraction(1)
    # the transition from the item before (``start`` is then that much before its end)
    transition: Transition | None = None

    @property
    def source_length(self) -> Fraction:
        """How much of its source the item plays (a freeze frame: none)."""
        return self.duration if self.speed == 1 else self.duration * self.speed


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
class SubtitleFile:
    """A ``subtitles`` line: a subtitle file timed in timeline time."""

    path: str
    format: str  # the file's codec, as ffmpeg names it: subrip | ass | webvtt
    burn: bool
    span: Span
    lang: str | None = None  # ISO 639-2
    size: int | None = None  # burned: the font size (libass's FontSize)
    font: str | None = None  # burned: a font file; its folder is libass's fontsdir
    font_name: str | None = None  # that file's family name (libass's FontName)


@dataclass(frozen=True, slots=True)
class ChapterMark:
    """A ``chapter``: from ``start`` to ``end`` (the next chapter's start, or the end)."""

    title: str
    start: Fraction
    end: Fraction
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
    # a window of a longer main track (tlc.segmented.windows) with a single item: its frames get
    # the time base the concat filter gives the whole track in one run (1/1000000), so
    # overlays meet its frames exactly as they do there
    concat_timebase: bool = False
    subtitles: tuple[SubtitleFile, ...] = ()  # in the order written
    chapters: tuple[ChapterMark, ...] = ()  # in time order

    @property
    def burned(self) -> SubtitleFile | None:
        return next((s for s in self.subtitles if s.burn), None)

    @property
    def soft_subtitles(self) -> tuple[SubtitleFile, ...]:
        return tuple(s for s in self.subtitles if not s.burn)

    @property
    def has_main(self) -> bool:
        return bool(self.main)


__all__ = [
    "Media", "OutputSpec", "MainKind", "Transition", "MainItem", "OverlayItem", "AudioItem",
    "SubtitleFile", "ChapterMark", "Timeline"
]
