"""The parser: `.tl` text to AST, and the errors a user sees for bad text."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlc.core.errors import ParseError, TlcError, ValidationError, format_error
from tlc.syntax import ast
from tlc.syntax.parser import parse

# The whole-file example of the language contract, verbatim.
CONTRACT_EXAMPLE = """\
# teaser.tl: everything after '#' on a line is a comment
output "out/teaser.mp4" {
  size 1920x1080          # default 1920x1080; 'source' keeps the first clip's
  fps 60                  # default 60; 'source' keeps the first clip's
  video h264              # h264 (default) | hevc | av1 | copy | none
  audio aac 192k          # aac 192k (default) | opus | mp3 | copy | none
  preset production       # draft | preview | production (default) | auto
  encoder auto            # auto (default) or a plugin's name: x264, nvenc, qsv, amf, ...
  fit contain             # contain (default, letterbox) | cover (crop) | stretch
  keyframes at-cuts       # force keyframes where clips join (default: only where the plan needs them)
}

video {
  clip "media/intro.mp4"
  clip "media/a.mp4" trim 2.5s..7s
  clip "media/b.mov" trim 10s+4s mute
  gap 1s
  clip "media/c.mp4" trim ..3s
}

overlay {
  image "media/logo.png" at 0s..10s pos 20,20
  text "Chapter 1" at 3s..5s pos center size 48 color white
  video "media/pip.mp4" at 12s+5s pos 1500,40 scale 400x225
}

