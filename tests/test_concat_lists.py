"""The copy passes' concat lists with sources as cameras and x264 write them: AAC
sound (its priming starts the file 1024 samples before 0) and B-frames (a keyframe
decoded before it is shown). A copied join and a copied trim on keyframes give every
source frame once, in place: the first at 0, none taken twice at a join.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import av
import pytest
from media import run_ffmpeg

import tlc

HEAD = 'output "out.mp4" { size 160x90 fps 25 preset draft }\n'


def clip(path: Path, start: int) -> Path:
    """2 s of H.264 with B-frames (keyframes every second) and AAC, from ``start`` s of
    the test pattern (each clip's pictures its own)."""
    seek = ["-ss", str(start)] if start else []  # (-ss 0 drops a lavfi source's first frame)
    run_ffmpeg([*seek, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=8",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
                "-t", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", str(path)])
    return path


def frames(path: Path) -> list[tuple[Fraction, str]]:
    """Each decoded picture's time (seconds) and digest."""
    out = []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for f in c.decode(s):
            pic = hashlib.md5(f.to_ndarray(format="yuv420p").tobytes()).hexdigest()
            out.append((Fraction(f.pts) * s.time_base, pic))
    return sorted(out)


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("concat_lists")
    for i in range(2):
        clip(root / f"p{i}.mp4", 2 * i)
    return root


@pytest.mark.parametrize(
    ("body", "pieces", "pass_name"),
    [
        ('  clip "p0.mp4"\n  clip "p1.mp4"\n', [("p0", 0, 2), ("p1", 0, 2)], "concat_copy"),
        ('  clip "p0.mp4" trim 0s..1s\n  clip "p1.mp4" trim 1s..\n',
         [("p0", 0, 1), ("p1", 1, 2)], "copy_trims"),
    ],
    ids=["join", "trims"],
)
def test_a_copied_join_has_every_source_frame_once_in_place(
    parts: Path, tmp_path: Path, body: str, pieces: list[tuple[str, int, int]], pass_name: str
) -> None:
    tl = parts / f"{pass_name}.tl"
    tl.write_text(HEAD + "video {\n" + body + "}\n")
    out = tmp_path / "out.mp4"
    # (smart render, which makes its own lists, left out: the copy pass's list is read)
    opts: dict[str, object] = {"output": str(out), "disable_passes": ["smart_render"]}
    argv = tlc.compile(str(tl), **opts).steps[-1].argv
    assert argv[argv.index("-c:v") + 1] == "copy"
    off = tlc.compile(str(tl), **{**opts, "disable_passes": ["smart_render", pass_name]})
    assert off.steps[-1].argv[off.steps[-1].argv.index("-c:v") + 1] == "libx264"
    tlc.export(str(tl), overwrite=True, **opts)
    expected, at = [], Fraction(0)
    for name, a, b in pieces:
        expected += [(at + t - a, pic) for t, pic in frames(parts / f"{name}.mp4") if a <= t < b]
        at += b - a
    got = frames(out)
    assert got[0][0] == 0  # (not 1024/48000 s late: the list reads the video track only)
    assert len(got) == len(expected) == 25 * int(at)  # (no keyframe taken twice)
    assert [p for _, p in got] == [p for _, p in expected]
    assert all(abs(t - e) < Fraction(1, 1000) for (t, _), (e, _) in zip(got, expected, strict=True))
