"""lossless: the audio of ``.wav`` (16-bit PCM) and ``.flac`` (FLAC).

Lossless audio has no quality to trade and no bit rate; both take ffmpeg's
defaults, so every preset is the same.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl

PCM = Encoder("pcm", "pcm", "pcm_s16le", priority=10, description="16-bit PCM")
FLAC = Encoder("flac", "flac", "flac", priority=10, description="ffmpeg's FLAC")


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [PCM, FLAC]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    return [] if encoder in (PCM, FLAC) else None