audio {
  clip "media/music.m4a" at 0s volume -6dB fade in 1s out 2s
}
"""  # noqa: E501


def secs(t: ast.Time | None) -> Fraction | None:
    assert t is not None
    assert t.frames is None
    return t.seconds


def error(text: str, kind: type[TlcError] = TlcError) -> TlcError:
    with pytest.raises(kind) as info:
        parse(text, "bad.tl")
    return info.value


def video_items(text: str) -> tuple[ast.VideoItem, ...]:
    (track,) = parse(f"video {{\n{text}\n}}").tracks
    assert isinstance(track, ast.VideoTrack)
    return track.items


def overlay_item(text: str) -> ast.OverlayItem:
    (track,) = parse(f"overlay {{ {text} }}").tracks
    assert isinstance(track, ast.OverlayTrack)
    return track.items[0]


def audio_item(text: str) -> ast.AudioClip:
    (track,) = parse(f"audio {{ {text} }}").tracks
    assert isinstance(track, ast.AudioTrack)
    return track.items[0]


def trim_of(text: str) -> ast.Range:
    (clip,) = video_items(f'clip "a.mp4" trim {text}')
    assert isinstance(clip, ast.Clip) and clip.trim is not None
    return clip.trim


# ---- the contract's example --------------------------------------------------------


def test_contract_example_outputs() -> None:
    tl = parse(CONTRACT_EXAMPLE, "teaser.tl")
    assert tl.file == "teaser.tl" and tl.source == CONTRACT_EXAMPLE
    (out,) = tl.outputs
    assert out.path.value == "out/teaser.mp4"
    assert (out.path.span.line, out.path.span.column) == (2, 8)
    assert [(o.name, o.value) for o in out.options] == [
        ("size", (1920, 1080)),
        ("fps", Fraction(60)),
        ("video", "h264"),
        ("audio", ("aac", 192000)),
        ("preset", "production"),
        ("encoder", "auto"),
        ("fit", "contain"),
        ("keyframes", "at-cuts"),
    ]
    assert (out.span.line, out.span.end_line) == (2, 11)


def test_contract_example_video_track() -> None:
    video, _, _ = parse(CONTRACT_EXAMPLE).tracks
    assert isinstance(video, ast.VideoTrack)
    intro, a, b, gap, c = video.items
    assert isinstance(intro, ast.Clip) and intro.path.value == "media/intro.mp4"
    assert intro.trim is None and not intro.mute and intro.volume_db is None
    assert isinstance(a, ast.Clip) and a.trim is not None and a.trim.kind == "span"
    assert (secs(a.trim.start), secs(a.trim.end)) == (Fraction(5, 2), 7)
    assert isinstance(b, ast.Clip) and b.mute and b.trim is not None
    assert (b.trim.kind, secs(b.trim.start), secs(b.trim.duration)) == ("dur", 10, 4)
    assert isinstance(gap, ast.Gap) and secs(gap.duration) == 1
    assert isinstance(c, ast.Clip) and c.trim is not None
    assert (c.trim.kind, c.trim.start, secs(c.trim.end)) == ("to", None, 3)
    assert (b.span.line, b.span.column) == (16, 3)


def test_contract_example_overlay_and_audio() -> None:
    _, overlay, audio = parse(CONTRACT_EXAMPLE).tracks
    assert isinstance(overlay, ast.OverlayTrack) and isinstance(audio, ast.AudioTrack)
    logo, title, pip = overlay.items
    assert isinstance(logo, ast.ImageOverlay) and logo.at is not None
    assert (logo.path.value, logo.pos, logo.scale, logo.opacity) == (
        "media/logo.png", (20, 20), None, None)
    assert (secs(logo.at.start), secs(logo.at.end)) == (0, 10)
    assert isinstance(title, ast.TextOverlay)
    assert (title.text, title.pos, title.size, title.color, title.font, title.box) == (
        "Chapter 1", "center", 48, "white", None, False)
    assert isinstance(pip, ast.VideoOverlay) and pip.at is not None
    assert (pip.at.kind, secs(pip.at.start), secs(pip.at.duration)) == ("dur", 12, 5)
    assert (pip.pos, pip.scale, pip.trim) == ((1500, 40), (400, 225), None)
    (music,) = audio.items
    assert music.path.value == "media/music.m4a"
    assert (secs(music.at), music.volume_db) == (0, -6.0)
    assert (secs(music.fade_in), secs(music.fade_out)) == (1, 2)
    assert music.trim is None


# ---- times and ranges --------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [
    ("2.5s", Fraction(5, 2)),
    ("1500ms", Fraction(3, 2)),
    ("1m30s", Fraction(90)),
    ("1h2m3.5s", Fraction(7447, 2)),
    ("01:02:03.500", Fraction(7447, 2)),
    ("02:03", Fraction(123)),
    ("0.1s", Fraction(1, 10)),
    ("1h", Fraction(3600)),
    ("2m", Fraction(120)),
    ("1s250ms", Fraction(5, 4)),
    ("00:00:00.040", Fraction(1, 25)),
])
def test_time_forms_are_exact(text: str, seconds: Fraction) -> None:
    (gap,) = video_items(f"gap {text}")
    assert isinstance(gap, ast.Gap)
    assert gap.duration.seconds == seconds and gap.duration.frames is None


def test_frames() -> None:
    (gap,) = video_items("gap 48f")
    assert isinstance(gap, ast.Gap)
    assert (gap.duration.seconds, gap.duration.frames) == (None, 48)


def test_range_forms() -> None:
    r = trim_of("2s..5s")
    assert (r.kind, secs(r.start), secs(r.end), r.duration) == ("span", 2, 5, None)
    r = trim_of("2s+3s")
    assert (r.kind, secs(r.start), r.end, secs(r.duration)) == ("dur", 2, None, 3)
    r = trim_of("2s..")
    assert (r.kind, secs(r.start), r.end, r.duration) == ("from", 2, None, None)
    r = trim_of("..5s")
    assert (r.kind, r.start, secs(r.end), r.duration) == ("to", None, 5, None)
    r = trim_of("00:01..00:02.5")
    assert (secs(r.start), secs(r.end)) == (1, Fraction(5, 2))
    pip = overlay_item('video "pip.mp4" at 12s')
    assert isinstance(pip, ast.VideoOverlay) and pip.at is not None
    assert (pip.at.kind, secs(pip.at.start)) == ("point", 12)


def test_range_span_covers_both_ends() -> None:
    r = trim_of("2.5s..7s")
    assert (r.span.line, r.span.column, r.span.end_column) == (2, 19, 27)


def test_mixed_units_in_a_range_are_left_to_lowering() -> None:
    r = trim_of("48f..1s")
    assert r.start is not None and r.start.frames == 48 and secs(r.end) == 1


# ---- strings, paths, comments ------------------------------------------------------


def test_string_escapes() -> None:
    item = overlay_item(r'text "say \"hi\"\\ \n\tnow" at 0s..1s')
    assert isinstance(item, ast.TextOverlay)
    assert item.text == 'say "hi"\\ \n\tnow'


def test_other_characters_stand_for_themselves() -> None:
    weird = "Ünïcødé ' : , ; [ ] % = # 日本 🎬"
    item = overlay_item(f'text "{weird}" at 0s..1s')
    assert isinstance(item, ast.TextOverlay) and item.text == weird
    (clip,) = video_items('clip "média/a b;c[1]=%d.mp4"')
    assert isinstance(clip, ast.Clip) and clip.path.value == "média/a b;c[1]=%d.mp4"


def test_comments_and_hex_colors() -> None:
    text = """\
