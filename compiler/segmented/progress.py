"""A segmented export's progress: the windows rendering at once (each reporting its
ffmpeg's ``-progress``, wherever it runs) combined into one fraction that never goes
back, with an ETA.

The renders take the first 95% of the export, by seconds of timeline rendered; the
join (a stream copy) the last 5%. Callbacks come from any thread (a pool's, Dask's
event loop); each event is made and told under one lock, so they are told in order.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Sequence

from tlc.runtime.jobs import Executor, Job
from tlc.runtime.run import Progress, ProgressFn

#: the share of the export the renders take; the join has the rest
RENDERS = 0.95
#: a sound-only render's weight per second of timeline, against a video window's 1: it
#: encodes many times faster, and would make the fraction (and the ETA) run ahead
SOUND_WEIGHT = 0.1


def weight(job: Job) -> float:
    """How much of the renders ``job`` is: its seconds of timeline (less for sound)."""
    video = any("-c:v" in step.argv for step in job.steps)
    return float(job.seconds) * (1.0 if video else SOUND_WEIGHT)


class RenderProgress:
    """Tells ``progress`` how the renders of ``jobs`` go, as one monotonic fraction."""

    def __init__(self, jobs: Sequence[Job], progress: ProgressFn | None) -> None:
        self.progress = progress
        self.weights = {j.key: weight(j) for j in jobs}
        self.seconds = {j.key: float(j.seconds) for j in jobs}
        self.total = sum(self.weights.values()) or 1.0
        self.steps = len(jobs) + 1  # (and the join)
        self.fractions: dict[str, float] = {}  # job key -> how much of it is rendered
        self.ended_keys: set[str] = set()
        self.last = 0.0
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def rendering(self, job: Job, seconds: float) -> None:
        """A render reports ``seconds`` of its window done (``on_progress``)."""
        with self.lock:
            if job.key in self.ended_keys:
                return  # (a late event of a render that has ended)
            fraction = min(1.0, seconds / float(job.seconds)) if job.seconds else 0.0
            fraction = max(fraction, self.fractions.get(job.key, 0.0))
            self.fractions[job.key] = fraction
            if fraction < 1:  # (its end is told by ended(), once)
                self._tell(job, fraction)

    def ended(self, job: Job) -> None:
        """A render ended (``on_done``; its file may have come from another export)."""
        with self.lock:
            self.ended_keys.add(job.key)
            self.fractions[job.key] = 1.0
            self._tell(job, 1.0)

    def _tell(self, job: Job, fraction: float) -> None:
        if self.progress is None:
            return
        done = sum(f * self.weights.get(k, 0.0) for k, f in self.fractions.items())
        overall = max(self.last, min(RENDERS, RENDERS * done / self.total))
        self.last = overall
        rendered = sum(f * self.seconds.get(k, 0.0) for k, f in self.fractions.items())
        elapsed = time.monotonic() - self.started
        speed = round(rendered / elapsed, 3) if elapsed > 0 else None
        eta = elapsed * (1 - overall) / overall if overall >= 0.01 else None
        ended = len(self.ended_keys)
        self.progress(Progress(
            # (renders run at once: the step counts those ended, and one while some run)
            step=min(ended + 1, self.steps - 1) if fraction < 1 else ended,
            steps=self.steps, fraction=fraction, out_time=rendered, speed=speed,
            eta=eta, overall=overall, window=job.label,
        ))


def takes_progress(executor: Executor) -> bool:
    """Whether ``executor.run`` takes ``on_progress`` (a third party's may predate it)."""
    try:
        return "on_progress" in inspect.signature(executor.run).parameters
    except (TypeError, ValueError):
        return False
