"""Executors: what runs the segment renders of a segmented export.

A segmented export (:mod:`tlc.segmented.export`) is a set of independent :class:`Job`
values (each renders one segment file, or the timeline's sound) and then one
serial join. An executor runs the jobs: all of them, each once, in any order,
and reports each as it ends. Executors are plugins: the ``tlc_executors`` hook
declares them (:mod:`tlc.plugin.hookspecs`); the built-ins are

- ``local``: one job after the other, in this process;
- ``pool``: ``--jobs N`` jobs at once, each an ffmpeg process of this machine;
- ``dask``: on a Dask distributed cluster (``--scheduler tcp://HOST:PORT``), or on
  a local cluster of ``--jobs`` worker processes when no scheduler is given.

A job is plain data (argv lists and paths) and :func:`run_job` is a top-level
function, so any engine that can call a Python function on another machine can
run it; the machines must see the media, the cache and the output directory at
the same paths (shared storage).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tlc.backend.emit import Step


@dataclass(frozen=True, slots=True)
class Job:
    """One segment's render: the ffmpeg runs that write ``output``."""

    key: str  # the content hash of the segment
    label: str  # "video 3/15 (12s..24s)", "sound"
    steps: tuple[Step, ...]
    output: str  # the file it makes (in the cache, or in the export's work directory)
    workdir: str  # its own intermediate files, removed when it ends
    seconds: Fraction  # of timeline it renders: for progress and for scheduling
    lock: str | None = None  # a lock file held while rendering (shared cache)
    die_with_parent: bool = True  # its ffmpeg ends if the process running it dies


@dataclass(frozen=True, slots=True)
class JobResult:
    key: str
    label: str
    wall: float  # seconds the render took (0 when another export had just made it)
    host: str
    rendered: bool  # False: the file was there already (another export rendered it)


OnDone = Callable[[Job, JobResult], None]
#: told, while a job renders, how many seconds of its timeline are done so far
OnProgress = Callable[[Job, float], None]


class Executor:
    """Runs jobs. Subclass it and declare it from a ``tlc_executors`` hook."""

    name = "executor"
    #: how many jobs it runs at once (segments are cut so that each has a few)
    workers = 1

    def run(
        self, jobs: Sequence[Job], on_done: OnDone, on_progress: OnProgress | None = None
    ) -> None:
        """Run every job once; call ``on_done`` in this thread as each ends. Raise
        :class:`~tlc.core.errors.FfmpegError` (or ``Cancelled``) when one cannot be made.

        ``on_progress(job, seconds)``, from any thread, while a job renders (pass it to
        :func:`run_job`); an executor whose ``run`` takes no ``on_progress`` is still
        run, its progress told only as each job ends."""
        raise NotImplementedError

    def check_paths(self, paths: Sequence[str], writable: Sequence[str]) -> None:
        """Fail with a clear :class:`~tlc.core.errors.UsageError` before anything runs if a
        worker cannot read ``paths`` or write into the directories ``writable``.
        Executors that run on this machine have nothing to check."""

    def close(self) -> None:
        """Release what :meth:`run` started (a local cluster)."""


@dataclass(frozen=True, slots=True)
class ExecutorOptions:
    """What the command line says about executing: ``--jobs``, ``--scheduler``."""

    jobs: int = 1
    scheduler: str | None = None


@dataclass(frozen=True, slots=True)
class ExecutorInfo:
    """An executor a plugin offers: its name, a line about it, and how to make one."""

    name: str
    description: str
    make: Callable[[ExecutorOptions], Executor]


def run_job(
    job: Job, cancel: threading.Event | None = None, progress: OnProgress | None = None
) -> JobResult:
    """Render one job here (in whatever process or worker calls this); ``progress`` is
    told the seconds of its timeline rendered, as ffmpeg reports them.

    The segment is written to a temp file and renamed, so a reader never sees half
    of one. With a lock (a shared cache), two exports needing the same segment
    render it once: the second waits, then finds the file.
    """
    import socket

    started = time.monotonic()
    host = socket.gethostname()
    if job.lock is None:
        _render(job, cancel, progress)
        return JobResult(job.key, job.label, time.monotonic() - started, host, True)
    from filelock import FileLock

    os.makedirs(os.path.dirname(job.lock), exist_ok=True)
    with FileLock(job.lock, timeout=3600):
        if os.path.exists(job.output):
            return JobResult(job.key, job.label, 0.0, host, False)
        _render(job, cancel, progress)
    return JobResult(job.key, job.label, time.monotonic() - started, host, True)


def _render(job: Job, cancel: threading.Event | None, progress: OnProgress | None) -> None:
    from tlc.runtime.run import Progress, execute

    def report(p: Progress) -> None:
        if progress is not None:
            progress(job, p.overall * float(job.seconds))

    os.makedirs(os.path.dirname(job.output), exist_ok=True)
    execute(
        job.steps,
        overwrite=True,
        progress=report if progress is not None else None,
        workdir=job.workdir,
        cancel=cancel,
        die_with_parent=job.die_with_parent,
    )


def longest_first(jobs: Sequence[Job]) -> list[Job]:
    """The order to start ``jobs`` in: the longest first, so the last to start is short."""
    return sorted(jobs, key=lambda j: j.seconds, reverse=True)


def collect(
    futures: Mapping[Any, Job],
    on_done: OnDone,
    stop: Callable[[list[Any]], None],
    result: Callable[[Any, Job], JobResult] | None = None,
) -> None:
    """Wait for every future (anything with ``done()`` and ``result()``: a
    ``concurrent.futures`` or a Dask future) and call ``on_done`` in this thread as
    each ends. ``result(future, job)`` gets its result (default: ``future.result()``).

    The first failure, or SIGINT/SIGTERM (then :class:`~tlc.core.errors.Cancelled`),
    calls ``stop`` with the futures still pending and raises.
    """
    from tlc.core.errors import Cancelled
    from tlc.runtime.process import Signals

    pending = set(futures)
    try:
        with Signals() as sigs:
            while pending:
                ready = [f for f in pending if f.done()]
                if not ready:
                    time.sleep(0.05)
                for fut in ready:
                    pending.discard(fut)
                    job = futures[fut]
                    on_done(job, fut.result() if result is None else result(fut, job))
                if sigs.received is not None:
                    raise Cancelled()
    except BaseException:
        stop(list(pending))
        raise
