"""aac-m4a: AAC (ffmpeg's native encoder), the audio of MP4/MOV/MKV and of ``.m4a``.

Audio is cheap to encode, so every preset gets the same bit rate: the one the
output asks for (``audio aac 256k``), else 192 kb/s.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl, kbps

AAC = Encoder("aac", "aac", "aac", priority=10, description="ffmpeg's AAC, software")
DEFAULT_BITRATE = 192_000


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [AAC]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder != AAC:
        return None
    return ["-b:a", kbps(request.bitrate or DEFAULT_BITRATE)]
