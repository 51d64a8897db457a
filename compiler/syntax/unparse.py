"""AST -> `.tl` text: the inverse of :func:`tlc.syntax.parser.parse`.

``parse(unparse(tl))`` equals ``tl`` but for where things were written (spans, the
file's name and text: compare with :func:`without_spans`). The text is laid out as a
person would write it: an output block, one item a line, times in the largest units
that say them exactly (``1m30s``, ``500ms``, ``48f``), a comment after an item where
the caller has one to say (where it came from), and a commented output template where
the timeline has no output.

A time is written in seconds where a decimal says it exactly, else in frames where it
is a whole number of them at the timeline's frame rate (1001/30000 s is ``1f`` at
29.97 fps), else to the microsecond (as no `.tl` can say it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from tlc.core.errors import NO_SPAN
from tlc.syntax import ast

__all__ = ["unparse", "time_text", "without_spans", "Notes"]

#: a comment for a node (an item, a track, an output), or None
Notes = Callable[[object], "str | None"]

_NTSC = {Fraction(n * 1000, 1001): text for n, text in
         ((24, "23.976"), (30, "29.97"), (48, "47.952"), (60, "59.94"), (120, "119.88"))}

_COMMENT_COLUMN = 44  # trailing comments line up here (or after a longer line)

_OUTPUT_TEMPLATE = (
    "# ---- Output -----------------------------------------------------------------",
    "# This timeline says nothing about what to write: uncomment and edit the output",
    "# below, or pass -o OUT.mp4 to tlc export (the defaults are 1920x1080 at 60 fps).",
    "#",
)
_OUTPUT_AT_RATE = (
    "# ---- Output -----------------------------------------------------------------",
    "# The edit runs at {fps} fps (its times in frames, 48f, count at that rate), so",
    "# the output keeps that rate. Add what to write (size 1920x1080, video h264,",
    "# audio aac 192k, preset production), or pass -o OUT.mp4 to tlc export.",
)


def _decimal(value: Fraction, what: str) -> str:
    """``value`` as a plain decimal (``2.5``, ``0.04``, ``12``), exactly."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    places = max(twos, fives)
    if den != 1:
        raise ValueError(f"{what} {value} has no exact decimal: write it in frames")
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    whole, frac = digits[: len(digits) - places], digits[len(digits) - places:]
    return f"{sign}{whole}.{frac}" if places else f"{sign}{whole}"


