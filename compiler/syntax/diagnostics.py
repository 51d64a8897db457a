"""Lark's syntax errors, told the way a person would: what is wrong, where, and a hint.

:func:`syntax_error` turns ``UnexpectedToken`` / ``UnexpectedCharacters`` /
``UnexpectedEOF`` into a :class:`ParseError` whose span points at the offending token.
The terminals the parser would have accepted come from Lark's interactive parser
(exact, unlike the merged LALR lookahead sets) and are named the way the user writes
them: ``CLIP`` -> ``'clip'``, ``TIME`` -> ``a time like 2.5s``.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tlc.core.errors import ParseError, Span

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput


def did_you_mean(
    word: str, choices: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """A "did you mean 'x'?" hint for ``word`` among ``choices``, or None if none is close."""
    choices = list(choices)
    if word.lower() in choices and word.lower() != word:
        return f"did you mean '{word.lower()}'? keywords are lower case"
    close = (aliases or {}).get(word.lower())
    prefixed = [c for c in choices if len(word) >= 2 and c.startswith(word)]
    if close not in choices and len(prefixed) == 1:
        close = prefixed[0]
    if close not in choices:
        found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        close = found[0] if found else None
    return f"did you mean '{close}'?" if close else None


_DESCRIBE = {
    "STRING": "a quoted string",
    "TIME": "a time like 2.5s",
    "NUMBER": "a number",
    "WXH": "a size like 1920x1080",
    "RATIO": "a frame rate like 30000/1001",
    "BITRATE": "a bitrate like 192k",
    "VOLUME": "a volume like -6dB",
    "HEXCOLOR": "a color like #ff8800",
    "NAME": "a name",
    "$END": "the end of the file",
}
_ITEMS = {"CLIP", "GAP", "IMAGE", "TEXT", "VIDEO"}
_TRACKS = {"VIDEO", "OVERLAY", "AUDIO"}


def _literal(parser: Lark, name: str) -> str | None:
    """The text of an anonymous string terminal (``CLIP`` -> ``clip``), else None."""
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return None
    return pattern.value if type(pattern).__name__ == "PatternStr" else None


def _keywords(parser: Lark) -> set[str]:
    words = (_literal(parser, t.name) for t in parser.terminals)
    return {w for w in words if w and w[0].isalpha()}


def _describe(parser: Lark, names: set[str]) -> list[str]:
    """How the user would name each terminal: keywords quoted, others in words."""
    shown = set(names) - {"$END"} if len(names) > 1 else set(names)
    if "TIME" in shown:
        shown.discard("NUMBER")  # accepted only to report "time needs a unit"
    words = sorted(f"'{lit}'" for n in shown if (lit := _literal(parser, n)) is not None)
    others = sorted(_DESCRIBE.get(n, n) for n in shown if _literal(parser, n) is None)
    return others + words


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return items[0] if items else "something else"
    return ", ".join(items[:-1]) + " or " + items[-1]


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:36] + "..."


def _accepts(err: UnexpectedInput) -> set[str]:
    ip = getattr(err, "interactive_parser", None)
    if ip is not None:
        return set(ip.accepts())
    return set(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())


def _stack(err: UnexpectedInput) -> list[Any]:
    state = getattr(err, "state", None)
    return list(getattr(state, "value_stack", None) or [])


def _open_brace(stack: list[Any]) -> tuple[int, Any | None]:
    """The innermost unclosed '{' on the parser's stack, and what opened it."""
    for i in range(len(stack) - 1, -1, -1):
        kid = stack[i]
        if isinstance(kid, str) and getattr(kid, "type", "") == "RBRACE":
            return -1, None
        if isinstance(kid, str) and getattr(kid, "type", "") == "LBRACE":
            return i, stack[i - 1] if i > 0 else None
    return -1, None


def _current_item(stack: list[Any]) -> str | None:
    """The item being written when the error happened (``clip``, ``text``), if any."""
    i, opener = _open_brace(stack)
    if i < 0 or not isinstance(opener, str) or getattr(opener, "type", "") not in _TRACKS:
        return None
    items = [k for k in stack[i + 1 :] if isinstance(k, str) and getattr(k, "type", "") in _ITEMS]
    return str(items[-1]) if items else None


