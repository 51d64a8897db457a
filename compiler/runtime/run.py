"""Run the steps: ffmpeg processes, progress, and files that are never half-written.

- Every output is written to a temp file beside it and renamed on success; an
  existing output is kept unless ``overwrite`` (and the rename itself refuses to
  clobber a file that appeared meanwhile).
- Intermediate files live in a work directory that is removed at the end, whatever
  happens.
- Progress comes from ``-progress pipe:1``; a callback gets one event per update.
- Ctrl-C (SIGINT) or SIGTERM stops ffmpeg, removes temp files and raises
  :class:`~tlc.core.errors.Cancelled`; an ffmpeg failure raises
  :class:`~tlc.core.errors.FfmpegError` with the last lines of its stderr (and says so
  plainly when the disk is full or the file size limit was reached).
- With an output root (``--output-root``), every path is checked to lie under it
  right before it is written (see :mod:`tlc.core.confine`).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tlc.backend.emit import Step
from tlc.core.confine import check_writes
from tlc.core.errors import UsageError
from tlc.runtime.files import (
    makedirs,
    publish,
    rmdir,
    swap,
    sweep_orphans,
    system,
    temp_beside,
    unlink,
    write_text,
)
from tlc.runtime.process import run_one
from tlc.runtime.wasm import job_argv


@dataclass(frozen=True, slots=True)
class Progress:
    step: int  # 1-based
    steps: int
    fraction: float  # of this step, 0..1
    out_time: float
    speed: float | None
    eta: float | None
    overall: float  # of the whole export, 0..1
    window: str | None = None  # a segmented export: the window this is about


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class RunStat:
    """How one ffmpeg run went (for the export log, :mod:`tlc.exportlog`)."""

    step: Step
    seconds: float  # wall time
    frames: int | None  # the last frame count ffmpeg's progress reported
    speed: float | None  # its last speed (times real time)
    error: BaseException | None = None  # why it failed (None: it succeeded)


RunFn = Callable[[RunStat], None]


def check_outputs(steps: Sequence[Step], overwrite: bool) -> None:
    """Refuse before anything runs if an output exists and ``overwrite`` is off."""
    for step in steps:
        for path in step.outputs:
            if os.path.isdir(path):
                raise UsageError(f"cannot write {path}: it is a directory")
            if os.path.lexists(path) and not overwrite:
                raise UsageError(f"{path} exists: use -y to overwrite it")
            parent = os.path.dirname(path) or "."
            if os.path.exists(parent) and not os.path.isdir(parent):
                raise UsageError(f"cannot write {path}: {parent} is not a directory")


def execute(
    steps: Sequence[Step],
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    workdir: str | None = None,
    root: str | None = None,
    cancel: threading.Event | None = None,
    die_with_parent: bool = True,
    on_run: RunFn | None = None,
    engine: str = "native",
) -> list[str]:
    """Run ``steps`` in order; return the outputs written. ``root``: the real path of
    a directory that every file written must lie under (``--output-root``); ``on_run``
    is told how each ffmpeg run went, failed ones too (:class:`RunStat`).

    ``cancel``, when set (by another thread), stops the run as a signal would
    (:class:`Cancelled`); with ``die_with_parent`` (Linux), ffmpeg is killed if the
    process running this dies (``kill -9`` of tlc or of its process group, as an app
    does after a timeout; a Dask worker killed mid-render): ffmpeg runs in a session
    of its own, which a signal to tlc's group does not reach.

    ``engine="wasm"``: the steps were emitted for ffmpeg.wasm's launcher
    (:mod:`tlc.core.wasm`); each run is given the files it reads and writes
    (:mod:`tlc.runtime.wasm`), and everything else is as for native ffmpeg."""
    check_outputs(steps, overwrite)

    def confine(*paths: str) -> None:
        if root is not None:
            check_writes(paths, root)

    confine(*(w for s in steps for w in s.writes), *(a.path for s in steps for a in s.aux))
    if workdir is not None:
        confine(os.path.join(workdir, "x"))
    temps: dict[str, str] = {}
    made_dirs: list[str] = []
    done: list[str] = []
    try:
        swept: set[str] = set()
        for step in steps:
            for path in step.outputs:
                parent = os.path.dirname(path) or "."
                confine(path)
                made_dirs.extend(makedirs(parent))
                if parent not in swept:
                    swept.add(parent)
                    sweep_orphans(parent)
                temps[path] = temp_beside(path)
        if workdir is not None:
            confine(os.path.join(workdir, "x"))
            system(os.makedirs, workdir, exist_ok=True)
        total = sum(float(s.duration or 0) or 1.0 for s in steps)
        before = 0.0
        for i, step in enumerate(steps, 1):
            confine(*step.writes, *(temps[o] for o in step.outputs), *(a.path for a in step.aux))
            for aux in step.aux:
                system(os.makedirs, os.path.dirname(aux.path), exist_ok=True)
                system(write_text, aux.path, aux.content)
            for w in step.writes:
                if w not in temps:
                    system(os.makedirs, os.path.dirname(w) or ".", exist_ok=True)
            argv = [swap(a, temps) for a in step.argv]
            weight = float(step.duration or 0) or 1.0

            def report(
                fraction: float,
                out_time: float,
                speed: float | None,
                i: int = i,
                weight: float = weight,
                step: Step = step,
                before: float = before,
            ) -> None:
                if progress is None:
                    return
                eta = None
                if speed and speed > 0 and step.duration:
                    eta = max(0.0, (float(step.duration) - out_time) / speed)
                overall = (before + fraction * weight) / total
                progress(Progress(i, len(steps), fraction, out_time, speed, eta, overall))

            seen: dict[str, float] = {}
            started = time.monotonic()
            job = None
            head = 1
            if engine == "wasm":
                argv, job = system(job_argv, step, argv, temps, workdir)
                head = 3  # (the launcher, --job FILE: ffmpeg's own options follow)
            try:
                run_one(argv, step, report, cancel, die_with_parent, seen, head)
            except BaseException as err:
                if on_run is not None:
                    on_run(_stat(step, started, seen, err))
                raise
            finally:
                if job is not None:
                    unlink(job)
            if on_run is not None:
                on_run(_stat(step, started, seen, None))
            before += weight
            for path in step.outputs:
                confine(path)
                publish(temps[path], path, overwrite)
                del temps[path]  # (only now: a temp that was not published is removed)
                done.append(path)
        made_dirs.clear()  # they hold the outputs now
        return done
    finally:
        for tmp in temps.values():
            unlink(tmp)
        if workdir is not None and os.path.isdir(workdir):
            shutil.rmtree(workdir, ignore_errors=True)
        for d in reversed(made_dirs):
            rmdir(d)


def _stat(step: Step, started: float, seen: dict[str, float], err: BaseException | None) -> RunStat:
    frame = seen.get("frame")
    return RunStat(step, time.monotonic() - started, None if frame is None else int(frame),
                   seen.get("speed"), err)
