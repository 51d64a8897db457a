"""Exact times and rates as text, in one place: for ffmpeg, and for people.

tlc keeps every time as a :class:`~fractions.Fraction`; these are the only ways it
writes one. ffmpeg reads :func:`q` (exact rationals) in filter options and
:func:`sec` (microseconds) in expressions and options; :func:`sec_down` is for
``-force_key_frames``, where a time rounded up would force the next frame.
Messages and labels use :func:`human`.
"""

from __future__ import annotations

from fractions import Fraction


def q(x: Fraction | float | int) -> str:
    """A number as ffmpeg reads it: exact rationals as N/D, else decimal."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        d = float(x)
        if Fraction(repr(d)) == x:
            return repr(d)
        return f"{x.numerator}/{x.denominator}"
    return f"{x:g}" if isinstance(x, float) else str(x)


def ratio(x: Fraction) -> str:
    """``N`` or ``N/D`` (a frame rate, a time base)."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def sec(x: Fraction) -> str:
    """Seconds as a decimal with microsecond precision (for expressions and options)."""
    f = x.numerator / x.denominator if type(x) is Fraction else float(x)  # (the same float)
    return f"{f:.6f}".rstrip("0").rstrip(".") or "0"


def sec_down(t: Fraction | float) -> str:
    """Seconds to the microsecond, rounded down: ffmpeg forces a keyframe on the first
    frame at or after the time, and a cut at frame 82 of 29.97 fps (2.7360666...) written
    2.736067 would force frame 83."""
    t = t if type(t) is Fraction else Fraction(t)
    if 1_000_000 % t.denominator == 0:  # exact in microseconds: nothing to round
        return sec(t)
    micro = t.numerator * 1_000_000 // t.denominator
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}".rstrip("0").rstrip(".")


def human(x: Fraction, unit: str = "") -> str:
    """A value for a person: ``4``, ``2.5``, ``0.033`` (three decimals at most), then
    ``unit`` (``human(t, "s")`` is ``2.5s``); an absurd one (a fuzzer's 400-digit fps) is
    shown by its size, as no float holds it."""
    whole = abs(x.numerator) // x.denominator
    if whole >= 10**15:
        return f"{'-' if x < 0 else ''}about 1e{len(str(whole)) - 1}{unit}"
    if x.denominator == 1:
        return f"{x.numerator}{unit}"
    text = f"{float(x):.3f}".rstrip("0").rstrip(".")
    if text in ("0", "-0"):
        text = f"{float(x):g}"
    return text + unit
