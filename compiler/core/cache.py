"""The on-disk cache: where it lives, and JSON files read and written safely.

The cache only ever saves work (probes, keyframe lists, the ffmpeg version); it
is never the only copy of anything. So every function here fails soft: a
missing, corrupt or unwritable cache reads as empty and writes are skipped, and
the caller simply does the work again.

It lives in ``platformdirs.user_cache_dir("tlc")`` unless ``TLC_CACHE_DIR``
names another directory. Under ``--output-root`` (:func:`confined`) it is used
only if it lies under that root; otherwise there is no cache at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

CACHE_ENV = "TLC_CACHE_DIR"
LOCK_TIMEOUT = 10.0  # seconds to wait for another tlc writing the same file


# the output root the current export is confined to (see tlc.core.confine), if any
_ROOT: ContextVar[str | None] = ContextVar("tlc_cache_root", default=None)


@contextlib.contextmanager
def confined(root: str | None) -> Iterator[None]:
    """Within the block, the cache is used only if it lies under ``root`` (the real path
    of an output root): otherwise reads find nothing and writes are skipped."""
    token = _ROOT.set(root)
    try:
        yield
    finally:
        _ROOT.reset(token)


def cache_dir() -> Path | None:
    """The cache directory (not created here): ``$TLC_CACHE_DIR`` or the platform's;
    None when there is no cache (confined to an output root it lies outside of)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        path = Path(env).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("tlc", appauthor=False))
    root = _ROOT.get()
    if root is not None:
        from tlc.core.confine import inside

        if not inside(str(path), root):
            return None
    return path


def cache_path(name: str) -> Path | None:
    """The path of the cache file ``name`` (which may contain ``/``); None: no cache."""
    where = cache_dir()
    return None if where is None else where / name


def read_json(name: str) -> Any | None:
    """The parsed JSON in cache file ``name``, or None if it is missing or unreadable."""
    path = cache_path(name)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read())
    except (OSError, ValueError, RecursionError):
        return None


def write_json(name: str, data: Any) -> bool:
    """Write ``data`` to cache file ``name`` atomically; False (no error) if it cannot."""
    path = cache_path(name)
    if path is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, data)
    except (OSError, TypeError, ValueError):
        return False
    return True


def update_json(name: str, change: Callable[[Any | None], Any]) -> bool:
    """Read-modify-write cache file ``name`` under a lock, so two tlc runs lose no entries.

    ``change`` gets the current content (None if missing or corrupt) and returns
    the new one. Returns False, without raising, if the cache cannot be written.
    """
    from filelock import FileLock, Timeout

    path = cache_path(name)
    if path is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT):
            _write_atomic(path, change(read_json(name)))
    except (OSError, Timeout, TypeError, ValueError):
        return False
    return True


def _write_atomic(path: Path, data: Any) -> None:
    # A temporary file in the same directory, then os.replace: a reader sees the
    # old file or the new one, never half of one.
    text = json.dumps(data, separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def asked_once(
    binary: str, name: str, args: list[str], parse: Callable[[str], Iterable[str]],
    timeout: float = 60.0,
) -> tuple[str, ...] | None:
    """The names ``parse`` finds in what ``binary args`` prints (stdout and stderr),
    asked once per binary: cached in ``name``, keyed by the binary's real path, size
    and mtime. None when it cannot be asked; () when it answers none (not cached)."""
    import subprocess

    try:
        real = os.path.realpath(binary)
        st = os.stat(real)
    except OSError:
        return None
    stamp = [st.st_size, st.st_mtime_ns]
    table = read_json(name)
    entry = table.get(real) if isinstance(table, dict) else None
    if isinstance(entry, dict) and entry.get("stamp") == stamp:
        names = entry.get("names")
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return tuple(names)
    try:
        proc = subprocess.run([binary, *args], capture_output=True, text=True,
                              errors="replace", timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = tuple(parse(proc.stdout + proc.stderr))
    if found:

        def change(old: Any | None) -> dict[str, Any]:
            new = dict(old) if isinstance(old, dict) else {}
            new[real] = {"stamp": stamp, "names": list(found)}
            return new

        update_json(name, change)
    return found
