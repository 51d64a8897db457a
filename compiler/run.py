"""Run the steps: ffmpeg processes, progress, and files that are never half-written.

- Every output is written to a temp file beside it and renamed on success; an
  existing output is kept unless ``overwrite`` (and the rename itself refuses to
  clobber a file that appeared meanwhile).
- Intermediate files live in a work directory that is removed at the end, whatever
  happens.
- Progress comes from ``-progress pipe:1``; a callback gets one event per update.
- Ctrl-C (SIGINT) or SIGTERM stops ffmpeg, removes temp files and raises
  :class:`~tlc.errors.Cancelled`; an ffmpeg failure raises
  :class:`~tlc.errors.FfmpegError` with the last lines of its stderr (and says so
  plainly when the disk is full or the file size limit was reached).
- With an output root (``--output-root``), every path is checked to lie under it
  right before it is written (see :mod:`tlc.confine`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

from .confine import check_writes
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
) -> list[str]:
    """Run ``steps`` in order; return the outputs written. ``root``: the real path of
    a directory that every file written must lie under (``--output-root``).

    ``cancel``, when set (by another thread), stops the run as a signal would
    (:class:`Cancelled`); with ``die_with_parent`` (Linux), ffmpeg is killed if the
    process running this dies (``kill -9`` of tlc or of its process group, as an app
    does after a timeout; a Dask worker killed mid-render): ffmpeg runs in a session
    of its own, which a signal to tlc's group does not reach."""
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
                made_dirs.extend(_makedirs(parent))
                if parent not in swept:
                    swept.add(parent)
                    sweep_orphans(parent)
                temps[path] = _temp_beside(path)
        if workdir is not None:
            confine(os.path.join(workdir, "x"))
            _system(os.makedirs, workdir, exist_ok=True)
        total = sum(float(s.duration or 0) or 1.0 for s in steps)
        before = 0.0
        for i, step in enumerate(steps, 1):
            confine(*step.writes, *(temps[o] for o in step.outputs), *(a.path for a in step.aux))
            for aux in step.aux:
                _system(os.makedirs, os.path.dirname(aux.path), exist_ok=True)
                _system(_write_text, aux.path, aux.content)
            for w in step.writes:
                if w not in temps:
                    _system(os.makedirs, os.path.dirname(w) or ".", exist_ok=True)
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

            _run_one(argv, step, report, cancel, die_with_parent)
            before += weight
            for path in step.outputs:
                confine(path)
                _publish(temps[path], path, overwrite)
                del temps[path]  # (only now: a temp that was not published is removed)
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


# a temp file's name keeps this much of the output's name (names have at most 255 bytes)
TEMP_STEM_BYTES = 120


def owner() -> str:
    """``PID-HOST``: who made a temp file or work directory (``HOST``, six hex digits of
    this machine's name: on shared storage, another machine's process ids are not
    this one's), so that :func:`sweep_orphans` can tell whose owner is gone."""
    return f"{os.getpid()}-{_host()}"


@functools.cache
def _host() -> str:
    import hashlib
    import socket

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


_ORPHANS = (
    re.compile(r"\.(\d+)-([0-9a-f]{6})-[a-z0-9_]+\.tlc-tmp(\.[^.]*)?$"),  # a temp output
    re.compile(r"^\.tlc-work-(\d+)-([0-9a-f]{6})-[0-9a-f]+$"),  # a work directory
)


def sweep_orphans(directory: str) -> None:
    """Remove the temp files and work directories an export on this machine left in
    ``directory`` when it was killed with no chance to clean up (``kill -9``): those
    whose process is gone."""
    host = _host()
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    for name in names:
        for pattern in _ORPHANS:
            m = pattern.search(name)
            if m and m[2] == host and not _alive(int(m[1])):
                path = os.path.join(directory, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    _unlink(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # (another user's)
    return True


def _temp_beside(path: str) -> str:
    """A new empty temp file in ``path``'s directory, named after it and its owner:
    ``.NAME.PID-HOST-XXXX.tlc-tmp.EXT``."""
    stem, ext = os.path.splitext(os.path.basename(path))
    stem = os.fsdecode(os.fsencode(stem)[:TEMP_STEM_BYTES])
    parent = os.path.dirname(path) or "."
    fd, tmp = _system(
        tempfile.mkstemp, prefix=f".{stem}.{owner()}-", suffix=f".tlc-tmp{ext}", dir=parent
    )
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # as if created plainly, not mkstemp's 0600
    return str(tmp)


def _write_text(path: str, content: str) -> None:
    # file names in lists are written back byte for byte, even if they are not UTF-8
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(content)


_T = TypeVar("_T")


def _system(fn: Callable[..., _T], *args: object, **kwargs: object) -> _T:
    """``fn(*args)``, with a failure of the system (a full disk, a read-only directory)
    told as one: :class:`FfmpegError`, exit status 1, the file and the reason."""
    try:
        return fn(*args, **kwargs)
    except OSError as err:
        where = err.filename or (args[0] if args else "")
        raise FfmpegError(f"cannot write {where}: {err.strerror or err}") from None


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
        _system(os.makedirs, d, exist_ok=True)
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
    argv: list[str],
    step: Step,
    report: Callable[[float, float, float | None], None],
    cancel: threading.Event | None = None,
    die_with_parent: bool = True,
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
            target=_read_progress, args=(proc, duration, report_live), daemon=True
        )
        reader.start()
        try:
            while proc.poll() is None:
                if sigs.received is not None or (cancel is not None and cancel.is_set()):
                    stopping.set()
                    _stop(proc)
                    raise Cancelled()
                # returns as soon as ffmpeg exits (a short job pays no fixed poll delay)
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
        elif key == "progress" and value != "end":
            report(min(1.0, out_time / duration) if duration else 0.0, out_time, speed)
