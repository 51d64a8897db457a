"""nvenc: H.264 and HEVC on NVIDIA GPUs (h264_nvenc, hevc_nvenc).

Quality: NVENC's constant-quality mode is ``-rc vbr -cq N -b:v 0`` (without
``-b:v 0`` the default bit rate caps it); ``cq`` is on the same 0..51 QP scale as
x264's CRF and is given the intent unchanged. Presets are NVENC's p1 (fastest) to
p7 (slowest). Keyframes that tlc forces (where it joins segments) must be IDR
frames, which NVENC makes only when told (``-forced-idr 1``). NVENC reads ordinary
yuv420p frames from memory: it needs no upload.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Request, hookimpl

H264 = Encoder(
    "nvenc", "h264", "h264_nvenc", hardware=True, priority=30, description="NVIDIA NVENC"
)
HEVC = Encoder(
    "nvenc", "hevc", "hevc_nvenc", hardware=True, priority=30, description="NVIDIA NVENC"
)
PRESETS = {"draft": "p1", "preview": "p4", "production": "p6"}


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [H264, HEVC]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder not in (H264, HEVC):
        return None
    args = ["-preset", PRESETS[request.preset], "-forced-idr", "1"]
    args += ["-rc", "vbr", "-cq", str(request.quality), "-b:v", "0"]
    if encoder == HEVC:
        args += ["-tag:v", "hvc1"]
    return args
