"""Values of the `.tl` language, from token text: times, ranges, strings, numbers.

Pure functions of (text, span) used by :mod:`tlc.syntax.parser`; each raises a
:class:`ValidationError` at the given span when the text is well-formed for the lexer
but means nothing (``3sec``, ``1.5f``, ``01:75``, ``"\\q"``, ``5s..2s``).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import replace
from fractions import Fraction

from tlc.core.errors import Span, UsageError, ValidationError
from tlc.core.timefmt import human
from tlc.syntax.ast import Range, Time

# The longest time, and the most frames, a file may name: far past any real edit, and
# far inside what ffmpeg's microsecond timestamps and a float's precision can carry.
MAX_SECONDS = Fraction(1000 * 3600)
MAX_FRAMES = 1000 * 3600 * 1000  # 1000 hours at 1000 fps
MAX_BITRATE = 10_000_000

# Largest unit first: a compound time must use them in this order, each at most once.
_UNITS: dict[str, Fraction] = {
    "h": Fraction(3600),
    "m": Fraction(60),
    "s": Fraction(1),
    "ms": Fraction(1, 1000),
}
_PART = re.compile(r"(\d+(?:\.\d+)?)([A-Za-z]+)")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
# Conventional NTSC-family rates mean N*1000/1001, as in every editor.
_NTSC = {
    Fraction(text): Fraction(n * 1000, 1001)
    for text, n in (("23.976", 24), ("29.97", 30), ("47.952", 48), ("59.94", 60), ("119.88", 120))
}


def number(text: str, span: Span) -> Fraction:
    """An exact decimal; a number too long to convert is an error, not a crash."""
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        shown = text if len(text) <= 24 else text[:20] + "..."
        raise ValidationError(f"'{shown}' is not a usable number", span) from None


def integer(text: str, span: Span, what: str) -> int:
    """A whole number for ``what`` (pixels, a text size), with a clear error otherwise."""
    value = number(text, span)
    if value.denominator != 1:
        raise ValidationError(f"{what} must be a whole number, not {text}", span)
    return int(value)


def real(text: str, span: Span, what: str) -> float:
    """A finite float (volume dB, opacity)."""
    try:
        value = float(number(text, span))
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValidationError(f"{what} {_shown(text)} is out of range", span)
    return value


def fps(text: str, span: Span) -> Fraction:
    """``60``, ``29.97`` (= 30000/1001) or ``30000/1001``; must be positive."""
    if "/" in text:
        num, den = text.split("/")
        if number(den, span) == 0:
            raise ValidationError(f"frame rate {text} divides by zero", span)
        value = number(num, span) / number(den, span)
    else:
        value = number(text, span)
        value = _NTSC.get(value, value)
    if value <= 0:
        raise ValidationError(f"frame rate must be greater than zero, not {text}", span)
    return value


def bitrate(text: str, span: Span) -> int:
    """``192k`` -> 192000, ``1.5M`` -> 1500000, ``128000`` -> 128000 (bits per second)."""
    scale = {"k": 1000, "K": 1000, "M": 1_000_000}.get(text[-1], 1)
    value = number(text.rstrip("kKM"), span) * scale
    if value.denominator != 1 or value <= 0:
        raise ValidationError(
            f"bitrate {_shown(text)} must be a positive whole number of bits", span
        )
    if value > MAX_BITRATE:
        raise ValidationError(f"bitrate {_shown(text)} is too high: 10M at most", span)
    return int(value)


def unescape(raw: str, span: Span) -> str:
    """The value of a string token (quotes included): only \\" \\\\ \\n \\t are escapes."""
    if "\0" in raw:
        raise ValidationError("a string cannot contain the NUL character", span)
    if "\\" not in raw:
        return raw[1:-1]
    out: list[str] = []
    i, end = 1, len(raw) - 1
    while i < end:
        ch = raw[i]
        if ch == "\\":
            nxt = raw[i + 1]
            if nxt not in _ESCAPES:
                at = replace(
                    span, column=span.column + i, end_line=span.line, end_column=span.column + i + 2
                )
                raise ValidationError(
                    f"unknown escape '\\{nxt}' in a string",
                    at,
                    hint='the escapes are \\" \\\\ \\n \\t; write \\\\ for a backslash '
                    "(or use / in paths)",
                )
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# one number and one unit, the usual time: read without the general path's Fractions of text
_SIMPLE = re.compile(r"(\d{1,15})(?:\.(\d{1,15}))?(s|ms|m|h)")
_SCALE = {"s": (1, 1), "ms": (1, 1000), "m": (60, 1), "h": (3600, 1)}


