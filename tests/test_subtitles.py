"""Subtitles (`subtitles PATH [burn | soft] [lang CODE] [size N] [font PATH]`): burned
into the picture by libass in the one filter graph, or soft streams a player can switch
off, in the codec each container holds, with their language, cut at the timeline's end.
Real ffmpeg, tiny media (160x90, 10 fps, 3 s, preset draft)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import av
import pytest
from test_cli_errors import located

import tlc
from tlc.api import compile_timeline, context

SRT = """1
00:00:00,500 --> 00:00:01,500
HELLO THERE

2
00:00:02,000 --> 00:00:05,000
ACROSS THE END

3
00:00:04,000 --> 00:00:05,000
AFTER THE END
"""

VTT = """WEBVTT

00:00:00.500 --> 00:00:01.500
BONJOUR
"""

ASS = """[Script Info]
ScriptType: v4.00+
PlayResX: 160
PlayResY: 90

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, BackColour, Bold, Italic, Alignment, MarginV
Style: Default,DejaVu Sans,20,&H00FFFFFF,&H00000000,0,0,2,10

[Events]
Format: Layer, Start, End, Style, Text
Dialogue: 0,0:00:00.50,0:00:01.50,Default,HALLO
"""

HOSTILE = "it's: a,b;[c]\\ 100% é \"q\"/s ub'[x],;:%=.srt"


def tl_text(outputs: str, body: str = "", video: str = "gap 3s") -> str:
    return f"{outputs}\nvideo {{\n  {video}\n}}\n{body}\n"


def out(path: str, extra: str = "") -> str:
    return f'output "{path}" {{ size 160x90 fps 10 preset draft {extra}}}'


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    (tmp_path / "s.srt").write_text(SRT, encoding="utf-8")
    (tmp_path / "s.vtt").write_text(VTT, encoding="utf-8")
    (tmp_path / "s.ass").write_text(ASS, encoding="utf-8")
    return tmp_path


def export(proj: Path, text: str, name: str = "t.tl") -> list[str]:
    tl = proj / name
    tl.write_text(text, encoding="utf-8")
    return tlc.export(str(tl))


def frame(path: str | Path, t: float) -> bytes:
    """The RGB bytes of the frame shown at ``t`` seconds."""
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            if f.time is not None and f.time >= t - 1e-6:
                return bytes(f.reformat(format="rgb24").planes[0])
    raise AssertionError(f"no frame at {t}s in {path}")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 (a checksum, not security)


#: PyAV names a stream by its decoder: ffmpeg's codecs subrip and ass decode as srt, ssa
_CODECS = {"srt": "subrip", "ssa": "ass"}


def subtitle_streams(path: str | Path) -> list[tuple[str, str | None]]:
    """(codec, language) of each subtitle stream."""
    with av.open(str(path)) as c:
        return [(_CODECS.get(s.codec_context.name, s.codec_context.name),
                 s.metadata.get("language")) for s in c.streams if s.type == "subtitle"]


def cues(path: str | Path, index: int = 0) -> list[tuple[float, float]]:
    """(start, end) in seconds of the cues of the ``index``-th subtitle stream."""
    with av.open(str(path)) as c:
        stream = c.streams.subtitles[index]
        return [
            (float(p.pts * p.time_base), float((p.pts + p.duration) * p.time_base))
            for p in c.demux(stream)
            if p.size > 2 and p.pts is not None  # (mov_text writes empty cues between)
        ]


# ---- burned ----------------------------------------------------------------------------


def test_burned_subtitles_show_during_a_cue_only(proj: Path) -> None:
    (burned,) = export(proj, tl_text(out("b.mp4", "audio none"), 'subtitles "s.srt"'))
    (plain,) = export(proj, tl_text(out("p.mp4", "audio none")), "p.tl")

    assert frame(burned, 1.0) != frame(burned, 0.2)  # the cue, and black
    assert frame(burned, 1.0) != frame(plain, 1.0)
    assert frame(burned, 0.2) == frame(plain, 0.2)
    assert frame(burned, 1.8) == frame(plain, 1.8)  # between cues


def test_burned_subtitles_from_a_hostile_path_draw_the_same_pixels(proj: Path) -> None:
    hostile = proj / HOSTILE
    hostile.parent.mkdir()
    shutil.copy(proj / "s.srt", hostile)
    path = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    (bad,) = export(proj, tl_text(out("h.mp4", "audio none"), f'subtitles "{path}" size 24'))
    (ref,) = export(proj, tl_text(out("r.mp4", "audio none"), 'subtitles "s.srt" size 24'),
                    "r.tl")

    assert md5(frame(bad, 1.0)) == md5(frame(ref, 1.0))
    assert md5(frame(bad, 1.0)) != md5(frame(bad, 0.2))


def test_size_makes_burned_text_bigger(proj: Path) -> None:
    (small,) = export(proj, tl_text(out("s.mp4", "audio none"), 'subtitles "s.srt" size 16'))
    (big,) = export(proj, tl_text(out("b.mp4", "audio none"), 'subtitles "s.srt" size 48'),
                    "b.tl")

    def lit(path: str) -> int:
        return sum(1 for b in frame(path, 1.0)[::3] if b > 40)

    assert lit(big) > 2 * lit(small) > 0


def test_overlays_captions_and_burned_subtitles_are_one_run_with_subtitles_on_top(
    proj: Path,
) -> None:
    from media import make_image

    make_image(proj / "logo.png", (32, 24))
    text = tl_text(
        out("o.mp4"),
        'overlay {\n  image "logo.png" at 0s..2s\n  text "CAPTION" at 0s..3s size 12\n}\n'
        'subtitles "s.ass" burn\n',
    )
    (step,) = compile_timeline(text, str(proj / "o.tl"), context()).steps
    graph = step.argv[step.argv.index("-filter_complex") + 1]
    assert graph.index("overlay") < graph.index("drawtext") < graph.index("subtitles=")


def test_ass_and_vtt_files_burn(proj: Path) -> None:
    for ext in ("ass", "vtt"):
        (done,) = export(proj, tl_text(out(f"{ext}.mp4", "audio none"), f'subtitles "s.{ext}"'),
                         f"{ext}.tl")
        assert frame(done, 1.0) != frame(done, 0.2), ext


# ---- soft ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extra", "codecs"),
    [
        ("o.mp4", "", [("mov_text", "eng"), ("mov_text", "fra")]),
        ("o.mov", "", [("mov_text", "eng"), ("mov_text", "fra")]),
        ("o.mkv", "", [("subrip", "eng"), ("webvtt", "fra")]),
        ("o.webm", "video av1 ", [("webvtt", "eng"), ("webvtt", "fra")]),
    ],
)
def test_soft_subtitles_are_streams_in_the_containers_codec_with_their_language(
    proj: Path, name: str, extra: str, codecs: list[tuple[str, str]]
) -> None:
    body = 'subtitles "s.srt" soft lang eng\nsubtitles "s.vtt" soft lang fra\n'
    (done,) = export(proj, tl_text(out(name, extra), body))

    found = subtitle_streams(done)
    assert found == codecs
    with av.open(done) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1


def test_a_soft_track_from_a_hostile_path(proj: Path) -> None:
    hostile = proj / HOSTILE
    hostile.parent.mkdir()
    shutil.copy(proj / "s.srt", hostile)
    path = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    (done,) = export(proj, tl_text(out("h.mkv"), f'subtitles "{path}" soft lang deu'))
    assert subtitle_streams(done) == [("subrip", "deu")]
    assert cues(done) == [(0.5, 1.5), (2.0, 3.0)]


def test_ass_stays_ass_in_matroska(proj: Path) -> None:
    (done,) = export(proj, tl_text(out("a.mkv"), 'subtitles "s.ass" soft'))
    assert subtitle_streams(done) == [("ass", None)]


@pytest.mark.parametrize("name", ["c.mp4", "c.mkv"])
def test_soft_cues_past_the_end_are_cut(proj: Path, name: str) -> None:
    (done,) = export(proj, tl_text(out(name), 'subtitles "s.srt" soft'))

    assert cues(done) == [(0.5, 1.5), (2.0, 3.0)]  # the third starts at 4 s: dropped
    with av.open(done) as c:
        assert c.duration is not None and abs(c.duration / 1e6 - 3.0) < 0.05


def test_soft_and_burned_at_once(proj: Path) -> None:
    body = 'subtitles "s.srt" soft lang eng\nsubtitles "s.vtt"\n'
    (done,) = export(proj, tl_text(out("sb.mp4", "audio none"), body))
    assert subtitle_streams(done) == [("mov_text", "eng")]
    assert frame(done, 1.0) != frame(done, 0.2)


def test_a_timeline_with_subtitles_is_exported_in_one_run_not_in_segments(proj: Path) -> None:
    from tlc.segmented.export import not_segmentable

    text = tl_text(out("o.mp4"), 'subtitles "s.srt"')
    compiled = compile_timeline(text, str(proj / "o.tl"), context())
    assert not_segmentable(compiled.plan.timeline) == "it has subtitles"


# ---- errors, through the CLI -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "column", "message"),
    [
        ('subtitles "s.txt"', 5, 11, "unknown subtitle file type '.txt'"),
        ('subtitles "gone.srt"', 5, 11, "subtitle file not found: gone.srt"),
        ('subtitles "fake.srt"', 5, 11, "not a subtitle file"),
        ('subtitles "s.srt"\nsubtitles "s.vtt" burn', 6, 1, "only one subtitles file"),
        ('subtitles "s.srt" lang English', 5, 24, "'English' is not a language code"),
        ('subtitles "s.srt" lang ENG', 5, 24, "'ENG' is not a language code"),
        ('subtitles "s.srt" burn soft', 5, 24, "either burned or soft"),
        ('subtitles "s.srt" font "s.srt"', 5, 24, "not a font file"),
    ],
)
def test_subtitle_errors_are_located(
    proj: Path, run_tlc, body: str, line: int, column: int, message: str
) -> None:
    (proj / "fake.srt").write_bytes(b"\x00\x01\x02 not subtitles at all" * 50)
    tl = proj / "e.tl"
    tl.write_text(tl_text(out("e.mp4"), body), encoding="utf-8")

    proc = run_tlc("check", tl, cwd=proj)

    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert located(proc.stderr, tl, line, column), proc.stderr


def test_soft_subtitles_into_an_audio_file_are_an_error(proj: Path, run_tlc) -> None:
    tl = proj / "a.tl"
    tl.write_text(tl_text(out("e.mp4") + '\noutput "song.mp3"', 'subtitles "s.srt" soft'),
                  encoding="utf-8")

    proc = run_tlc("check", tl, cwd=proj)

    assert proc.returncode == 2, proc.stderr
    assert "'song.mp3' cannot hold a subtitle track" in proc.stderr
    assert located(proc.stderr, tl, 6, 1), proc.stderr


def test_burning_into_copied_video_is_an_error(proj: Path, run_tlc) -> None:
    from media import make_video

    make_video(proj / "a.mp4", 1, size=(160, 90), fps=10)
    tl = proj / "c.tl"
    tl.write_text('output "c.mp4" { video copy }\nvideo {\n  clip "a.mp4"\n}\n'
                  'subtitles "s.srt"\n', encoding="utf-8")

    proc = run_tlc("check", tl, cwd=proj)

    assert proc.returncode == 2, proc.stderr
    assert "its video is copied" in proc.stderr
    assert located(proc.stderr, tl, 5, 1), proc.stderr


SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


@pytest.mark.skipif(not SERIF.exists(), reason="needs DejaVu Serif")
def test_font_draws_burned_subtitles_in_that_font(proj: Path) -> None:
    from tlc.media.subtitles import font_family

    (proj / "fonts").mkdir()
    shutil.copy(SERIF, proj / "fonts" / "serif.ttf")
    assert font_family(str(proj / "fonts" / "serif.ttf")) == "DejaVu Serif"
    (serif,) = export(proj, tl_text(out("f.mp4", "audio none"),
                                    'subtitles "s.srt" size 30 font "fonts/serif.ttf"'))
    (plain,) = export(proj, tl_text(out("d.mp4", "audio none"), 'subtitles "s.srt" size 30'),
                      "d.tl")
    assert frame(serif, 1.0) != frame(plain, 1.0)
    assert frame(serif, 1.0) != frame(serif, 0.2)
