"""Tiny synthetic media for the tests, made with the real ffmpeg from lavfi sources.

Everything is small and fast (ultrafast preset, tiny sizes, a few seconds) so a
test can make its own files in ``tmp_path``::

    from media import make_video
    clip = make_video(tmp_path / "clip.mp4", 2)
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

StrPath = str | os.PathLike[str]


@cache
def ffmpeg_exe() -> str:
    """The ffmpeg the tests use: ``TLC_FFMPEG`` if set, else the bundled one."""
    env = os.environ.get("TLC_FFMPEG")
    if env:
        return env
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(args: list[str]) -> None:
    """Run ffmpeg quietly with ``args``; fail loudly with its stderr if it fails."""
    argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {argv}\n{proc.stderr}")


def make_video(
    path: StrPath,
    seconds: float,
    size: tuple[int, int] = (320, 240),
    fps: int = 25,
    audio: bool = True,
    codec: str = "libx264",
    gop: int | None = None,
    pix_fmt: str = "yuv420p",
) -> Path:
    """A test-pattern video (and a sine tone if ``audio``) of ``seconds`` at ``fps``."""
    w, h = size
    args = ["-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate={fps}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-map", "0:v"] + (["-map", "1:a"] if audio else [])
    args += ["-c:v", codec, "-pix_fmt", pix_fmt]
    if codec in ("libx264", "libx265"):
        args += ["-preset", "ultrafast"]
    if gop is not None:
        args += ["-g", str(gop)]
        if codec in ("libx264", "libx265"):
            # a fixed GOP: no extra keyframes on scene cuts
            args += ["-keyint_min", str(gop), "-sc_threshold", "0"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "64k"]
    args += [str(path)]
    run_ffmpeg(args)
    return Path(path)


def make_audio(
    path: StrPath,
    seconds: float,
    freq: int = 440,
    codec: str = "aac",
    rate: int = 48000,
) -> Path:
    """A mono sine tone of ``seconds``."""
    args = ["-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate={rate}:duration={seconds}"]
    args += ["-c:a", codec, str(path)]
    run_ffmpeg(args)
    return Path(path)


def make_image(path: StrPath, size: tuple[int, int] = (64, 48)) -> Path:
    """One still frame of a test pattern; the format follows the extension."""
    w, h = size
    args = ["-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=1", "-frames:v", "1"]
    if str(path).lower().endswith((".jpg", ".jpeg")):
        args += ["-q:v", "3"]
    args += ["-update", "1", str(path)]
    run_ffmpeg(args)
    return Path(path)
