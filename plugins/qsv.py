"""qsv: H.264 and HEVC on Intel Quick Sync Video (h264_qsv, hevc_qsv).

Quality: ``-global_quality N`` (intelligent constant quality), on the same 0..51
scale as x264's CRF, given the intent unchanged. Frames are uploaded to the GPU
in the filter graph, as Intel's and ffmpeg's QSV guides do: a QSV device is made
before the inputs (``-init_hw_device qsv=hw -filter_hw_device hw``) and the
stream goes ``format=nv12,hwupload=extra_hw_frames=64,format=qsv`` into the
encoder, so the encoder reads GPU surfaces and no copy happens inside it. Forced
keyframes (where tlc joins segments) are made IDR frames (``-forced_idr 1``).
"""

from __future__ import annotations

from tlc.plugin import Encoder, Needs, Request, hookimpl

H264 = Encoder(
    "qsv", "h264", "h264_qsv", hardware=True, priority=20, description="Intel Quick Sync Video"
)
HEVC = Encoder(
    "qsv", "hevc", "hevc_qsv", hardware=True, priority=20, description="Intel Quick Sync Video"
)
PRESETS = {"draft": "veryfast", "preview": "faster", "production": "slow"}
NEEDS = Needs(
    pix_fmt="nv12",
    filters="hwupload=extra_hw_frames=64,format=qsv",
    global_args=("-init_hw_device", "qsv=hw", "-filter_hw_device", "hw"),
)


@hookimpl
def tlc_encoders() -> list[Encoder]:
    return [H264, HEVC]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    if encoder not in (H264, HEVC):
        return None
    args = ["-preset", PRESETS[request.preset], "-forced_idr", "1"]
    args += ["-global_quality", str(request.quality)]
    if encoder == HEVC:
        args += ["-tag:v", "hvc1"]
    return args


@hookimpl
def tlc_encoder_needs(encoder: Encoder, request: Request) -> Needs | None:
    return NEEDS if encoder in (H264, HEVC) else None
