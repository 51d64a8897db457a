"""The seam between the plan and encoders: which encoder, with which options.

For now this knows libx264/libx265/SVT-AV1 and the audio encoders; the encoder
plugin system (pluggy hooks in :mod:`tlc.hookspecs`) will answer these same two
questions, so callers never change.
"""

from __future__ import annotations

from .ir import Codec, OutputSpec

# preset -> (x264/x265 preset, crf)
_X264 = {"draft": ("ultrafast", 23), "preview": ("veryfast", 23), "production": ("medium", 20)}
_X265 = {"draft": ("ultrafast", 28), "preview": ("fast", 26), "production": ("medium", 24)}
_SVTAV1 = {"draft": (12, 38), "preview": (10, 34), "production": (7, 30)}

AUDIO_ENCODERS = {
    "aac": "aac",
    "opus": "libopus",
    "mp3": "libmp3lame",
    "pcm": "pcm_s16le",
    "flac": "flac",
}
AUDIO_DEFAULT_BITRATE = {"aac": 192000, "opus": 128000, "mp3": 192000}


def video_codec(out: OutputSpec) -> Codec:
    """The encoder and options for an output's video (its family and preset)."""
    if out.video == "hevc":
        p, crf = _X265[out.preset]
        return Codec(
            "libx265",
            ("-preset", p, "-crf", str(crf), "-tag:v", "hvc1", "-x265-params", "log-level=error"),
            family="hevc",
        )
    if out.video == "av1":
        p2, crf = _SVTAV1[out.preset]
        return Codec("libsvtav1", ("-preset", str(p2), "-crf", str(crf)), family="av1")
    p, crf = _X264[out.preset]
    return Codec("libx264", ("-preset", p, "-crf", str(crf)), family="h264")


def audio_codec(out: OutputSpec) -> Codec:
    """The encoder and options for an output's audio."""
    enc = AUDIO_ENCODERS[out.audio]
    args: tuple[str, ...] = ()
    bitrate = out.audio_bitrate or AUDIO_DEFAULT_BITRATE.get(out.audio)
    if bitrate and out.audio in AUDIO_DEFAULT_BITRATE:
        args = ("-b:a", _rate(bitrate))
    return Codec(enc, args, family=out.audio)


def intermediate_codecs(out: OutputSpec) -> tuple[Codec, Codec]:
    """What the naive plan encodes its intermediate files with: the output's own encoders."""
    v = (
        video_codec(out)
        if out.video in ("h264", "hevc", "av1")
        else video_codec(_with(out, video="h264"))
    )
    return v, Codec("aac", ("-b:a", _rate(out.audio_bitrate or 192000)), family="aac")


def _with(out: OutputSpec, **kw: object) -> OutputSpec:
    from dataclasses import replace

    return replace(out, **kw)  # type: ignore[arg-type]


def _rate(bps: int) -> str:
    return f"{bps // 1000}k" if bps % 1000 == 0 else str(bps)
