"""``speed`` and ``freeze`` (language contract, version 2, "Speed and freeze frames"):
how long the item lasts, what is heard (the pitch kept) and seen, and the errors.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from media import make_video
from test_cli_errors import Case, check_case
from verify import decoded_audio, facts

import tlc
from tlc.lower.audio_chains import tempo_stages
from tlc.syntax.fast import parse_fast
from tlc.syntax.parser import parse_lark

HEAD = 'output "out.mp4" { size 64x36 fps 10 preset draft }\n'
AAC_FRAME = 1024 / 48000


def dominant_hz(samples: list[int], rate: int = 48000) -> float:
    import numpy as np

    x = np.array(samples[rate // 10 : -rate // 10], dtype=float)  # (not the fades' edges)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(spectrum.argmax())])


@pytest.mark.parametrize(("speed", "seconds"), [("2", 2.0), ("4", 1.0), ("0.5", 8.0)])
def test_a_faster_or_slower_clip_lasts_its_range_over_its_speed_at_the_same_pitch(
        tmp_path: Path, speed: str, seconds: float) -> None:
    make_video(tmp_path / "tone.mp4", 4, size=(64, 36), fps=25)  # a 440 Hz tone
    tl = tmp_path / "s.tl"
    tl.write_text(HEAD + f'video {{\n  clip "tone.mp4" speed {speed}\n}}\n')
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == round(seconds * 10)  # on the output's frame grid, exactly
    assert abs((f.audio_seconds or 0) - seconds) <= AAC_FRAME
    assert abs(dominant_hz(decoded_audio(out)) - 440) < 5  # tempo, not pitch


def test_a_clips_speed_resamples_its_frames_onto_the_grid(tmp_path: Path) -> None:
    """At speed 2, output frame k (at 10 fps) is the source's frame at 2k / 10 s into its
    range: every other frame of a 10 fps source."""
    import av
    import numpy as np

    make_video(tmp_path / "c.mp4", 4, size=(64, 36), fps=10, audio=False)
    tl = tmp_path / "s.tl"
    tl.write_text(HEAD + 'video {\n  clip "c.mp4" trim 1s..3s speed 2\n}\n')
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    with av.open(str(tmp_path / "c.mp4")) as c:
        src = [fr.to_ndarray(format="rgb24").astype(int) for fr in c.decode(video=0)]
    with av.open(str(out)) as c:
        got = [fr.to_ndarray(format="rgb24").astype(int) for fr in c.decode(video=0)]
    assert len(got) == 10
    for k in (0, 3, 7):
        diffs = [float(np.abs(got[k] - s).mean()) for s in src]
        assert int(np.argmin(diffs)) == 10 + 2 * k, diffs


def test_speed_with_mute_has_no_sound(tmp_path: Path) -> None:
    make_video(tmp_path / "tone.mp4", 2, size=(64, 36), fps=10)
    tl = tmp_path / "m.tl"
    tl.write_text(HEAD + 'video {\n  clip "tone.mp4" speed 2 mute\n}\n')
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    samples = decoded_audio(out)
    assert abs(len(samples) / 48000 - 1.0) <= AAC_FRAME
    assert max(abs(s) for s in samples) == 0
    assert "atempo" not in " ".join(tlc.compile(str(tl)).steps[0].argv)


def test_atempo_is_chained_within_its_range() -> None:
    assert tempo_stages(Fraction(1)) == []
    assert tempo_stages(Fraction(2)) == [2]
    assert tempo_stages(Fraction(4)) == [2, 2]
    assert tempo_stages(Fraction(100)) == [2, 2, 2, 2, 2, 2, Fraction(100, 64)]
    assert tempo_stages(Fraction(1, 5)) == [Fraction(1, 2), Fraction(1, 2), Fraction(4, 5)]
    for speed in (Fraction(3), Fraction(1, 100), Fraction(5, 4), Fraction(99)):
        stages = tempo_stages(speed)
        assert all(Fraction(1, 2) <= s <= 2 for s in stages)
        product = Fraction(1)
        for s in stages:
            product *= s
        assert product == speed


def test_a_freeze_holds_the_frame_at_its_time_in_silence(tmp_path: Path) -> None:
    import av
    import numpy as np

    make_video(tmp_path / "c.mp4", 3, size=(64, 36), fps=10)
    tl = tmp_path / "f.tl"
    tl.write_text(HEAD + 'video {\n  clip "c.mp4" trim 0s+1s\n  freeze "c.mp4" at 1.5s for 2s\n'
                  '  transition dissolve 0.5s\n  clip "c.mp4" trim 0s+1s\n}\n')
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == 10 + 20 + 10 - 5
    with av.open(str(tmp_path / "c.mp4")) as c:
        src = [fr.to_ndarray(format="rgb24").astype(int) for fr in c.decode(video=0)]
    with av.open(str(out)) as c:
        got = [fr.to_ndarray(format="rgb24").astype(int) for fr in c.decode(video=0)]
    held = got[10:25]  # the freeze alone (before the dissolve)
    for frame in held:
        diffs = [float(np.abs(frame - s).mean()) for s in src]
        assert int(np.argmin(diffs)) == 15, diffs  # the source's frame at 1.5 s
    samples = decoded_audio(out)
    assert abs(len(samples) / 48000 - 3.5) <= AAC_FRAME
    # silent while it is held: after the first clip's tone, before the dissolve
    assert max(abs(s) for s in samples[int(1.1 * 48000) : int(2.4 * 48000)]) == 0


def test_both_parsers_read_the_edit_items_alike() -> None:
    text = (HEAD + 'video {\n  clip "a.mp4" trim 1s..3s speed 1.25 mute\n'
            '  transition wipeleft 500ms\n  freeze "a.mp4" at 1s for 2s\n'
            '  transition dissolve 12f\n  gap 1s\n}\n')
    fast = parse_fast(text, "t.tl")
    assert fast is not None
    assert fast == parse_lark(text, "t.tl")
    clip, tr, freeze = fast.tracks[0].items[:3]
    assert clip.speed == Fraction(5, 4)
    assert (tr.name, tr.duration.seconds) == ("wipeleft", Fraction(1, 2))
    assert (freeze.at.seconds, freeze.duration.seconds) == (1, 2)


H = 'output "out/e.mp4" { size 320x180 fps 25 preset draft }\n'
ERRORS = {
    "speed zero": Case(H + 'video {\n  clip "media/a.mp4" speed 0\n}\n', 3, "0",
                       ("speed", "above 0")),
    "speed negative": Case(H + 'video {\n  clip "media/a.mp4" speed -2\n}\n', 3, "-2",
                           ("speed",)),
    "speed over 100": Case(H + 'video {\n  clip "media/a.mp4" speed 101\n}\n', 3, "101",
                           ("at most 100",)),
    "speed twice": Case(H + 'video {\n  clip "media/a.mp4" speed 2 speed 3\n}\n', 3,
                        "speed 3", ("repeated",)),
    "a freeze past the end of its video": Case(
        H + 'video {\n  freeze "media/a.mp4" at 5s for 1s\n}\n', 3, "5s", ("past the end",)),
    "a freeze of an image": Case(
        H + 'video {\n  freeze "media/logo.png" at 0s for 1s\n}\n', 3, '"media/logo.png"',
        ("not a video",)),
    "a freeze of no time": Case(
        H + 'video {\n  freeze "media/a.mp4" at 1s for 0s\n}\n', 3, "0s", ("longer than zero",)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_a_speed_or_freeze_error_is_reported_with_a_caret(
        name: str, cli_project: Path, run_tlc) -> None:
    check_case(run_tlc, cli_project, ERRORS[name])


@pytest.mark.parametrize(("edit", "says"), [
    ('  clip "media/a.mp4"\n  transition dissolve 1s\n  clip "media/b.mp4"\n', "transition"),
    ('  clip "media/a.mp4" speed 2\n', "speed"),
])
def test_video_copy_of_a_transition_or_a_speed_is_an_error(
        edit: str, says: str, cli_project: Path, run_tlc) -> None:
    tl = cli_project / "copy.tl"
    tl.write_text('output "out/e.mp4" { video copy }\nvideo {\n' + edit + "}\n")
    proc = run_tlc("check", tl, cwd=cli_project)
    assert proc.returncode == 2, proc.stderr
    assert "video copy" in proc.stderr and says in proc.stderr, proc.stderr


def test_a_freeze_in_the_last_frame_of_its_video_holds_that_frame(tmp_path: Path) -> None:
    """A seek between two frames finds the next one, and in the last frame none: the
    freeze is of the frame on screen at its time."""
    make_video(tmp_path / "c.mp4", 3, size=(64, 36), fps=10)
    tl = tmp_path / "f.tl"
    tl.write_text(HEAD + 'video {\n  freeze "c.mp4" at 2.97s for 1s\n'
                  '  freeze "c.mp4" at 1.04s for 0.5s\n}\n')
    main = tlc.compile(str(tl)).plan.timeline.main
    assert [i.src_in for i in main] == [Fraction(29, 10), Fraction(1)]
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    assert facts(out).frames == 15


def test_the_transition_names_are_asked_of_ffmpeg_once_and_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from tlc.core import xfade
    from tlc.core.toolchain import find_ffmpeg

    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(argv: list[str], **kw: object) -> object:
        calls.append(argv)
        return real_run(argv, **kw)  # type: ignore[call-overload]

    ffmpeg = find_ffmpeg()
    monkeypatch.setattr(subprocess, "run", counting_run)
    first = xfade.xfade_names(ffmpeg)
    again = xfade.xfade_names(ffmpeg)
    assert first == again and {"fade", "wipeleft", "radial", "dissolve"} <= set(first)
    assert "custom" not in first
    assert len(calls) == 1 and "filter=xfade" in calls[0]
    assert (tmp_path / "cache" / xfade.CACHE).exists()
