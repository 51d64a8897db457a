"""aom: AV1 in software (libaom-av1), so ``video av1`` works with no plugin installed.

It is the slowest AV1 encoder, with the lowest priority: a faster one from a
plugin (``examples/plugin-svtav1``) wins under ``encoder auto``. AV1's CRF runs to
63; x264's CRF 23 looks like about 34 there, so the intent is moved up by 11.
Draft uses libaom's real-time mode, the only one where ``-cpu-used 8`` is fast.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl

AOM = Encoder("aom", "av1", "libaom-av1", priority=0, description="libaom, software (slow)")
PRESETS = {
    "draft": ["-usage", "realtime", "-cpu-used", "8"],
    "preview": ["-cpu-used", "6"],
    "production": ["-cpu-used", "4"],
}
CRF_OFFSET = 11


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [AOM]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder != AOM:
        return None
    crf = min(request.quality + CRF_OFFSET, 63)
    return [*PRESETS[request.preset], "-row-mt", "1", "-crf", str(crf), "-b:v", "0"]
