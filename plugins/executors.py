"""executors: ``local`` (one render after the other) and ``pool`` (``--jobs N`` at once).

Both run ffmpeg on this machine. ``pool`` keeps N renders going, the longest
first (so the last one to start is a short one), each its own ffmpeg process
driven by a thread of tlc; Ctrl-C or SIGTERM stops them all, and the first
failure stops the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tlc.plugin import (
    Executor,
    ExecutorInfo,
    ExecutorOptions,
    Job,
    JobResult,
    OnDone,
    OnProgress,
    collect,
    hookimpl,
    longest_first,
    run_job,
)

if TYPE_CHECKING:
    from concurrent.futures import Future


class LocalExecutor(Executor):
    name = "local"

    def run(
        self, jobs: Sequence[Job], on_done: OnDone, on_progress: OnProgress | None = None
    ) -> None:
        for job in jobs:
            on_done(job, run_job(job, None, on_progress))


class PoolExecutor(Executor):
    name = "pool"

    def __init__(self, jobs: int) -> None:
        self.workers = max(1, jobs)

    def run(
        self, jobs: Sequence[Job], on_done: OnDone, on_progress: OnProgress | None = None
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor  # (only a segmented export loads it)

        cancel = threading.Event()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="tlc-render") as pool:
            futures: dict[Future[JobResult], Job] = {
                pool.submit(run_job, job, cancel, on_progress): job
                for job in longest_first(jobs)
            }

            def stop(pending: list[Future[JobResult]]) -> None:
                cancel.set()  # the running renders stop their ffmpeg; the queued never start
                for fut in pending:
                    fut.cancel()

            collect(futures, on_done, stop)


@hookimpl
def tlc_executors() -> list[ExecutorInfo]:
    return [
        ExecutorInfo("local", "one render after the other, in this process",
                      lambda o: LocalExecutor()),
        ExecutorInfo("pool", "--jobs N renders at once on this machine",
                      lambda o: PoolExecutor(o.jobs)),
    ]


__all__ = ["LocalExecutor", "PoolExecutor", "ExecutorOptions"]
