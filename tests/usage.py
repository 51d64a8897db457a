"""What a command costs: its exit status, CPU and wall seconds, and its own peak memory.

Used by tests/test_scale.py and bench/scale.py, with the timelines they share.

The peak is measured by a small Python in between that starts the command and reports
``wait4``'s figures for it. Started straight from pytest, a child's ``ru_maxrss`` would
be pytest's own peak: Linux carries the high-water mark of the memory a process had
before ``exec`` (after ``vfork``, its parent's) into the child's figure.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from media import make_video

# argv[1]: where to write the figures; argv[2:]: the command. The exit status passes on.
_BETWEEN = """\
import json, os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump({"cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss}, fh)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass(frozen=True)
class Usage:
    status: int
    cpu: float  # seconds, user + system, of the command and the children it waited for
    wall: float  # seconds
    rss_mb: float  # the peak resident memory of the command or of one of its children
    stderr: str


def measure(argv: list[str], cwd: Path, stdout: Path, env: dict[str, str] | None = None,
            nofile: int | None = None, timeout: float = 600) -> Usage:
    """Run ``argv`` in ``cwd`` with its standard output to ``stdout`` (and, with
    ``nofile``, under ``ulimit -n nofile``)."""

    def limit() -> None:
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    with tempfile.TemporaryDirectory(prefix="tlc-usage-") as tmp, open(stdout, "wb") as fh:
        report = Path(tmp) / "usage.json"
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", _BETWEEN, str(report), *argv], cwd=cwd,
                              env=env, stdout=fh, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout, check=False,
                              preexec_fn=limit if nofile else None)
        wall = time.monotonic() - started
        got = json.loads(report.read_text())
    return Usage(proc.returncode, got["cpu"], wall, got["rss_kb"] / 1024,
                 proc.stderr.decode(errors="replace"))


def clips_tl(n: int, out: str = "out.mp4", seconds: float = 0.2) -> str:
    """``n`` clips, each a different 2-frame stretch of one of four sources
    (``src0.mp4`` to ``src3.mp4``, 60 s at 32x18 and 10 fps): ``n`` inputs."""
    items = "".join(
        f'  clip "src{i % 4}.mp4" trim {(i // 4) * 0.02 % 59:.2f}s+{seconds}s\n'
        for i in range(n)
    )
    return f'output "{out}" {{ size 32x18 fps 10 preset draft }}\nvideo {{\n{items}}}\n'


def argv_facts(steps: list[dict[str, list[str]]]) -> dict[str, int]:
    """Of the steps ``tlc print --format json`` printed: how many runs, the longest argv
    element and whole argv in bytes (with their NULs), and the most ``-i`` in one run."""
    sizes = [[len(a.encode()) + 1 for a in s["argv"]] for s in steps]
    return {
        "runs": len(steps),
        "longest arg": max(max(s) for s in sizes),
        "longest argv": max(sum(s) for s in sizes),
        "most -i": max(s["argv"].count("-i") for s in steps),
        "all -i": sum(s["argv"].count("-i") for s in steps),
    }


def make_sources(d: Path) -> None:
    """The four sources :func:`clips_tl` names (copies: four files, four inodes)."""
    make_video(d / "src0.mp4", 60, size=(32, 18), fps=10, gop=10)
    for i in (1, 2, 3):
        (d / f"src{i}.mp4").write_bytes((d / "src0.mp4").read_bytes())
