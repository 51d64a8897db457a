"""The distribution installs one import package, ``tlc``, with its grammar and templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_only_tlc(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tlc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"tlc", wheel.name.split("-py3")[0] + ".dist-info"}
    for needed in (
        "tlc/grammars/timeline.lark",
        "tlc/templates/export.sh.j2",
        "tlc/plugins/__init__.py",
        "tlc/passes/finalize.py",
        "tlc/py.typed",
        "tlc/runtime/wasm/ffmpeg.mjs",  # the wasm engine's runner
        "tlc/templates/render.mjs",  # tlc print --format js
    ):
        assert needed in names
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "tlc = tlc.cli:main" in entry_points
