"""The transitions the ffmpeg in use draws: the values of its ``xfade`` filter's
``transition`` option, as ``ffmpeg -h filter=xfade`` lists them.

Asked once per binary ever: the answer is cached on disk (:data:`CACHE`), keyed by
the binary's real path, size and mtime, as its version is (:mod:`tlc.core.toolchain`).
A `.tl` file names them as ffmpeg does, with one exception (the editors' word):
``dissolve`` is the cross-dissolve, xfade's ``fade``; xfade's own random-pixel
``dissolve`` is spelled ``pixeldissolve``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tlc.core import cache

if TYPE_CHECKING:
    from tlc.core.toolchain import Ffmpeg

CACHE = "xfade-transitions-v1.json"
TIMEOUT = 60.0

#: what xfade has had since ffmpeg 4.3 (for a context with no ffmpeg found, as in tests)
KNOWN = (
    "fade", "wipeleft", "wiperight", "wipeup", "wipedown", "slideleft", "slideright",
    "slideup", "slidedown", "circlecrop", "rectcrop", "distance", "fadeblack", "fadewhite",
    "radial", "smoothleft", "smoothright", "smoothup", "smoothdown", "circleopen",
    "circleclose", "vertopen", "vertclose", "horzopen", "horzclose", "dissolve", "pixelize",
    "diagtl", "diagtr", "diagbl", "diagbr", "hlslice", "hrslice", "vuslice", "vdslice",
)


_VALUE = re.compile(r"^\s+([a-z][a-z0-9_]*)\s+-?\d+\s+\.")
_OPTION = re.compile(r"^\s+([a-z_]+)\s+<")


def parse_help(text: str) -> tuple[str, ...]:
    """The values of the ``transition`` option in ``ffmpeg -h filter=xfade``'s output
    (``custom``, which needs an expression, left out)."""
    names: list[str] = []
    inside = False
    for line in text.splitlines():
        option = _OPTION.match(line)
        if option:
            inside = option.group(1) == "transition"
            continue
        value = _VALUE.match(line) if inside else None
        if value and value.group(1) != "custom":
            names.append(value.group(1))
    return tuple(names)


def xfade_names(ffmpeg: Ffmpeg | None) -> tuple[str, ...]:
    """xfade's transitions in ``ffmpeg`` (cached; :data:`KNOWN` without one). An ffmpeg
    without xfade has nothing to offer: ()."""
    if ffmpeg is None:
        return KNOWN
    found = cache.asked_once(ffmpeg.path, CACHE, ["-hide_banner", "-h", "filter=xfade"],
                             parse_help, TIMEOUT)
    return KNOWN if found is None else found


def tl_names(xfade: tuple[str, ...]) -> dict[str, str]:
    """Each name a `.tl` file may write -> xfade's name for it."""
    out = {name: name for name in xfade if name != "dissolve"}
    if "fade" in xfade:
        out["dissolve"] = "fade"
    if "dissolve" in xfade:
        out["pixeldissolve"] = "dissolve"
    return out
