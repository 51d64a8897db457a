"""Smart render's matching: can frames be encoded that fit between a source's GOPs?

A re-encoded span is joined by stream copy between GOPs copied from the source, so
its parameter sets (H.264's SPS and PPS) must be the source's, byte for byte: the
joined file has one ``avcC``, and the copied GOPs after a span carry none of their
own. x264 writes its options into its first picture (an SEI); given the same
options that bear on the headers (profile, level, entropy coder, references,
B-frames, weighted prediction, 8x8 transform, deblocking, rate control: the PPS's
initial QP comes from it), it writes the same headers. :func:`h264_match` reads
them back into ``-x264-params``, or says why a source cannot be matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tlc.ir import Codec, OutputSpec
from tlc.lower.compat import Piece, stream_problem
from tlc.media.info import MediaInfo
from tlc.media.keyframes import GopFacts

#: H.264 profiles libx264 writes from 8-bit 4:2:0 (profile_idc: name)
PROFILES = {66: "baseline", 77: "main", 100: "high"}

#: x264 options (as its SEI names them) that are passed on as they are
_PASSED = (
    "cabac", "ref", "8x8dct", "bframes", "b_pyramid", "b_adapt", "b_bias", "weightb",
    "weightp", "keyint", "keyint_min", "scenecut", "rc_lookahead", "mbtree", "qcomp",
    "qpmin", "qpmax", "qpstep", "ip_ratio", "pb_ratio", "psy", "trellis", "subme", "me",
    "me_range", "mixed_ref", "chroma_me", "fast_pskip", "constrained_intra", "crf", "qp",
    "bitrate", "vbv_maxrate", "vbv_bufsize", "nr", "sliced_threads", "slices",
    "bluray_compat", "intra_refresh",
)
_DIRECT = {"0": "none", "1": "spatial", "2": "temporal", "3": "auto"}


@dataclass(frozen=True, slots=True)
class Match:
    """How to encode frames that join the GOPs of a source (``facts``): ``codec``."""

    codec: Codec
    facts: GopFacts


def parse_settings(settings: str) -> dict[str, str]:
    """x264's SEI options (``cabac=1 ref=3 deblock=1:0:0 ...``) as a dict."""
    out = {}
    for word in settings.split():
        key, _, value = word.partition("=")
        out[key] = value
    return out


def source_match(info: MediaInfo | None, facts: GopFacts, out: OutputSpec) -> Match | str:
    """The codec that writes frames joinable with this source's GOPs, or why none."""
    if info is None or info.video is None:
        return "it has no video"
    if info.video.codec == "hevc":
        return hevc_match(info, facts, out)
    if info.video.codec != "h264":
        return f"its video is {info.video.codec}: smart render matches H.264 and HEVC only"
    return h264_match(info, facts, out)


def h264_match(info: MediaInfo, facts: GopFacts, out: OutputSpec) -> Match | str:
    """The x264 codec that writes frames joinable with this H.264 source's GOPs."""
    v = info.video
    assert v is not None
    avcc = bytes.fromhex(facts.extradata)
    if len(avcc) < 4 or avcc[0] != 1:
        return "its H.264 has no avcC header (not an MP4/MOV track)"
    profile, level = avcc[1], avcc[3]
    if profile not in PROFILES:
        return (f"its H.264 profile is {v.profile} (profile_idc {profile}): smart render "
                "matches Baseline, Main and High 8-bit 4:2:0 only")
    problem = stream_problem(Piece("", None, None, info), out, None)
    if problem:
        return problem
    if not facts.settings or "cabac=" not in facts.settings:
        return "its H.264 was not written by x264 (no options SEI): its headers cannot be matched"
    opts = parse_settings(facts.settings)
    if opts.get("open_gop", "0") != "0":
        return "it has open GOPs (x264 open_gop=1): a GOP cannot be copied on its own"
    if opts.get("interlaced", "0") != "0":
        return "it is interlaced"
    if opts.get("cqm", "0") != "0":
        return "it uses custom quantizer matrices"
    if len(facts.pts) < 2:
        return "it has a single keyframe: there is no GOP to copy"
    params = x264_params(opts)
    args = ["-profile:v", PROFILES[profile], "-level:v", f"{level / 10:g}",
            "-x264-params", params, *_colour_args(facts)]
    return Match(Codec("libx264", tuple(args), pix_fmt="yuv420p", family="h264"), facts)


