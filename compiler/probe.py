"""What is in a media file: streams, sizes, rates, durations, keyframes.

Probing runs in-process with PyAV (no ffprobe, no subprocess). A timeline's
media is probed in one batch (:func:`probe_many`) on a thread pool, since PyAV
releases the GIL while libavformat reads, and every answer is kept in an on-disk
cache keyed by absolute path, size and mtime, so compiling the same timeline
again reads one cache file and opens no media.

Files are opened with the ``file`` protocol only, and the demuxers that read
other files or URLs (HLS and DASH playlists, ffconcat lists, SDP, ...) are
refused before they open anything: a timeline names its media itself.

``av`` is imported inside the functions that need it, so ``import tlc.probe``
stays cheap.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from functools import cache as memoize
from typing import TYPE_CHECKING, Any, TypeVar

from . import cache
from .errors import MediaError

if TYPE_CHECKING:
    from av.audio.stream import AudioStream
    from av.container import InputContainer
    from av.stream import Stream
    from av.video.stream import VideoStream

PROBE_CACHE = "probe-v3.json"  # v2: VideoInfo.rotation, .colours; v3: .start, .steady

#: containers whose input seek (``-ss``) can land past the only keyframe before the
#: point asked for and decode nothing from there (MPEG-TS, MPEG-PS, raw streams)
UNSEEKABLE = frozenset({"mpegts", "mpeg", "h264", "hevc", "m4v", "mpegvideo"})

_LEADS: dict[int, tuple[MediaInfo, tuple[Fraction, Fraction]]] = {}

#: streams that begin this close together are taken to begin together: encoder delay
#: and muxing make a few tens of ms (under a frame at 25 fps), not a gap to keep
SYNC_SLACK = Fraction(1, 20)
KEYFRAME_CACHE_DIR = "keyframes-v1"
MAX_CACHED_PROBES = 5000  # the oldest entries are dropped past this
MAX_KEYFRAME_FILES = 2000
MAX_WORKERS = 16

_T = TypeVar("_T")

# Demuxers that open other files or URLs (playlists, lists, session
# descriptions), grab from devices, or run scripts. The whitelist built from
# this list is checked by libavformat before the demuxer reads anything.
REFUSED_FORMATS = frozenset(
    {
        "hls", "applehttp", "dash", "concat", "imf", "sdp", "rtp", "rtsp", "sap",
        "avisynth", "vapoursynth", "dvdvideo", "bluray", "lavfi",
        "alsa", "pulse", "oss", "jack", "sndio", "openal", "fbdev", "kmsgrab",
        "x11grab", "video4linux2", "v4l2", "libcdio", "libdc1394", "iec61883",
        "decklink", "android_camera", "dshow", "gdigrab", "vfwcap", "avfoundation",
        # text shown as video (ANSI art, .nfo): never what a timeline means
        "tty", "bin", "xbin", "adf", "idf",
    }
)  # fmt: skip

# Containers of one still image. ("image2" reads a single file here: tlc opens
# it with pattern_type=none, so a name like "img%03d.png" is not a sequence.)
_IMAGE_FORMATS = frozenset({"image2", "image2pipe", "ico", "alias_pix", "brender_pix"})
# Formats that hold either one still image or an animation: one frame is an image.
_MAYBE_ANIMATED = frozenset({"gif", "apng", "jpegxl_anim", "webp"})


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


@dataclass(frozen=True, slots=True)
class VideoInfo:
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

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> VideoInfo:
        return _from_json(cls, d)


@dataclass(frozen=True, slots=True)
class AudioInfo:
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

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AudioInfo:
        return _from_json(cls, d)


@dataclass(frozen=True, slots=True)
class MediaInfo:
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

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MediaInfo:
        return _from_json(cls, d)


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


# ---------------------------------------------------------------------------
# the public entry points


def probe(path: str) -> MediaInfo:
    """Probe one file (through the cache). Raises :class:`MediaError`."""
    return probe_many([path])[path]


def probe_many(paths: Iterable[str]) -> dict[str, MediaInfo]:
    """Probe every file in ``paths`` at once; the result is keyed by the paths as given.

    Raises the :class:`MediaError` (a :class:`ProbeError`, with ``.path``) of the
    first path, in the order given, that is not usable media; the others are
    still probed and cached.
    """
    results = probe_each(paths)
    for value in results.values():
        if isinstance(value, MediaError):
            raise value
    return {p: v for p, v in results.items() if isinstance(v, MediaInfo)}


def probe_each(paths: Iterable[str]) -> dict[str, MediaInfo | ProbeError]:
    """Like :func:`probe_many`, but a failure is returned in place of its result.

    For ``tlc check``, which reports every bad file, not just the first.
    """
    given = list(dict.fromkeys(paths))
    by_abs: dict[str, list[str]] = {}
    for p in given:
        by_abs.setdefault(os.path.abspath(p), []).append(p)

    found: dict[str, MediaInfo | ProbeError] = {}
    stamps: dict[str, tuple[int, int]] = {}
    for apath, names in by_abs.items():
        try:
            st = os.stat(apath)
        except OSError as err:
            found[apath] = _stat_error(names[0], apath, err)
            continue
        stamps[apath] = (st.st_size, st.st_mtime_ns)

    if stamps:
        table = cache.read_json(PROBE_CACHE)
        entries = table.get("entries") if isinstance(table, dict) else None
        if isinstance(entries, dict):
            for apath, stamp in stamps.items():
                hit = _cached_info(entries.get(apath), stamp)
                if hit is not None:
                    found[apath] = hit

    todo = [a for a in stamps if a not in found]
    if todo:
        fresh: dict[str, MediaInfo] = {}
        workers = min(MAX_WORKERS, len(todo), 2 * (os.cpu_count() or 2))

        def one(apath: str) -> MediaInfo | ProbeError:
            size, mtime_ns = stamps[apath]
            try:
                return _probe_file(apath, size, mtime_ns)
            except MediaError as err:
                return ProbeError(err.message, by_abs[apath][0])

        if workers <= 1:
            answers = [one(a) for a in todo]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tlc-probe") as ex:
                answers = list(ex.map(one, todo))
        for apath, answer in zip(todo, answers, strict=True):
            found[apath] = answer
            if isinstance(answer, MediaInfo):
                fresh[apath] = answer
        if fresh:
            _store_probes(fresh)

    out: dict[str, MediaInfo | ProbeError] = {}
    for p in given:
        value = found[os.path.abspath(p)]
        if isinstance(value, ProbeError) and value.path != p:
            value = ProbeError(value.message, p)
        out[p] = value
    return out


def keyframes(path: str) -> tuple[Fraction, ...]:
    """The times (seconds from the stream's start) of the video keyframes, in order.

    Reads packets only, never decodes. A file with no video stream has none; a
    still image has one, at 0. Cached on disk like probes. Raises MediaError.
    """
    apath = os.path.abspath(path)
    try:
        st = os.stat(apath)
    except OSError as err:
        raise _stat_error(path, apath, err) from None
    key = f"{apath}\0{st.st_size}\0{st.st_mtime_ns}"
    name = f"{KEYFRAME_CACHE_DIR}/{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    cached = cache.read_json(name)
    if (
        isinstance(cached, dict)
        and cached.get("key") == key
        and isinstance(cached.get("pts"), list)
    ):
        try:
            tb = Fraction(cached["time_base"])
            return tuple(tb * int(t) for t in cached["pts"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            pass

    try:
        time_base, pts = _read_keyframes(apath)
    except MediaError as err:
        raise ProbeError(err.message, path) from None
    if cache.write_json(name, {"key": key, "time_base": str(time_base), "pts": list(pts)}):
        _prune_keyframe_cache()
    return tuple(time_base * t for t in pts)


# ---------------------------------------------------------------------------
# the cache


def _cached_info(entry: Any, stamp: tuple[int, int]) -> MediaInfo | None:
    if not isinstance(entry, dict) or (entry.get("size"), entry.get("mtime_ns")) != stamp:
        return None
    try:
        return MediaInfo.from_json(entry["info"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None  # an old or damaged entry: probe again


def _store_probes(fresh: dict[str, MediaInfo]) -> None:
    def change(old: Any | None) -> dict[str, Any]:
        entries = old.get("entries") if isinstance(old, dict) else None
        if not isinstance(entries, dict):
            entries = {}
        for apath, info in fresh.items():
            entries.pop(apath, None)  # re-insert at the end: the newest survive the trim
            entries[apath] = {"size": info.size, "mtime_ns": info.mtime_ns, "info": info.to_json()}
        excess = len(entries) - MAX_CACHED_PROBES
        if excess > 0:
            for stale in list(entries)[:excess]:
                del entries[stale]
        return {"entries": entries}

    cache.update_json(PROBE_CACHE, change)


def _prune_keyframe_cache() -> None:
    """Keep the newest MAX_KEYFRAME_FILES keyframe lists (one file per media version)."""
    where = cache.cache_path(KEYFRAME_CACHE_DIR)
    if where is None:
        return
    try:
        with os.scandir(where) as it:
            files = [(e.stat().st_mtime_ns, e.path) for e in it if e.name.endswith(".json")]
        files.sort()
        for _, stale in files[: max(0, len(files) - MAX_KEYFRAME_FILES)]:
            os.unlink(stale)
    except OSError:
        pass  # another tlc pruned it first, or the cache is read-only: either is fine


# ---------------------------------------------------------------------------
# reading files with PyAV


def _stat_error(path: str, apath: str, err: OSError) -> ProbeError:
    if isinstance(err, FileNotFoundError):
        return ProbeError(f"no such file: {apath}", path)
    if isinstance(err, PermissionError):
        return ProbeError(f"cannot read {apath}: permission denied", path)
    return ProbeError(f"cannot read {apath}: {err.strerror or err}", path)


@memoize
def _format_whitelist() -> str:
    """Every input format PyAV's libavformat has, except the refused ones."""
    import av

    names = []
    for name in sorted(av.formats_available):
        try:
            fmt = av.format.ContainerFormat(name, "r")
        except ValueError:
            continue  # an output-only format
        if not set(name.split(",")) & REFUSED_FORMATS and (fmt.name == "image2" or not fmt.no_file):
            names.append(name)
    return ",".join(names)


def _open(apath: str) -> InputContainer:
    """Open ``apath`` for reading, safely; raises MediaError that says what is wrong."""
    import av

    if os.path.isdir(apath):
        raise MediaError(f"not a file (a directory): {apath}")
    options = {
        "protocol_whitelist": "file",
        "format_whitelist": _format_whitelist(),
        "pattern_type": "none",  # image2: this one file, never a numbered sequence
    }
    try:
        return av.open(apath, mode="r", container_options=options)
    except FileNotFoundError:
        raise MediaError(f"no such file: {apath}") from None
    except PermissionError:
        raise MediaError(f"cannot read {apath}: permission denied") from None
    except IsADirectoryError:
        raise MediaError(f"not a file (a directory): {apath}") from None
    except av.error.InvalidDataError:
        if _playlist_kind(apath) is not None:  # not even detected (a lying extension)
            raise MediaError(_refused_message(apath)) from None
        raise MediaError(
            f"not media: ffmpeg cannot read {apath} "
            "(corrupt, truncated, or not a video, audio or image file)"
        ) from None
    except av.error.ArgumentError:
        # libavformat found a format, and the whitelist refused it before it read anything
        raise MediaError(_refused_message(apath)) from None
    except av.error.FFmpegError as err:
        raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None
    except OSError as err:
        raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None


def _playlist_kind(apath: str) -> str | None:
    """What kind of list of other files or URLs ``apath`` is, by its first bytes."""
    try:
        with open(apath, "rb") as fh:
            head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return None
    kinds = [
        (b"#EXTM3U", "an HLS playlist"),
        (b"ffconcat", "an ffconcat list"),
        (b"v=0", "an SDP session description"),
    ]
    kind = next((k for magic, k in kinds if head.startswith(magic)), None)
    if kind is None and head.startswith(b"<") and b"<MPD" in head:
        kind = "a DASH manifest"
    return kind


def _refused_message(apath: str) -> str:
    kind = _playlist_kind(apath)
    if kind is not None:
        return (
            f"refusing {apath}: it is {kind}, which makes ffmpeg read other files or URLs; "
            "name the media files in the timeline instead"
        )
    return f"refusing {apath}: not a kind of file tlc reads (it could read other files or URLs)"


def _check_format(container: InputContainer, apath: str) -> str:
    name = str(container.format.name)
    if set(name.split(",")) & REFUSED_FORMATS:
        raise MediaError(_refused_message(apath))
    return name


def _first_video(container: InputContainer) -> tuple[int, VideoStream] | None:
    import av

    for i, s in enumerate(container.streams.video):
        if not s.disposition & av.stream.Disposition.attached_pic:  # cover art is not video
            return i, s
    return None


def _seconds(value: int | None, time_base: Fraction | None) -> Fraction | None:
    if value is None or time_base is None or value <= 0:
        return None
    return value * Fraction(time_base)


#: ffmpeg's default layout for a channel count: what a file that does not say its
#: channels' positions ("2 channels": a WAV without a channel mask) is played as
_DEFAULT_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "4.0", 5: "5.0", 6: "5.1",
                    7: "6.1", 8: "7.1"}


