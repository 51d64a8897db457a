"""``tlc doctor`` and ``tlc plugins``: what this machine's ffmpeg can really do."""

from __future__ import annotations

import subprocess

from .toolchain import Ffmpeg

# name, family, kind, ffmpeg encoder
BUILTIN = (
    ("x264", "h264", "software", "libx264"),
    ("x265", "hevc", "software", "libx265"),
    ("svtav1", "av1", "software", "libsvtav1"),
    ("aac", "aac", "software", "aac"),
    ("opus", "opus", "software", "libopus"),
    ("mp3", "mp3", "software", "libmp3lame"),
)


def works(ffmpeg: Ffmpeg, encoder: str, media: str) -> tuple[bool, str]:
    """Does a one-frame test encode with ``encoder`` succeed? (ok, ffmpeg's reason)"""
    if media == "v":
        src = ["-f", "lavfi", "-i", "color=c=black:s=256x256:d=0.04", "-frames:v", "1"]
    else:
        src = ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "0.05"]
    argv = [
        ffmpeg.path,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        *src,
        "-c:" + media,
        encoder,
        "-f",
        "null",
        "-",
    ]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    if proc.returncode == 0:
        return True, ""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    return False, lines[-1] if lines else f"exit status {proc.returncode}"


def encoder_rows(ffmpeg: Ffmpeg) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, family, kind, enc in BUILTIN:
        ok, why = works(ffmpeg, enc, "a" if family in ("aac", "opus", "mp3") else "v")
        rows.append((name, family, kind, enc, "available" if ok else f"unavailable: {why}"))
    return rows


def report(ffmpeg: Ffmpeg) -> str:
    import av

    lines = [f"ffmpeg: {ffmpeg.display()}"]
    lines.append("encoders that work:")
    for name, family, kind, enc, status in encoder_rows(ffmpeg):
        lines.append(f"  {name:8} {family:5} {kind:9} {enc:12} {status}")
    libav = getattr(av, "ffmpeg_version_info", "?")
    lines.append(f"probe backend: PyAV {av.__version__} (libav {libav}), in-process")
    return "\n".join(lines)
