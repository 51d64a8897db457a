"""Writing the export log: one JSON line per export, appended, rotated at a size cap.

A line (``"v": 1``)::

    {"v": 1, "time": "2026-12-02T21:05:00Z", "tlc": "0.1.0", "ffmpeg": "7.0.2",
     "timeline": "sha256:3f2a...", "status": 0, "error": null, "reason": null,
     "seconds": 2.41, "outputs": 1, "segmented": false, "fallback": false,
     "runs": [{"encoder": "libx264", "preset": "draft", "seconds": 2.1, "frames": 75,
               "speed": 3.2, "fallback": false, "status": 0, "error": null}]}

The timeline is a hash of its text, never the text; no file is named unless the
config says ``log_paths = true`` (then ``file``, ``paths`` and each run's ``label``,
and the error's whole message). Writing the log never fails an export: a directory
that cannot be written gets one warning, and the export goes on.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import errno
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlc.core.errors import Cancelled, FfmpegError, TlcError
from tlc.core.version import VERSION
from tlc.runtime.run import RunStat

if TYPE_CHECKING:
    from tlc.segmented.export import Report, SegmentedExport

ENV_VAR = "TLC_LOG"
#: the log is rotated past this size (one old file is kept: ``exports.jsonl.1``)
MAX_BYTES = 4 * 1024 * 1024
FORMAT = 1

_CURRENT: contextvars.ContextVar[Recording | None] = contextvars.ContextVar(
    "tlc_export_recording", default=None
)


def log_path() -> Path:
    """Where exports are logged: ``$TLC_LOG``, else ``exports.jsonl`` in the user's data
    directory (``~/.local/share/tlc`` on Linux)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tlc", appauthor=False)) / "exports.jsonl"


def timeline_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


@dataclass
class Recording:
    """One export being logged: what is known so far, written by :meth:`finish`."""

    enabled: bool
    log_paths: bool
    warn: Callable[[str], None]
    started: float = field(default_factory=time.monotonic)
    when: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )
    timeline: str | None = None
    file: str | None = None
    ffmpeg: str | None = None
    presets: dict[str, str] = field(default_factory=dict)  # output path -> preset
    outputs: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    segmented: bool = False
    fallback: bool = False

    def source(self, text: str, name: str) -> None:
        """The timeline's text (only its hash is kept) and file name."""
        self.timeline = timeline_hash(text)
        self.file = name

    def compiled(self, compiled: Any) -> None:
        """What a compile tells: the ffmpeg version, each output's preset."""
        ffmpeg = compiled.ctx.ffmpeg
        self.ffmpeg = ffmpeg.version_text if ffmpeg is not None else None
        for out in compiled.plan.timeline.outputs:
            self.presets[out.path] = out.preset
        if self.timeline is None:  # (render() of a plan compiled elsewhere)
            self.timeline = timeline_hash(repr(compiled.plan.timeline))
            self.file = compiled.plan.timeline.file

    def run(self, stat: RunStat) -> None:
        """One ffmpeg run ended (:func:`tlc.runtime.run.execute`'s ``on_run``)."""
        step = stat.step
        speed = stat.speed
        if speed is None and step.duration and stat.seconds > 0 and stat.error is None:
            speed = float(step.duration) / stat.seconds
        preset = next((self.presets[o] for o in step.outputs if o in self.presets), None)
        if preset is None and self.presets:
            preset = next(iter(self.presets.values()))
        self.add_run(encoder_of(step.argv), preset, stat.seconds, stat.frames, speed,
                     step.label, stat.error)

    def add_run(
        self, encoder: str, preset: str | None, seconds: float, frames: int | None,
        speed: float | None, label: str = "", error: BaseException | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "encoder": encoder, "preset": preset, "seconds": round(seconds, 3),
            "frames": frames, "speed": None if speed is None else round(speed, 3),
            "fallback": self.fallback, "status": 0 if error is None else status_of(error),
            "error": None if error is None else kind_of(error),
        }
        if self.log_paths and label:
            entry["label"] = label
        self.runs.append(entry)

    def finish(self, error: BaseException | None) -> None:
        """Append this export's line (unless disabled); never raise."""
        if not self.enabled:
            return
        line: dict[str, Any] = {
            "v": FORMAT, "time": self.when, "tlc": VERSION, "ffmpeg": self.ffmpeg,
            "timeline": self.timeline,
            "status": 0 if error is None else status_of(error),
            "error": None if error is None else kind_of(error),
            "reason": None if error is None else reason_of(error, self.log_paths),
            "seconds": round(time.monotonic() - self.started, 3),
            "outputs": len(self.outputs), "segmented": self.segmented,
            "fallback": self.fallback, "runs": self.runs,
        }
        if self.log_paths:
            line["file"] = self.file
            line["paths"] = self.outputs
        where: Path | str = os.environ.get(ENV_VAR, "")
        try:
            where = log_path()
            append(where, json.dumps(line, ensure_ascii=False))
        except Exception as err:  # (the log must never fail an export: a full disk, ...)
            why = err.strerror if isinstance(err, OSError) and err.strerror else err
            self.warn(f"cannot write the export log {where}: {why} "
                      "(the export is not affected; set TLC_LOG or log = false)")


