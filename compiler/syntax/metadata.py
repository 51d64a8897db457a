"""The builder's rules for subtitles and chapters (a mixin of
:class:`tlc.syntax.builder.Builder`): ``subtitles PATH [burn | soft] [lang CODE]
[size N] [font PATH]`` and ``chapter "TITLE" at T``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tlc.core.errors import Span, ValidationError
from tlc.syntax import ast
from tlc.syntax import values as pt
from tlc.syntax.opt import Opt

if TYPE_CHECKING:
    from lark import Token


def _where(file: str, tok: Token) -> Span:
    return Span(file, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)


class MetadataBuilder:
    """The rules ``subtitles``, ``sub_burn``, ``sub_soft``, ``sub_lang``, ``chapter``."""

    file: str

    def sub_burn(self, span: Span, kids: list[Any]) -> Opt:
        return Opt("burn", "burn", span)

    def sub_soft(self, span: Span, kids: list[Any]) -> Opt:
        return Opt("soft", "soft", span)

    def sub_lang(self, span: Span, kids: list[Token]) -> Opt:
        code = str(kids[0])
        if not (len(code) == 3 and code.isascii() and code.isalpha() and code.islower()):
            raise ValidationError(
                f"'{code}' is not a language code",
                _where(self.file, kids[0]),
                hint="write an ISO 639-2 code of three lowercase letters, like eng, fra or deu",
            )
        return Opt("lang", code, span)

    def subtitles(self, span: Span, kids: list[Any]) -> ast.Subtitles:
        o: dict[str, Any] = {}  # (the options: Flags, and the builder's size and font)
        for opt in kids[1:]:
            if opt.name in o:
                first = o[opt.name].span
                raise ValidationError(
                    f"repeated option '{opt.name}'",
                    opt.span,
                    hint=f"'{opt.name}' is already given at line {first.line}, "
                    f"column {first.column}",
                )
            o[opt.name] = opt
        if "burn" in o and "soft" in o:
            later = max(o["burn"], o["soft"], key=lambda opt: (opt.span.line, opt.span.column))
            raise ValidationError(
                "subtitles are either burned or soft, not both",
                later.span,
                hint="burn draws them into the picture; soft adds a track players can hide",
            )
        mode = "soft" if "soft" in o else ("burn" if "burn" in o else None)
        value = {name: opt.value for name, opt in o.items()}
        return ast.Subtitles(
            kids[0],
            mode,
            value.get("lang"),
            value.get("size"),
            value.get("font"),
            span,
            o["lang"].span if "lang" in o else None,
        )

    def chapter(self, span: Span, kids: list[Any]) -> ast.Chapter:
        where = _where(self.file, kids[0])
        title = pt.unescape(str(kids[0]), where)
        if not title.strip():
            raise ValidationError(
                "a chapter needs a title", where, hint='write chapter "Intro" at 0s'
            )
        return ast.Chapter(title, kids[1], span)

    def timeline(
        self, outputs: list[ast.Output], kids: list[Any], source: str
    ) -> ast.Timeline:
        """The file's timeline: its outputs, and its tracks, subtitles and chapters."""
        tracks = tuple(k for k in kids if not isinstance(k, (ast.Subtitles, ast.Chapter)))
        subs = tuple(k for k in kids if isinstance(k, ast.Subtitles))
        chapters = tuple(k for k in kids if isinstance(k, ast.Chapter))
        return ast.Timeline(tuple(outputs), tracks, self.file, source, subs, chapters)