def _layout_name(name: str, channels: int) -> str:
    """The layout ``name``, or for channels of no stated position, the default one for
    their count (the encoders refuse "2 channels", and it would not join "stereo")."""
    if name.endswith(" channels") or not name:
        return _DEFAULT_LAYOUTS.get(channels, name)
    return name


def _skipped(codec: str, cc: Any, rate: int) -> Fraction:
    """Seconds the decoder drops at the start that the stream's duration counts: an Opus
    stream's pre-skip (6.5 ms, usually), which ffmpeg gives as the codec's delay."""
    delay = int(getattr(cc, "delay", 0) or 0)
    if codec != "opus" or delay <= 0 or rate <= 0:
        return Fraction(0)
    return Fraction(delay, 48000)  # (Opus counts its pre-skip at 48 kHz, whatever the rate)


def _start(stream: Any) -> Fraction | None:
    if stream.start_time is None or not stream.time_base:
        return None
    return stream.start_time * Fraction(stream.time_base)


def _rate(*rates: Fraction | None) -> Fraction:
    for r in rates:
        if r:
            return Fraction(r)
    return Fraction(0)


def _colours(cc: Any) -> str:
    """:attr:`VideoInfo.colours` of a stream's codec context."""
    fmt = str(cc.pix_fmt or "")
    if not fmt.startswith(("yuv", "nv", "p0", "p2", "gray")):
        return ""
    matrix = {1: "BT.709", 9: "BT.2020", 10: "BT.2020"}.get(int(cc.colorspace), "BT.601")
    full = int(cc.color_range) == 2 or fmt.startswith("yuvj")
    return f"{matrix}, {'full' if full else 'limited'}"


