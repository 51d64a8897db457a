"""AV1 encoders for tlc: SVT-AV1 (``svtav1``) and rav1e (``rav1e``), through ffmpeg.

Both are software encoders, faster than libaom (tlc's built-in ``aom``), so they
have a higher priority: with this plugin installed, ``video av1`` with ``encoder
auto`` uses SVT-AV1 where the ffmpeg in use has ``libsvtav1``, else rav1e where
it has ``librav1e``, else tlc's own ``aom``. ``encoder svtav1`` (or ``--encoder
svtav1``) asks for SVT-AV1 by name, and is an error, with ffmpeg's reason, where
it does not work.
"""

from __future__ import annotations

from tlc.plugin import Encoder, Needs, Request, hookimpl

SVTAV1 = Encoder("svtav1", "av1", "libsvtav1", priority=20, description="SVT-AV1, software")
RAV1E = Encoder("rav1e", "av1", "librav1e", priority=15, description="rav1e, software")

# SVT-AV1's presets run from 0 (slowest) to 13; 12 is the fastest that still looks good.
SVT_PRESETS = {"draft": 12, "preview": 10, "production": 7}
# rav1e's speeds run from 0 (slowest) to 10.
RAV1E_SPEEDS = {"draft": 10, "preview": 8, "production": 6}


@hookimpl
def tlc_encoders() -> list[Encoder]:
    """Declare both; tlc checks which one the ffmpeg in use really runs."""
    return [SVTAV1, RAV1E]


@hookimpl
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    """Translate tlc's quality intent (x264's CRF scale) into each encoder's own.

    SVT-AV1's CRF runs to 63: x264's 23 looks like about 35 there (+12).
    rav1e's quantizer runs to 255: 5 of its steps make one step of x264's CRF.
    """
    if encoder == SVTAV1:
        crf = min(request.quality + 12, 63)
        return ["-preset", str(SVT_PRESETS[request.preset]), "-crf", str(crf)]
    if encoder == RAV1E:
        return ["-speed", str(RAV1E_SPEEDS[request.preset]), "-qp", str(request.quality * 5)]
    return None  # not mine: another plugin answers


@hookimpl
def tlc_encoder_needs(encoder: Encoder, request: Request) -> Needs | None:
    """SVT-AV1 compresses better in 10 bits, and every AV1 decoder plays 10-bit video
    (it is in AV1's Main profile), so tlc converts to 10 bits just before it."""
    if encoder == SVTAV1:
        return Needs(pix_fmt="yuv420p10le")
    return None
