"""The keyframe times of a file's video, read from packets (never decoded) and
cached on disk like probes; with them, what smart render needs to copy GOPs and to
encode frames that fit between them (:class:`GopFacts`: each keyframe's decode
time, the video's track id, its parameter sets and its encoder's settings).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from tlc.core import cache
from tlc.core.errors import MediaError

if TYPE_CHECKING:
    pass
from tlc.media.formats import check_format, open_input
from tlc.media.info import ProbeError, stat_error
from tlc.media.reading import first_video

KEYFRAME_CACHE_DIR = "keyframes-v3"  # v3: decode times, track id, parameter sets; every packet


MAX_KEYFRAME_FILES = 2000


@dataclass(frozen=True, slots=True)
class GopFacts:
    """A video's keyframes and what a copy of its GOPs must agree with.

    ``pts`` and ``dts``: each keyframe's presentation and decode time (seconds from
    the stream's start; the decode time is earlier when B-frames are reordered);
    ``stream_id``: the container's id of the stream (an MP4 track id); ``extradata``:
    the codec's global headers (an ``avcC``, hex); ``settings``: the encoder's own
    record of its options, where it writes one (x264's SEI: ``cabac=1 ref=3 ...``);
    ``colour``: (primaries, transfer, matrix, range) as ffmpeg names them.
    """

    pts: tuple[Fraction, ...]
    dts: tuple[Fraction, ...]
    stream_id: int = 0
    extradata: str = ""
    settings: str = ""
    colour: tuple[str, str, str, str] = ("", "", "", "")


def keyframes(path: str) -> tuple[Fraction, ...]:
    """The times (seconds from the stream's start) of the video keyframes, in order.

    Reads packets only, never decodes. A file with no video stream has none; a
    still image has one, at 0. Cached on disk like probes. Raises MediaError.
    """
    return gop_facts(path).pts


def gop_facts(path: str) -> GopFacts:
    """The keyframes of ``path``'s video and its stream's facts (see :class:`GopFacts`);
    cached on disk with the keyframes. Raises MediaError."""
    apath = os.path.abspath(path)
    try:
        st = os.stat(apath)
    except OSError as err:
        raise stat_error(path, apath, err) from None
    key = f"{apath}\0{st.st_size}\0{st.st_mtime_ns}"
    known = _SEEN.get(key)
    if known is not None:  # (a timeline of many clips of one file asks once per clip)
        return known
    name = f"{KEYFRAME_CACHE_DIR}/{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    cached = cache.read_json(name)
    facts: GopFacts | None = None
    if isinstance(cached, dict) and cached.get("key") == key:
        with contextlib.suppress(KeyError, TypeError, ValueError, ZeroDivisionError):
            facts = _facts_of(cached)
    if facts is None:
        try:
            data = _read_keyframes(apath)
        except MediaError as err:
            raise ProbeError(err.message, path) from None
        if cache.write_json(name, {"key": key, **data}):
            _prune_keyframe_cache()
        facts = _facts_of(data)
    if len(_SEEN) >= 256:  # (a long-lived process, a server, sees many files)
        _SEEN.clear()
    _SEEN[key] = facts
    return facts


#: the facts read in this process, by file version (path, size, mtime)
_SEEN: dict[str, GopFacts] = {}


def _facts_of(data: dict[str, Any]) -> GopFacts:
    tb = Fraction(data["time_base"])
    colour = tuple(str(c) for c in data["colour"])
    assert len(colour) == 4
    return GopFacts(
        tuple(tb * int(t) for t in data["pts"]),
        tuple(tb * int(t) for t in data["dts"]),
        int(data["stream_id"]),
        str(data["extradata"]),
        str(data["settings"]),
        (colour[0], colour[1], colour[2], colour[3]),
    )


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


#: x264's and x265's record of their options, in an SEI of the first picture (x265's
#: may be in the global headers)
_OPTIONS_SEI = re.compile(rb"(?:x264 - core \d+|x265 \(build \d+\))[^\0]*? - options: ([^\0]*)")


def _read_keyframes(apath: str) -> dict[str, Any]:
    """The video time base, the keyframes' pts and dts (relative to the stream start),
    and the stream's facts, as the cache keeps them."""
    import av

    with open_input(apath) as container:
        check_format(container, apath)
        picked = first_video(container)
        data: dict[str, Any] = {
            "time_base": "1", "pts": [], "dts": [], "stream_id": 0, "extradata": "",
            "settings": "", "colour": ["", "", "", ""],
        }
        if picked is None:
            return data
        stream = picked[1]
        cc = stream.codec_context
        data["stream_id"] = stream.id
        data["extradata"] = bytes(cc.extradata or b"").hex()
        found = _OPTIONS_SEI.search(bytes(cc.extradata or b""))
        if found:
            data["settings"] = found.group(1).decode("ascii", "replace")
        data["colour"] = [_name(cc, "color_primaries"), _name(cc, "color_trc"),
                          _name(cc, "colorspace"), _name(cc, "color_range")]
        for other in container.streams:
            if other.index != stream.index:
                other.discard = av.stream.Discard.all
        # (not Discard.nonkey: the mov demuxer then gives keyframes the composition
        # offsets of other samples, their pts a frame or three off where B-frames are)
        tb = Fraction(stream.time_base) if stream.time_base else Fraction(1)
        start = stream.start_time
        seen: dict[int, int] = {}
        try:
            for packet in container.demux(stream):
                if not packet.size or not packet.is_keyframe:
                    continue
                ts = packet.pts if packet.pts is not None else packet.dts
                if ts is None:
                    continue
                if not seen and not data["settings"]:
                    found = _OPTIONS_SEI.search(bytes(packet))
                    if found:
                        data["settings"] = found.group(1).decode("ascii", "replace")
                dts = packet.dts if packet.dts is not None else ts
                shift = start if start is not None else 0
                seen[ts - shift] = dts - shift
        except av.error.FFmpegError as err:
            raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None
        data["time_base"] = str(tb)
        data["pts"] = sorted(seen)
        data["dts"] = [seen[t] for t in data["pts"]]
        return data


def _name(cc: Any, attr: str) -> str:
    """A colour property of a codec context as ffmpeg names it ("" when unknown)."""
    value = getattr(cc, attr, None)
    if value is None:
        return ""
    return str(getattr(value, "name", value)).lower()
