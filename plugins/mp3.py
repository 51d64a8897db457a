"""mp3: MP3 (LAME, ffmpeg's ``libmp3lame``), the audio of ``.mp3``, at 192 kb/s unless
the output gives its own bit rate."""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl, kbps

MP3 = Encoder("mp3", "mp3", "libmp3lame", priority=10, description="LAME, software")
DEFAULT_BITRATE = 192_000


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [MP3]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder != MP3:
        return None
    return ["-b:a", kbps(request.bitrate or DEFAULT_BITRATE)]
