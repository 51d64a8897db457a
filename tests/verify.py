"""What a user would check about an export: streams, size, fps, frames, durations.

Audio length is measured with ffmpeg's own decoder (it honours MP4 edit lists, so
encoder priming is not counted); video frames are counted by demuxing packets.
"""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from media import ffmpeg_exe


@dataclass
class Facts:
    width: int | None
    height: int | None
    fps: Fraction | None
    vcodec: str | None
    acodec: str | None
    frames: int
    video_seconds: float | None
    audio_seconds: float | None
    sample_rate: int | None
    faststart: bool
    pix_fmt: str | None


def decoded_audio_seconds(path: str | Path, rate: int = 48000) -> float:
    """Seconds of audio as ffmpeg decodes it (edit lists honoured), at ``rate``."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
         "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True, check=True)
    return len(proc.stdout) / 2 / rate


def decoded_audio(path: str | Path, rate: int = 48000) -> list[int]:
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
         "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True, check=True)
    n = len(proc.stdout) // 2
    return list(struct.unpack(f"<{n}h", proc.stdout[: n * 2]))


def moov_before_mdat(path: str | Path) -> bool:
    """True when the MP4 index (moov) comes before the media data (faststart)."""
    with open(path, "rb") as fh:
        while True:
            head = fh.read(8)
            if len(head) < 8:
                return False
            size, kind = struct.unpack(">I4s", head)
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                fh.seek(size - 16, 1)
            elif size == 0:
                return False
            else:
                fh.seek(size - 8, 1)


def facts(path: str | Path) -> Facts:
    import av

    with av.open(str(path)) as c:
        v = c.streams.video[0] if c.streams.video else None
        a = c.streams.audio[0] if c.streams.audio else None
        frames = 0
        vsec = None
        if v is not None:
            last = None
            for pkt in c.demux(v):
                if pkt.size:
                    frames += 1
                    if pkt.pts is not None and (last is None or pkt.pts > last):
                        last = pkt.pts
            rate = v.average_rate or v.guessed_rate
            vsec = frames / float(rate) if rate else None
        out = Facts(
            width=v.codec_context.width if v else None,
            height=v.codec_context.height if v else None,
            fps=Fraction(v.average_rate) if v and v.average_rate else None,
            vcodec=v.codec_context.name if v else None,
            acodec=a.codec_context.name if a else None,
            frames=frames,
            video_seconds=vsec,
            audio_seconds=None,
            sample_rate=a.codec_context.sample_rate if a else None,
            faststart=False,
            pix_fmt=v.codec_context.format.name if v and v.codec_context.format else None,
        )
    if a is not None:
        out.audio_seconds = decoded_audio_seconds(path, out.sample_rate or 48000)
    if str(path).endswith((".mp4", ".m4a", ".mov")):
        out.faststart = moov_before_mdat(path)
    return out


def psnr_per_frame(ref: Path, other: Path) -> list[float]:
    """The PSNR (average of the planes, dB) of each frame of ``other`` against ``ref``."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", str(ref), "-i", str(other),
         "-an", "-lavfi", "[0:v][1:v]psnr=stats_file=-", "-f", "null", "-"],
        check=True, capture_output=True, text=True,
    )
    values = []
    for m in re.finditer(r"psnr_avg:(\S+)", proc.stdout):
        values.append(float("inf") if m.group(1) == "inf" else float(m.group(1)))
    return values
