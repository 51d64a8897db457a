"""The builder's methods for version 2's edit items: ``transition``, ``freeze`` and a
clip's ``speed`` (see :class:`tlc.syntax.builder.Builder`, which has them as its own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tlc.core.errors import Span, ValidationError
from tlc.syntax import ast
from tlc.syntax import values as pt
from tlc.syntax.opt import Opt

if TYPE_CHECKING:
    from lark import Token

#: the fastest a clip may play (and its slowest is above 0)
MAX_SPEED = 100


class EditItems:
    """``transition``, ``freeze`` and ``speed``: one method per grammar rule."""

    file: str

    def _span_of(self, tok: Token) -> Span:
        return Span(
            self.file, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0
        )

    def speed(self, span: Span, kids: list[Token]) -> Opt:
        where = self._span_of(kids[0])
        value = pt.number(str(kids[0]), where)
        if not 0 < value <= MAX_SPEED:
            raise ValidationError(
                f"speed {kids[0]} is out of range: above 0 and at most {MAX_SPEED}",
                where,
                hint="speed 2 plays twice as fast, speed 0.5 at half speed",
            )
        return Opt("speed", value, span)

    def transition(self, span: Span, kids: list[Any]) -> ast.Transition:
        name, duration = kids
        return ast.Transition(
            str(name),
            self._span_of(name),
            pt.positive_duration(duration, "a transition"),
            span,
        )

    def freeze(self, span: Span, kids: list[Any]) -> ast.Freeze:
        path, at, duration = kids
        if at.seconds is not None and at.seconds < 0:
            raise ValidationError("a freeze frame's time cannot be before 0s", at.span)
        return ast.Freeze(path, at, pt.positive_duration(duration, "a freeze frame"), span)
