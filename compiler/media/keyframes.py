"""The keyframe times of a file's video, read from packets (never decoded) and
cached on disk like probes.
"""

from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from typing import TYPE_CHECKING

from tlc.core import cache
from tlc.core.errors import MediaError

if TYPE_CHECKING:
    pass
from tlc.media.formats import check_format, open_input
from tlc.media.info import ProbeError, stat_error
from tlc.media.reading import first_video

KEYFRAME_CACHE_DIR = "keyframes-v1"


MAX_KEYFRAME_FILES = 2000


def keyframes(path: str) -> tuple[Fraction, ...]:
    """The times (seconds from the stream's start) of the video keyframes, in order.

    Reads packets only, never decodes. A file with no video stream has none; a
    still image has one, at 0. Cached on disk like probes. Raises MediaError.
    """
    apath = os.path.abspath(path)
    try:
        st = os.stat(apath)
    except OSError as err:
        raise stat_error(path, apath, err) from None
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


def _read_keyframes(apath: str) -> tuple[Fraction, tuple[int, ...]]:
    """The video time base and the keyframe pts (relative to the stream start)."""
    import av

    with open_input(apath) as container:
        check_format(container, apath)
        picked = first_video(container)
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
