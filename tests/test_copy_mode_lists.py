"""``video copy`` and ``audio copy`` with sources as cameras and x264 write them (AAC
sound whose priming starts the file 1024 samples before 0, B-frames): the picture's
list is the copy passes' (every source frame once, the first at 0), and the copied
sound starts with the picture (the first file's priming skipped, as in that file).
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from media import ffmpeg_exe
from test_concat_lists import clip, frames

import tlc

HEAD = 'output "out.mp4" {{ size 160x90 fps 25 preset draft {copy} }}\n'
TRIMS = 'video {\n  clip "p0.mp4" trim 0s..1s\n  clip "p1.mp4" trim 1s..\n}\n'


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("copy_mode_lists")
    for i in range(2):
        clip(root / f"p{i}.mp4", 2 * i)
    return root


def sound(path: Path) -> np.ndarray:
    """The decoded sound (ffmpeg's decoder: it honours the edit list), mono float."""
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1",
         "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


@pytest.mark.parametrize("copy", ["video copy", "video copy audio copy"])
def test_video_copy_has_every_source_frame_once_in_place(
    parts: Path, tmp_path: Path, copy: str
) -> None:
    tl = parts / f"{copy.replace(' ', '_')}.tl"
    tl.write_text(HEAD.format(copy=copy) + TRIMS)
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    expected = [(t, p) for t, p in frames(parts / "p0.mp4") if t < 1]
    expected += [(t, p) for t, p in frames(parts / "p1.mp4") if t >= 1]
    got = frames(out)
    assert got[0][0] == 0  # (not 1024/48000 s late: the list reads the video track only)
    assert len(got) == len(expected) == 50  # (not 52: no keyframe taken twice)
    assert [p for _, p in got] == [p for _, p in expected]


def test_audio_copy_starts_with_the_picture(parts: Path, tmp_path: Path) -> None:
    tl = parts / "av.tl"
    tl.write_text(HEAD.format(copy="video copy audio copy")
                  + 'video {\n  clip "p0.mp4"\n  clip "p1.mp4"\n}\n')
    out = tmp_path / "out.mp4"
    plan = tlc.compile(str(tl), output=str(out))
    argv = plan.steps[-1].argv
    assert argv.count("concat") == 2  # (the sound's list is its own: not the video track's)
    assert argv[argv.index("-itsoffset") + 1] == "-0.021333"  # (1024 samples at 48 kHz)
    tlc.export(str(tl), output=str(out), overwrite=True)
    assert frames(out)[0][0] == 0
    # the first file's sound, sample for sample from 0 where its picture starts (its
    # priming skipped): before, the 1024 samples of priming played first, 21 ms late
    first, joined = sound(parts / "p0.mp4"), sound(out)
    n = 48000 * 3 // 2  # (up to the join, whose priming and padding still play)
    assert np.array_equal(joined[:n], first[:n])
    assert len(joined) > 4 * 48000  # (the joins' extra sound, as warned: not cut)
    assert Fraction(len(joined) - 4 * 48000, 48000) < Fraction(1, 20)
