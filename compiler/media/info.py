"""What a media file is, as tlc needs it: :class:`MediaInfo` with its
:class:`VideoInfo` and :class:`AudioInfo`, frozen values without I/O, and their JSON
form (the probe cache's). :mod:`tlc.media.probe` makes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Self, TypeVar

from tlc.core.errors import MediaError

if TYPE_CHECKING:
    pass


_LEADS: dict[int, tuple[MediaInfo, tuple[Fraction, Fraction]]] = {}


#: streams that begin this close together are taken to begin together: encoder delay
#: and muxing make a few tens of ms (under a frame at 25 fps), not a gap to keep
SYNC_SLACK = Fraction(1, 20)


_T = TypeVar("_T")


def _to_json(obj: Any) -> dict[str, Any]:
    """A dataclass of these as JSON: fractions as ``"num/den"`` strings."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, Fraction):
            value = str(value)
        elif hasattr(value, "to_json"):
            value = value.to_json()
        out[f.name] = value
    return out


def _from_json(cls: type[_T], d: Any) -> _T:
    """The inverse of :func:`_to_json`; raises KeyError, TypeError or ValueError on junk."""
    if not isinstance(d, dict):
        raise TypeError(f"not a {cls.__name__}: {d!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        value = d[f.name]
        kind = str(f.type).removesuffix(" | None")
        if value is None and kind != f.type:
            kwargs[f.name] = None
        elif value is None:
            raise TypeError(f"{cls.__name__}.{f.name} is null")
        else:
            kwargs[f.name] = _DECODERS[kind](value)
    return cls(**kwargs)


class JsonForm:
    """``to_json()`` and ``from_json()`` for the frozen dataclasses of this module (the
    probe cache's form: fractions as ``"num/den"``)."""

    __slots__ = ()

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Self:
        return _from_json(cls, d)


@dataclass(frozen=True, slots=True)
class VideoInfo(JsonForm):
    """The video stream tlc uses (the first that is not cover art).

    ``fps`` is ``Fraction(0)`` for a still image; ``sar`` is ``Fraction(1)`` when
    the file does not say; ``index`` selects the stream as ``0:v:{index}``.
    """

    codec: str
    width: int
    height: int
    sar: Fraction
    pix_fmt: str
    fps: Fraction
    time_base: Fraction
    profile: str | None
    duration: Fraction | None
    frames: int | None
    index: int = 0
    # degrees the pictures are turned for display (a phone's display matrix), which
    # ffmpeg applies when it decodes: ``width``/``height``/``sar`` are already the
    # turned pictures'
    rotation: int = 0
    # how ffmpeg's scaler takes its pictures' colours: "BT.601, limited" (untagged
    # video counts as that), "BT.709, full", ...; "" for RGB pictures (no matrix)
    colours: str = ""
    # the stream's first timestamp in the file (seconds; None if unknown): with the
    # file's start time, where its pictures begin against its sound
    start: Fraction | None = None
    # the first packets are evenly spaced at ``fps`` (False: a variable frame rate,
    # which an output at the same nominal rate must still resample)
    steady: bool = True



@dataclass(frozen=True, slots=True)
class AudioInfo(JsonForm):
    """The first audio stream; ``index`` selects it as ``0:a:{index}``."""

    codec: str
    sample_rate: int
    channels: int
    layout: str
    time_base: Fraction
    profile: str | None
    duration: Fraction | None
    index: int = 0
    start: Fraction | None = None  # as VideoInfo.start



@dataclass(frozen=True, slots=True)
class MediaInfo(JsonForm):
    """One media file. ``duration`` is None for a still image (``is_image``)."""

    path: str
    size: int
    mtime_ns: int
    format_name: str
    duration: Fraction | None
    start_time: Fraction
    video: VideoInfo | None
    audio: AudioInfo | None
    is_image: bool

    def lead_ins(self) -> tuple[Fraction, Fraction]:
        """How long after the file's start its pictures and its sound begin, when they
        begin more than :data:`SYNC_SLACK` apart (a recording whose sound starts a
        second late); else (0, 0), and both are read from their first sample."""
        known = _LEADS.get(id(self))
        if known is not None and known[0] is self:
            return known[1]
        v = self.video.start if self.video is not None else None
        a = self.audio.start if self.audio is not None else None
        if v is None or a is None or abs(v - a) <= SYNC_SLACK:
            leads = (Fraction(0), Fraction(0))
        else:
            leads = (v - self.start_time, a - self.start_time)
        if len(_LEADS) > 4096:  # (a long-lived process: not every file it ever saw)
            _LEADS.clear()
        _LEADS[id(self)] = (self, leads)  # (10,000 clips of four files ask 30,000 times)
        return leads



def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"not a bool: {value!r}")
    return value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": int,
    "bool": _strict_bool,
    "Fraction": Fraction,
    "VideoInfo": VideoInfo.from_json,
    "AudioInfo": AudioInfo.from_json,
}


class ProbeError(MediaError):
    """A :class:`MediaError` that knows which path (as the caller gave it) failed."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


def stat_error(path: str, apath: str, err: OSError) -> ProbeError:
    if isinstance(err, FileNotFoundError):
        return ProbeError(f"no such file: {apath}", path)
    if isinstance(err, PermissionError):
        return ProbeError(f"cannot read {apath}: permission denied", path)
    return ProbeError(f"cannot read {apath}: {err.strerror or err}", path)
