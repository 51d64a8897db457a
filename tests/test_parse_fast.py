"""The fast path (tlc.syntax.fast) reads the same language as the grammar: its
terminals and its option keywords are the grammar's, token by token.

The fuzz test (test_fuzz.py) checks that both parsers agree on random files; this
checks the tables themselves, so a change to grammars/timeline.lark that the fast path
does not follow fails here, naming the terminal or rule.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # (the module re compiles with)

import pytest
from lark.lexer import PatternRE

from tlc.syntax import fast
from tlc.syntax.parser import lark_parser


def _grammar_terminals() -> dict[str, str]:
    """The grammar's regex terminals (not its keywords) as Lark compiles them."""
    return {
        t.name: t.pattern.to_regexp()
        for t in lark_parser().terminals
        if isinstance(t.pattern, PatternRE)
    }


def _same_regex(a: str, b: str) -> bool:
    """The same regular expression, however its escapes are written (``\\t`` or a tab)."""
    return str(sre_parse.parse(a)) == str(sre_parse.parse(b))


def _keywords(rule: str) -> frozenset[str]:
    """The keyword that starts each alternative of ``rule`` (following one level of
    rules such as ``_clip_opt: trim | mute``, whose ``trim: "trim" range``)."""
    parser = lark_parser()
    rules = parser.rules
    terminals = {t.name: t.pattern for t in parser.terminals}

    def first_keyword(name: str) -> set[str]:
        out = set()
        for r in rules:
            if r.origin.name != name or not r.expansion:
                continue
            head = r.expansion[0]
            if head.is_term:
                out.add(terminals[head.name].value)
            else:
                out |= first_keyword(head.name)
        return out

    return frozenset(first_keyword(rule))


@pytest.mark.parametrize("name", sorted(fast.TERMINALS))
def test_terminal_is_the_grammars(name: str) -> None:
    grammar = _grammar_terminals()
    assert name in grammar
    # Lark joins alternatives as (?:a|b); the fast path writes the same group
    assert _same_regex(fast.TERMINALS[name].pattern, grammar[name])


def test_every_value_terminal_of_the_grammar_is_lexed() -> None:
    skipped = {"COMMENT"}  # the fast path's _SKIP, tested below
    assert set(_grammar_terminals()) - skipped == set(fast.TERMINALS)


def test_comments_and_spaces_are_skipped_as_the_grammar_ignores_them() -> None:
    grammar = _grammar_terminals()
    for text in ("# a comment", "  \t\n", "# one\n  # two\n"):
        assert fast._SKIP.fullmatch(text)
        pieces = re.findall(f"{grammar['COMMENT']}|{grammar['WS']}", text)
        assert "".join(pieces) == text


@pytest.mark.parametrize("rule", sorted(fast.KEYWORDS))
def test_option_keywords_are_the_grammars(rule: str) -> None:
    assert fast.KEYWORDS[rule] == _keywords(rule)
