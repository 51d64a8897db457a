"""The filters an ffmpeg has (``ffmpeg -filters``), asked once per binary and cached
on disk, keyed by the binary's real path, size and mtime (as :mod:`tlc.core.xfade`).

The wasm engine checks a plan against them before it runs anything: ffmpeg.wasm is
a fixed 5.1 build, and a filter it lacks is better told up front than as a failed
run (:func:`tlc.pipeline.compile_resolved`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

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
    found = cache.asked_once(ffmpeg.path, CACHE, ["-hide_banner", "-filters"],
                             lambda text: sorted(parse_filters(text)), TIMEOUT)
    return frozenset(found) if found else None