def time(text: str, span: Span) -> Time:
    """A TIME token: ``2.5s``, ``1500ms``, ``1h2m3.5s``, ``48f``, ``01:02:03.5``, ``02:03``."""
    simple = _simple(text)
    if simple is not None:
        value, too_long = simple
        if too_long:
            _longest(value, text, span)
        return Time(value, None, span)
    if text.startswith("-"):
        raise ValidationError(f"a time cannot be negative: {text}", span)
    if ":" in text:
        return Time(_longest(_clock(text, span), text, span), None, span)
    parts = _PART.findall(text)
    if len(parts) == 1 and parts[0][1] == "f":
        if "." in parts[0][0]:
            raise ValidationError(f"frames must be a whole number, not {text}", span)
        frames = int(number(parts[0][0], span))
        if frames > MAX_FRAMES:
            raise ValidationError(f"{_shown(text)} is too many frames (1000 hours at most)", span)
        return Time(None, frames, span)
    total = Fraction(0)
    order = list(_UNITS)
    last = -1
    for digits, unit in parts:
        if unit == "f":
            raise ValidationError(
                f"frames cannot be combined with other units in {text}",
                span,
                hint="write frames alone, like 48f",
            )
        if unit not in _UNITS:
            raise ValidationError(
                f"unknown time unit '{unit}' in {text}",
                span,
                hint="the units are h, m, s, ms and f (frames), like 1m30s or 1500ms",
            )
        index = order.index(unit)
        if index <= last:
            raise ValidationError(
                f"time units out of order in {text}",
                span,
                hint="write the largest unit first, each once, like 1h2m3.5s",
            )
        value = number(digits, span)
        if last >= 0 and unit in ("m", "s") and value >= 60:  # (after a larger unit)
            raise ValidationError(
                f"{'minutes' if unit == 'm' else 'seconds'} must be below 60 in {text}",
                span,
                hint="carry them into the larger unit: "
                + ("1h60m is 2h" if unit == "m" else "1m70s is 2m10s"),
            )
        last = index
        total += value * _UNITS[unit]
    return Time(_longest(total, text, span), None, span)


@functools.lru_cache(maxsize=4096)  # a long timeline writes the same times again and again
def _simple(text: str) -> tuple[Fraction, bool] | None:
    """A time of one number and one unit: its seconds, and whether it is past the longest."""
    simple = _SIMPLE.fullmatch(text)
    if simple is None:
        return None
    whole, frac, unit = simple.groups()
    mul, div = _SCALE[unit]
    value = Fraction(int(whole + (frac or "")) * mul, 10 ** len(frac or "") * div)
    return value, value > MAX_SECONDS


def _longest(seconds: Fraction, text: str, span: Span) -> Fraction:
    if seconds > MAX_SECONDS:
        raise ValidationError(f"{_shown(text)} is too long: a time is 1000h at most", span)
    return seconds


def _shown(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "..."


def _clock(text: str, span: Span) -> Fraction:
    fields = text.split(":")
    total = Fraction(0)
    for i, field in enumerate(fields):
        value = number(field, span)
        if i > 0 and value >= 60:
            raise ValidationError(
                f"{'minutes' if i < len(fields) - 1 else 'seconds'} must be below 60 in {text}",
                span,
                hint="a clock time is HH:MM:SS.mmm or MM:SS",
            )
        total = total * 60 + value
    return total


def bare_number(text: str, span: Span) -> ValidationError:
    """The error for a number written where a time is expected."""
    if text.startswith("-"):
        return ValidationError(f"a time cannot be negative: {text}", span)
    n = number(text, span)
    return ValidationError(
        f"time needs a unit: write {text}s, {human(n * 1000)}ms or {human(n * 60)}f", span
    )


def _same_unit(a: Time, b: Time) -> tuple[Fraction, Fraction] | None:
    if a.seconds is not None and b.seconds is not None:
        return a.seconds, b.seconds
    if a.frames is not None and b.frames is not None:
        return Fraction(a.frames), Fraction(b.frames)
    return None


def _is_zero(t: Time) -> bool:
    return (t.seconds if t.seconds is not None else t.frames) == 0


def check_range(r: Range) -> Range:
    """Reject ranges that are empty or backwards when both ends are in the same unit."""
    if r.kind == "span" and r.start is not None and r.end is not None:
        ends = _same_unit(r.start, r.end)
        if ends is not None and ends[1] < ends[0]:
            raise ValidationError(
                "range ends before it starts",
                r.span,
                hint=f"{_text(r.start)} is after {_text(r.end)}",
            )
        if ends is not None and ends[1] == ends[0]:
            raise ValidationError("range is empty: it ends where it starts", r.span)
    if r.kind == "dur" and r.duration is not None and _is_zero(r.duration):
        raise ValidationError("range is empty: its duration is zero", r.span)
    return r


def _text(t: Time) -> str:
    if t.frames is not None:
        return f"{t.frames}f"
    assert t.seconds is not None
    return f"{human(t.seconds)}s"


def positive_duration(t: Time, what: str) -> Time:
    """``gap`` and ``image ... for`` need a duration above zero."""
    if _is_zero(t):
        raise ValidationError(f"{what} must be longer than zero", t.span)
    return t


# ---- values of command-line options (--size, --fps, config.toml) -----------------


def parse_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit():
        raise UsageError(f"bad size {text!r}: write WxH, such as 1280x720")
    return int(w), int(h)


def parse_fps(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"bad fps {text!r}: write a number such as 30 or 29.97") from None
    if value <= 0:
        raise UsageError(f"bad fps {text!r}: it must be positive")
    # 29.97 -> 30000/1001, 23.976 -> 24000/1001, 59.94 -> 60000/1001
    for base in (24, 30, 60, 120):
        if abs(float(value) - base * 1000 / 1001) < 0.005:
            return Fraction(base * 1000, 1001)
    return value
