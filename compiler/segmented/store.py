"""The segment cache: rendered segments kept by the hash of what made them.

A segment's key is a SHA-256 over everything that decides its bytes
(:func:`segment_key`): the segment's own timeline (its items, overlays, output
settings; not where it came from in the `.tl` file), the identity of every file it
reads (path, size and modification time, or with ``hash_content`` the bytes), the
encoder and its options, the ffmpeg version, and tlc's version. A re-export that
computes the same key reuses the file; any change gives a new key, so an entry is
never stale, only unused.

Layout, under the cache directory::

    segments/ab/abcdef....mp4    the segment (written to a temp file, then renamed)
    segments/ab/abcdef....json   what it is: label, seconds, the .tl it came from
    locks/abcdef....lock         held while a segment is rendered (two exports, one render)
    segments.lock                held while the cache is trimmed to its size limit

Used files are touched, and trimming removes the least recently used first.
An export links the segments it joins into its own work directory first, so
another export trimming the cache meanwhile cannot take them away.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from tlc.ir import Timeline

#: the size limit when none is given: 10 GiB
DEFAULT_LIMIT = 10 * 1024**3
#: temp files of renders that never finished (a killed worker) are removed after this
STALE_TEMP_SECONDS = 3600
LOCK_TIMEOUT = 3600.0  # a segment another export renders: wait for it, up to an hour

_SKIP_FIELDS = {"span", "media", "file", "path", "implicit"}


def _canon(value: object) -> Any:
    """A JSON-able form of IR values that leaves out where things came from (spans, the
    `.tl` file's name, output paths) and keeps what they mean."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canon(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _SKIP_FIELDS or (f.name == "path" and not _is_output(value))
        }
    if isinstance(value, (tuple, list)):
        return [_canon(v) for v in value]
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return value


def _is_output(value: object) -> bool:
    return type(value).__name__ == "OutputSpec"


def input_paths(tl: Timeline) -> list[str]:
    """Every file ``tl`` reads: clips, stills, overlay images and videos, fonts, audio."""
    paths: set[str] = {i.path for i in tl.main if i.path}
    for track in tl.overlays:
        paths.update(p for o in track for p in (o.path, o.font) if p)
    for atrack in tl.audio:
        paths.update(a.path for a in atrack)
    return sorted(paths)


def file_identity(path: str, hash_content: bool = False) -> list[object]:
    """What says a file is the same file: size and mtime, or the SHA-256 of its bytes."""
    try:
        st = os.stat(path)
    except OSError as err:
        return [path, "missing", err.errno]
    if not hash_content:
        return [path, st.st_size, st.st_mtime_ns]
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return [path, st.st_size, digest.hexdigest()]


