"""The seam between the plan and the encoder plugins: which encoder, with which options.

Lowering asks three questions, and this module answers each by asking the
plugins (through :func:`tlc.plugin.manager.registry`):

- :func:`video_codec` and :func:`audio_codec`: the :class:`~tlc.ir.Codec` of an
  output's video and audio: the encoder :mod:`tlc.plugin.selection` chose for it, its
  options for the output's preset, quality intent, size and rate, and its needs
  (pixel format, hardware upload, device options);
- :func:`intermediate_codecs`: what the naive plan encodes its intermediate files
  with (the output's own video encoder, and AAC).

An output whose encoder is still ``auto`` (lowering called without the selection
stage, as some tests do) gets the family's first software encoder: a hardware
encoder is only ever used after a check said it works.
"""

from __future__ import annotations

from dataclasses import replace

from tlc.core.errors import EncoderError
from tlc.ir import Codec, OutputSpec
from tlc.plugin.encoder import VIDEO_FAMILIES, Encoder, Request
from tlc.plugin.manager import Registry, registry

INTERMEDIATE_AUDIO = "aac"


def video_codec(out: OutputSpec) -> Codec:
    """The encoder and options for an output's video (its family, encoder and preset)."""
    reg = registry()
    enc = encoder_for(reg, out.encoder, out.video)
    return codec(reg, enc, Request.for_preset(out.preset, out.width, out.height, out.fps))


def audio_codec(out: OutputSpec) -> Codec:
    """The encoder and options for an output's audio (its family, bit rate and preset)."""
    reg = registry()
    enc = encoder_for(reg, out.audio_encoder, out.audio)
    return codec(reg, enc, Request.for_preset(out.preset, bitrate=out.audio_bitrate))


#: intermediate files made by a slow ffmpeg (ffmpeg.wasm): the fastest preset, CRF 23
FAST_INTERMEDIATE = Request("draft", 23)


def intermediate_codecs(out: OutputSpec, fast: bool = False) -> tuple[Codec, Codec]:
    """What the naive plan encodes its intermediate files with: the output's own video
    encoder (H.264 when the output's video is copied or absent), and AAC; ``fast``
    (the wasm engine): at the fastest preset and CRF 23, whatever the output's preset."""
    vout = out if out.video in VIDEO_FAMILIES else replace(out, video="h264")
    if fast:
        reg = registry()
        request = replace(FAST_INTERMEDIATE, width=vout.width, height=vout.height, fps=vout.fps)
        v = codec(reg, encoder_for(reg, vout.encoder, vout.video), request)
    else:
        v = video_codec(vout)
    a = audio_codec(replace(out, audio=INTERMEDIATE_AUDIO, audio_encoder="auto"))
    return v, a


def encoder_for(reg: Registry, name: str, family: str) -> Encoder:
    """The encoder called ``name`` for ``family``; for ``auto``, the first software one."""
    if name != "auto":
        found = reg.find(name, family)
        if found is not None:
            return found.encoder
        if not reg.known(name):
            raise EncoderError(f"unknown encoder {name!r}", hint="tlc plugins lists them")
        # named for another family (the H.264 intermediates of a copied video): the default
    for r in reg.family(family):
        if not r.encoder.hardware:
            return r.encoder
    raise EncoderError(
        f"no software encoder for {family} is installed",
        hint="tlc plugins lists the encoders of every family",
    )


def codec(reg: Registry, enc: Encoder, request: Request) -> Codec:
    """``enc``'s :class:`~tlc.ir.Codec` for ``request``: its options and its needs."""
    needs = reg.needs(enc, request)
    chain = [f"format=pix_fmts={needs.pix_fmt}"] if needs.pix_fmt else []
    if needs.filters:
        chain.append(needs.filters)
    return Codec(
        enc.ffmpeg_name,
        tuple(reg.args(enc, request)),
        family=enc.family,
        filters=",".join(chain),
        global_args=needs.global_args,
    )