def syntax_error(err: UnexpectedInput, text: str, file: str, parser: Lark) -> ParseError:
    """The :class:`ParseError` for one of Lark's ``UnexpectedInput`` exceptions."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    expected = _accepts(err)
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return _bad_token(err, expected, file, parser, text)
    if isinstance(err, UnexpectedCharacters):
        return _bad_character(err, expected, file, parser, text)
    # The end of the file came too soon (UnexpectedToken $END, or UnexpectedEOF).
    last: Any = getattr(err, "token", None)
    if last is not None and last.end_line:
        end = (last.end_line, last.end_column)  # $END borrows the last token's position
    else:
        end = _end_of_text(text)
    span = Span(file, end[0], end[1], end[0], end[1] + 1)
    i, _ = _open_brace(_stack(err))
    if "RBRACE" in expected and i >= 0:
        brace = _stack(err)[i]
        return ParseError(
            "unexpected end of file: '}' missing",
            span,
            source=text,
            hint=f"the '{{' at line {brace.line}, column {brace.column} is never closed",
        )
    return ParseError(
        f"unexpected end of file: expected {_join(_describe(parser, expected))}", span, source=text
    )


def _end_of_text(text: str) -> tuple[int, int]:
    """Line and column just after the last character that is not blank."""
    body = text.rstrip()
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1


def _bad_token(err: Any, expected: set[str], file: str, parser: Lark, text: str) -> ParseError:
    tok = err.token
    value = _short(str(tok))
    span = Span(
        file, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1
    )
    names = _describe(parser, expected)
    allowed = _join(names)
    words = sorted(w for n in expected if (w := _literal(parser, n)) and w[0].isalpha())
    hint: str | None = f"expected {allowed}"
    if value[:1].isalpha() and words:
        if str(tok) in _keywords(parser):
            item = _current_item(_stack(err))
            message = (
                f"'{value}' is not an option of {item}"
                if item
                else f"'{value}' cannot be used here"
            )
            options = [w for w in words if w.upper() not in _ITEMS]
            if item and options:
                hint = f"{item} takes: {', '.join(options)}"
        else:
            message = f"unknown keyword '{value}'"
            hint = did_you_mean(value, words) or hint
            if value.lower() == "db":
                hint = "write the unit without a space: volume -6dB"
    elif len(names) <= 3:
        shown = f"the string {value}" if tok.type == "STRING" else f"'{value}'"
        message, hint = f"expected {allowed}, found {shown}", None
        if "STRING" in expected and value[:1].isalpha():
            hint = 'paths and texts are written in double quotes: "..."'
    else:
        shown = f"string {value}" if tok.type == "STRING" else f"'{value}'"
        message = f"unexpected {shown}"
        if tok.type == "RBRACE":
            hint = "there is no open '{' for this '}' to close"
    return ParseError(message, span, hint=hint, source=text)


def _bad_character(err: Any, expected: set[str], file: str, parser: Lark, text: str) -> ParseError:
    pos = err.pos_in_stream
    char = text[pos] if 0 <= pos < len(text) else ""
    span = Span(file, err.line, err.column, err.line, err.column + 1)
    if char == '"':
        line_end = text.find("\n", pos)
        width = (len(text) if line_end < 0 else line_end) - pos
        return ParseError(
            "unterminated string",
            replace(span, end_column=err.column + width),
            hint='close it with " on the same line (write \\n for a line break)',
            source=text,
        )
    if char.isprintable() and not char.isspace():
        shown = f"'{char}'" if char != "'" else '"\'"'
    else:
        shown = f"U+{ord(char or chr(0)):04X} {unicodedata.name(char, '')}".rstrip()
    hint = (
        "strings are written in double quotes"
        if char == "'"
        else f"expected {_join(_describe(parser, expected))}"
    )
    return ParseError(f"unexpected character {shown}", span, hint=hint, source=text)
