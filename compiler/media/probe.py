"""What is in a media file: streams, sizes, rates, durations, keyframes.

Probing runs in-process with PyAV (no ffprobe, no subprocess). A timeline's
media is probed in one batch (:func:`probe_many`) on a thread pool, since PyAV
releases the GIL while libavformat reads, and every answer is kept in an on-disk
cache keyed by absolute path, size and mtime, so compiling the same timeline
again reads one cache file and opens no media.

Files are opened with the ``file`` protocol only, and the demuxers that read
other files or URLs (HLS and DASH playlists, ffconcat lists, SDP, ...) are
refused before they open anything: a timeline names its media itself.

``av`` is imported inside the functions that need it, so ``import tlc.media.probe``
stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tlc.core import cache
from tlc.core.errors import MediaError

if TYPE_CHECKING:
    pass
from tlc.media.info import MediaInfo, ProbeError, stat_error
from tlc.media.reading import probe_file

PROBE_CACHE = "probe-v3.json"  # v2: VideoInfo.rotation, .colours; v3: .start, .steady


MAX_CACHED_PROBES = 5000  # the oldest entries are dropped past this


MAX_WORKERS = 16


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
            found[apath] = stat_error(names[0], apath, err)
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
                return probe_file(apath, size, mtime_ns)
            except MediaError as err:
                return ProbeError(err.message, by_abs[apath][0])

        if workers <= 1:
            answers = [one(a) for a in todo]
        else:
            from concurrent.futures import ThreadPoolExecutor

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


