"""Chapters (`chapter "TITLE" at T`): written into MP4, MOV, MKV and M4A outputs with an
ffmetadata input, each lasting to the next chapter or the end; titles of any characters.
Real ffmpeg, tiny media."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import pytest
from test_cli_errors import located

import tlc
from tlc.api import compile_timeline, context
from tlc.syntax.parser import parse_fast, parse_lark

TITLES = 'chapter "Intro = a; b # c \\\\ d" at 0s\nchapter "Two\\nlines" at 1.5s\n'


def tl_text(name: str, body: str, extra: str = "") -> str:
    return (f'output "{name}" {{ size 160x90 fps 10 preset draft {extra}}}\n'
            f"video {{\n  gap 3s\n}}\n{body}")


def chapters(path: str | Path) -> list[tuple[Fraction, Fraction, str]]:
    with av.open(str(path)) as c:
        return [
            (ch["start"] * ch["time_base"], ch["end"] * ch["time_base"], ch["metadata"]["title"])
            for ch in c.chapters()
        ]


def export(tmp: Path, text: str, name: str = "t.tl") -> list[str]:
    tl = tmp / name
    tl.write_text(text, encoding="utf-8")
    return tlc.export(str(tl))


@pytest.mark.parametrize("name", ["c.mp4", "c.mkv", "c.mov"])
def test_chapters_are_listed_with_titles_and_times(tmp_path: Path, name: str) -> None:
    (done,) = export(tmp_path, tl_text(name, TITLES))

    assert chapters(done) == [
        (0, Fraction(3, 2), "Intro = a; b # c \\ d"),
        (Fraction(3, 2), 3, "Two\nlines"),
    ]


def test_chapters_in_an_audio_file(tmp_path: Path) -> None:
    text = ('output "c.m4a"\naudio {\n  clip "a.m4a"\n}\n'
            'chapter "One" at 0s\nchapter "Two" at 1s\n')
    from media import make_audio

    make_audio(tmp_path / "a.m4a", 2)
    (done,) = export(tmp_path, text)
    assert [title for _, _, title in chapters(done)] == ["One", "Two"]


def test_chapters_written_out_of_order_are_sorted(tmp_path: Path) -> None:
    (done,) = export(tmp_path, tl_text("s.mkv", 'chapter "B" at 2s\nchapter "A" at 0s\n'))
    assert chapters(done) == [(0, 2, "A"), (2, 3, "B")]


def test_a_file_without_chapters_compiles_as_before(tmp_path: Path) -> None:
    (step,) = compile_timeline(tl_text("n.mp4", ""), str(tmp_path / "n.tl"), context()).steps
    assert "-map_chapters" not in step.argv and "ffmetadata" not in step.argv


def test_chapters_are_ignored_with_a_warning_where_the_container_has_none(
    tmp_path: Path,
) -> None:
    compiled = compile_timeline(tl_text("w.webm", 'chapter "A" at 0s\n', "video av1 "),
                                str(tmp_path / "w.tl"), context())
    (step,) = compiled.steps
    assert "-map_chapters" not in step.argv
    assert any("hold no chapters" in w for w in compiled.warnings)


def test_the_fast_path_reads_subtitles_and_chapters_as_lark_does() -> None:
    text = tl_text("o.mp4", 'subtitles "a.srt" soft lang eng size 20 font "f.ttf"\n'
                   'subtitles "b.ass"\n' + TITLES + 'chapter "Z" at 25f\n')
    fast = parse_fast(text, "x.tl")
    assert fast is not None
    assert fast == parse_lark(text, "x.tl")
    assert [s.mode for s in fast.subtitles] == ["soft", None]
    assert [c.title for c in fast.chapters][-1] == "Z"


@pytest.mark.parametrize(
    ("body", "line", "column", "message"),
    [
        ('chapter "Late" at 3s', 5, 19, "outside the timeline"),
        ('chapter "Late" at 1m', 5, 19, "outside the timeline"),
        ('chapter "Neg" at -1s', 5, 18, "cannot be negative"),
        ('chapter "A" at 1s\nchapter "B" at 1000ms', 6, 16, "two chapters start at 1s"),
        ('chapter "" at 1s', 5, 9, "needs a title"),
        ('chapter "A"', 5, 12, "expected 'at'"),
    ],
)
def test_chapter_errors_are_located(
    tmp_path: Path, run_tlc, body: str, line: int, column: int, message: str
) -> None:
    tl = tmp_path / "e.tl"
    tl.write_text(tl_text("e.mp4", body + "\n"), encoding="utf-8")

    proc = run_tlc("check", tl, cwd=tmp_path)

    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert located(proc.stderr, tl, line, column), proc.stderr


def test_chapters_reach_ffmpeg_as_ffmpeg_reads_them_back(tmp_path: Path) -> None:
    """The ffmetadata escaping, read back by ffmpeg itself."""
    from tlc.core.toolchain import find_ffmpeg

    (done,) = export(tmp_path, tl_text("f.mkv", TITLES))
    proc = subprocess.run([find_ffmpeg().path, "-v", "error", "-i", done, "-f", "ffmetadata",
                           "-"], capture_output=True, text=True, check=True)
    assert "title=Intro \\= a\\; b \\# c \\\\ d" in proc.stdout


def test_every_pass_keeps_soft_subtitles_and_chapters(tmp_path: Path) -> None:
    from tlc.ir import sinks

    (tmp_path / "s.srt").write_text("1\n00:00:00,500 --> 00:00:01,000\nHI\n", encoding="utf-8")
    text = tl_text("k.mkv", 'subtitles "s.srt" soft lang eng\n' + TITLES)
    seen = []

    def check(name: str, plan) -> None:  # type: ignore[no-untyped-def]
        (out,) = [s for s in sinks(plan) if s.role == "output"]
        assert [s.media for s in out.streams].count("s") == 1, name
        assert len(out.chapters) == 2, name
        seen.append(name)

    (step,) = compile_timeline(text, str(tmp_path / "k.tl"), context(), on_pass=check).steps
    assert len(seen) > 5
    assert "-map_chapters" in step.argv and "-c:s:0" in step.argv
