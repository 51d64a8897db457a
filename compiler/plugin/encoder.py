"""What an encoder plugin declares and is asked: :class:`Encoder`, :class:`Request`,
:class:`Needs`, :class:`Check`; the presets' quality intents; ``hookimpl``."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    pass

#: Marks a function as the implementation of the hook of the same name.
hookimpl = pluggy.HookimplMarker("tlc")


#: The quality intent of each preset, on x264's CRF scale (0 best .. 51 worst):
#: every plugin translates this one number into its own encoder's terms.
QUALITY = {"draft": 23, "preview": 23, "production": 20}

#: Codec families an encoder may declare: the ``video`` and ``audio`` values of an
#: output (pcm and flac are what ``.wav`` and ``.flac`` outputs hold).
VIDEO_FAMILIES = ("h264", "hevc", "av1")
AUDIO_FAMILIES = ("aac", "opus", "mp3", "pcm", "flac")


@dataclass(frozen=True, slots=True)
class Encoder:
    """One encoder a plugin offers, for one codec family.

    ``name`` is what users write (``encoder nvenc``); one name may serve several
    families (``nvenc`` is ``h264_nvenc`` for h264 and ``hevc_nvenc`` for hevc).
    Among the encoders of a family that really work, ``encoder auto`` takes a
    hardware one before any software one, then the highest ``priority``.
    """

    name: str
    family: str
    ffmpeg_name: str
    hardware: bool = False
    priority: int = 0
    description: str = ""

    @property
    def media(self) -> str:
        """``"a"`` for an audio encoder, ``"v"`` for video (ffmpeg's ``-c:a``/``-c:v``)."""
        return "a" if self.family in AUDIO_FAMILIES else "v"

    @property
    def kind(self) -> str:
        return "hardware" if self.hardware else "software"


@dataclass(frozen=True, slots=True)
class Request:
    """What tlc asks an encoder to make: the same for every encoder of an output.

    ``quality`` is the intent on x264's CRF scale (see :data:`QUALITY`): a plugin
    translates it (crf, cq, global_quality, qp, a bit rate...) so that every encoder
    aims at the same look. Audio requests have no size (0) and may carry the
    ``bitrate`` the user wrote (``audio aac 256k``), else None.
    """

    preset: str
    quality: int
    width: int = 0
    height: int = 0
    fps: Fraction = Fraction(0)
    bitrate: int | None = None

    @classmethod
    def for_preset(
        cls,
        preset: str,
        width: int = 0,
        height: int = 0,
        fps: Fraction = Fraction(0),
        bitrate: int | None = None,
    ) -> Request:
        """The request with ``preset``'s quality intent (:data:`QUALITY`)."""
        return cls(preset, QUALITY[preset], width, height, fps, bitrate)


@dataclass(frozen=True, slots=True)
class Needs:
    """What an encoder needs around it, beyond its own options.

    - ``pix_fmt``: the pixel format its input must have (tlc converts to it last);
    - ``filters``: a filter chain the stream goes through right before the encoder,
      after the pixel format, e.g. ``hwupload=extra_hw_frames=64,format=qsv``;
    - ``global_args``: options before the inputs, e.g. ``-init_hw_device qsv=hw
      -filter_hw_device hw``.
    """

    pix_fmt: str | None = None
    filters: str = ""
    global_args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    """Whether an encoder really works with an ffmpeg, and if not, ffmpeg's reason."""

    ok: bool
    reason: str = ""


def kbps(bits_per_second: int) -> str:
    """A bit rate as ffmpeg reads it: ``192000`` -> ``"192k"`` (``"96500"`` if not whole)."""
    if bits_per_second % 1000 == 0:
        return f"{bits_per_second // 1000}k"
    return str(bits_per_second)
