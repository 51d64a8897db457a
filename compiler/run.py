"""Run the steps: ffmpeg processes, progress, and files that are never half-written.

- Every output is written to a temp file beside it and renamed on success; an
  existing output is kept unless ``overwrite`` (and the rename itself refuses to
  clobber a file that appeared meanwhile).
- Intermediate files live in a work directory that is removed at the end, whatever
  happens.
- Progress comes from ``-progress pipe:1``; a callback gets one event per update.
- Ctrl-C (SIGINT) or SIGTERM stops ffmpeg, removes temp files and raises
  :class:`~tlc.errors.Cancelled`; an ffmpeg failure raises
  :class:`~tlc.errors.FfmpegError` with the last lines of its stderr.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

from .emit import Step
from .errors import Cancelled, FfmpegError, UsageError
from .escape import file_url


@dataclass(frozen=True, slots=True)
class Progress:
    step: int  # 1-based
    steps: int
    fraction: float  # of this step, 0..1
    out_time: float
    speed: float | None
    eta: float | None
    overall: float  # of the whole export, 0..1


ProgressFn = Callable[[Progress], None]


def check_outputs(steps: Sequence[Step], overwrite: bool) -> None:
    """Refuse before anything runs if an output exists and ``overwrite`` is off."""
    for step in steps:
        for path in step.outputs:
            if os.path.exists(path) and not overwrite:
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
) -> list[str]:
    """Run ``steps`` in order; return the outputs written."""
    check_outputs(steps, overwrite)
    temps: dict[str, str] = {}
    made_dirs: list[str] = []
    done: list[str] = []
    try:
        for step in steps:
            for path in step.outputs:
                parent = os.path.dirname(path) or "."
                made_dirs.extend(_makedirs(parent))
                root, ext = os.path.splitext(os.path.basename(path))
                fd, tmp = tempfile.mkstemp(prefix=f".{root}.", suffix=f".tlc-tmp{ext}", dir=parent)
                os.close(fd)
                os.chmod(tmp, 0o666 & ~_umask())  # as if created plainly, not mkstemp's 0600
                temps[path] = tmp
        if workdir is not None:
            os.makedirs(workdir, exist_ok=True)
        total = sum(float(s.duration or 0) or 1.0 for s in steps)
        before = 0.0
        for i, step in enumerate(steps, 1):
            for aux in step.aux:
                os.makedirs(os.path.dirname(aux.path), exist_ok=True)
                with open(aux.path, "w", encoding="utf-8") as fh:
                    fh.write(aux.content)
            for w in step.writes:
                if w not in temps:
                    os.makedirs(os.path.dirname(w) or ".", exist_ok=True)
            argv = [_swap(a, temps) for a in step.argv]
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

            _run_one(argv, step, report)
            before += weight
            for path in step.outputs:
                _publish(temps.pop(path), path, overwrite)
                done.append(path)
        made_dirs.clear()  # they hold the outputs now
        return done
    finally:
        for tmp in temps.values():
            _unlink(tmp)
        if workdir is not None and os.path.isdir(workdir):
            shutil.rmtree(workdir, ignore_errors=True)
        for d in reversed(made_dirs):
            _rmdir(d)


def _makedirs(path: str) -> list[str]:
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
        os.makedirs(d, exist_ok=True)
    return missing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(arg: str, temps: dict[str, str]) -> str:
    if arg.startswith("file:"):
        path = arg[5:]
        if path in temps:
            return file_url(temps[path])
    return arg


def _publish(tmp: str, path: str, overwrite: bool) -> None:
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


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _rmdir(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)


class _Signals:
    """Turn SIGTERM (and SIGINT) into a flag the run loop polls, while ffmpeg runs."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.saved: dict[int, object] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self.handle)
        return self

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def _run_one(
    argv: list[str], step: Step, report: Callable[[float, float, float | None], None]
) -> None:
    full = [argv[0], "-progress", "pipe:1", "-nostats", *argv[1:]]
    tail: deque[str] = deque(maxlen=40)
    duration = float(step.duration or 0)
    with _Signals() as sigs:
        try:
            proc = subprocess.Popen(
                full,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                start_new_session=True,
            )
        except OSError as e:
            raise FfmpegError(f"cannot start ffmpeg ({argv[0]}): {e.strerror}") from None

        def drain() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                tail.append(line.rstrip("\n"))

        t = threading.Thread(target=drain, daemon=True)
        t.start()
        stopping = threading.Event()

        def report_live(fraction: float, out_time: float, speed: float | None) -> None:
            if not stopping.is_set():  # ffmpeg says progress=end when stopped, too
                report(fraction, out_time, speed)

        reader = threading.Thread(
            target=_read_progress, args=(proc, duration, report_live), daemon=True
        )
        reader.start()
        try:
            while proc.poll() is None:
                if sigs.received is not None:
                    stopping.set()
                    _stop(proc)
                    raise Cancelled()
                time.sleep(0.02)
        except KeyboardInterrupt:
            stopping.set()
            _stop(proc)
            raise Cancelled() from None
        reader.join(timeout=2)
        t.join(timeout=2)
    if sigs.received is not None:
        raise Cancelled()
    if proc.returncode != 0:
        lines = [ln for ln in tail if ln.strip()][-12:]
        raise FfmpegError(
            f"ffmpeg failed (exit status {proc.returncode}) while writing "
            f"{', '.join(os.path.basename(w) for w in step.writes)}",
            "\n".join(lines),
            proc.returncode,
        )


def _stop(proc: subprocess.Popen[str]) -> None:
    """End ffmpeg (its whole process group), quickly and for sure."""
    for sig, wait in ((signal.SIGINT, 2.0), (signal.SIGTERM, 1.0), (signal.SIGKILL, 1.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _read_progress(
    proc: subprocess.Popen[str],
    duration: float,
    report: Callable[[float, float, float | None], None],
) -> None:
    assert proc.stdout is not None
    out_time = 0.0
    speed: float | None = None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if key in ("out_time_us", "out_time_ms"):
            with contextlib.suppress(ValueError):
                out_time = max(0.0, int(value) / 1e6)
        elif key == "speed":
            try:
                speed = float(value.rstrip("x"))
            except ValueError:
                speed = None
        elif key == "progress":
            fraction = (
                1.0 if value == "end" else (min(1.0, out_time / duration) if duration else 0.0)
            )
            report(fraction, out_time, speed)
