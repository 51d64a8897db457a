"""Write a tlc plugin: everything a plugin author imports comes from this module.

A plugin is a module whose functions are named after the hooks in
:mod:`tlc.hookspecs` and marked with :data:`hookimpl`. This one is complete and
works as it stands: it adds the encoder ``openh264`` (Cisco's H.264 encoder,
which ffmpeg calls ``libopenh264``). OpenH264 has no constant-quality mode, so
the plugin turns tlc's quality intent into a bit rate for the output's size and
frame rate::

    # tlc_openh264.py
    from __future__ import annotations

    from tlc.plugin import Encoder, Request, hookimpl

    OPENH264 = Encoder("openh264", "h264", "libopenh264", priority=5,
                       description="Cisco OpenH264, software")


    @hookimpl
    def tlc_encoders() -> list[Encoder]:
        return [OPENH264]


    @hookimpl
    def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
        if encoder != OPENH264:
            return None  # not mine: another plugin answers
        # 0.1 bit a pixel looks like x264's CRF 23; every 6 steps of CRF halve the bits
        bits_per_pixel = 0.1 * 2 ** ((23 - request.quality) / 6)
        rate = request.width * request.height * float(request.fps) * bits_per_pixel
        return ["-rc_mode", "quality", "-b:v", f"{round(rate / 1000)}k"]

Make it installable by naming it in the ``tlc`` entry-point group of its
package's ``pyproject.toml``::

    [project.entry-points.tlc]
    openh264 = "tlc_openh264"

After ``pip install .``, ``tlc plugins`` lists ``openh264`` (and whether the
ffmpeg in use really runs it), ``encoder openh264`` in an output block or
``--encoder openh264`` on the command line selects it, and ``encoder auto`` picks
it when no encoder of higher priority works. A plugin that needs a pixel format, a
hardware upload or a device implements ``tlc_encoder_needs`` too (see
``plugins/qsv.py``). ``examples/plugin-svtav1/`` is a whole package, and
``docs/writing-plugins.md`` walks through it.
"""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .toolchain import Ffmpeg

#: Marks a function as the implementation of the hook of the same name.
hookimpl = pluggy.HookimplMarker("tlc")

#: The presets, fastest first. ``auto`` is resolved before any plugin is asked.
PRESETS = ("draft", "preview", "production")

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


# ---- the standard check (the trial-encode plugin), for plugins that want it too ----------

TRIAL_TIMEOUT = 15.0
TRIAL_VIDEO = ("-f", "lavfi", "-i", "color=c=black:s=320x240:r=25:d=0.04", "-frames:v", "1")
TRIAL_AUDIO = ("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "0.05")


def trial_encode_argv(
    ffmpeg_path: str, encoder: Encoder, args: list[str], needs: Needs
) -> list[str]:
    """The argv of the standard check: one frame (or 50 ms) of a synthetic source,
    through the encoder with its own options and needs, to the null muxer."""
    source = TRIAL_VIDEO if encoder.media == "v" else TRIAL_AUDIO
    chain = [f"format={needs.pix_fmt or 'yuv420p'}"] if encoder.media == "v" else []
    if needs.filters:
        chain.append(needs.filters)
    filters = ["-vf", ",".join(chain)] if chain else []
    return [
        ffmpeg_path,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        *needs.global_args,
        *source,
        *filters,
        f"-c:{encoder.media}",
        encoder.ffmpeg_name,
        *args,
        "-f",
        "null",
        "-",
    ]


def trial_encode(
    ffmpeg: Ffmpeg, encoder: Encoder, args: list[str], needs: Needs, timeout: float = TRIAL_TIMEOUT
) -> Check:
    """Run the standard check (:func:`trial_encode_argv`) and say why it failed."""
    argv = trial_encode_argv(ffmpeg.path, encoder, args, needs)
    proc = _quiet_run(argv, timeout)
    if isinstance(proc, subprocess.TimeoutExpired):
        return Check(False, f"the test encode did not finish in {timeout:g} s")
    if isinstance(proc, OSError):
        return Check(False, f"cannot run {ffmpeg.path}: {proc.strerror or proc}")
    if proc.returncode == 0:
        return Check(True)
    return Check(False, reason_from_stderr(proc.stderr, proc.returncode))


def _quiet_run(
    argv: list[str], timeout: float
) -> subprocess.CompletedProcess[str] | subprocess.TimeoutExpired | OSError:
    """Run ``argv`` with no stdin, capturing text output; the failure to run, returned."""
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError) as err:
        return err


_listing_lock = threading.Lock()


def listed_encoders(ffmpeg: Ffmpeg) -> frozenset[str]:
    """The encoder names ``ffmpeg -encoders`` lists (asked once per process and binary).

    Raises RuntimeError, with ffmpeg's reason, if it cannot list them.
    """
    with _listing_lock:  # checks run in threads: list once, not once per thread
        names, problem = _listing(ffmpeg)
    if problem:
        raise RuntimeError(problem)
    return names


@functools.lru_cache(maxsize=8)
def _listing(ffmpeg: Ffmpeg) -> tuple[frozenset[str], str]:
    proc = _quiet_run([ffmpeg.path, "-hide_banner", "-encoders"], TRIAL_TIMEOUT)
    if isinstance(proc, subprocess.TimeoutExpired):
        return frozenset(), f"`-encoders` did not finish in {TRIAL_TIMEOUT:g} s"
    if isinstance(proc, OSError):
        return frozenset(), f"cannot run it: {proc.strerror or proc}"
    if proc.returncode != 0:
        return frozenset(), "`-encoders` failed: " + reason_from_stderr(
            proc.stderr, proc.returncode
        )
    # " V....D libx264              libx264 H.264 / AVC ..." after a legend and a "------" line
    body = proc.stdout.split(" ------", 1)[-1]
    names = frozenset(m.group(1) for m in re.finditer(r"^ [VAS][A-Z.]{5} (\S+)", body, re.M))
    return names, ""


# what ffmpeg prints after the real reason, whatever the reason was
_CONSEQUENCES = re.compile(
    r"Error while opening encoder|Could not open encoder|Task finished with error|"
    r"Terminating thread|Nothing was written|Error sending frames|Conversion failed|"
    r"Error initializing output stream|Error reinitializing filters|Exiting with exit code|"
    r"^Svt\[",
)
_PREFIX = re.compile(r"^(\[[^\]]* @ [^\]]*\]\s*)+")


def reason_from_stderr(stderr: str, returncode: int) -> str:
    """The line of ffmpeg's stderr that says why, without its ``[enc @ 0x..]`` prefix.

    ffmpeg prints the cause first ("Cannot load libcuda.so.1") and then a cascade of
    consequences ("Error while opening encoder", "Nothing was written"...).
    """
    lines = [_PREFIX.sub("", ln).strip() for ln in stderr.splitlines()]
    lines = [ln for ln in lines if ln]
    causes = [ln for ln in lines if not _CONSEQUENCES.search(ln)]
    if causes:
        return causes[0]
    if lines:
        return lines[-1]
    return f"ffmpeg exited with status {returncode}"
