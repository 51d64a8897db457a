"""One ffmpeg process: started so that it dies with tlc, read for progress, stopped
gently on a cancel, and its failure told with the end of its stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from types import FrameType

from tlc.backend.emit import Step
from tlc.core.errors import Cancelled, FfmpegError

WASM_PREFIX = "tlc-wasm: "  # a line of the wasm engine's runner (runtime/wasm/ffmpeg.mjs)


class Signals:
    """Turn SIGTERM (and SIGINT) into a flag the run loop polls, while ffmpeg runs."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.saved: dict[int, object] = {}

    def __enter__(self) -> Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self.handle)
        return self

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def run_one(
    argv: list[str],
    step: Step,
    report: Callable[[float, float, float | None], None],
    cancel: threading.Event | None = None,
    die_with_parent: bool = True,
    seen: dict[str, float] | None = None,
    head: int = 1,
) -> None:
    """Run ffmpeg with ``argv``; ``seen`` (when given) gets the last ``frame`` and
    ``speed`` its progress reported (for the export log). ffmpeg's own options start
    at ``argv[head]`` (after the program, and a launcher's options)."""
    full = [*argv[:head], "-progress", "pipe:1", "-nostats", *argv[head:]]
    tail: deque[str] = deque(maxlen=40)
    duration = float(step.duration or 0)
    with Signals() as sigs:
        try:
            proc = subprocess.Popen(
                full,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                start_new_session=True,
                preexec_fn=_dies_with_parent() if die_with_parent else None,
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
            target=_read_progress, args=(proc, duration, report_live, seen), daemon=True
        )
        reader.start()
        try:
            while proc.poll() is None:
                if sigs.received is not None or (cancel is not None and cancel.is_set()):
                    stopping.set()
                    _stop(proc)
                    raise Cancelled()
                if reader.is_alive():
                    # returns the moment ffmpeg ends: its progress pipe closes as it exits
                    # (Popen.wait's own polling would add up to ~16 ms to every run)
                    reader.join(timeout=0.05)
                else:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=0.05)
        except KeyboardInterrupt:
            stopping.set()
            _stop(proc)
            raise Cancelled() from None
        reader.join(timeout=2)
        t.join(timeout=2)
    if sigs.received is not None or (cancel is not None and cancel.is_set()):
        raise Cancelled()
    if proc.returncode != 0:
        lines = [ln for ln in tail if ln.strip()][-12:]
        raise FfmpegError(_failure(proc.returncode, lines, step), "\n".join(lines), proc.returncode)
    report(1.0, duration, None)


def _dies_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel kill ffmpeg when its parent dies (Linux's
    ``PR_SET_PDEATHSIG``); None elsewhere. libc is loaded here, before the fork: the
    child only makes one system call."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return preexec


def _failure(returncode: int, lines: list[str], step: Step) -> str:
    """What went wrong, in words, when ffmpeg exits with ``returncode``."""
    writing = ", ".join(os.path.basename(w) for w in step.writes)
    text = "\n".join(lines)
    runner = [ln for ln in lines if ln.startswith(WASM_PREFIX)]
    if runner:  # the wasm engine's runner says what failed (the heap ran out, ...)
        return f"{runner[-1][len(WASM_PREFIX):]} (while writing {writing})"
    if returncode == -signal.SIGXFSZ or "File too large" in text:
        return f"the file size limit (ulimit -f) was reached while writing {writing}"
    if "No space left on device" in text:
        return f"the disk is full (no space left on the device) while writing {writing}"
    if "Disk quota exceeded" in text:
        return f"the disk quota is exceeded while writing {writing}"
    if returncode < 0:
        try:
            name = f"{signal.Signals(-returncode).name}, "
        except ValueError:
            name = ""
        return f"ffmpeg was killed ({name}signal {-returncode}) while writing {writing}"
    return f"ffmpeg failed (exit status {returncode}) while writing {writing}"


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
    seen: dict[str, float] | None = None,
) -> None:
    """Report ffmpeg's ``-progress`` blocks as they come, never going back: its
    ``out_time`` can (an output's streams at different points). Its last block
    (``progress=end``) is not reported: it comes for a failed or stopped run too, and
    the caller says 1.0 when the run has succeeded."""
    assert proc.stdout is not None
    out_time = 0.0
    speed: float | None = None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if key in ("out_time_us", "out_time_ms"):
            with contextlib.suppress(ValueError):
                out_time = max(out_time, int(value) / 1e6)
        elif key == "speed":
            try:
                speed = float(value.rstrip("x"))
            except ValueError:
                speed = None
            if seen is not None and speed is not None:
                seen["speed"] = speed
        elif key == "frame" and seen is not None:
            with contextlib.suppress(ValueError):
                seen["frame"] = int(value)
        elif key == "progress" and value != "end":
            report(min(1.0, out_time / duration) if duration else 0.0, out_time, speed)
