"""Files that are never half-written: temp files beside their outputs, renamed on
success and never over a file that appeared meanwhile; work directories named after
their owner (PID and host), so the next export sweeps those of a tlc that was killed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from typing import TypeVar

from tlc.backend.escape import file_url
from tlc.core.errors import FfmpegError, UsageError

# a temp file's name keeps this much of the output's name (names have at most 255 bytes)
TEMP_STEM_BYTES = 120


def owner() -> str:
    """``PID-HOST``: who made a temp file or work directory (``HOST``, six hex digits of
    this machine's name: on shared storage, another machine's process ids are not
    this one's), so that :func:`sweep_orphans` can tell whose owner is gone."""
    return f"{os.getpid()}-{_host()}"


@functools.cache
def _host() -> str:
    import hashlib

    if hasattr(os, "uname"):  # (gethostname(2) is uname(2)'s nodename: no socket module)
        name = os.uname().nodename
    else:
        import socket

        name = socket.gethostname()
    return hashlib.sha256(name.encode()).hexdigest()[:6]


_ORPHANS = (
    re.compile(r"\.(\d+)-([0-9a-f]{6})-[a-z0-9_]+\.tlc-tmp(\.[^.]*)?$"),  # a temp output
    re.compile(r"^\.tlc-work-(\d+)-([0-9a-f]{6})-[0-9a-f]+$"),  # a work directory
)


def sweep_orphans(directory: str) -> None:
    """Remove the temp files and work directories an export on this machine left in
    ``directory`` when it was killed with no chance to clean up (``kill -9``): those
    whose process is gone."""
    host = _host()
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    for name in names:
        for pattern in _ORPHANS:
            m = pattern.search(name)
            if m and m[2] == host and not _alive(int(m[1])):
                path = os.path.join(directory, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    unlink(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # (another user's)
    return True


def temp_beside(path: str) -> str:
    """A new empty temp file in ``path``'s directory, named after it and its owner:
    ``.NAME.PID-HOST-XXXX.tlc-tmp.EXT``."""
    stem, ext = os.path.splitext(os.path.basename(path))
    stem = os.fsdecode(os.fsencode(stem)[:TEMP_STEM_BYTES])
    parent = os.path.dirname(path) or "."
    fd, tmp = system(
        tempfile.mkstemp, prefix=f".{stem}.{owner()}-", suffix=f".tlc-tmp{ext}", dir=parent
    )
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # as if created plainly, not mkstemp's 0600
    return str(tmp)


def write_text(path: str, content: str) -> None:
    # file names in lists are written back byte for byte, even if they are not UTF-8
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(content)


_T = TypeVar("_T")


def system(fn: Callable[..., _T], *args: object, **kwargs: object) -> _T:
    """``fn(*args)``, with a failure of the system (a full disk, a read-only directory)
    told as one: :class:`FfmpegError`, exit status 1, the file and the reason."""
    try:
        return fn(*args, **kwargs)
    except OSError as err:
        where = err.filename or (args[0] if args else "")
        raise FfmpegError(f"cannot write {where}: {err.strerror or err}") from None


def makedirs(path: str) -> list[str]:
    """Create ``path`` and missing parents; return the ones created, outermost first."""
    missing = []
    p = os.path.abspath(path)
    while not os.path.isdir(p):
        missing.append(p)
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    missing.reverse()
    for d in missing:
        system(os.makedirs, d, exist_ok=True)
    return missing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def swap(arg: str, temps: dict[str, str]) -> str:
    if arg.startswith("file:"):
        path = arg[5:]
        if path in temps:
            return file_url(temps[path])
    return arg


def publish(tmp: str, path: str, overwrite: bool) -> None:
    """Move a finished temp file into place, atomically; never clobber without overwrite."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if ``path`` appeared meanwhile: nothing is clobbered
    except FileExistsError:
        raise UsageError(f"{path} appeared while exporting: use -y to overwrite it") from None
    except OSError:
        if os.path.exists(path):
            raise UsageError(f"{path} exists: use -y to overwrite it") from None
        os.rename(tmp, path)
        return
    os.unlink(tmp)


def unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def rmdir(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)
