"""The plugins installed packages declare in the ``tlc`` entry-point group, found once.

Finding them means reading the metadata of every installed distribution
(:mod:`importlib.metadata`), some tens of milliseconds at every start of tlc for an
answer that changes only when a package is installed, upgraded or removed. Any of
those adds or removes a ``*.dist-info`` directory in a directory of ``sys.path``, and
so changes that directory's mtime. The answer is therefore kept in the cache file
:data:`CACHE` with ``sys.path`` and the mtime of each of its entries, and read again
from the metadata when any of them differs (another ``PYTHONPATH``, a ``pip
install``). A missing or unwritable cache only means scanning, as before.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from tlc.core import cache

CACHE = "entry-points-v1.json"


@dataclass(frozen=True, slots=True)
class Declared:
    """One entry point: the plugin's name, what it names (``module`` or
    ``module:attr``), and the package that declares it (``"name version"``)."""

    name: str
    value: str
    origin: str

    def load(self) -> Any:
        """The object the entry point names (importing its module)."""
        import pkgutil

        return pkgutil.resolve_name(self.value)


def declared(group: str) -> list[Declared]:
    """The entry points of ``group``, in the order :mod:`importlib.metadata` lists the
    distributions (the first of two with one name is the one loaded)."""
    stamp = [group, _path_stamp()]
    table = cache.read_json(CACHE)
    if isinstance(table, dict) and table.get("stamp") == stamp:
        try:
            return [Declared(*(str(x) for x in row)) for row in table["found"]]
        except (KeyError, TypeError):
            pass  # (a damaged file: scan again)
    found = _scan(group)
    cache.write_json(CACHE, {"stamp": stamp, "found": [[d.name, d.value, d.origin]
                                                      for d in found]})
    return found


def _path_stamp() -> list[list[Any]]:
    """Each ``sys.path`` entry (absolute) with its mtime (None: it is not there)."""
    stamp: list[list[Any]] = []
    for entry in sys.path:
        where = os.path.abspath(entry or os.curdir)
        try:
            mtime: int | None = os.stat(where).st_mtime_ns
        except OSError:
            mtime = None
        stamp.append([where, mtime])
    return stamp


def _scan(group: str) -> list[Declared]:
    import importlib.metadata

    found = []
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == group:
                value = f"{ep.module}:{ep.attr}" if ep.attr else ep.module
                found.append(Declared(ep.name, value, f"{dist.metadata['name']} {dist.version}"))
    return found
