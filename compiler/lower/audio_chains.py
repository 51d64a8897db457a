"""The audio chains an item needs: every stream at 48 kHz stereo (or the output's
format) with an exact sample count, so joins never drift; silence, volume, mixes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from tlc.core.timefmt import sec
from tlc.ir import (
    AudioItem,
    F,
    Lavfi,
    MainItem,
    Node,
    Src,
    Timeline,
)

if TYPE_CHECKING:

    pass
from tlc.lower.chains import AUDIO_PREROLL, PTS_RESET, cut_from_start, f, option_pairs, reads

RATE = 48000


LAYOUT = "stereo"


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """The sample rate and channel layout a graph's audio is conformed to."""

    rate: int = RATE
    layout: str = LAYOUT


DEFAULT_AUDIO = AudioFormat()


def samples(duration: Fraction, rate: int = RATE) -> int:
    if type(duration) is not Fraction:
        return round(duration * rate)
    # round(duration * rate) without making the product (a Fraction, a gcd): the same
    # rounding, half to even
    whole, rest = divmod(duration.numerator * rate, duration.denominator)
    twice, d = rest * 2, duration.denominator
    return whole + 1 if twice > d or (twice == d and whole % 2) else whole


_MONO_TO_STEREO = option_pairs(args="stereo|c0=c0|c1=c0")


def silence(duration: Fraction, fmt: AudioFormat = DEFAULT_AUDIO) -> Node:
    return silent(samples(duration, fmt.rate), fmt)


def silent(n: int, fmt: AudioFormat = DEFAULT_AUDIO) -> Node:
    """Exactly ``n`` samples of silence."""
    a = Lavfi("anullsrc", (("r", str(fmt.rate)), ("cl", fmt.layout)), "a")
    return f("atrim", a, "a", "trim", end_sample=n)


def exact_audio(
    a: Node, duration: Fraction, retrim: bool = False, fmt: AudioFormat = DEFAULT_AUDIO
) -> Node:
    """Pad or cut ``a`` to exactly ``duration`` (in samples at the format's rate)."""
    return exact_samples(a, samples(duration, fmt.rate), retrim)


def exact_samples(a: Node, n: int, retrim: bool = False) -> Node:
    """Pad ``a`` with silence or cut it to exactly ``n`` samples."""
    role = "retrim" if retrim else "trim"
    text = str(n)
    a = F("apad", (("whole_len", text),), (a,), "a", role, retrim)
    return F("atrim", (("end_sample", text),), (a,), "a", role, retrim)


def conform_audio(
    a: Node, fmt: AudioFormat = DEFAULT_AUDIO, channels: int | None = None
) -> Node:
    """``a`` (of ``channels``, if known) at the format's rate and layout. Mono sound goes
    to both sides of a stereo output at its level, as editors play it (ffmpeg's own
    upmix puts it 3 dB lower on each); more channels than two are mixed down to stereo
    or mono scaled so that they cannot clip (ffmpeg's own downmix may)."""
    resample, format_ = _conform_args(fmt.rate, fmt.layout)
    a = F("asetpts", PTS_RESET, (a,), "a", "pts")
    if channels == 1 and fmt.layout == "stereo":
        a = F("pan", _MONO_TO_STEREO, (a,), "a", "conform")
    if channels is not None and channels > 2 and fmt.layout in ("mono", "stereo"):
        # a downmix of 5.1 adds up to 2.4 times a channel's level: scaled to never clip
        resample = (*resample, ("rematrix_maxval", "1"))
    a = F("aresample", resample, (a,), "a", "conform")
    return F("aformat", format_, (a,), "a", "conform")


