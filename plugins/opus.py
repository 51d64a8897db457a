"""opus: Opus (libopus), the audio of ``.opus``, ``.ogg`` and ``.webm``.

128 kb/s stereo Opus is transparent for most listeners; the output's own bit rate
wins when it gives one.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl, kbps

OPUS = Encoder("opus", "opus", "libopus", priority=10, description="libopus, software")
DEFAULT_BITRATE = 128_000


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [OPUS]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder != OPUS:
        return None
    return ["-b:a", kbps(request.bitrate or DEFAULT_BITRATE)]
