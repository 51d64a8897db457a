"""x265: HEVC in software (libx265).

x265's CRF 28 looks like x264's CRF 23 (x265's documentation), so the quality
intent is moved up by 5. ``hvc1`` is the sample entry Apple's players require in
MP4/MOV; x265's own log is silenced below ffmpeg's ``-loglevel error``.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl

X265 = Encoder("x265", "hevc", "libx265", priority=10, description="libx265, software")
PRESETS = {"draft": "ultrafast", "preview": "fast", "production": "medium"}
CRF_OFFSET = 5


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [X265]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder != X265:
        return None
    crf = min(request.quality + CRF_OFFSET, 51)
    args = ["-preset", PRESETS[request.preset], "-crf", str(crf)]
    # (-forced-idr: a keyframe forced at a cut is an IDR frame, one a join can start on;
    # x265 makes it an open I frame otherwise)
    return [*args, "-forced-idr", "1", "-tag:v", "hvc1", "-x265-params", "log-level=error"]
