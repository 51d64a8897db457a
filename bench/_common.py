"""What every bench script needs: the media, the commands, a fair clock, a probe, a table.

A bench script times whole processes (``tlc export ...`` with its Python start-up,
a hand-written ``ffmpeg ...``) side by side. :func:`measure` runs the variants
round-robin, one repetition of each per round, so a noisy moment on the machine
lands on every variant alike rather than on whichever ran then. Nothing here
asserts a time: bench scripts print, and a reader judges.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MEDIA = EXAMPLES / "media"


def ensure_media() -> None:
    """Make the example media (examples/make_media.py keeps the files that exist)."""
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_media.py")],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"bench: examples/make_media.py failed:\n{proc.stdout}{proc.stderr}")


def ffmpeg() -> tuple[str, str]:
    """The ffmpeg tlc itself runs (path, version), so hand-written commands use the same one."""
    from tlc.core.toolchain import find_ffmpeg

    found = find_ffmpeg()
    return found.path, found.version_text


def tlc_command() -> list[str]:
    """How to start tlc as a user does: the ``tlc`` script of this Python's environment."""
    here = Path(sys.executable).parent / "tlc"
    found = str(here) if here.exists() else shutil.which("tlc")
    if not found:
        sys.exit("bench: no `tlc` command; install tlc (pip install -e .) first")
    return [found]


def tlc_steps(
    tl: Path, *options: str, env: dict[str, str] | None = None
) -> list[dict[str, object]]:
    """The ffmpeg runs ``tlc export tl options`` would execute (``tlc print --format json``)."""
    proc = subprocess.run(
        [*tlc_command(), "print", str(tl), "--format", "json", *options],
        capture_output=True, text=True, check=False, cwd=ROOT, env=env,
    )
    if proc.returncode != 0:
        sys.exit(f"bench: tlc print {tl.name} {' '.join(options)} failed:\n{proc.stderr}")
    steps: list[dict[str, object]] = json.loads(proc.stdout)
    return steps


@dataclass
class Variant:
    """One way of producing a result: a command line and the file it writes."""

    name: str
    argv: list[str]
    output: Path
    runs: int = 1  # ffmpeg processes the command starts
    plan: str = ""  # what it runs, for spotting variants that run the very same commands
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds, ffmpeg included
    failed: str | None = None  # the end of stderr of the first failing run
    env: dict[str, str] = field(default_factory=dict)  # added to the environment it runs in

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def best(self) -> float:
        return min(self.times) if self.times else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def python_env(scratch: Path) -> tuple[dict[str, str], str | None]:
    """The environment to time tlc in, and a note when it differs from ours.

    With ``PYTHONDONTWRITEBYTECODE`` set (as some CI and sandboxes do), an editable
    tlc recompiles every module from source at each start, some 50 ms that no
    installed tlc pays. The bytecode then goes to ``scratch`` instead, never into
    the checkout.
    """
    env = dict(os.environ)
    if not env.pop("PYTHONDONTWRITEBYTECODE", None):
        return env, None
    env["PYTHONPYCACHEPREFIX"] = str(scratch)
    return env, "PYTHONDONTWRITEBYTECODE is set: timing with bytecode in a temp dir instead"


def run_timed(
    argv: Sequence[str], env: dict[str, str] | None = None
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall time and CPU time of one whole process, start-up included.

    The CPU time (user + system, of the process and every child it waited for,
    so tlc's ffmpeg runs count) barely moves when other work shares the machine;
    wall time does. Both are worth reading.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        check=False, cwd=ROOT, stdin=subprocess.DEVNULL, env=env,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def measure(
    variants: Sequence[Variant],
    rounds: int,
    after_first: Callable[[Variant], None] | None = None,
    label: str = "",
    env: dict[str, str] | None = None,
) -> None:
    """Time every variant ``rounds`` times, round-robin, into ``variant.times``.

    Each round starts one variant later than the last, so no variant always runs
    first (cold caches) or right after the heaviest one. ``after_first(variant)``
    sees each variant once, after its first successful run (to check its output).
    """
    checked: set[str] = set()
    for r in range(rounds):
        shift = r % len(variants)
        order = [*variants[shift:], *variants[:shift]]
        print(f"  {label} round {r + 1}/{rounds}:", end="", file=sys.stderr, flush=True)
        for v in order:
            if v.failed:
                continue
            seconds, cpu, proc = run_timed(v.argv, {**(env or os.environ), **v.env}
                                           if v.env else env)
            if proc.returncode != 0:
                tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
                v.failed = f"exit {proc.returncode}: {tail}"
                print(" x", end="", file=sys.stderr, flush=True)
                continue
            v.times.append(seconds)
            v.cpu.append(cpu)
            print(".", end="", file=sys.stderr, flush=True)
            if after_first is not None and v.name not in checked:
                checked.add(v.name)
                after_first(v)
        print(file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Probed:
    """What a result is, for comparing results: its length and its streams."""

    duration: float  # the container's
    stream_durations: tuple[float, ...]
    streams: tuple[str, ...]  # "video h264 1280x720 yuv420p", "audio aac 48000 Hz stereo"
    frames: int  # video frames, 0 without video


def probe(path: Path) -> Probed:
    """Probe ``path`` with PyAV (no ffprobe process)."""
    import av

    with av.open(str(path)) as c:
        streams: list[str] = []
        durations: list[float] = []
        frames = 0
        for s in c.streams:
            if isinstance(s, av.VideoStream):
                v = s.codec_context
                streams.append(f"video {v.name} {v.width}x{v.height} {v.pix_fmt}")
                frames = frames or s.frames
            elif isinstance(s, av.AudioStream):
                a = s.codec_context
                streams.append(f"audio {a.name} {a.sample_rate} Hz {a.layout.name}")
            else:
                streams.append(f"{s.type} {s.codec_context.name}")
            if s.duration is not None and s.time_base is not None:
                durations.append(float(s.duration * s.time_base))
        duration = c.duration / 1_000_000 if c.duration is not None else float("nan")
    return Probed(duration, tuple(durations), tuple(streams), frames)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """A plain text table; ``right[i]`` aligns column ``i`` to the right (numbers)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def machine() -> str:
    """One line about where the numbers came from."""
    return f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, {sys.platform}"


def load() -> str:
    """The load averages (1, 5, 15 min): above the CPU count, wall times are noisy."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"
