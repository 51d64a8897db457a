"""Lark's parse tree -> AST nodes, checking what needs no media.

:class:`Builder` has one method per grammar rule (the rule's name, or its ``->``
alias); each gets the rule's span and its children, already built. It checks units,
ranges, repeated options and setting values, and raises
:class:`~tlc.core.errors.ValidationError` at the place in the file. The fast path
(:mod:`tlc.syntax.fast`) calls the same methods, so both paths mean the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tlc.core.errors import Span, ValidationError
from tlc.core.presets import PRESET_CHOICES
from tlc.syntax import ast
from tlc.syntax import values as pt
from tlc.syntax.colours import unknown_colour
from tlc.syntax.diagnostics import did_you_mean
from tlc.syntax.edit_items import EditItems
from tlc.syntax.metadata import MetadataBuilder
from tlc.syntax.opt import Opt

if TYPE_CHECKING:
    from lark import Token


# bounds on values, so that no file can ask ffmpeg for what it cannot do (or for a
# glyph of a gigabyte): sizes as the output's, positions a few frames wide
MAX_PIXELS = 16384


MAX_POSITION = 65536


MAX_TEXT_SIZE = 4096


MAX_DB = 200


@dataclass(slots=True)
class _Line:
    """A one-line ``output "p" ...`` collecting the settings that follow it."""

    path: ast.Path
    span: Span
    options: list[ast.Option] = field(default_factory=list)


_CHOICES = {
    "video": ("video codec", ("h264", "hevc", "av1", "copy", "none")),
    "audio": ("audio codec", ("aac", "opus", "mp3", "copy", "none")),
    "preset": ("preset", PRESET_CHOICES),
    "fit": ("fit", ("contain", "cover", "stretch")),
    "keyframes": ("keyframes setting", ("at-cuts", "auto")),
}


_ALIASES = {
    "h265": "hevc",
    "x265": "hevc",
    "hvc1": "hevc",
    "avc": "h264",
    "x264": "h264",
    "fill": "stretch",
    "letterbox": "contain",
    "crop": "cover",
    "cuts": "at-cuts",
}


def _unique(opts: list[Opt], what: str) -> dict[str, Opt]:
    seen: dict[str, Opt] = {}
    for opt in opts:
        if opt.name in seen:
            first = seen[opt.name].span
            raise ValidationError(
                f"repeated {what} '{opt.name}'",
                opt.span,
                hint=f"'{opt.name}' is already given at line {first.line}, column {first.column}",
            )
        seen[opt.name] = opt
    return seen


class Builder(EditItems, MetadataBuilder):
    """One method per grammar rule, called with the rule's span and built children
    (version 2's edit items in :class:`~tlc.syntax.edit_items.EditItems`, subtitles and
    chapters in :class:`~tlc.syntax.metadata.MetadataBuilder`)."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text

    def build(self, tree: Any) -> ast.Timeline:
        result: ast.Timeline = self._visit(tree)
        return result

    def _visit(self, tree: Any) -> Any:
        kids = [kid if isinstance(kid, str) else self._visit(kid) for kid in tree.children]
        return getattr(self, str(tree.data))(self._meta(tree.meta), kids)

    def _meta(self, meta: Any) -> Span:
        if meta.empty:
            return Span(self.file, 0, 0)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token) -> Span:
        return Span(
            self.file, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0
        )

    # -- values
    def path(self, span: Span, kids: list[Token]) -> ast.Path:
        value = pt.unescape(str(kids[0]), span)
        if not value:
            raise ValidationError("empty path", span, hint="write the file's path in the quotes")
        return ast.Path(value, span)

    def time(self, span: Span, kids: list[Token]) -> ast.Time:
        tok = kids[0]
        if tok.type == "NUMBER":
            raise pt.bare_number(str(tok), span)
        return pt.time(str(tok), span)

    def range_span(self, span: Span, kids: list[ast.Time]) -> ast.Range:
        return pt.check_range(ast.Range("span", kids[0], kids[1], None, span))

    def range_dur(self, span: Span, kids: list[ast.Time]) -> ast.Range:
        return pt.check_range(ast.Range("dur", kids[0], None, kids[1], span))

    def range_from(self, span: Span, kids: list[ast.Time]) -> ast.Range:
        return ast.Range("from", kids[0], None, None, span)

    def range_to(self, span: Span, kids: list[ast.Time]) -> ast.Range:
        return ast.Range("to", None, kids[0], None, span)

    def range_point(self, span: Span, kids: list[ast.Time]) -> ast.Range:
        return ast.Range("point", kids[0], None, None, span)

    def _size(self, tok: Token, what: str) -> tuple[int, int]:
        span = self._tok(tok)
        w, h = (pt.integer(part, span, what) for part in str(tok).split("x"))
        if w <= 0 or h <= 0:
            raise ValidationError(f"{what} must be greater than zero: {tok}", span)
        if w > MAX_PIXELS or h > MAX_PIXELS:
            raise ValidationError(f"{what} is {MAX_PIXELS} pixels a side at most", span)
        return w, h

    # -- item options
    def trim(self, span: Span, kids: list[Any]) -> Opt:
        return Opt("trim", kids[0], span)

    def at(self, span: Span, kids: list[Any]) -> Opt:
        return Opt("at", kids[0], span)

    def mute(self, span: Span, kids: list[Any]) -> Opt:
        return Opt("mute", True, span)

    def box(self, span: Span, kids: list[Any]) -> Opt:
        return Opt("box", True, span)

    def volume(self, span: Span, kids: list[Token]) -> Opt:
        text = str(kids[0])
        number = text[:-2] if text[-2:].lower() == "db" else text
        value = pt.real(number.lstrip("+"), self._tok(kids[0]), "volume")
        if number == text and not text.startswith(("+", "-")) and value != 0:
            # (`volume 0.5` reads as ffmpeg's linear gain, a half: it would be +0.5 dB)
            raise ValidationError(
                f"volume {text}: a volume is in decibels, with its sign",
                self._tok(kids[0]),
                hint=f"write +{text}dB to make it louder, or -6dB to halve it",
            )
        if abs(value) > MAX_DB:
            raise ValidationError(
                f"volume {text} is out of range: {MAX_DB}dB up or down at most", self._tok(kids[0])
            )
        return Opt("volume", value, span)

    def pos(self, span: Span, kids: list[Token]) -> Opt:
        if len(kids) == 1:
            if kids[0] != "center":
                raise ValidationError(
                    f"unknown position '{kids[0]}'",
                    self._tok(kids[0]),
                    hint="write pos X,Y in pixels, or pos center",
                )
            return Opt("pos", "center", span)
        x, y = (pt.integer(str(k), self._tok(k), "a position") for k in kids)
        if max(abs(x), abs(y)) > MAX_POSITION:
            raise ValidationError(
                f"a position is {MAX_POSITION} pixels from the corner at most", span
            )
        return Opt("pos", (x, y), span)

    def scale(self, span: Span, kids: list[Token]) -> Opt:
        return Opt("scale", self._size(kids[0], "a scale"), span)

    def opacity(self, span: Span, kids: list[Token]) -> Opt:
        value = pt.real(str(kids[0]), self._tok(kids[0]), "opacity")
        if not 0 <= value <= 1:
            raise ValidationError(
                f"opacity must be between 0 and 1, not {kids[0]}", self._tok(kids[0])
            )
        return Opt("opacity", value, span)

    def text_size(self, span: Span, kids: list[Token]) -> Opt:
        value = pt.integer(str(kids[0]), self._tok(kids[0]), "a text size")
        if value <= 0:
            raise ValidationError(
                f"a text size must be greater than zero, not {value}", self._tok(kids[0])
            )
        if value > MAX_TEXT_SIZE:
            raise ValidationError(f"a text size is {MAX_TEXT_SIZE} at most", self._tok(kids[0]))
        return Opt("size", value, span)

    def color(self, span: Span, kids: list[Token]) -> Opt:
        tok = kids[0]
        if tok.type == "HEXCOLOR" and not _is_hex_color(str(tok)):
            raise ValidationError(
                f"'{tok}' is not a colour",
                self._tok(tok),
                hint="write a name like white, or #RRGGBB like #ff8800",
            )
        if tok.type != "HEXCOLOR":
            hint = unknown_colour(str(tok))
            if hint:
                raise ValidationError(f"'{tok}' is not a colour ffmpeg knows", self._tok(tok),
                                      hint=hint)
        return Opt("color", str(tok), span)

    def font(self, span: Span, kids: list[ast.Path]) -> Opt:
        return Opt("font", kids[0], span)

    def fade(self, span: Span, kids: list[Opt]) -> list[Opt]:
        return kids

    def fade_in(self, span: Span, kids: list[ast.Time]) -> Opt:
        return Opt("fade in", kids[0], span)

    def fade_out(self, span: Span, kids: list[ast.Time]) -> Opt:
        return Opt("fade out", kids[0], span)

    # -- items
    @staticmethod
    def _opts(kids: list[Any]) -> dict[str, Opt]:
        flat: list[Opt] = []
        for kid in kids:
            flat.extend(kid if isinstance(kid, list) else [kid])
        return _unique(flat, "option")

    @staticmethod
    def _get(opts: dict[str, Opt], name: str, default: Any = None) -> Any:
        return opts[name].value if name in opts else default

    @staticmethod
    def _needs_at(opts: dict[str, Opt], span: Span, item: str, point: bool) -> ast.Range:
        if "at" not in opts:
            raise ValidationError(
                f"{item} needs 'at' to place it on the timeline",
                span,
                hint="add a range like: at 0s..5s",
            )
        at: ast.Range = opts["at"].value
        if at.kind == "point" and not point:
            raise ValidationError(
                f"{item} has no length of its own: give a range",
                at.span,
                hint="write at START..END or at START+DURATION",
            )
        return at

    def clip(self, span: Span, kids: list[Any]) -> ast.Clip:
        o = self._opts(kids[1:])
        return ast.Clip(kids[0], self._get(o, "trim"), "mute" in o, self._get(o, "volume"), span,
                        self._get(o, "speed"))

    def gap(self, span: Span, kids: list[ast.Time]) -> ast.Gap:
        return ast.Gap(pt.positive_duration(kids[0], "a gap"), span)

    def still(self, span: Span, kids: list[Any]) -> ast.Still:
        return ast.Still(kids[0], pt.positive_duration(kids[1], "an image's duration"), span)

    def image_overlay(self, span: Span, kids: list[Any]) -> ast.ImageOverlay:
        o = self._opts(kids[1:])
        at = self._needs_at(o, span, "an image", point=False)
        return ast.ImageOverlay(
            kids[0], at, self._get(o, "pos"), self._get(o, "scale"), self._get(o, "opacity"), span
        )

    def text_overlay(self, span: Span, kids: list[Any]) -> ast.TextOverlay:
        text = pt.unescape(str(kids[0]), self._tok(kids[0]))
        o = self._opts(kids[1:])
        at = self._needs_at(o, span, "a text", point=False)
        return ast.TextOverlay(
            text,
            at,
            self._get(o, "pos"),
            self._get(o, "size"),
            self._get(o, "color"),
            self._get(o, "font"),
            "box" in o,
            span,
        )

    def video_overlay(self, span: Span, kids: list[Any]) -> ast.VideoOverlay:
        o = self._opts(kids[1:])
        at = self._needs_at(o, span, "a video overlay", point=True)
        return ast.VideoOverlay(
            kids[0], at, self._get(o, "trim"), self._get(o, "pos"), self._get(o, "scale"), span
        )

    def audio_clip(self, span: Span, kids: list[Any]) -> ast.AudioClip:
        o = self._opts(kids[1:])
        at: ast.Range | None = self._get(o, "at")
        if at is not None and at.kind != "point":
            raise ValidationError(
                "an audio clip starts at a time, it takes no range",
                at.span,
                hint="write at 5s; use trim to cut the source",
            )
        return ast.AudioClip(
            kids[0],
            self._get(o, "trim"),
            at.start if at else None,
            self._get(o, "volume"),
            self._get(o, "fade in"),
            self._get(o, "fade out"),
            span,
        )

    def video_track(self, span: Span, kids: list[Any]) -> ast.VideoTrack:
        return ast.VideoTrack(tuple(kids), span)

    def overlay_track(self, span: Span, kids: list[Any]) -> ast.OverlayTrack:
        return ast.OverlayTrack(tuple(kids), span)

    def audio_track(self, span: Span, kids: list[Any]) -> ast.AudioTrack:
        return ast.AudioTrack(tuple(kids), span)

    # -- outputs
    def _choice(self, name: str, tok: Token) -> str:
        what, choices = _CHOICES[name]
        if tok in choices:
            return str(tok)
        raise ValidationError(
            f"unknown {what} '{tok}'",
            self._tok(tok),
            hint=did_you_mean(str(tok), choices, _ALIASES) or f"use one of: {', '.join(choices)}",
        )

    def _source_or(self, tok: Token, what: str, example: str) -> str:
        if tok != "source":
            raise ValidationError(
                f"unknown {what} '{tok}'",
                self._tok(tok),
                hint=f"write {example}, or source to keep the first clip's",
            )
        return "source"

    def set_size(self, span: Span, kids: list[Token]) -> ast.Option:
        tok = kids[0]
        value = (
            self._size(tok, "a size")
            if tok.type == "WXH"
            else self._source_or(tok, "size", "WIDTHxHEIGHT like 1920x1080")
        )
        return ast.Option("size", value, span)

    def set_fps(self, span: Span, kids: list[Token]) -> ast.Option:
        tok = kids[0]
        value = (
            self._source_or(tok, "frame rate", "a number like 60 or 29.97")
            if tok.type == "NAME"
            else pt.fps(str(tok), self._tok(tok))
        )
        return ast.Option("fps", value, span)

    def set_audio(self, span: Span, kids: list[Token]) -> ast.Option:
        codec = self._choice("audio", kids[0])
        rate = pt.bitrate(str(kids[1]), self._tok(kids[1])) if len(kids) > 1 else None
        if rate is not None and codec in ("copy", "none"):
            raise ValidationError(f"'audio {codec}' takes no bitrate", self._tok(kids[1]))
        return ast.Option("audio", (codec, rate), span)

    def set_video(self, span: Span, kids: list[Token]) -> ast.Option:
        return ast.Option("video", self._choice("video", kids[0]), span)

    def set_preset(self, span: Span, kids: list[Token]) -> ast.Option:
        return ast.Option("preset", self._choice("preset", kids[0]), span)

    def set_fit(self, span: Span, kids: list[Token]) -> ast.Option:
        return ast.Option("fit", self._choice("fit", kids[0]), span)

    def set_keyframes(self, span: Span, kids: list[Token]) -> ast.Option:
        return ast.Option("keyframes", self._choice("keyframes", kids[0]), span)

    def set_encoder(self, span: Span, kids: list[Token]) -> ast.Option:
        return ast.Option("encoder", str(kids[0]), span)

    def _output(self, path: ast.Path, options: list[ast.Option], span: Span) -> ast.Output:
        _unique([Opt(o.name, o, o.span) for o in options], "setting")
        return ast.Output(path, tuple(options), span)

    def output_block(self, span: Span, kids: list[Any]) -> ast.Output:
        return self._output(kids[0], kids[1:], span)

    def output_line(self, span: Span, kids: list[Any]) -> _Line:
        return _Line(kids[0], span)

    def start(self, span: Span, kids: list[Any]) -> ast.Timeline:
        outputs: list[ast.Output] = []
        tracks: list[Any] = []  # (and subtitles and chapters)
        line: _Line | None = None
        for kid in [*kids, None]:
            if isinstance(kid, ast.Option):
                if line is None:
                    raise ValidationError(
                        f"output setting '{kid.name}' outside an output",
                        kid.span,
                        hint='put it in an output block, or after output "PATH" on its line',
                    )
                line.options.append(kid)
                continue
            if line is not None:
                end = line.options[-1].span if line.options else line.span
                whole = replace(line.span, end_line=end.end_line, end_column=end.end_column)
                outputs.append(self._output(line.path, line.options, whole))
                line = None
            if isinstance(kid, _Line):
                line = kid
            elif isinstance(kid, ast.Output):
                outputs.append(kid)
            elif kid is not None:
                tracks.append(kid)
        return self.timeline(outputs, tracks, self.text)


def _is_hex_color(text: str) -> bool:
    return len(text) == 7 and all(c in "0123456789abcdefABCDEF" for c in text[1:])