def _rotation(container: InputContainer, vs: Any) -> int:
    """The display rotation of ``vs`` in degrees (0, 90, 180, 270): ffmpeg turns the
    pictures so when it decodes (``-autorotate``, on by default). It is side data of
    the decoded frame here: the first frame is decoded, and nothing more."""
    try:
        for frame in container.decode(vs):
            return int(round(float(getattr(frame, "rotation", 0) or 0))) % 360
    except Exception:  # noqa: BLE001 - a file that does not decode: the render will say
        return 0
    return 0


#: packets :func:`_steady` reads (demuxed, not decoded: a few ms)
STEADY_PACKETS = 300


def _steady(container: InputContainer, vs: Any, fps: Fraction) -> bool:
    """True when the next :data:`STEADY_PACKETS` video packets are spaced one frame
    apart at ``fps``, each within a quarter frame (millisecond timestamps at 29.97 fps
    are). A mix of rates, or frames missing, is not: such video must go through the
    fps filter even when its nominal rate is the output's."""
    tb = Fraction(vs.time_base) if vs.time_base else None
    if tb is None:
        return True
    stamps: list[int] = []
    try:
        for packet in container.demux(vs):
            if packet.pts is not None:
                stamps.append(packet.pts)
            if len(stamps) >= STEADY_PACKETS:
                break
        container.seek(0)  # (back to the start, for the next reader)
    except Exception:  # noqa: BLE001 - a file that does not demux: the render will say
        return True
    stamps.sort()
    frame, slack = 1 / fps, 1 / (4 * fps)
    return all(abs((b - a) * tb - frame) <= slack for a, b in zip(stamps, stamps[1:], strict=False))


