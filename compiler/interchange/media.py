"""Where a clip's media is: its reference's URL decoded, relative paths against the
timeline's folder, ``--relink`` folders searched by name; and where its source time
starts (the media's own start timecode).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from urllib.parse import unquote, urlsplit


def url_path(url: str, base: str) -> str:
    """The local path a reference's ``target_url`` names: ``file://localhost/D%3a/m.mov``
    -> ``D:/m.mov``, ``file:///Volumes/x.mov`` -> ``/Volumes/x.mov``, a bare or
    relative path as it is (relative to ``base``, the timeline's folder)."""
    if url.lower().startswith("file:"):
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc and parts.netloc.lower() != "localhost":
            path = f"//{parts.netloc}{path}"  # a share: //server/path
        if len(path) > 2 and path[0] == "/" and path[2] == ":":  # /D:/media -> D:/media
            path = path[1:]
        return path
    path = unquote(url) if "%" in url and "://" not in url else url
    if os.path.isabs(path) or (len(path) > 1 and path[1] == ":"):
        return path
    return os.path.normpath(os.path.join(base, path))


def basename(path: str) -> str:
    """The file name of ``path``, whichever slashes it was written with."""
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def relinked(names: Sequence[str], folders: Sequence[str]) -> str | None:
    """The first file in ``folders`` named one of ``names`` (exactly, else by its name
    without the extension: a reel or clip name ``clip_A`` finds ``clip_A.mov``)."""
    wanted = [n for n in dict.fromkeys(basename(n).strip() for n in names if n) if n]
    if not wanted or not folders:
        return None
    for folder in folders:
        for name in wanted:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return os.path.abspath(candidate)
    for folder in folders:
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        stems: dict[str, str] = {}
        for entry in entries:
            stems.setdefault(os.path.splitext(entry)[0], entry)
        for name in wanted:
            hit = stems.get(name) or stems.get(os.path.splitext(name)[0])
            if hit is not None and os.path.isfile(os.path.join(folder, hit)):
                return os.path.abspath(os.path.join(folder, hit))
    return None


def start_timecode(path: str) -> str | None:
    """The ``timecode`` tag of a media file (cameras write one; ``ffmpeg -timecode``
    too), from the container or any stream, or None."""
    import av

    try:
        with av.open(path) as container:
            tags = [container.metadata, *(s.metadata for s in container.streams)]
    except (OSError, ValueError, av.error.FFmpegError):
        return None
    for tag in tags:
        tc = tag.get("timecode")
        if tc:
            return str(tc)
    return None


def timecode_seconds(tc: str, rate: Fraction) -> Fraction | None:
    """``HH:MM:SS:FF`` (``;`` before FF: drop frame) at ``rate`` as seconds, or None."""
    import opentimelineio as otio

    try:
        rt = otio.opentime.from_timecode(tc, float(rate))
    except (ValueError, RuntimeError):
        return None
    return Fraction(round(rt.value)) / rate
