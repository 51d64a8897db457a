"""dask: segment renders on a Dask distributed cluster.

``--executor dask --scheduler tcp://HOST:PORT`` sends each render to the workers
of an existing cluster; without ``--scheduler`` tlc starts a local cluster of
``--jobs`` worker processes (2 at least) on the loopback interface and stops it
at the end.

Every worker must run the same tlc, find ffmpeg at the same path, and see the
media, the segment cache (or the output's directory) at the same paths: shared
storage. tlc checks this on every worker before anything renders and names what
a worker cannot see. A render whose worker dies is run again on another worker
(Dask reschedules it; its ffmpeg is killed with the worker, and the half-written
temp file is never renamed into place), so an export never ends with a corrupt
segment; a render that fails by itself is tried once more, then fails the export.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from tlc.plugin import (
    Executor,
    ExecutorInfo,
    ExecutorOptions,
    FfmpegError,
    Job,
    JobResult,
    OnDone,
    OnProgress,
    UsageError,
    collect,
    hookimpl,
    longest_first,
    run_job,
)

#: a render that raises is tried this many more times (a worker's death is not counted
#: here: the scheduler reruns the task, up to distributed's ``allowed-failures``)
RETRIES = 1
#: how long to try reaching a scheduler (TLC_DASK_CONNECT_TIMEOUT, seconds)
CONNECT_TIMEOUT = 10.0


def check_worker(paths: Sequence[str], dirs: Sequence[str]) -> list[str]:
    """What this worker cannot see (run on each worker by :meth:`DaskExecutor.check_paths`)."""
    problems = []
    for p in paths:
        if not os.path.exists(p):
            problems.append(f"cannot read {p}")
    for d in dirs:
        if not os.path.isdir(d) or not os.access(d, os.W_OK):
            problems.append(f"cannot write into {d}")
    return problems


#: a worker sends a render's progress at most this often (seconds)
PROGRESS_PERIOD = 0.25


def run_job_reporting(job: Job, topic: str) -> JobResult:
    """:func:`run_job` on a worker, its progress sent to the client as events on
    ``topic`` (the scheduler relays them; the client hears them in
    :meth:`DaskExecutor.run`)."""
    from distributed import get_worker

    worker = get_worker()
    last = [0.0]

    def progress(j: Job, seconds: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_PERIOD:
            last[0] = now
            worker.log_event(topic, {"key": j.key, "seconds": seconds})

    return run_job(job, None, progress)


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, options: ExecutorOptions) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                "the dask executor needs dask.distributed",
                hint="pip install 'tlc[dask]' (or dask[distributed])",
            ) from None
        self.cluster: Any = None
        if options.scheduler:
            try:
                timeout = float(os.environ.get("TLC_DASK_CONNECT_TIMEOUT", CONNECT_TIMEOUT))
                self.client = Client(options.scheduler, timeout=timeout)
            except (OSError, TimeoutError) as err:
                raise UsageError(
                    f"cannot reach the Dask scheduler {options.scheduler}: {err}"
                ) from None
        else:
            self.cluster = LocalCluster(
                n_workers=max(2, options.jobs),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=50,  # a failed render is told by tlc, not by a worker's log
            )
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def check_paths(self, paths: Sequence[str], writable: Sequence[str]) -> None:
        try:
            answers = self.client.run(check_worker, list(paths), list(writable))
        except (ImportError, AttributeError) as err:
            raise UsageError(
                f"a Dask worker cannot run tlc: {err}",
                hint="install the same tlc (and its plugins) on every worker",
            ) from None
        bad = {w: p for w, p in answers.items() if p}
        if bad:
            worker, problems = sorted(bad.items())[0]
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise UsageError(
                f"Dask worker {worker} {'; '.join(problems[:3])}{more}",
                hint="every worker needs the media, ffmpeg, the cache and the output "
                "directory at the same paths as this machine (shared storage)",
            )

    def run(
        self, jobs: Sequence[Job], on_done: OnDone, on_progress: OnProgress | None = None
    ) -> None:
        import secrets

        from distributed.scheduler import KilledWorker

        token = secrets.token_hex(4)
        topic = f"tlc-progress-{token}"
        by_key = {job.key: job for job in jobs}

        def heard(event: tuple[float, Any]) -> None:
            msg = event[1]
            job = by_key.get(msg.get("key")) if isinstance(msg, dict) else None
            if job is not None and on_progress is not None:
                on_progress(job, float(msg["seconds"]))

        if on_progress is not None:
            self.client.subscribe_topic(topic, heard)
        futures = {
            self.client.submit(
                run_job_reporting if on_progress is not None else run_job,
                replace(job, die_with_parent=True),
                *((topic,) if on_progress is not None else ()),
                key=f"tlc-{token}-{job.key[:16]}-{n}",
                pure=False,
                retries=RETRIES,
            ): job
            for n, job in enumerate(longest_first(jobs))
        }

        def result(fut: Any, job: Job) -> JobResult:
            try:
                return fut.result()
            except KilledWorker as err:
                raise FfmpegError(
                    f"{job.label}: its Dask workers died while rendering it, again and "
                    f"again ({err})"
                ) from None

        def stop(pending: list[Any]) -> None:
            self.client.cancel(pending, force=True)

        try:
            collect(futures, on_done, stop, result)
        finally:
            if on_progress is not None:
                self.client.unsubscribe_topic(topic)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@hookimpl
def tlc_executors() -> list[ExecutorInfo]:
    return [
        ExecutorInfo(
            "dask",
            "renders on a Dask cluster (--scheduler ADDRESS), or on a local one of --jobs workers",
            DaskExecutor,
        )
    ]
