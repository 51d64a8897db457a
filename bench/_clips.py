"""The 50-clip timeline of bench/incremental.py and bench/parallel.py.

50 clips of 4 s (960x540, 30 fps, H.264 and AAC; each its own colours and tone),
each used for 3 s: a 150-second timeline of 50 cut points, exported at 1280x720 with
the production preset unless the bench is told otherwise (``--size``, ``--preset``).
``changed=k`` trims clip ``k`` from 0.5 s instead of 0 s: the edit an editor's
re-export would carry.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

CLIPS = 50
SIZE = "960x540"


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
