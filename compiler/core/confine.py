"""``--output-root DIR``: every file tlc writes stays under DIR.

On a server that renders strangers' timelines, an output path is input like any
other: ``output "../../etc/cron.d/x.mp4"``, or ``out/x.mp4`` where ``out`` is a
symlink to somewhere else. Under an output root, each path tlc will write (the
outputs, their temp files, the work directory with its intermediate, list and
script files, the cache) must resolve, symlinks followed, to a place inside the
root; anything else is refused before ffmpeg starts, and checked again right
before each run writes.

The cache is kept only if ``TLC_CACHE_DIR`` names a directory under the root;
otherwise nothing is cached (see :func:`tlc.core.cache.confined`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from tlc.core.errors import UsageError


def output_root(value: str) -> str:
    """The real path of an output root, which must be an existing directory."""
    path = os.path.realpath(os.path.expanduser(value))
    if not os.path.isdir(path):
        raise UsageError(f"--output-root {value}: no such directory")
    return path


def inside(path: str, root: str) -> bool:
    """True when ``path``, symlinks followed (as far as they exist), is ``root`` or below."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def check_writes(paths: Iterable[str], root: str) -> None:
    """Refuse, before writing, any of ``paths`` that leads out of ``root``."""
    for path in paths:
        if not inside(path, root):
            raise UsageError(f"refusing to write {path}: it is outside --output-root {root}")
