"""amf: H.264 and HEVC on AMD GPUs (h264_amf, hevc_amf).

Quality: AMF has no CRF; its constant-QP mode (``-rc cqp``) is given the intent
as the I-frame QP, and P and B frames two and four steps more, about what x264's
default I/P/B ratios do. Presets are AMF's ``-quality speed|balanced|quality``.
AMF's native input is nv12, so tlc converts to it rather than the driver. Forced
keyframes (where tlc joins segments) are made IDR frames (``-forced_idr 1``).
"""

from __future__ import annotations

from tlc.plugin import Encoder, Needs, Request, hookimpl

H264 = Encoder("amf", "h264", "h264_amf", hardware=True, priority=10, description="AMD AMF")
HEVC = Encoder("amf", "hevc", "hevc_amf", hardware=True, priority=10, description="AMD AMF")
PRESETS = {"draft": "speed", "preview": "balanced", "production": "quality"}


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [H264, HEVC]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder not in (H264, HEVC):
        return None
    q = request.quality
    args = ["-quality", PRESETS[request.preset], "-forced_idr", "1", "-rc", "cqp"]
    args += ["-qp_i", str(q), "-qp_p", str(min(q + 2, 51))]
    if encoder == H264:
        args += ["-qp_b", str(min(q + 4, 51))]  # hevc_amf makes no B-frames
    else:
        args += ["-tag:v", "hvc1"]
    return args


@hookimpl
def tlc_encoder_needs(encoder: Encoder, request: Request) -> Needs | None:
    return Needs(pix_fmt="nv12") if encoder in (H264, HEVC) else None
