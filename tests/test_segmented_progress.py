"""Progress inside a segmented export's renders: each running window reports its
ffmpeg's progress, combined into one fraction (``overall``) that never goes back and
ends at 1.0, with an ETA."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from media import make_video

TLC = [sys.executable, "-m", "tlc.cli"]
# four 3 s clips, windows of 3 s, drawn at 720p by the production preset: each window's
# render lasts long enough for ffmpeg to report progress while it runs
TIMELINE = (
    'output "out/seg.mp4" { size 1280x720 fps 25 preset production }\n'
    "video {\n" + "".join(f'  clip "a.mp4" trim {i}s..{i + 3}s\n' for i in range(4)) + "}\n"
    'audio {\n  clip "a.mp4" trim 0s..12s\n}\n'
)


def export_events(tmp_path: Path, *options: str) -> list[dict[str, object]]:
    make_video(tmp_path / "a.mp4", 12, size=(320, 180), fps=25)
    (tmp_path / "seg.tl").write_text(TIMELINE)
    proc = subprocess.run([*TLC, "export", "seg.tl", "--progress", "json", "--segment", "3",
                           *options], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def check_progress(events: list[dict[str, object]]) -> None:
    done = events[-1]
    assert done["event"] == "done"
    renders = [label for label, _ in done["segments"]["renders"]]  # type: ignore[index]
    assert len(renders) == 5  # four windows and the sound
    progress = [e for e in events if e["event"] == "progress"]
    overall = [float(e["overall"]) for e in progress]  # type: ignore[arg-type]
    assert overall == sorted(overall), "the combined fraction went back"
    assert overall[-1] == 1.0 and all(0 <= f <= 1 for f in overall)
    for label in renders:
        if label.endswith("sound"):
            continue
        inside = [e for e in progress if e.get("window") == label
                  and 0 < float(e["fraction"]) < 1]  # type: ignore[arg-type]
        assert inside, f"no progress during {label}'s render"
    # during the renders: more events than windows ended, and an ETA
    during = [e for e in progress if float(e["overall"]) < 0.95]  # type: ignore[arg-type]
    assert len(during) > len(renders)
    assert any(e["eta"] is not None and float(e["eta"]) > 0 for e in during)  # type: ignore[arg-type]


def test_a_pool_export_reports_progress_inside_each_window(tmp_path: Path) -> None:
    check_progress(export_events(tmp_path, "--jobs", "2"))


def test_a_dask_export_reports_progress_inside_each_window(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    check_progress(export_events(tmp_path, "--jobs", "2", "--executor", "dask"))
