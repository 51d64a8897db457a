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


#: files a name without extension never finds (the timeline itself, its notes)
NOT_MEDIA = frozenset((
    ".edl", ".xml", ".otio", ".otioz", ".fcpxml", ".tl", ".txt", ".json", ".md", ".srt",
    ".vtt", ".ass", ".ale", ".csv", ".log", ".py", ".sh", ".pdf", ".html",
))

#: how many files relinking indexes under one folder (and its subfolders) at most
MAX_INDEXED = 200_000


class Relinker:
    """Finds media by name in folders and their subfolders (a folder's own files
    first, then its subfolders', in name order), each folder indexed once."""

    def __init__(self, folders: Sequence[str]) -> None:
        self.folders = list(folders)
        self._index: dict[str, tuple[dict[str, str], dict[str, str]]] = {}

    def index(self, folder: str) -> tuple[dict[str, str], dict[str, str]]:
        """(file name -> path, name without extension -> path) under ``folder``."""
        found = self._index.get(folder)
        if found is None:
            names: dict[str, str] = {}
            stems: dict[str, str] = {}
            count = 0
            for root, dirs, files in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    path = os.path.abspath(os.path.join(root, f))
                    names.setdefault(f, path)
                    stem, ext = os.path.splitext(f)
                    if ext.lower() not in NOT_MEDIA and not f.startswith("."):
                        stems.setdefault(stem, path)
                    count += 1
                if count > MAX_INDEXED:
                    break
            found = self._index[folder] = (names, stems)
        return found

    def find(self, names: Sequence[str]) -> str | None:
        """The first file named one of ``names`` (exactly, else by its name without the
        extension: a reel or clip name ``clip_A`` finds ``clip_A.mov``), or None."""
        wanted = [n for n in dict.fromkeys(basename(n).strip() for n in names if n) if n]
        for folder in self.folders:
            by_name, by_stem = self.index(folder)
            for name in wanted:
                hit = by_name.get(name)
                if hit is not None:
                    return hit
            for name in wanted:
                hit = by_stem.get(name) or by_stem.get(os.path.splitext(name)[0])
                if hit is not None:
                    return hit
        return None


def relinked(names: Sequence[str], folders: Sequence[str]) -> str | None:
    """The first file under ``folders`` named one of ``names`` (see :class:`Relinker`)."""
    return Relinker(folders).find(names)


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