@functools.lru_cache(maxsize=64)
def _conform_args(
    rate: int, layout: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    return (
        option_pairs(osr=rate),
        option_pairs(sample_fmts="fltp", sample_rates=rate, channel_layouts=layout),
    )


def volume(a: Node, db: float | None) -> Node:
    if db is None or db == 0:
        return a
    return f("volume", a, "a", "volume", volume=f"{db:g}dB")


def item_audio(item: MainItem, tl: Timeline) -> Node:
    info = tl.media.get(item.path) if item.path else None
    if item.kind != "clip" or item.mute or info is None or info.audio is None:
        return silence(item.duration)
    seek, length, skip = reads(item.src_in, item.source_length, info)
    a: Node = Src(item.path or "", "a", seek=seek, duration=length)
    if skip:
        a, _ = cut_from_start(a, skip, info, "a")
    a = conform_audio(a, channels=info.audio.channels)
    late = info.lead_ins()[1] - item.src_in
    if item.speed != 1:
        for factor in tempo_stages(item.speed):  # faster or slower, at the same pitch
            a = f("atempo", a, "a", "speed", tempo=f"{float(factor):.12g}")
        late /= item.speed
    if late > 0:  # sound that begins after the pictures: silence until it does
        a = f("adelay", a, "a", "pad", delays=f"{samples(late)}S", all=1)
    return exact_audio(volume(a, item.volume_db), item.duration)


def tempo_stages(speed: Fraction) -> list[Fraction]:
    """``speed`` as a product of factors each between 0.5 and 2, the range of atempo in
    every ffmpeg (4 = 2 * 2; 0.2 = 0.5 * 0.5 * 0.8); none for 1."""
    stages: list[Fraction] = []
    while speed > 2:
        stages.append(Fraction(2))
        speed /= 2
    while speed < Fraction(1, 2):
        stages.append(Fraction(1, 2))
        speed *= 2
    return stages if speed == 1 else [*stages, speed]


def channels(tl: Timeline, path: str) -> int | None:
    """How many channels the sound of ``path`` has (None: it has none)."""
    info = tl.media.get(path)
    return info.audio.channels if info is not None and info.audio is not None else None


def audio_item(
    item: AudioItem,
    fmt: AudioFormat = DEFAULT_AUDIO,
    delay: bool = True,
    n: int | None = None,
    channels: int | None = None,
) -> Node:
    """An audio-track item (of ``channels``): trimmed, at its volume, faded, delayed to
    its start.

    ``delay=False`` leaves it at time 0 (for a concat of a track's pieces); ``n`` makes
    it exactly ``n`` samples long (padded with silence if the source ends early).
    """
    # An audio file's seek lands on a packet boundary: for AAC in an .m4a, up to 1023
    # samples past the point (ffmpeg's timestamps say so, but the samples before are
    # gone). Read from a little earlier, and cut at the point by timestamps.
    seek, length, skip = reads(item.src_in, item.duration, None, AUDIO_PREROLL)
    a: Node = Src(item.path, "a", seek=seek, duration=length)
    if skip:
        a = F("atrim", (("start", sec(skip)),), (a,), "a", "seek")
    a = volume(conform_audio(a, fmt, channels), item.volume_db)
    if n is None:
        a = f("atrim", a, "a", "trim", end_sample=samples(item.duration, fmt.rate))
    else:
        a = exact_samples(a, n)
    if item.fade_in:
        a = f("afade", a, "a", "fade", t="in", st=0, d=sec(min(item.fade_in, item.duration)))
    if item.fade_out:
        d = min(item.fade_out, item.duration)
        a = f("afade", a, "a", "fade", t="out", st=sec(item.duration - d), d=sec(d))
    if delay and item.start > 0:
        a = f("adelay", a, "a", "delay", delays=f"{samples(item.start, fmt.rate)}S", all=1)
    return a


def mix(
    base: Node, items: list[Node], duration: Fraction, fmt: AudioFormat = DEFAULT_AUDIO
) -> Node:
    """``base`` with ``items`` added at the volumes written (no 1/n normalisation),
    exactly ``duration`` long (``base`` must last that long)."""
    m = f(
        "amix",
        (base, *items),
        "a",
        "mix",
        inputs=len(items) + 1,
        duration="first",
        dropout_transition=0,
        normalize=0,
    )
    return exact_audio(m, duration, fmt=fmt)