def _real(value: float) -> str:
    """A float as the shortest decimal that reads back as the same float."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def time_text(t: ast.Time) -> str:
    """A time as a person writes it: ``48f``, ``500ms``, ``2.5s``, ``1m30s``, ``1h2m3.5s``."""
    if t.frames is not None:
        return f"{t.frames}f"
    assert t.seconds is not None
    s = t.seconds
    if s < 0:
        raise ValueError(f"a time cannot be negative: {s}")
    if 0 < s < 1 and (s * 1000).denominator == 1:
        return f"{s * 1000}ms"
    hours, rest = divmod(s, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if seconds or not text:
        text += _decimal(seconds, "a time of") + "s"
    return text


def _is_decimal(x: Fraction) -> bool:
    den = x.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def _writable(node: Any, rate: Fraction | None, was: dict[int, object]) -> Any:
    """``node`` with every time a `.tl` can say: seconds where a decimal says them,
    frames at ``rate`` where whole, else seconds to the microsecond. ``was`` maps each
    changed node's id to the node it was (for the caller's notes)."""
    if isinstance(node, ast.Time):
        s = node.seconds
        if s is None or _is_decimal(s):
            return node
        if rate is not None and (s * rate).denominator == 1:
            return ast.Time(None, int(s * rate), node.span)
        return ast.Time(Fraction(round(s * 1_000_000), 1_000_000), None, node.span)
    if isinstance(node, ast.Clip) and node.speed is not None and not _is_decimal(node.speed):
        speed = Fraction(round(node.speed * 1_000_000), 1_000_000)  # (no .tl says 119/60)
        new = _writable(dataclasses.replace(node, speed=speed), rate, was)
        was[id(new)] = was.get(id(node), node)
        return new
    if isinstance(node, tuple):
        kids = tuple(_writable(kid, rate, was) for kid in node)
        return node if all(a is b for a, b in zip(kids, node, strict=True)) else kids
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changed = _writable(value, rate, was)
            if changed is not value:
                changes[f.name] = changed
    if not changes:
        return node
    new = dataclasses.replace(node, **changes)
    was[id(new)] = was.get(id(node), node)
    return new


def _rate(tl: ast.Timeline) -> Fraction | None:
    """The rate frames count at: the first output's fps, else the edit's own."""
    for out in tl.outputs[:1]:
        for o in out.options:
            if o.name == "fps" and isinstance(o.value, Fraction):
                return o.value
        return None
    return tl.fps


def _range(r: ast.Range) -> str:
    start = time_text(r.start) if r.start is not None else ""
    if r.kind == "point":
        return start
    if r.kind == "dur":
        assert r.duration is not None
        return f"{start}+{time_text(r.duration)}"
    end = time_text(r.end) if r.end is not None else ""
    return f"{start}..{end}"


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def _volume(db: float) -> str:
    text = _real(db)
    return f"{text if text.startswith('-') else '+' + text}dB"


def _pos(pos: ast.Pos) -> str:
    return "pos center" if pos == "center" else f"pos {pos[0]},{pos[1]}"


def _fps(value: Fraction) -> str:
    if value in _NTSC:
        return _NTSC[value]
    if value.denominator == 1:
        return str(value.numerator)
    try:
        text = _decimal(value, "fps")
    except ValueError:
        return f"{value.numerator}/{value.denominator}"
    return text if text not in _NTSC.values() else f"{value.numerator}/{value.denominator}"


def _bitrate(bps: int) -> str:
    if bps % 1_000_000 == 0:
        return f"{bps // 1_000_000}M"
    return f"{bps // 1000}k" if bps % 1000 == 0 else str(bps)


def _option(o: ast.Option) -> str:
    v: Any = o.value
    if o.name == "size":
        return "size source" if v == "source" else f"size {v[0]}x{v[1]}"
    if o.name == "fps":
        return "fps source" if v == "source" else f"fps {_fps(v)}"
    if o.name == "audio":
        codec, rate = v
        return f"audio {codec}" + (f" {_bitrate(rate)}" if rate is not None else "")
    return f"{o.name} {v}"


def _clip(c: ast.Clip) -> str:
    words = [f"clip {_string(c.path.value)}"]
    if c.trim is not None:
        words.append(f"trim {_range(c.trim)}")
    if c.speed is not None:
        words.append(f"speed {_decimal(c.speed, 'a speed')}")
    if c.mute:
        words.append("mute")
    if c.volume_db is not None:
        words.append(f"volume {_volume(c.volume_db)}")
    return " ".join(words)


def _video_item(item: ast.VideoItem) -> str:
    if isinstance(item, ast.Clip):
        return _clip(item)
    if isinstance(item, ast.Gap):
        return f"gap {time_text(item.duration)}"
    if isinstance(item, ast.Still):
        return f"image {_string(item.path.value)} for {time_text(item.duration)}"
    if isinstance(item, ast.Transition):
        return f"transition {item.name} {time_text(item.duration)}"
    return (f"freeze {_string(item.path.value)} at {time_text(item.at)} "
            f"for {time_text(item.duration)}")


def _placed(words: list[str], at: ast.Range | None, pos: ast.Pos | None,
            scale: tuple[int, int] | None) -> list[str]:
    if at is not None:
        words.append(f"at {_range(at)}")
    if pos is not None:
        words.append(_pos(pos))
    if scale is not None:
        words.append(f"scale {scale[0]}x{scale[1]}")
    return words


def _overlay_item(item: ast.OverlayItem) -> str:
    if isinstance(item, ast.ImageOverlay):
        words = _placed([f"image {_string(item.path.value)}"], item.at, item.pos, item.scale)
        if item.opacity is not None:
            words.append(f"opacity {_real(item.opacity)}")
        return " ".join(words)
    if isinstance(item, ast.TextOverlay):
        words = _placed([f"text {_string(item.text)}"], item.at, item.pos, None)
        if item.size is not None:
            words.append(f"size {item.size}")
        if item.color is not None:
            words.append(f"color {item.color}")
        if item.font is not None:
            words.append(f"font {_string(item.font.value)}")
        if item.box:
            words.append("box")
        return " ".join(words)
    words = [f"video {_string(item.path.value)}"]
    if item.at is not None:
        words.append(f"at {_range(item.at)}")
    if item.trim is not None:
        words.append(f"trim {_range(item.trim)}")
    return " ".join(_placed(words, None, item.pos, item.scale))


def _audio_item(item: ast.AudioClip) -> str:
    words = [f"clip {_string(item.path.value)}"]
    if item.trim is not None:
        words.append(f"trim {_range(item.trim)}")
    if item.at is not None:
        words.append(f"at {time_text(item.at)}")
    if item.volume_db is not None:
        words.append(f"volume {_volume(item.volume_db)}")
    fades = [f"{way} {time_text(t)}" for way, t in (("in", item.fade_in), ("out", item.fade_out))
             if t is not None]
    if fades:
        words.append("fade " + " ".join(fades))
    return " ".join(words)


def _subtitles(s: ast.Subtitles) -> str:
    words = [f"subtitles {_string(s.path.value)}"]
    if s.mode is not None:
        words.append(s.mode)
    if s.lang is not None:
        words.append(f"lang {s.lang}")
    if s.size is not None:
        words.append(f"size {s.size}")
    if s.font is not None:
        words.append(f"font {_string(s.font.value)}")
    return " ".join(words)


def _with_note(line: str, note: str | None, indent: str = "") -> str:
    if not note:
        return indent + line
    text = indent + line
    pad = max(_COMMENT_COLUMN - len(text), 2)
    return text + " " * pad + "# " + " ".join(note.split())


def _output(out: ast.Output, notes: Notes) -> list[str]:
    lines = [_with_note(f"output {_string(out.path.value)} {{", notes(out))]
    lines += [_with_note(_option(o), notes(o), "  ") for o in out.options]
    return [*lines, "}"]


def _template(path: str, size: tuple[int, int] | None, fps: object) -> list[str]:
    """The output section of a timeline without one: a commented template; for an edit
    at a rate of its own (read from an editor's timeline), an output at that rate."""
    sized = f" size {size[0]}x{size[1]}" if size is not None else ""
    if isinstance(fps, Fraction):
        lines = [line.format(fps=_fps(fps)) for line in _OUTPUT_AT_RATE]
        return [*lines, f"output {_string(path)} {{{sized} fps {_fps(fps)} }}"]
    settings = f" {{{sized} }}" if sized else ""
    return [*_OUTPUT_TEMPLATE, f"# output {_string(path)}{settings}"]


def _track(track: ast.Track, notes: Notes) -> list[str]:
    if isinstance(track, ast.VideoTrack):
        name, items = "video", [_video_item(i) for i in track.items]
    elif isinstance(track, ast.OverlayTrack):
        name, items = "overlay", [_overlay_item(i) for i in track.items]
    else:
        name, items = "audio", [_audio_item(i) for i in track.items]
    head = _with_note(f"{name} {{", notes(track))
    pairs = zip(items, track.items, strict=True)
    body = [_with_note(text, notes(item), "  ") for text, item in pairs]
    return [head, *body, "}"]


def _no_notes(node: object) -> None:
    return None


def unparse(
    tl: ast.Timeline,
    *,
    notes: Notes | None = None,
    header: Sequence[str] = (),
    output_path: str = "out.mp4",
    output_size: tuple[int, int] | None = None,
) -> str:
    """The `.tl` text of ``tl``.

    ``notes(node)`` gives the comment written after a node's line (an item, a track,
    an output, a subtitles or chapter line), e.g. where it came from; ``header`` the
    comment lines at the top. A timeline without outputs gets a commented ``output``
    template (``output_path``, ``output_size``), or where the edit has a rate of its own
    (``tl.fps``: an editor's timeline) an output of that rate, which its frames need.
    """
    was: dict[int, object] = {}
    tl = _writable(tl, _rate(tl), was)
    given = notes or _no_notes

    def note(node: object) -> str | None:
        return given(was.get(id(node), node))

    blocks: list[list[str]] = []
    if header:
        blocks.append([("# " + line).rstrip() for line in header])
    if tl.outputs:
        blocks += [_output(out, note) for out in tl.outputs]
    else:
        blocks.append(_template(output_path, output_size, tl.fps))
    blocks += [_track(track, note) for track in tl.tracks]
    extras = [_with_note(_subtitles(s), note(s)) for s in tl.subtitles]
    extras += [_with_note(f"chapter {_string(c.title)} at {time_text(c.at)}", note(c))
               for c in tl.chapters]
    if extras:
        blocks.append(extras)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


N = TypeVar("N")


def without_spans(node: N) -> N:
    """``node`` with every span (and a timeline's file and text) blanked: two ASTs that
    say the same thing, written in different places, compare equal."""
    if isinstance(node, tuple):
        return tuple(without_spans(kid) for kid in node)  # type: ignore[return-value]
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.name.endswith("span"):
            changes[f.name] = NO_SPAN
        elif isinstance(node, ast.Timeline) and f.name in ("file", "source"):
            changes[f.name] = ""
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[f.name] = without_spans(value)
    return dataclasses.replace(node, **changes)
