"""copy: ``video copy`` / ``audio copy``, the streams as the sources have them.

No encoder runs: the planner (``tlc.lower.copy_mode`` and the copy passes) decides where
a stream is copied and checks that the sources allow it. This plugin makes the
choice visible in ``tlc plugins`` beside the encoders, and it always works, with
any ffmpeg.
"""

from __future__ import annotations

from tlc.plugin import Check, Encoder, Request, hookimpl

COPY = Encoder("copy", "copy", "copy", description="stream copy, no encoding")


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [COPY]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    return [] if encoder == COPY else None


@hookimpl
def tlc_check_encoder(encoder: Encoder) -> Check | None:
    return Check(True) if encoder == COPY else None
