"""AST -> `.tl` text (tlc.syntax.unparse): parse(unparse(ast)) is ast, for every
example and fixture timeline, the seeds of the fuzz test, and random ASTs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlc.core.errors import NO_SPAN
from tlc.syntax import ast
from tlc.syntax.parser import parse, parse_lark
from tlc.syntax.unparse import time_text, unparse, without_spans

ROOT = Path(__file__).parent.parent
FILES = sorted([*ROOT.glob("examples/*.tl"), *ROOT.glob("tests/fixtures/passes/*.tl")])
EXTRA = [
    'output "o.mp4" { size 64x36 fps 29.97 video h264 audio aac 128k preset draft }\n'
    'video { clip "a.mp4" trim 0.5s..1.5s volume -3dB speed 1.25\n gap 500ms\n'
    ' transition wipeleft 12f\n image "logo.png" for 12f\n freeze "b.mp4" at 1m2.5s for 1s\n'
    ' clip "b.mp4" trim ..1s mute }\n'
    'overlay { text "Hi, it\'s \\"50%\\" {x}: [a];\\n\\\\o/\\t" at 0s..1s pos center size 12'
    " color #ff8800 box font \"f.ttf\"\n"
    ' image "logo.png" at 1s+1s pos 4,-2 scale 16x8 opacity 0.5\n'
    ' video "b.mp4" at 0.5s trim 0s..0.5s pos 0,0 scale 32x18 }\n'
    'audio { clip "tone.m4a" at 0.25s volume +2dB fade in 0.1s out 0.2s }\n'
    'subtitles "s.srt" soft lang eng size 20 font "f.ttf"\nchapter "Intro" at 1h\n',
    'output "o.m4a" audio aac 96k\naudio {\n  clip "tone.m4a" trim 00:00.100..00:00:01.5\n'
    '  clip "tone.m4a" fade out 1f\n}\n',
    'output "a.mp4" { size source fps source fit cover keyframes at-cuts encoder auto }\n'
    'output "b.mkv" { size 32x18 fps 30000/1001 video copy audio copy }\n'
    'output "c.webm" { fps 2997/125 audio opus 1.5M }\n'
    'video { clip "a.mp4" }\n',
    "video { }\n",
]


def same(text: str) -> None:
    tl = parse(text, "x.tl")
    out = unparse(tl)
    assert without_spans(parse(out)) == without_spans(tl), out
    assert without_spans(parse_lark(out)) == without_spans(tl), out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_files_round_trip(path: Path) -> None:
    same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", EXTRA)
def test_every_construct_round_trips(text: str) -> None:
    same(text)


def test_readable_layout() -> None:
    tl = parse('video { clip "a.mp4" trim 90s..3723.5s\n gap 0.25s }', "x.tl")
    notes = {tl.tracks[0]: "from track V1", tl.tracks[0].items[0]: 'clip "A001"\nline 2'}
    text = unparse(tl, notes=notes.get, header=["converted from x.otio"], output_path="x.mp4")
    assert text.startswith("# converted from x.otio\n\n# ---- Output")
    assert '\n# output "x.mp4"\n' in text
    assert "video {  " in text and "# from track V1" in text
    assert 'clip "a.mp4" trim 1m30s..1h2m3.5s' in text
    assert '# clip "A001" line 2\n' in text  # (a note is one line)
    assert "  gap 250ms\n" in text


def test_times_exact_or_refused() -> None:
    assert time_text(ast.Time(Fraction(1, 40), None, NO_SPAN)) == "25ms"
    assert time_text(ast.Time(Fraction(3723), None, NO_SPAN)) == "1h2m3s"
    assert time_text(ast.Time(Fraction(0), None, NO_SPAN)) == "0s"
    with pytest.raises(ValueError, match="frames"):
        time_text(ast.Time(Fraction(1, 3), None, NO_SPAN))


# ---- random ASTs ---------------------------------------------------------------------

S = NO_SPAN
seconds = st.integers(0, 10**7).map(lambda n: Fraction(n, 1000))
times = st.one_of(
    seconds.map(lambda s: ast.Time(s, None, S)),
    st.integers(0, 10**6).map(lambda n: ast.Time(None, n, S)),
)
positive = times.filter(lambda t: (t.seconds or t.frames or 0) > 0)
text = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=12)
paths = text.filter(bool).map(lambda v: ast.Path(v, S))
name = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@st.composite
def ranges(draw: st.DrawFn, point: bool = True) -> ast.Range:
    kinds = ["span", "dur", "from", "to"] + (["point"] if point else [])
    kind = draw(st.sampled_from(kinds))
    a = draw(times)
    if kind == "span":
        b = draw(times)
        if (a.frames is None) == (b.frames is None):
            b = ast.Time(a.seconds + b.seconds + 1 if a.seconds is not None else None,
                         a.frames + b.frames + 1 if a.frames is not None else None, S)
        return ast.Range("span", a, b, None, S)
    if kind == "dur":
        return ast.Range("dur", a, None, draw(positive), S)
    if kind == "to":
        return ast.Range("to", None, a, None, S)
    return ast.Range(kind, a, None, None, S)  # type: ignore[arg-type]


volumes = st.one_of(st.none(), st.floats(-200, 200, allow_nan=False))
positions = st.one_of(st.none(), st.just("center"), st.tuples(st.integers(-999, 9999),
                                                               st.integers(-999, 9999)))
scales = st.one_of(st.none(), st.tuples(st.integers(1, 4096), st.integers(1, 4096)))
speeds = st.one_of(st.none(), st.integers(1, 10000).map(lambda n: Fraction(n, 100)))

video_items = st.one_of(
    st.builds(ast.Clip, paths, st.one_of(st.none(), ranges()), st.booleans(), volumes,
              st.just(S), speeds),
    st.builds(ast.Gap, positive, st.just(S)),
    st.builds(ast.Still, paths, positive, st.just(S)),
    st.builds(ast.Transition, name, st.just(S), positive, st.just(S)),
    st.builds(ast.Freeze, paths, times, positive, st.just(S)),
)
overlay_items = st.one_of(
    st.builds(ast.ImageOverlay, paths, ranges(point=False), positions, scales,
              st.one_of(st.none(), st.floats(0, 1)), st.just(S)),
    st.builds(ast.TextOverlay, text, ranges(point=False), positions,
              st.one_of(st.none(), st.integers(1, 4096)),
              st.one_of(st.none(), st.sampled_from(["white", "black", "#ff8800", "Red"])),
              st.one_of(st.none(), paths), st.booleans(), st.just(S)),
    st.builds(ast.VideoOverlay, paths, ranges(), st.one_of(st.none(), ranges()), positions,
              scales, st.just(S)),
)
audio_items = st.builds(
    ast.AudioClip, paths, st.one_of(st.none(), ranges()), st.one_of(st.none(), times), volumes,
    st.one_of(st.none(), times), st.one_of(st.none(), times), st.just(S),
)
tracks = st.one_of(
    st.builds(ast.VideoTrack, st.lists(video_items, max_size=5).map(tuple), st.just(S)),
    st.builds(ast.OverlayTrack, st.lists(overlay_items, max_size=4).map(tuple), st.just(S)),
    st.builds(ast.AudioTrack, st.lists(audio_items, max_size=4).map(tuple), st.just(S)),
)
options = st.one_of(
    st.tuples(st.integers(1, 16384), st.integers(1, 16384)).map(lambda v: ("size", v)),
    st.just(("size", "source")),
    st.fractions(min_value=1, max_value=240, max_denominator=1001).map(lambda v: ("fps", v)),
    st.tuples(st.sampled_from(["aac", "opus", "mp3"]),
              st.one_of(st.none(), st.integers(1, 10_000_000))).map(lambda v: ("audio", v)),
    st.sampled_from(["h264", "hevc", "av1", "copy", "none"]).map(lambda v: ("video", v)),
    st.sampled_from(["draft", "preview", "production", "auto"]).map(lambda v: ("preset", v)),
    st.sampled_from(["contain", "cover", "stretch"]).map(lambda v: ("fit", v)),
    st.sampled_from(["at-cuts", "auto"]).map(lambda v: ("keyframes", v)),
    name.map(lambda v: ("encoder", v)),
)
outputs = st.builds(
    ast.Output, paths,
    st.lists(options, max_size=5, unique_by=lambda o: o[0]).map(
        lambda opts: tuple(ast.Option(n, v, S) for n, v in opts)),
    st.just(S),
)
subtitles = st.builds(
    ast.Subtitles, paths, st.sampled_from([None, "burn", "soft"]),
    st.one_of(st.none(), st.from_regex(r"[a-z]{3}", fullmatch=True)),
    st.one_of(st.none(), st.integers(1, 4096)), st.one_of(st.none(), paths), st.just(S),
)
chapters = st.builds(ast.Chapter, text.filter(str.strip), times, st.just(S))
timelines = st.builds(
    ast.Timeline, st.lists(outputs, max_size=2).map(tuple), st.lists(tracks, max_size=4).map(tuple),
    st.just(""), st.just(""), st.lists(subtitles, max_size=2).map(tuple),
    st.lists(chapters, max_size=3).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(timelines)
def test_random_asts_round_trip(tl: ast.Timeline) -> None:
    text = unparse(tl)
    assert without_spans(parse(text)) == without_spans(tl), text
    assert without_spans(parse_lark(text)) == without_spans(tl), text


def test_times_no_decimal_says_are_frames_at_the_rate() -> None:
    t = ast.Time(Fraction(1001, 30000) * 7, None, NO_SPAN)
    clip = ast.Clip(ast.Path("a.mp4", NO_SPAN), ast.Range("dur", t, None, t, NO_SPAN), False,
                    None, NO_SPAN)
    fps = ast.Option("fps", Fraction(30000, 1001), NO_SPAN)
    out = ast.Output(ast.Path("o.mp4", NO_SPAN), (fps,), NO_SPAN)
    tl = ast.Timeline((out,), (ast.VideoTrack((clip,), NO_SPAN),), "", "")
    text = unparse(tl, notes=lambda node: "here" if node == clip else None)
    assert 'clip "a.mp4" trim 7f+7f' in text and "fps 29.97" in text
    assert text.rstrip("\n}").endswith("# here")
    back = parse(text)
    trim = back.tracks[0].items[0].trim  # type: ignore[union-attr]
    assert (trim.start.frames, trim.duration.frames) == (7, 7)
    # no rate: to the microsecond
    alone = ast.Timeline((), (ast.VideoTrack((clip,), NO_SPAN),), "", "")
    assert "trim 0.233567s+0.233567s" in unparse(alone)


def test_an_edit_at_its_own_rate_gets_an_output_of_that_rate() -> None:
    w = NO_SPAN
    clip = ast.Clip(ast.Path("a.mov", w), ast.Range("dur", ast.Time(Fraction(0), None, w), None,
                    ast.Time(Fraction(1001, 1000), None, w), w), True, None, w,
                    Fraction(119, 60))
    gap = ast.Gap(ast.Time(Fraction(13 * 1001, 24000), None, w), w)
    tl = ast.Timeline((), (ast.VideoTrack((gap, clip), w),), "e.otio", "",
                      fps=Fraction(24000, 1001))
    text = unparse(tl, output_path="e.mp4")
    assert '\noutput "e.mp4" { fps 23.976 }\n' in text and "runs at 23.976 fps" in text
    # (no .tl says 119/60: the speed is written to the millionth)
    assert "  gap 13f\n" in text and "trim 0s+1.001s speed 1.983333 mute" in text
    back = parse(text)
    assert back.outputs[0].options[0].value == Fraction(24000, 1001)