def _turned(video: VideoInfo, rotation: int) -> VideoInfo:
    """``video`` as ffmpeg decodes it: a quarter turn swaps its size."""
    if rotation == 0:
        return video
    if rotation in (90, 270):
        return replace(
            video, width=video.height, height=video.width, sar=1 / video.sar if video.sar else
            video.sar, rotation=rotation,
        )
    return replace(video, rotation=rotation)


def _probe_file(apath: str, size: int, mtime_ns: int) -> MediaInfo:
    if size == 0:
        raise MediaError(f"not media: {apath} is empty (0 bytes)")
    with _open(apath) as container:
        fmt = _check_format(container, apath)
        picked_v = _first_video(container)
        picked_a: tuple[int, AudioStream] | None = next(
            iter(enumerate(container.streams.audio)), None
        )
        if picked_v is None and picked_a is None:
            raise MediaError(f"not media: no video or audio stream in {apath}")

        is_image = False
        if picked_v is not None and picked_a is None:
            base = set(fmt.split(","))
            if base & _IMAGE_FORMATS or any(n.endswith("_pipe") for n in base):
                is_image = True
            elif base & _MAYBE_ANIMATED:
                is_image = _frame_count(container, picked_v[1], limit=2) == 1

        video = None
        if picked_v is not None:
            vi, vs = picked_v
            cc = vs.codec_context
            tb = Fraction(vs.time_base) if vs.time_base else Fraction(0)
            sar = vs.sample_aspect_ratio or cc.sample_aspect_ratio
            video = VideoInfo(
                codec=_codec_name(vs),
                width=int(cc.width),
                height=int(cc.height),
                sar=Fraction(sar) if sar else Fraction(1),
                pix_fmt=str(cc.pix_fmt or ""),
                fps=(
                    Fraction(0)
                    if is_image
                    else _rate(vs.average_rate, vs.guessed_rate, vs.base_rate)
                ),
                time_base=tb,
                profile=_profile(vs),
                duration=None if is_image else _seconds(vs.duration, vs.time_base),
                frames=None if is_image or not vs.frames else int(vs.frames),
                index=vi,
                colours=_colours(cc),
                start=_start(vs),
            )
            if video.width <= 0 or video.height <= 0:
                raise MediaError(f"not media: the video in {apath} has no size")
            if not is_image:
                if video.fps and not _steady(container, vs, video.fps):
                    video = replace(video, steady=False)
                video = _turned(video, _rotation(container, vs))

        audio = None
        if picked_a is not None:
            ai, stream = picked_a
            acc = stream.codec_context
            layout = acc.layout
            channels = int(layout.nb_channels if layout is not None else acc.channels)
            rate = int(acc.sample_rate or 0)
            duration = _seconds(stream.duration, stream.time_base)
            skipped = _skipped(_codec_name(stream), acc, rate)
            audio = AudioInfo(
                codec=_codec_name(stream),
                sample_rate=rate,
                channels=channels,
                layout=_layout_name(layout.name if layout is not None else "", channels),
                time_base=Fraction(stream.time_base) if stream.time_base else Fraction(0),
                profile=_profile(stream),
                duration=duration - skipped if duration else duration,
                index=ai,
                start=_start(stream),
            )

        duration = None
        if not is_image:
            duration = _seconds(container.duration, Fraction(1, 1_000_000))
            if duration and video is None and audio is not None and picked_a is not None:
                duration -= _skipped(audio.codec, picked_a[1].codec_context, audio.sample_rate)
            if duration is None:
                known = [d for d in (video and video.duration, audio and audio.duration) if d]
                duration = max(known) if known else None
        start = container.start_time
        return MediaInfo(
            path=apath,
            size=size,
            mtime_ns=mtime_ns,
            format_name=fmt,
            duration=duration,
            start_time=Fraction(start, 1_000_000) if start else Fraction(0),
            video=video,
            audio=audio,
            is_image=is_image,
        )


