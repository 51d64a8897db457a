"""The one error formatter: ``FILE:LINE:COL: error: MESSAGE``, the line, a caret."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlc.core.errors import NO_SPAN, ParseError, Span, TlcError, ValidationError, format_error
from tlc.syntax.parser import parse

SOURCE = 'video {\n  clip "a.mp4" trim 7s..2s\n}\n'


def test_head_source_line_and_caret_with_width() -> None:
    err = ValidationError("range ends before it starts", Span("t.tl", 2, 21, 2, 27),
                          source=SOURCE)
    assert format_error(err).splitlines() == [
        "t.tl:2:21: error: range ends before it starts",
        '  clip "a.mp4" trim 7s..2s',
        "                    ^~~~~~",
    ]
    assert str(err) == format_error(err)


def test_hint_comes_last() -> None:
    err = ParseError("unknown keyword 'clp'", Span("t.tl", 1, 1, 1, 4), hint="did you mean 'clip'?",
                     source="clp")
    assert format_error(err).splitlines() == [
        "t.tl:1:1: error: unknown keyword 'clp'", "clp", "^~~", "hint: did you mean 'clip'?"]


def test_single_caret_without_an_end_or_across_lines() -> None:
    one = format_error(TlcError("m", Span("t.tl", 2, 3), source=SOURCE)).splitlines()
    assert one[2] == "  ^"
    multi = format_error(TlcError("m", Span("t.tl", 1, 7, 3, 2), source=SOURCE)).splitlines()
    assert multi[1:] == ["video {", "      ^"]


def test_tabs_keep_the_caret_under_the_column() -> None:
    err = TlcError("m", Span("t.tl", 1, 3, 1, 6), source="\t\tclp")
    assert format_error(err).splitlines()[1:] == ["  clp", "  ^~~"]


def test_errors_without_a_position() -> None:
    assert format_error(TlcError("no timeline")) == "error: no timeline"
    assert format_error(TlcError("x", NO_SPAN)) == "error: x"
    text = format_error(TlcError("cannot read", Span("a.tl", 0, 0), hint="check it"))
    assert text.splitlines()[0] == "a.tl: error: cannot read"
    assert text.splitlines()[-1].strip() == "hint: check it"


def test_source_is_read_from_the_file_when_not_given(tmp_path: Path) -> None:
    tl = tmp_path / "t.tl"
    tl.write_text(SOURCE, encoding="utf-8")
    err = TlcError("m", Span(str(tl), 2, 3, 2, 7))
    assert format_error(err).splitlines()[1:] == ['  clip "a.mp4" trim 7s..2s', "  ^~~~"]
    gone = TlcError("m", Span(str(tmp_path / "gone.tl"), 2, 3))
    assert format_error(gone) == f"{tmp_path / 'gone.tl'}:2:3: error: m"


def test_line_past_the_end_of_the_source() -> None:
    err = TlcError("unexpected end of file", Span("t.tl", 9, 1), source="video {")
    assert format_error(err).splitlines() == ["t.tl:9:1: error: unexpected end of file", "", "^"]


def test_parse_errors_format_end_to_end() -> None:
    with pytest.raises(ParseError) as info:
        parse('output "a.mp4" {\n  fps 30\n  vidoe h264\n}\n', "cut.tl")
    assert format_error(info.value).splitlines() == [
        "cut.tl:3:3: error: unknown keyword 'vidoe'",
        "  vidoe h264",
        "  ^~~~~",
        "hint: did you mean 'video'?",
    ]


def test_windows_line_endings() -> None:
    with pytest.raises(ParseError) as info:
        parse('video {\r\n  clp "x"\r\n}\r\n', "w.tl")
    assert format_error(info.value).splitlines()[:3] == [
        "w.tl:2:3: error: unknown keyword 'clp'", '  clp "x"', "  ^~~"]


def test_line_separator_inside_a_string_does_not_shift_the_shown_line() -> None:
    with pytest.raises(ParseError) as info:
        parse('overlay { text "a\u2028b" at 0s..1s }\nvideo { clp "x" }', "u.tl")
    assert format_error(info.value).splitlines()[1] == 'video { clp "x" }'
