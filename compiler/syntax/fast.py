"""The parser's fast path: well-formed `.tl` text, read without building a parse tree.

Lark's LALR parser takes about a second for a 10,000-clip file, most of it in
building and walking its tree. Most files are well-formed, so :func:`parse_fast`
reads them first with a small recursive-descent parser over the same grammar
(``grammars/timeline.lark``), tokens lexed with the grammar's own patterns in the
order Lark's contextual lexer tries them, and hands each rule to the same
:class:`tlc.syntax.parser.Builder` method Lark's tree would reach, with the same tokens
and spans. The moment anything is not as expected (a syntax error, a value the
builder rejects, a construct it does not know), it gives up and returns None:
:func:`tlc.syntax.parser.parse` then parses with Lark, whose errors are the ones users
see. A property test (tests/test_fuzz.py) checks, on random and mutated files,
that both paths give the same AST wherever the fast one answers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tlc.core.errors import Span
from tlc.syntax import ast

if TYPE_CHECKING:
    from tlc.syntax.builder import Builder

# the grammar's terminals (grammars/timeline.lark), as its lexer compiles them
_STRING = re.compile(r'"([^"\\\n]|\\[^\n])*"')
_TIME = re.compile(  # (the alternatives in the order Lark joins them; either order
    # lexes the same, since a clock has ':' where a duration has a unit)
    r"(?:-?\d+:\d+(:\d+)?(\.\d+)?|-?\d+(\.\d+)?[A-Za-z]+(\d+(\.\d+)?[A-Za-z]+)*)"
)
_WXH = re.compile(r"\d+x\d+")
_RATIO = re.compile(r"\d+\/\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_BITRATE = re.compile(r"\d+(\.\d+)?[kKM]?")
_VOLUME = re.compile(r"[+-]?\d+(\.\d+)?([dD][bB])?")
_HEXCOLOR = re.compile(r"#[0-9A-Za-z]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# what the lexer skips: whitespace and comments
_SKIP = re.compile(r"(?:[ \t\f\r\n]+|#[^\n]*)+")
_WS = re.compile(r"[ \t\f\r\n]+")

_SETTINGS = frozenset({"size", "fps", "video", "audio", "preset", "encoder", "fit", "keyframes"})
_CLIP_OPTS = frozenset({"trim", "mute", "volume", "speed"})
_IMAGE_OPTS = frozenset({"at", "pos", "scale", "opacity"})
_TEXT_OPTS = frozenset({"at", "pos", "size", "color", "font", "box"})
_PIP_OPTS = frozenset({"at", "trim", "pos", "scale"})
_AUDIO_OPTS = frozenset({"trim", "at", "volume", "fade"})
_SUBTITLE_OPTS = frozenset({"burn", "soft", "lang", "size", "font"})

#: options that are their keyword alone -> the builder's method
_FLAG_OPTS = {"mute": "mute", "box": "box", "burn": "sub_burn", "soft": "sub_soft"}
#: options of one token -> (its pattern, its terminal, the builder's method)
_TOKEN_OPTS = {
    "lang": (_NAME, "NAME", "sub_lang"), "volume": (_VOLUME, "VOLUME", "volume"),
    "scale": (_WXH, "WXH", "scale"), "opacity": (_NUMBER, "NUMBER", "opacity"),
    "speed": (_NUMBER, "NUMBER", "speed"),
}

#: the grammar's terminals as this module lexes them: ``tests/test_parse_fast.py`` checks
#: each against the grammar (grammars/timeline.lark), token by token
TERMINALS: dict[str, re.Pattern[str]] = {
    "STRING": _STRING, "TIME": _TIME, "WXH": _WXH, "RATIO": _RATIO, "NUMBER": _NUMBER,
    "BITRATE": _BITRATE, "VOLUME": _VOLUME, "HEXCOLOR": _HEXCOLOR, "NAME": _NAME,
    "WS": _WS,
}
#: the keywords each of the grammar's option rules accepts (checked the same way)
KEYWORDS: dict[str, frozenset[str]] = {
    "setting": _SETTINGS, "_clip_opt": _CLIP_OPTS, "_image_opt": _IMAGE_OPTS,
    "_text_opt": _TEXT_OPTS, "_pip_opt": _PIP_OPTS, "_audio_opt": _AUDIO_OPTS,
    "_subtitle_opt": _SUBTITLE_OPTS,
}


class GiveUp(Exception):
    """Not a file the fast path reads: let Lark parse it."""


class Tok(str):
    """A token, as Lark's ``Token``: the text, its terminal's name and where it is."""

    type: str
    line: int
    column: int
    end_line: int
    end_column: int


def parse_fast(text: str, file: str) -> ast.Timeline | None:
    """The AST of ``text`` (BOM already removed), or None if the fast path gives up."""
    from tlc.syntax.builder import Builder

    try:
        return _Reader(text, file, Builder(file, text)).start()
    except Exception:  # noqa: BLE001  anything unexpected: the reference parser decides
        return None


class _Reader:
    def __init__(self, text: str, file: str, builder: Builder) -> None:
        self.text = text
        self.file = file
        self.b: Any = builder  # its methods take Lark's tokens; a Tok quacks alike
        self.pos = 0
        self.line = 1
        self.line_start = 0  # index of the first character of the current line
        self.end = (0, 0)  # end line and column of the last token read
        self.skipped = -1  # the position the last skip ended at

    # ---- lexing ---------------------------------------------------------------------------
    def skip(self, hexcolor: bool = False) -> None:
        """Skip whitespace and comments (a ``#`` that starts a color is not a comment
        where a color may come: the lexer tries HEXCOLOR first there)."""
        if self.pos == self.skipped and not hexcolor:
            return  # already skipped here (most calls: checked first)
        text, pos = self.text, self.pos
        while True:
            m = (_WS if hexcolor else _SKIP).match(text, pos)
            if m is not None:
                pos = m.end()
            if hexcolor and text.startswith("#", pos) and not _HEXCOLOR.match(text, pos):
                pos = text.find("\n", pos)
                pos = len(text) if pos < 0 else pos
                continue
            break
        newlines = text.count("\n", self.pos, pos)
        if newlines:
            self.line += newlines
            self.line_start = text.rfind("\n", self.pos, pos) + 1
        self.pos = pos
        if not hexcolor:
            self.skipped = pos

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def word(self) -> str | None:
        """The NAME at the current position (after skipping), without reading it."""
        self.skip()
        m = _NAME.match(self.text, self.pos)
        return m.group() if m else None

    def take(self, pattern: re.Pattern[str], kind: str, hexcolor: bool = False) -> Tok:
        self.skip(hexcolor)
        m = pattern.match(self.text, self.pos)
        if m is None:
            raise GiveUp(kind)
        return self._token(m.group(), kind)

    def maybe(self, pattern: re.Pattern[str], kind: str) -> Tok | None:
        self.skip()
        m = pattern.match(self.text, self.pos)
        return None if m is None else self._token(m.group(), kind)

    def literal(self, value: str) -> Tok:
        self.skip()
        if not self.text.startswith(value, self.pos):
            raise GiveUp(value)
        if value[0].isalpha():  # a keyword is a whole NAME: `muted` is not `mute`
            m = _NAME.match(self.text, self.pos)
            if m is None or m.group() != value:
                raise GiveUp(value)
        return self._token(value, value)

    def keyword(self, word: str) -> Tok:
        """Read ``word``, the NAME :meth:`word` just returned here, as a keyword (what
        :meth:`literal` would read, without matching it again)."""
        return self._token(word, word)

    def peek(self, value: str) -> bool:
        self.skip()
        return self.text.startswith(value, self.pos)

    def _token(self, value: str, kind: str) -> Tok:
        tok = Tok(value)
        tok.type = kind
        tok.line = tok.end_line = self.line
        tok.column = self.pos - self.line_start + 1
        tok.end_column = tok.column + len(value)
        self.pos += len(value)
        self.end = (self.line, tok.end_column)
        return tok

    def span(self, first: Tok | Span) -> Span:
        """From ``first`` to the end of the last token read."""
        return Span(self.file, first.line, first.column, *self.end)

    # ---- the file ------------------------------------------------------------------------
    def start(self) -> ast.Timeline:
        kids: list[Any] = []
        while not self.at_end():
            w = self.word()
            if w == "output":
                kids.append(self.output())
            elif w in ("video", "audio", "overlay") and self._track_follows(w):
                kids.append(self.track(w))
            elif w in _SETTINGS:
                kids.append(self.setting())
            elif w == "subtitles":
                first = self.literal("subtitles")
                sub = [self.path(), *self.options(_SUBTITLE_OPTS, text=True)]
                kids.append(self.b.subtitles(self.span(first), sub))
            elif w == "chapter":
                first = self.literal("chapter")
                title = self.take(_STRING, "STRING")
                self.literal("at")
                at = self.time()
                kids.append(self.b.chapter(self.span(first), [title, at]))
            else:
                raise GiveUp(w)
        return self.b.start(Span(self.file, 0, 0), kids)

    def _track_follows(self, keyword: str) -> bool:
        """True when ``keyword {`` starts a track here (else ``video h264`` is a setting)."""
        save = (self.pos, self.line, self.line_start)
        self.literal(keyword)
        found = self.peek("{")
        self.pos, self.line, self.line_start = save
        return found

    def output(self) -> Any:
        first = self.literal("output")
        path = self.path()
        if not self.peek("{"):
            return self.b.output_line(self.span(first), [path])
        self.literal("{")
        settings = []
        while not self.peek("}"):
            settings.append(self.setting())
        self.literal("}")
        return self.b.output_block(self.span(first), [path, *settings])

    def setting(self) -> Any:
        name = self.word()
        if name not in _SETTINGS:
            raise GiveUp(name)
        first = self.literal(name)
        b = self.b
        if name == "size":
            value = self.maybe(_WXH, "WXH") or self.take(_NAME, "NAME")
            return b.set_size(self.span(first), [value])
        if name == "fps":
            value = (
                self.maybe(_RATIO, "RATIO")
                or self.maybe(_NUMBER, "NUMBER")
                or self.take(_NAME, "NAME")
            )
            return b.set_fps(self.span(first), [value])
        value = self.take(_NAME, "NAME")
        if name == "audio":
            rate = self.maybe(_BITRATE, "BITRATE")
            return b.set_audio(self.span(first), [value] if rate is None else [value, rate])
        method = {
            "video": b.set_video,
            "preset": b.set_preset,
            "encoder": b.set_encoder,
            "fit": b.set_fit,
            "keyframes": b.set_keyframes,
        }[name]
        return method(self.span(first), [value])

    # ---- tracks and items -----------------------------------------------------------------
    def track(self, kind: str) -> Any:
        first = self.literal(kind)
        self.literal("{")
        items = []
        read = {"video": self.video_item, "overlay": self.overlay_item, "audio": self.audio_item}
        while not self.peek("}"):
            items.append(read[kind]())
        self.literal("}")
        method = {
            "video": self.b.video_track,
            "overlay": self.b.overlay_track,
            "audio": self.b.audio_track,
        }[kind]
        return method(self.span(first), items)

    def video_item(self) -> Any:
        w = self.word()
        if w not in ("clip", "gap", "image", "transition", "freeze"):
            raise GiveUp(w)
        first = self.keyword(w)
        if w == "clip":
            kids = [self.path(), *self.options(_CLIP_OPTS)]
            return self.b.clip(self.span(first), kids)  # (the span ends after the kids)
        if w == "gap":
            kids = [self.time()]
            return self.b.gap(self.span(first), kids)
        if w == "image":
            path = self.path()
            self.literal("for")
            kids = [path, self.time()]
            return self.b.still(self.span(first), kids)
        if w == "transition":
            kids = [self.take(_NAME, "NAME"), self.time()]
            return self.b.transition(self.span(first), kids)
        path = self.path()  # freeze PATH at T for D
        self.literal("at")
        at = self.time()
        self.literal("for")
        kids = [path, at, self.time()]
        return self.b.freeze(self.span(first), kids)

    def overlay_item(self) -> Any:
        w = self.word()
        if w not in ("image", "text", "video"):
            raise GiveUp(w)
        first = self.keyword(w)
        if w == "image":
            kids = [self.path(), *self.options(_IMAGE_OPTS)]
            return self.b.image_overlay(self.span(first), kids)
        if w == "text":
            kids = [self.take(_STRING, "STRING"), *self.options(_TEXT_OPTS, text=True)]
            return self.b.text_overlay(self.span(first), kids)
        kids = [self.path(), *self.options(_PIP_OPTS)]
        return self.b.video_overlay(self.span(first), kids)

    def audio_item(self) -> Any:
        first = self.literal("clip")
        kids = [self.path(), *self.options(_AUDIO_OPTS)]
        return self.b.audio_clip(self.span(first), kids)

    def options(self, allowed: frozenset[str], text: bool = False) -> list[Any]:
        out = []
        kids: list[Any]
        while (w := self.word()) in allowed:
            assert w is not None
            first = self.keyword(w)
            b = self.b
            if w in _FLAG_OPTS:  # the keyword alone
                out.append(getattr(b, _FLAG_OPTS[w])(self.span(first), []))
                continue
            if w in ("trim", "at"):
                kids = [self.range()]
            elif w == "size" and text:
                w, kids = "text_size", [self.take(_NUMBER, "NUMBER")]
            elif w in _TOKEN_OPTS:  # the keyword and one token
                pattern, kind, w = _TOKEN_OPTS[w]
                kids = [self.take(pattern, kind)]
            elif w == "pos":
                x = self.maybe(_NUMBER, "NUMBER")
                if x is None:
                    kids = [self.take(_NAME, "NAME")]
                else:
                    self.literal(",")
                    kids = [x, self.take(_NUMBER, "NUMBER")]
            elif w == "color":
                kids = [self.maybe_hex() or self.take(_NAME, "NAME")]
            elif w == "font":
                kids = [self.path()]
            elif w == "fade":
                kids = []
                while (part := self.word()) in ("in", "out"):
                    assert part is not None
                    start = self.literal(part)
                    method = b.fade_in if part == "in" else b.fade_out
                    parts = [self.time()]
                    kids.append(method(self.span(start), parts))
                if not kids:
                    raise GiveUp("fade")
            else:
                raise GiveUp(w)
            out.append(getattr(b, w)(self.span(first), kids))
        return out

    def maybe_hex(self) -> Tok | None:
        self.skip(hexcolor=True)
        m = _HEXCOLOR.match(self.text, self.pos)
        return None if m is None else self._token(m.group(), "HEXCOLOR")

    # ---- values ---------------------------------------------------------------------------
    def path(self) -> ast.Path:
        tok = self.take(_STRING, "STRING")
        return self.b.path(self.span(tok), [tok])

    def time(self) -> ast.Time:
        tok = self.maybe(_TIME, "TIME") or self.take(_NUMBER, "NUMBER")
        return self.b.time(self.span(tok), [tok])

    def _time_follows(self) -> bool:
        self.skip()
        return bool(_TIME.match(self.text, self.pos) or _NUMBER.match(self.text, self.pos))

    def range(self) -> ast.Range:
        b = self.b
        if self.peek(".."):
            first = self.literal("..")
            kids = [self.time()]
            return b.range_to(self.span(first), kids)
        start = self.time()
        if self.peek(".."):
            self.literal("..")
            if self._time_follows():
                end = self.time()
                return b.range_span(self.span(start.span), [start, end])
            return b.range_from(self.span(start.span), [start])
        if self.peek("+"):
            self.literal("+")
            kids = [start, self.time()]
            return b.range_dur(self.span(start.span), kids)
        return b.range_point(start.span, [start])