def log_segments(rec: Recording, planned: SegmentedExport, report: Report) -> None:
    """The runs of a segmented export: each render (wherever an executor ran it) and
    the join. Their frame counts are not known here."""
    walls = dict(report.render_seconds)
    preset = next(iter(rec.presets.values()), None)
    for job in planned.jobs:
        wall = walls.get(job.label)
        if wall is None or not job.steps:
            continue  # (another export rendered it meanwhile)
        speed = float(job.seconds) / wall if wall > 0 else None
        rec.add_run(encoder_of(job.steps[-1].argv), preset, wall, None, speed, job.label)
    rec.add_run("copy", preset, report.join_seconds, None, None, "join")


def append(path: Path, line: str) -> None:
    """Append ``line`` to ``path`` (one write: concurrent exports do not interleave),
    first moving a file past :data:`MAX_BYTES` to ``PATH.1``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # (a file where a directory must be)
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(path.parent)) from None
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size >= MAX_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)


def encoder_of(argv: tuple[str, ...] | list[str]) -> str:
    """The encoder a run uses: its video codec (``-c:v``), else its audio one; a run
    that copies the video and encodes the sound is ``copy+AUDIO``."""
    found: dict[str, str] = {}
    for flag, value in zip(argv, argv[1:], strict=False):
        for media in ("v", "a"):
            if flag in (f"-c:{media}", f"-c:{media}:0", f"-codec:{media}") and media not in found:
                found[media] = value
    video, audio = found.get("v"), found.get("a")
    if video == "copy" and audio not in (None, "copy"):
        return f"copy+{audio}"  # (a copy join: its time is the sound's encode)
    return video or audio or "unknown"


def status_of(error: BaseException) -> int:
    """The exit status ``error`` ends ``tlc export`` with."""
    if isinstance(error, TlcError):
        return 2
    if isinstance(error, (Cancelled, KeyboardInterrupt)):
        return 130
    return 1


def kind_of(error: BaseException) -> str:
    """``parse``, ``validation``, ``media``, ``usage``, ``encoder``, ``ffmpeg``,
    ``cancelled``, ``system`` (an OSError) or ``internal`` (a bug)."""
    if isinstance(error, TlcError):
        return type(error).__name__.removesuffix("Error").lower() or "usage"
    if isinstance(error, FfmpegError):
        return "ffmpeg"
    if isinstance(error, (Cancelled, KeyboardInterrupt)):
        return "cancelled"
    return "system" if isinstance(error, OSError) else "internal"


_QUOTED = re.compile(r"(['\"]).*?\1")


def reason_of(error: BaseException, with_paths: bool) -> str | None:
    """The error's message without what may name a file (unless ``with_paths``): its
    text before the first colon, quoted words elided, and no ``while writing ...``."""
    message = getattr(error, "message", None) or str(error)
    if not message:
        return None
    if with_paths:
        return message.splitlines()[0]
    head = message.splitlines()[0].split(": ")[0].split(" while writing ")[0]
    return _QUOTED.sub(r"\1…\1", head)[:120]


@contextlib.contextmanager
def recording(
    enabled: bool | None = None, warn: Callable[[str], None] | None = None
) -> Iterator[Recording]:
    """Log the export run inside this block. Nested (a render inside an export), the
    outer recording is the one. ``enabled=False``: log nothing (``--no-log``); None:
    as the config file says (``log``)."""
    current = _CURRENT.get()
    if current is not None:
        yield current
        return
    from tlc.config import log_settings

    try:
        settings = log_settings()
    except TlcError:  # (a bad config file fails the export itself, where it is read)
        settings = {"log": True, "log_paths": False}
    rec = Recording(
        enabled=settings["log"] if enabled is None else enabled and settings["log"],
        log_paths=settings["log_paths"],
        warn=warn or _stderr_warning,
    )
    token = _CURRENT.set(rec)
    try:
        yield rec
    except BaseException as err:
        _CURRENT.reset(token)
        rec.finish(err)
        raise
    _CURRENT.reset(token)
    rec.finish(None)


def _stderr_warning(message: str) -> None:
    import sys

    sys.stderr.write(f"warning: {message}\n")