# a comment with #ff0000 and "quotes" and { braces
overlay { # another
  text "a # not a comment" at 0s..1s color #ff8800 # a comment
  text "b" at 0s..1s color #00FF7f box#comment right after box
}
"""
    (track,) = parse(text).tracks
    assert isinstance(track, ast.OverlayTrack)
    a, b = track.items
    assert isinstance(a, ast.TextOverlay) and isinstance(b, ast.TextOverlay)
    assert (a.text, a.color, b.color, b.box) == ("a # not a comment", "#ff8800", "#00FF7f", True)


def test_empty_and_comment_only_files() -> None:
    assert parse("") == ast.Timeline((), (), "<string>", "")
    assert parse("# nothing here\n\n   # at all\n").tracks == ()


def test_bom_is_ignored() -> None:
    err = error('\ufeffvideo { clp "a" }')
    assert err.span is not None and err.span.column == 9


# ---- outputs -----------------------------------------------------------------------


def test_one_line_output() -> None:
    (out,) = parse('output "podcast.m4a" audio aac 256k').outputs
    assert out.path.value == "podcast.m4a"
    assert [(o.name, o.value) for o in out.options] == [("audio", ("aac", 256000))]
    assert (out.span.column, out.span.end_column) == (1, 36)


def test_one_line_output_with_several_settings_then_tracks() -> None:
    tl = parse('output "a.mp4" size 1280x720 fps 30 preset draft\n'
               'video { clip "x.mp4" }\naudio { clip "m.m4a" }\n')
    (out,) = tl.outputs
    assert [(o.name, o.value) for o in out.options] == [
        ("size", (1280, 720)), ("fps", Fraction(30)), ("preset", "draft")]
    assert [type(t) for t in tl.tracks] == [ast.VideoTrack, ast.AudioTrack]


def test_multiple_outputs() -> None:
    tl = parse('output "a.mp4" { fps 30 }\noutput "b.m4a" audio opus\n'
               'output "c.mp4"\nvideo { gap 1s }\noutput "d.webm" { video av1 }\n')
    assert [o.path.value for o in tl.outputs] == ["a.mp4", "b.m4a", "c.mp4", "d.webm"]
    assert [len(o.options) for o in tl.outputs] == [1, 1, 0, 1]
    assert tl.outputs[1].options[0].value == ("opus", None)


@pytest.mark.parametrize(("setting", "name", "value"), [
    ("fps 29.97", "fps", Fraction(30000, 1001)),
    ("fps 23.976", "fps", Fraction(24000, 1001)),
    ("fps 30000/1001", "fps", Fraction(30000, 1001)),
    ("fps 25", "fps", Fraction(25)),
    ("fps 12.5", "fps", Fraction(25, 2)),
    ("fps source", "fps", "source"),
    ("size source", "size", "source"),
    ("audio mp3 128000", "audio", ("mp3", 128000)),
    ("audio none", "audio", ("none", None)),
    ("audio copy", "audio", ("copy", None)),
    ("video copy", "video", "copy"),
    ("video none", "video", "none"),
    ("preset auto", "preset", "auto"),
    ("fit cover", "fit", "cover"),
    ("fit stretch", "fit", "stretch"),
    ("encoder nvenc", "encoder", "nvenc"),
    ("encoder my_plugin-2", "encoder", "my_plugin-2"),
    ("keyframes auto", "keyframes", "auto"),
])
def test_output_setting_values(setting: str, name: str, value: object) -> None:
    (out,) = parse(f'output "o.mp4" {{ {setting} }}').outputs
    (option,) = out.options
    assert (option.name, option.value) == (name, value)


# ---- items and their options ---------------------------------------------------------


@pytest.mark.parametrize(("text", "db"), [
    ("-6dB", -6.0), ("-6", -6.0), ("3dB", 3.0), ("+3dB", 3.0), ("-1.5db", -1.5)])
def test_volume_forms(text: str, db: float) -> None:
    (clip,) = video_items(f'clip "a.mp4" volume {text}')
    assert isinstance(clip, ast.Clip) and clip.volume_db == db


@pytest.mark.parametrize(("text", "fade_in", "fade_out"), [
    ("fade in 1s", 1, None),
    ("fade out 2s", None, 2),
    ("fade in 1s out 2s", 1, 2),
    ("fade out 2s in 1s", 1, 2),
    ("fade in 1s fade out 2s", 1, 2),
])
def test_fade_forms(text: str, fade_in: int | None, fade_out: int | None) -> None:
    clip = audio_item(f'clip "m.m4a" {text}')
    assert (clip.fade_in and clip.fade_in.seconds) == fade_in
    assert (clip.fade_out and clip.fade_out.seconds) == fade_out


def test_item_options_in_any_order() -> None:
    a = audio_item('clip "m.m4a" fade out 2s volume -3dB at 4s trim 1s..9s')
    assert (secs(a.at), a.volume_db, secs(a.fade_out)) == (4, -3.0, 2)
    assert a.trim is not None and a.trim.kind == "span"
    (clip,) = video_items('clip "a.mp4" mute volume 2dB trim 1s..')
    assert isinstance(clip, ast.Clip) and clip.mute and clip.volume_db == 2.0
    t = overlay_item('text "t" box font "f.ttf" color red size 20 pos 1,2 at 1s+1s')
    assert isinstance(t, ast.TextOverlay)
    assert (t.box, t.font and t.font.value, t.color, t.size, t.pos) == (
        True, "f.ttf", "red", 20, (1, 2))
    i = overlay_item('image "l.png" opacity 0.5 scale 100x50 at 0s..1s pos -10, 20')
    assert isinstance(i, ast.ImageOverlay)
    assert (i.opacity, i.scale, i.pos) == (0.5, (100, 50), (-10, 20))
    v = overlay_item('video "p.mp4" trim 5s.. scale 640x360 at 1s pos center')
    assert isinstance(v, ast.VideoOverlay) and v.trim is not None and v.pos == "center"


def test_still_image_and_items_on_one_line() -> None:
    items = video_items('image "card.png" for 2s clip "a.mp4" gap 500ms')
    still, clip, gap = items
    assert isinstance(still, ast.Still) and still.path.value == "card.png"
    assert secs(still.duration) == 2
    assert isinstance(clip, ast.Clip) and isinstance(gap, ast.Gap)
    assert secs(gap.duration) == Fraction(1, 2)


def test_spans_point_at_the_item() -> None:
    (clip,) = video_items('  clip "a.mp4" mute')
    assert isinstance(clip, ast.Clip)
    assert (clip.span.line, clip.span.column, clip.span.end_column) == (2, 3, 20)
    assert (clip.path.span.column, clip.path.span.end_column) == (8, 15)


# ---- errors ------------------------------------------------------------------------


def assert_caret(err: TlcError, line: int, column: int, first: str) -> list[str]:
    """``format_error`` gives FILE:LINE:COL: error: ..., the source line, a caret."""
    text = format_error(err)
    lines = text.splitlines()
    assert lines[0] == f"bad.tl:{line}:{column}: error: {first}"
    assert lines[2].index("^") == column - 1
    return lines


def test_unknown_keyword() -> None:
    err = error('video {\n  clip "a.mp4"\n  clp "b.mp4"\n}\n', ParseError)
    assert err.message == "unknown keyword 'clp'"
    assert err.hint == "did you mean 'clip'?"
    assert err.span is not None and (err.span.line, err.span.column) == (3, 3)
    lines = assert_caret(err, 3, 3, "unknown keyword 'clp'")
    assert lines[1:] == ['  clp "b.mp4"', "  ^~~", "hint: did you mean 'clip'?"]


@pytest.mark.parametrize(("text", "word", "hint"), [
    ("vidoe { }", "vidoe", "did you mean 'video'?"),
    ('video { clip "a" muted }', "muted", "did you mean 'mute'?"),
    ('overlay { text "t" at 0s..1s colr red }', "colr", "did you mean 'color'?"),
    ('output "a.mp4" { fsp 30 }', "fsp", "did you mean 'fps'?"),
    ("Video { }", "Video", "did you mean 'video'? keywords are lower case"),
])
def test_unknown_keyword_hints(text: str, word: str, hint: str) -> None:
    err = error(text, ParseError)
    assert (err.message, err.hint) == (f"unknown keyword '{word}'", hint)


def test_keyword_in_the_wrong_item() -> None:
    err = error('overlay {\n  text "t" at 0s..1s opacity 0.5\n}', ParseError)
    assert err.message == "'opacity' is not an option of text"
    assert err.hint == "text takes: at, box, color, font, pos, size"
    assert_caret(err, 2, 22, "'opacity' is not an option of text")


def test_time_without_unit() -> None:
    err = error("video {\n  gap 3\n}", ValidationError)
    assert_caret(err, 2, 7, "time needs a unit: write 3s, 3000ms or 180f")
    err = error('video { clip "a" trim 2.5..7s }', ValidationError)
    assert err.message == "time needs a unit: write 2.5s, 2500ms or 150f"


def test_range_end_before_start() -> None:
    err = error('video {\n  clip "a" trim 7s..2.5s\n}', ValidationError)
    lines = assert_caret(err, 2, 17, "range ends before it starts")
    assert lines[2] == "                ^~~~~~~~"
    assert error('video { clip "a" trim 48f..24f }').message == "range ends before it starts"
    assert error('video { clip "a" trim 01:00..59s }').message == "range ends before it starts"
    assert error('video { clip "a" trim 2s..2s }').message.startswith("range is empty")


def test_unterminated_string() -> None:
    err = error('video {\n  clip "media/a.mp4\n}', ParseError)
    lines = assert_caret(err, 2, 8, "unterminated string")
    assert lines[2] == "       ^~~~~~~~~~~~"


def test_missing_closing_brace() -> None:
    err = error('video {\n  clip "a.mp4" # the end\n', ParseError)
    assert err.message == "unexpected end of file: '}' missing"
    assert err.hint == "the '{' at line 1, column 7 is never closed"
    assert_caret(err, 2, 15, "unexpected end of file: '}' missing")


def test_repeated_option() -> None:
    err = error('video {\n  clip "a" trim 1s.. mute trim 2s..\n}', ValidationError)
    assert err.hint == "'trim' is already given at line 2, column 12"
    assert_caret(err, 2, 27, "repeated option 'trim'")
    err = error('audio { clip "a" fade in 1s out 1s fade out 2s }')
    assert err.message == "repeated option 'fade out'"


def test_repeated_setting() -> None:
    err = error('output "a.mp4" {\n  fps 30\n  fps 60\n}', ValidationError)
    assert err.hint == "'fps' is already given at line 2, column 3"
    assert_caret(err, 3, 3, "repeated setting 'fps'")
    err = error('output "a.m4a" audio aac\naudio opus\n')
    assert err.message == "repeated setting 'audio'"


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("video h265", "unknown video codec 'h265'", "did you mean 'hevc'?"),
    ("audio acc", "unknown audio codec 'acc'", "did you mean 'aac'?"),
    ("fit fill", "unknown fit 'fill'", "did you mean 'stretch'?"),
    ("preset fast", "unknown preset 'fast'", "use one of: draft, preview, production, auto"),
    ("preset prod", "unknown preset 'prod'", "did you mean 'production'?"),
    ("keyframes cuts", "unknown keyframes setting 'cuts'", "did you mean 'at-cuts'?"),
    ("size big", "unknown size 'big'",
     "write WIDTHxHEIGHT like 1920x1080, or source to keep the first clip's"),
    ("fps fast", "unknown frame rate 'fast'",
     "write a number like 60 or 29.97, or source to keep the first clip's"),
])
def test_unknown_setting_values(text: str, message: str, hint: str) -> None:
    err = error(f'output "a.mp4" {{ {text} }}', ValidationError)
    assert (err.message, err.hint) == (message, hint)
    assert err.span is not None and err.span.column == 18 + text.index(" ") + 1


@pytest.mark.parametrize(("text", "message"), [
    ('video { clip "" }', "empty path"),
    ('video { clip "a\\q.mp4" }', "unknown escape '\\q' in a string"),
    ('video { clip "a" trim 3sec.. }', "unknown time unit 'sec' in 3sec"),
    ('video { clip "a" trim 2s1m.. }', "time units out of order in 2s1m"),
    ('video { clip "a" trim 1.5f.. }', "frames must be a whole number, not 1.5f"),
    ('video { clip "a" trim 1s2f.. }', "frames cannot be combined with other units in 1s2f"),
    ('video { clip "a" trim 01:60.. }', "seconds must be below 60 in 01:60"),
    ('video { gap 1m70s }', "seconds must be below 60 in 1m70s"),
    ('video { gap 1h60m }', "minutes must be below 60 in 1h60m"),
    ('video { clip "a" trim -2s.. }', "a time cannot be negative: -2s"),
    ('video { clip "a" trim 1s+0s }', "range is empty: its duration is zero"),
    ("video { gap 0s }", "a gap must be longer than zero"),
    ('overlay { image "l.png" }', "an image needs 'at' to place it on the timeline"),
    ('overlay { image "l.png" at 2s }', "an image has no length of its own: give a range"),
    ('overlay { text "t" at 1s..2s opacity 2 }', "'opacity' is not an option of text"),
    ('overlay { image "i" at 1s..2s opacity 2 }', "opacity must be between 0 and 1, not 2"),
    ('overlay { text "t" at 1s..2s color #ff00 }', "'#ff00' is not a colour"),
    ('overlay { text "t" at 1s..2s size 0 }', "a text size must be greater than zero, not 0"),
    ('overlay { text "t" at 1s..2s pos left }', "unknown position 'left'"),
    ('overlay { image "i" at 1s..2s scale 0x10 }', "a scale must be greater than zero: 0x10"),
    ('audio { clip "a" at 1s..2s }', "an audio clip starts at a time, it takes no range"),
    ('output "a.mp4" { audio none 96k }', "'audio none' takes no bitrate"),
    ('output "a.mp4" { fps 0 }', "frame rate must be greater than zero, not 0"),
    ("fps 30", "output setting 'fps' outside an output"),
    ('video { clip "a" } }', "unexpected '}'"),
    ('video { clip "a" trim mute }', "expected a time like 2.5s or '..', found 'mute'"),
    ("video { clip media/a.mp4 }", "expected a quoted string, found 'media'"),
    ("video { clip 'a.mp4' }", "unexpected character \"'\""),
    ('video { clip "a" ; }', "unexpected character ';'"),
    ("video {\u00a0}", "unexpected character U+00A0 NO-BREAK SPACE"),
    ("video { clip", "unexpected end of file: expected a quoted string"),
])
def test_other_errors(text: str, message: str) -> None:
    err = error(text)
    assert err.message == message
    assert err.span is not None and err.span.line >= 1 and err.span.column >= 1
    assert err.source is not None
    assert format_error(err).startswith(f"bad.tl:{err.span.line}:{err.span.column}: error: ")


def test_escape_error_points_at_the_backslash() -> None:
    err = error('video { clip "C:\\media\\a.mp4" }')
    assert err.span is not None and (err.span.column, err.span.end_column) == (17, 19)
    assert err.hint is not None and "\\\\" in err.hint


def test_huge_numbers_are_errors_not_crashes() -> None:
    err = error("video { gap " + "9" * 5000 + "s }")
    assert "is not a usable number" in err.message and len(err.message) < 80


def test_import_does_not_load_lark() -> None:
    code = "import sys, tlc.syntax.parser; print('lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ---- nothing but TlcError comes out, whatever the text ------------------------------

_PIECES = ["clip", "video", "audio", "overlay", "output", "trim", "at", "..", "+", "fade",
           "in", "out", "{", "}", '"', "\\", "#", "#ff0000", "1s", "-6dB", "3", "1920x1080",
           "\n", " ", "01:02", "48f", "k", "x", ",", "é", "\u2028", "\x00", "'", ";", "30000/1001"]


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = CONTRACT_EXAMPLE
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "piece", "copy"]))
        if action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)):]
        elif action == "insert":
            text = text[:pos] + draw(st.text(max_size=4)) + text[pos:]
        elif action == "piece":
            text = text[:pos] + draw(st.sampled_from(_PIECES)) + text[pos:]
        else:
            start = draw(st.integers(0, len(text)))
            text = text[:pos] + text[start:start + draw(st.integers(1, 30))] + text[pos:]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), mutated_example()))
def test_only_tlc_errors_come_out(text: str) -> None:
    try:
        tl = parse(text, "fuzz.tl")
    except TlcError as err:
        assert err.span is not None and err.span.line >= 1 and err.span.column >= 1
        assert err.source is not None
        format_error(err)
    else:
        assert isinstance(tl, ast.Timeline)