def _colour_args(facts: GopFacts) -> list[str]:
    """The source's colour tags, for the encoder (the unset ones left out)."""
    args = []
    prim, trc, space, rng = facts.colour
    for flag, value, unset in (("-color_primaries", prim, "2"), ("-color_trc", trc, "2"),
                               ("-colorspace", space, "2"), ("-color_range", rng, "0")):
        if value and value != unset:
            args += [flag, value]
    return args


def x264_params(opts: dict[str, str]) -> str:
    """``-x264-params`` that make x264 write the headers the options in ``opts`` did."""
    params = []
    rc = opts.get("rc", "crf")
    for key in _PASSED:
        if key not in opts:
            continue
        if key == "crf" and rc != "crf" or key == "qp" and rc != "cqp":
            continue
        if key == "bitrate" and rc not in ("abr", "cbr"):
            continue
        params.append(f"{key.replace('_', '-')}={opts[key]}")
    deblock = opts.get("deblock", "1:0:0").split(":")
    if deblock[0] == "0":
        params.append("no-deblock=1")
    elif len(deblock) == 3:
        params.append(f"deblock={deblock[1]},{deblock[2]}")
    if "direct" in opts:
        params.append(f"direct={_DIRECT.get(opts['direct'], 'spatial')}")
    if "psy_rd" in opts:
        params.append(f"psy-rd={opts['psy_rd'].replace(':', ',')}")
    if "aq" in opts:
        mode, _, strength = opts["aq"].partition(":")
        params.append(f"aq-mode={mode}")
        if strength:
            params.append(f"aq-strength={strength}")
    if "decimate" in opts:
        params.append(f"dct-decimate={opts['decimate']}")
    if "deadzone" in opts:
        inter, _, intra = opts["deadzone"].partition(",")
        params.append(f"deadzone-inter={inter}:deadzone-intra={intra or inter}")
    # the headers (SPS and PPS) in each keyframe as well: what any decoder needs to start
    # at a span's first picture
    params.append("repeat-headers=1")
    return ":".join(p for p in params if p)


def headers_match(match: Match, path: str, ffmpeg: str, fps: Fraction) -> bool:
    """Whether the encoder with ``match``'s codec writes ``path``'s very headers: one
    frame is encoded to find out, as a span's are, through the fps filter (its time
    base is the one the headers' timing takes); cached on disk by the source and the
    arguments."""
    import hashlib
    import json
    import os
    import subprocess
    import tempfile

    from tlc.core import cache

    key = json.dumps([os.path.abspath(path), match.facts.extradata, match.codec.args])
    name = f"smart-headers-v2/{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    cached = cache.read_json(name)
    if isinstance(cached, dict) and cached.get("key") == key:
        return bool(cached.get("same"))
    with tempfile.TemporaryDirectory(prefix="tlc-smart-") as tmp:
        trial = os.path.join(tmp, "trial.mp4")
        argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-i", path, "-map", "0:v:0", "-vf",
                ",".join([f"fps={fps.numerator}/{fps.denominator}", match.codec.filters
                          or "format=yuv420p"]),
                "-frames:v", "1", "-c:v", match.codec.encoder, *match.codec.args,
                "-f", "mp4", trial]
        done = subprocess.run(argv, capture_output=True, check=False)
        same = done.returncode == 0 and (
            parameter_sets(_extradata(trial), match.codec.family)
            == parameter_sets(match.facts.extradata, match.codec.family))
    cache.write_json(name, {"key": key, "same": same})
    return same


def _extradata(path: str) -> str:
    import av

    try:
        with av.open(path) as container:
            return bytes(container.streams.video[0].codec_context.extradata or b"").hex()
    except (av.error.FFmpegError, IndexError):  # a trial that cannot be read matches nothing
        return ""


