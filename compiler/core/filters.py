"""The filters an ffmpeg has (``ffmpeg -filters``), asked once per binary and cached
on disk, keyed by the binary's real path, size and mtime (as :mod:`tlc.core.xfade`).

The wasm engine checks a plan against them before it runs anything: ffmpeg.wasm is
a fixed 5.1 build, and a filter it lacks is better told up front than as a failed
run (:func:`tlc.pipeline.compile_resolved`).
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import TYPE_CHECKING, Any

from tlc.core import cache

if TYPE_CHECKING:
    from tlc.core.toolchain import Ffmpeg

CACHE = "ffmpeg-filters-v1.json"
TIMEOUT = 60.0
_LINE = re.compile(r"^\s*[T.][S.][C.]?\s+([A-Za-z0-9_]+)\s+\S*->\S*\s")


def parse_filters(text: str) -> frozenset[str]:
    """The filter names in ``ffmpeg -filters``' output."""
    return frozenset(m.group(1) for m in map(_LINE.match, text.splitlines()) if m)


def filter_names(ffmpeg: Ffmpeg) -> frozenset[str] | None:
    """``ffmpeg``'s filters (cached); None when it cannot be asked."""
    try:
        real = os.path.realpath(ffmpeg.path)
        st = os.stat(real)
    except OSError:
        return None
    stamp = [st.st_size, st.st_mtime_ns]
    table = cache.read_json(CACHE)
    entry = table.get(real) if isinstance(table, dict) else None
    if isinstance(entry, dict) and entry.get("stamp") == stamp:
        names = entry.get("names")
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return frozenset(names)
    try:
        proc = subprocess.run([ffmpeg.path, "-hide_banner", "-filters"], capture_output=True,
                              text=True, errors="replace", timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = parse_filters(proc.stdout)
    if not found:
        return None

    def change(old: Any | None) -> dict[str, Any]:
        new = dict(old) if isinstance(old, dict) else {}
        new[real] = {"stamp": stamp, "names": sorted(found)}
        return new

    cache.update_json(CACHE, change)
    return found
