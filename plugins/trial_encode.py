"""trial-encode: the built-in check of an encoder, asked last.

An encoder works with an ffmpeg when that ffmpeg lists it (``ffmpeg -encoders``)
and one frame of a synthetic source (50 ms of silence for audio) goes through it,
with the options and needs of its draft preset, to the null muxer. Listing is not
enough: every build of ffmpeg lists NVENC, QSV and AMF, and they fail without the
device and its driver. A failure carries ffmpeg's own reason ("Cannot load
libcuda.so.1"). A plugin that must check something else implements
``tlc_check_encoder`` too and is asked first.
"""

from __future__ import annotations

from tlc.plugin import Check, Encoder, Ffmpeg, Needs, hookimpl, listed_encoders, trial_encode


@hookimpl(trylast=True)
def tlc_check_encoder(encoder: Encoder, ffmpeg: Ffmpeg, args: list[str], needs: Needs) -> Check:
    try:
        listed = listed_encoders(ffmpeg)
    except RuntimeError as err:
        return Check(False, f"cannot list this ffmpeg's encoders: {err}")
    if encoder.ffmpeg_name not in listed:
        return Check(False, f"this ffmpeg does not list {encoder.ffmpeg_name}")
    return trial_encode(ffmpeg, encoder, args, needs)
