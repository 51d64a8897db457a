"""x264: H.264 in software (libx264), the default wherever no GPU encoder works.

The quality intent is x264's own CRF scale, so it is used as it is.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl

X264 = Encoder("x264", "h264", "libx264", priority=10, description="libx264, software")
PRESETS = {"draft": "ultrafast", "preview": "veryfast", "production": "medium"}


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [X264]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder != X264:
        return None
    return ["-preset", PRESETS[request.preset], "-crf", str(request.quality)]