def _codec_name(stream: Stream) -> str:
    # The codec's own name ("av1"), not the decoder's ("libdav1d"), as ffprobe shows it.
    codec = stream.codec_context.codec
    return str(getattr(codec, "canonical_name", None) or codec.name)


def _profile(stream: Stream) -> str | None:
    try:
        profile = stream.codec_context.profile
    except (AttributeError, ValueError):
        return None
    return str(profile) if profile else None


def _frame_count(container: InputContainer, stream: Stream, limit: int) -> int:
    import av

    count = 0
    try:
        for packet in container.demux(stream):
            if packet.size:
                count += 1
                if count >= limit:
                    break
    except av.error.FFmpegError:
        pass  # damaged after the first frames: what was read still counts
    return count


def _read_keyframes(apath: str) -> tuple[Fraction, tuple[int, ...]]:
    """The video time base and the keyframe pts (relative to the stream start)."""
    import av

    with _open(apath) as container:
        _check_format(container, apath)
        picked = _first_video(container)
        if picked is None:
            return Fraction(1), ()
        stream = picked[1]
        for other in container.streams:
            if other.index != stream.index:
                other.discard = av.stream.Discard.all
        # demuxers that can (mov, matroska, ...) then skip the other packets unread
        stream.discard = av.stream.Discard.nonkey
        tb = Fraction(stream.time_base) if stream.time_base else Fraction(1)
        start = stream.start_time
        seen: set[int] = set()
        try:
            for packet in container.demux(stream):
                if not packet.size or not packet.is_keyframe:
                    continue
                ts = packet.pts if packet.pts is not None else packet.dts
                if ts is None:
                    continue
                seen.add(ts - start if start is not None else ts)
        except av.error.FFmpegError as err:
            raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None
        return tb, tuple(sorted(seen))