#: x265 options (as its SEI names them) that say nothing about the stream, or that
#: x265 derives from the input: never passed on
_X265_SKIP = {
    "cpuid", "frame-threads", "numa-pools", "wpp", "pmode", "pme", "psnr", "ssim", "log-level",
    "bitdepth", "input-csp", "fps", "input-res", "total-frames", "stats-write", "stats-read",
    "zone-count", "display-window", "copy-pic", "max-ausize-factor", "right", "bottom",
    "conformance-window-offsets", "annexb", "repeat-headers", "info", "hash", "csv-log-level",
    "alpha", "svt", "field", "mcstf", "sbrc", "ctu-info", "scale-factor", "decoder-max-rate",
    "vbv-live-multi-pass", "dynamic-refine", "refine-intra", "refine-inter", "refine-mv",
    "refine-ctu-distortion", "refine-analysis-type", "analysis-reuse-level",
    "analysis-save-reuse-level", "analysis-load-reuse-level", "hdr10-opt", "dhdr10-opt",
}


def hevc_match(info: MediaInfo, facts: GopFacts, out: OutputSpec) -> Match | str:
    """The x265 codec that writes frames joinable with this HEVC source's GOPs."""
    v = info.video
    assert v is not None
    hvcc = bytes.fromhex(facts.extradata)
    if len(hvcc) < 23 or hvcc[0] != 1:
        return "its HEVC has no hvcC header (not an MP4/MOV track)"
    if hvcc[1] & 0x1F != 1:
        return (f"its HEVC profile is {v.profile} (general_profile_idc {hvcc[1] & 0x1F}): "
                "smart render matches Main (8-bit 4:2:0) only")
    problem = stream_problem(Piece("", None, None, info), out, None)
    if problem:
        return problem
    words = facts.settings.split()
    if not words or "ctu=" not in facts.settings:
        return "its HEVC was not written by x265 (no options SEI): its headers cannot be matched"
    if "open-gop" in words:
        return "it has open GOPs (x265 open-gop): a GOP cannot be copied on its own"
    if "interlace=0" not in words:
        return "it is interlaced"
    if len(facts.pts) < 2:
        return "it has a single keyframe: there is no GOP to copy"
    params = []
    for word in words:
        key, eq, value = word.partition("=")
        name = key[3:] if key.startswith("no-") else key
        if name in _X265_SKIP or not re.fullmatch(r"[a-z0-9-]+", key) or (
                eq and not re.fullmatch(r"-?[0-9.,:/]+", value)):
            continue
        if not eq:
            value = "0" if key.startswith("no-") else "1"
            key = name
        if key == "rc" or ":" in value and key != "deblock":
            continue
        params.append(f"{key}={value.replace(':', ',')}")
    params += ["repeat-headers=1", "info=1", "log-level=error"]
    # x265 writes a colour description when any of these is given, even as the defaults
    defaults = {"videoformat=5", "range=0", "colorprim=2", "transfer=2", "colormatrix=2",
                "chromaloc=0", "overscan=0", "interlace=0"}
    params = [p for p in params if p not in defaults]
    args = ("-x265-params", ":".join(params))
    # ffmpeg hands x265 the frames' chroma location and range, which it writes in the
    # SPS: the source's, as x265's own options say them, or none
    chroma = f"chroma_location={'unspecified' if 'chromaloc=0' in words else 'auto'}"
    colour = "range=unknown" if "range=0" in words else "range=auto"
    filters = f"format=yuv420p,setparams={chroma}:{colour}"
    return Match(Codec("libx265", args, family="hevc", filters=filters), facts)


def parameter_sets(extradata: str, family: str) -> bytes:
    """The parameter sets of an ``avcC`` (all of it) or an ``hvcC`` (its VPS, SPS and
    PPS arrays: the SEI there holds the encoder's options, which may differ)."""
    data = bytes.fromhex(extradata)
    if family != "hevc" or len(data) < 23:
        return data
    out, at = [], 23
    try:
        for _ in range(data[22]):
            kind = data[at] & 0x3F
            count = int.from_bytes(data[at + 1 : at + 3], "big")
            at += 3
            for _ in range(count):
                size = int.from_bytes(data[at : at + 2], "big")
                if kind in (32, 33, 34):
                    out.append(data[at : at + 2 + size])
                at += 2 + size
    except IndexError:
        return data
    return b"".join(out)
