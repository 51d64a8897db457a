"""The 50-clip timeline of bench/incremental.py and bench/parallel.py.

50 clips of 4 s (960x540, 30 fps, H.264 and AAC; each its own colours and tone),
each used for 3 s: a 150-second timeline of 50 cut points, exported at 1280x720 with
the production preset unless the bench is told otherwise (``--size``, ``--preset``).
``changed=k`` trims clip ``k`` from 0.5 s instead of 0 s: the edit an editor's
re-export would carry.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from _common import ffmpeg, load, machine, python_env

CLIPS = 50
SIZE = "960x540"
FRAMES = CLIPS * 90  # 3 s each at 30 fps


def make_clips(ff: str, d: Path) -> list[Path]:
    d.mkdir(parents=True, exist_ok=True)
    clips = []
    for i in range(CLIPS):
        path = d / f"clip{i:02d}.mp4"
        clips.append(path)
        if path.exists():
            continue
        subprocess.run(
            [ff, "-hide_banner", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=30:duration=4,hue=h={i * 7}",
             "-f", "lavfi", "-i", f"sine=frequency={220 + 10 * i}:sample_rate=48000:duration=4",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-shortest", str(path)],
            check=True,
        )
    return clips


def write_timeline(
    d: Path, clips: list[Path], out: Path, changed: int | None = None,
    size: str = "1280x720", preset: str = "production",
) -> Path:
    """The timeline: the 50 clips (960x540 sources) fitted to ``size`` at 30 fps."""
    lines = [f'output "{out}" {{ size {size} fps 30 preset {preset} }}', "video {"]
    for i, c in enumerate(clips):
        start = "0.5s" if i == changed else "0s"
        lines.append(f'  clip "{c}" trim {start}+3s')
    lines.append("}")
    tl = d / f"fifty{'' if changed is None else f'-{changed}'}.tl"
    tl.write_text("\n".join(lines) + "\n")
    return tl


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    """The wall time of ``tlc export ... --progress json`` and its segments report."""
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed:\n{proc.stderr}")
    done = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    report: dict[str, object] = done.get("segments") or {}
    return wall, report


def bench_args(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """The options of both benches: ``--runs``, and the export's ``--size``, ``--preset``."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--preset", default="production")
    return ap.parse_args(argv)


@dataclass
class Bench:
    """A bench's scratch directory: the environment to time tlc in, the clips, the
    output path and the 50-clip timeline writing it."""

    dir: Path
    env: dict[str, str]
    note: str | None
    version: str
    clips: list[Path]
    out: Path
    timeline: Path
    args: argparse.Namespace

    def write(self, changed: int | None = None) -> Path:
        """The timeline, or with clip ``changed`` trimmed otherwise."""
        return write_timeline(self.dir, self.clips, self.out, changed=changed,
                              size=self.args.size, preset=self.args.preset)

    def header(self) -> None:
        """The lines above a result table: the timeline, the machine, the ffmpeg."""
        a = self.args
        print(f"\n50 clips x 3 s = 150 s (960x540 sources) to {a.size} @ 30, preset "
              f"{a.preset}; {a.runs} round(s)")
        print(f"{machine()}; load {load()}; ffmpeg {self.version}")
        if self.note:
            print(f"note: {self.note}")


@contextlib.contextmanager
def bench(args: argparse.Namespace, prefix: str) -> Iterator[Bench]:
    """A scratch directory with the clips made and the timeline written, removed after."""
    ff, version = ffmpeg()
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        d = Path(tmp)
        env, note = python_env(d / "pycache")
        env["TLC_CACHE_DIR"] = str(d / "tlc-cache")  # probes (and default segments)
        print("making 50 clips ...", file=sys.stderr)
        clips = make_clips(ff, d / "clips")
        out = d / "out.mp4"
        b = Bench(d, env, note, version, clips, out, Path(), args)
        b.timeline = b.write()
        yield b
