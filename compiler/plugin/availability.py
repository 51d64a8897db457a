"""Which encoders really work with the ffmpeg in use, remembered on disk.

A check (see the ``trial-encode`` plugin) spawns ffmpeg, so its answer is kept
in the cache file :data:`CACHE`, per ffmpeg binary (its real path, size and
mtime) and version, and per tlc version: an export asks again only when one of
them changes, or when ``tlc plugins --recheck`` says so (after installing a GPU
driver, say). Only the encoders asked about are checked: an export checks the
families it encodes, ``tlc plugins`` checks them all; missing answers are worked
out in parallel and written back in one go.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tlc.core import cache
from tlc.core.toolchain import Ffmpeg
from tlc.core.version import VERSION
from tlc.plugin.encoder import Check
from tlc.plugin.manager import Registered, Registry, trial_request

CACHE = "encoder-checks-v1.json"
MAX_PARALLEL = 8


@dataclass(frozen=True, slots=True)
class Status:
    """An encoder and whether it works with one ffmpeg (if not, ffmpeg's reason)."""

    entry: Registered
    ok: bool
    reason: str = ""


def statuses(
    reg: Registry, ffmpeg: Ffmpeg, entries: Sequence[Registered], recheck: bool = False
) -> list[Status]:
    """The status of each of ``entries`` with ``ffmpeg``: cached, else checked now."""
    binary, stamp = _stamp(ffmpeg)
    table = cache.read_json(CACHE)
    known: dict[str, Any] = {}
    if not recheck and isinstance(table, dict):
        entry = table.get(binary)
        if isinstance(entry, dict) and entry.get("stamp") == stamp:
            known = entry.get("checks") or {}
    key = {r: _key(reg, r) for r in entries}
    answers: dict[str, Check] = {}
    for r in entries:
        got = known.get(key[r])
        if isinstance(got, dict) and isinstance(got.get("ok"), bool):
            answers[key[r]] = Check(got["ok"], str(got.get("reason", "")))
    todo = [r for r in entries if key[r] not in answers]
    if todo:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(todo))) as pool:
            checks = pool.map(lambda r: _check(reg, r, ffmpeg), todo)
            fresh = {key[r]: c for r, c in zip(todo, checks, strict=True)}
        answers.update(fresh)
        _remember(binary, stamp, fresh)
    return [Status(r, answers[key[r]].ok, answers[key[r]].reason) for r in entries]


def _check(reg: Registry, r: Registered, ffmpeg: Ffmpeg) -> Check:
    try:
        return reg.check(r.encoder, ffmpeg)
    except Exception as err:  # a plugin's bug must not hide the other encoders
        return Check(False, f"plugin {r.plugin!r} failed to check it: {type(err).__name__}: {err}")


def _key(reg: Registry, r: Registered) -> str:
    """What a check depends on besides the ffmpeg: the encoder, its plugin's package, and
    what the check runs (so a plugin that changes its options is checked again)."""
    e = r.encoder
    try:
        request = trial_request(e)
        ran = repr((reg.args(e, request), reg.needs(e, request)))
    except Exception as err:  # a plugin's bug: keyed apart, and _check reports it
        ran = repr(err)
    digest = hashlib.sha1(ran.encode()).hexdigest()[:12]
    return f"{e.name}|{e.family}|{e.ffmpeg_name}|{r.origin}|{digest}"


def _stamp(ffmpeg: Ffmpeg) -> tuple[str, list[object]]:
    real = os.path.realpath(ffmpeg.path)
    try:
        st = os.stat(real)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    return real, [ffmpeg.version_text, size, mtime, VERSION]


def _remember(binary: str, stamp: list[object], fresh: dict[str, Check]) -> None:
    def change(old: Any | None) -> dict[str, Any]:
        table = dict(old) if isinstance(old, dict) else {}
        entry = table.get(binary)
        checks = {}
        if isinstance(entry, dict) and entry.get("stamp") == stamp:
            checks = dict(entry.get("checks") or {})
        checks.update({k: {"ok": c.ok, "reason": c.reason} for k, c in fresh.items()})
        table[binary] = {"stamp": stamp, "checks": checks}
        return table

    cache.update_json(CACHE, change)
