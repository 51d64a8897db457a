"""`.tl` text in, :class:`tlc.syntax.ast.Timeline` out: the first arrow of the compiler.

Lark (LALR, contextual lexer, positions on) turns the text into a parse tree with the
grammar in ``tlc.grammars/timeline.lark``; :class:`Builder` turns that tree into AST
nodes and checks what needs no media (units, ranges, repeated options, setting
values). Every mistake comes out as a :class:`ParseError` (syntax) or a
:class:`ValidationError` (meaning) with a span; nothing else escapes for any text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tlc.core.errors import TlcError
from tlc.syntax import ast
from tlc.syntax.diagnostics import syntax_error
from tlc.syntax.fast import parse_fast

if TYPE_CHECKING:
    from lark import Lark
from tlc.syntax.builder import Builder

__all__ = ["parse"]


_PARSER: Lark | None = None


class _NameEverywhere:
    """A no-op postlexer whose only job is to put NAME in every lexer state.

    Without it `muted` lexes as the keyword `mute` followed by `d`; with it, Lark
    lexes the whole word as NAME and retypes it to a keyword only on an exact match.
    """

    always_accept = ("NAME",)

    def process(self, stream: Any) -> Any:
        return stream


def lark_parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        from importlib import resources

        from lark import Lark

        grammar = (resources.files("tlc.grammars") / "timeline.lark").read_text("utf-8")
        _PARSER = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            propagate_positions=True,
            postlex=_NameEverywhere(),
            maybe_placeholders=False,
        )
    return _PARSER


def parse(text: str, file: str = "<string>") -> ast.Timeline:
    """Parse `.tl` source; ``file`` is only used in spans and messages.

    Raises :class:`ParseError` or :class:`ValidationError` (both carry ``source``).
    """
    text = text.removeprefix("\ufeff")  # editors hide a BOM, so columns ignore it
    fast = parse_fast(text, file)  # well-formed files, without a parse tree
    if fast is not None:
        return fast
    return parse_lark(text, file)


def parse_lark(text: str, file: str = "<string>") -> ast.Timeline:
    """:func:`parse` with Lark alone (the reference the fast path is tested against)."""
    from lark.exceptions import UnexpectedInput

    parser = lark_parser()
    try:
        tree = parser.parse(text)
    except UnexpectedInput as err:
        raise syntax_error(err, text, file, parser) from None
    try:
        return Builder(file, text).build(tree)
    except TlcError as err:
        err.source = text
        raise