def segment_key(
    tl: Timeline, codecs: Iterable[object], ffmpeg_version: str, hash_content: bool = False
) -> str:
    """The cache key of the segment that renders ``tl`` (one output) with ``codecs``."""
    from tlc.core.version import VERSION

    doc = {
        "tlc": VERSION,
        "ffmpeg": ffmpeg_version,
        "timeline": _canon(tl),
        "codecs": [_canon(c) for c in codecs],
        "inputs": [file_identity(p, hash_content) for p in input_paths(tl)],
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    path: str
    size: int
    used: float  # last use, seconds since the epoch
    label: str
    seconds: float | None
    source: str


class SegmentCache:
    """The segments kept in one directory (see the module's docstring)."""

    def __init__(self, root: str | os.PathLike[str], limit: int | None = DEFAULT_LIMIT) -> None:
        self.root = Path(root)
        self.limit = limit

    def path(self, key: str, ext: str) -> str:
        return str(self.root / "segments" / key[:2] / f"{key}{ext}")

    def lock_path(self, key: str) -> str:
        return str(self.root / "locks" / f"{key}.lock")

    def prepare(self) -> None:
        """Create the directories (a clear error if it cannot: the user asked for a cache)."""
        (self.root / "segments").mkdir(parents=True, exist_ok=True)
        (self.root / "locks").mkdir(parents=True, exist_ok=True)

    def hit(self, key: str, ext: str) -> str | None:
        """The stored segment for ``key``, touched as used; None if there is none."""
        path = self.path(key, ext)
        try:
            os.utime(path)
        except OSError:
            return None
        return path

    def describe(self, key: str, label: str, seconds: Fraction | None, source: str) -> None:
        meta = {"label": label, "seconds": float(seconds) if seconds else None, "source": source}
        path = self.root / "segments" / key[:2] / f"{key}.json"
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, path)

    def entries(self) -> list[Entry]:
        """Every stored segment, the most recently used first."""
        found = []
        for path in self._files():
            key = path.stem
            try:
                st = path.stat()
            except OSError:
                continue
            meta: dict[str, Any] = {}
            with contextlib.suppress(OSError, ValueError):
                meta = json.loads(path.with_suffix(".json").read_text())
            found.append(
                Entry(key, str(path), st.st_size, st.st_mtime, str(meta.get("label", "")),
                      meta.get("seconds"), str(meta.get("source", "")))
            )
        found.sort(key=lambda e: e.used, reverse=True)
        return found

    def _files(self) -> Iterator[Path]:
        """The stored segments (not their descriptions, not temp files)."""
        for path in self._all_files():
            if path.suffix != ".json" and not _is_temp(path):
                yield path

    def _all_files(self) -> Iterator[Path]:
        top = self.root / "segments"
        if not top.is_dir():
            return
        for sub in sorted(top.iterdir()):
            if sub.is_dir():
                yield from sorted(sub.iterdir())

    def clear(self) -> tuple[int, int]:
        """Remove every segment (and stale temp files); return (files, bytes) removed."""
        from filelock import FileLock

        count = size = 0
        with FileLock(str(self.root / "segments.lock")):
            for entry in self.entries():
                count += 1
                size += entry.size
                self._remove(entry.path)
            self._sweep_temps(max_age=0)
        return count, size

    def trim(self, keep: Iterable[str] = ()) -> list[Entry]:
        """Remove the least recently used segments (never those in ``keep``) until the
        cache is within its limit; return what was removed."""
        from filelock import FileLock, Timeout

        if self.limit is None:
            return []
        keep = set(keep)
        removed = []
        try:
            with FileLock(str(self.root / "segments.lock"), timeout=30):
                self._sweep_temps(STALE_TEMP_SECONDS)
                entries = self.entries()
                total = sum(e.size for e in entries)
                for entry in reversed(entries):  # the least recently used first
                    if total <= self.limit:
                        break
                    if entry.key in keep:
                        continue
                    self._remove(entry.path)
                    total -= entry.size
                    removed.append(entry)
        except (OSError, Timeout):
            return removed  # trimming is housekeeping: the next export tries again
        return removed

    def _remove(self, path: str) -> None:
        # (its lock file stays: another export may hold it, and it is empty)
        for p in (path, str(Path(path).with_suffix(".json"))):
            with contextlib.suppress(OSError):
                os.unlink(p)

    def _sweep_temps(self, max_age: float) -> None:
        now = time.time()
        for path in self._all_files():
            if _is_temp(path):
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime >= max_age:
                        path.unlink()


def _is_temp(path: Path) -> bool:
    """A segment being written (run's temp file) or a description being replaced."""
    return ".tlc-tmp" in path.name or path.suffix == ".tmp"


def default_dir() -> str | None:
    """The segment cache when ``--incremental`` names none: tlc's cache directory
    (``$TLC_CACHE_DIR`` or the platform's; the segments go in its ``segments/``);
    None if there is none."""
    from tlc.core.cache import cache_dir

    where = cache_dir()
    return None if where is None else str(where)


def parse_size_limit(text: str) -> int:
    """``500M``, ``10G``, ``1.5T``, or a number of bytes."""
    from tlc.core.errors import UsageError

    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = t[-1:] if t[-1:] in units else ""
    number = t[: len(t) - len(unit)] if unit else t
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"bad size {text!r}: write bytes or 500M, 10G, 1T") from None
    if value <= 0:
        raise UsageError(f"bad size {text!r}: it must be positive")
    return int(value * units[unit])
