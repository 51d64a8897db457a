"""Transitions between main-track items (language contract, version 2, "Transitions"):
what a viewer sees and hears, frame-exact lengths, one ffmpeg run, and the errors.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from media import make_audio, make_image, make_video, run_ffmpeg
from test_cli_errors import Case, check_case
from verify import facts

import tlc
from tlc.core.xfade import KNOWN, parse_help, tl_names
from tlc.segmented import windows as seg

HEAD = 'output "out.mp4" {{ size {size} fps {fps} preset draft }}\n'
AAC_FRAME = 1024 / 48000


def colour_clip(path: Path, colour: str, seconds: float, fps: int = 10) -> Path:
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c={colour}:s=64x36:r={fps}:d={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-shortest", str(path)])
    return path


def frames_rgb(path: Path) -> list[object]:
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_a_dissolve_mixes_every_pixel_of_both_pictures(tmp_path: Path) -> None:
    import numpy as np

    colour_clip(tmp_path / "red.mp4", "red", 2)
    colour_clip(tmp_path / "blue.mp4", "blue", 2)
    tl = tmp_path / "d.tl"
    tl.write_text(HEAD.format(size="64x36", fps=10) + 'video {\n  clip "red.mp4"\n'
                  '  transition dissolve 1s\n  clip "blue.mp4"\n}\n')
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    frames = frames_rgb(out)
    assert len(frames) == 30  # 20 + 20 - 10: the two clips overlap by the dissolve
    red, blue = np.array([255, 0, 0]), np.array([0, 0, 255])
    # the dissolve is frames 10..19 (xfade's frame 10 is all the first picture); frame
    # 15 is half way: every pixel half red, half blue
    mid = frames[15].reshape(-1, 3).astype(int)
    assert np.abs(mid - (red + blue) / 2).max() <= 16, mid.mean(axis=0)
    before = frames[9].reshape(-1, 3).astype(int)
    after = frames[20].reshape(-1, 3).astype(int)
    assert np.abs(before - red).max() <= 8
    assert np.abs(after - blue).max() <= 8
    # and the dissolve is gradual: red falls frame by frame
    reds = [float(frames[i][..., 0].mean()) for i in range(10, 21)]
    assert all(a > b for a, b in zip(reds, reds[1:], strict=False)), reds
    f = facts(out)
    assert abs((f.audio_seconds or 0) - 3.0) <= AAC_FRAME


KINDS = ("dissolve", "wipeleft", "slideup", "fadeblack", "circleopen", "radial",
         "pixeldissolve", "wiperight", "dissolve", "slideleft", "fadewhite")


def test_a_dozen_items_with_transitions_overlays_and_music_is_one_exact_run(
        tmp_path: Path, run_tlc) -> None:
    make_video(tmp_path / "c.mp4", 3, size=(64, 36), fps=10)
    make_image(tmp_path / "logo.png", (16, 12))
    make_audio(tmp_path / "music.m4a", 12)
    items = [f'  clip "c.mp4" trim {i % 2}s+1s' for i in range(10)]
    items.append('  clip "c.mp4" trim 0s..2s speed 2')  # 1 s
    items.append('  freeze "c.mp4" at 1.5s for 1s')
    body: list[str] = []
    for i, item in enumerate(items):
        if i:
            body.append(f"  transition {KINDS[i - 1]} 300ms")
        body.append(item)
    tl = tmp_path / "big.tl"
    tl.write_text(
        HEAD.format(size="64x36", fps=10)
        + "video {\n" + "\n".join(body) + "\n}\n"
        + "overlay {\n  image \"logo.png\" at 0s..3s pos 2,2\n"
        + "  image \"logo.png\" at 4s..6s pos 40,2 opacity 0.5\n"
        + "  video \"c.mp4\" at 5s+2s pos 30,20 scale 16x9\n"
        + "  text \"caption\" at 1s..7s size 10\n}\n"
        + "audio {\n  clip \"music.m4a\" volume -6dB fade out 1s\n}\n")
    printed = run_tlc("print", tl, "--format", "json", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    steps = json.loads(printed.stdout)
    assert len(steps) == 1  # one ffmpeg run for all of it
    graph = " ".join(steps[0]["argv"])
    assert graph.count("xfade=") == 11 and graph.count("acrossfade=") == 11
    # 12 items of 10 frames, 11 transitions of 3: 87 frames
    out = tmp_path / "out.mp4"
    proc = run_tlc("export", tl, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    f = facts(out)
    assert f.frames == 12 * 10 - 11 * 3
    assert abs((f.audio_seconds or 0) - 8.7) <= AAC_FRAME
    tline = tlc.compile(str(tl)).plan.timeline
    assert tline.duration == Fraction(87, 10)


def test_fifty_clips_with_49_transitions_do_not_drift(tmp_path: Path) -> None:
    make_video(tmp_path / "c.mp4", 2, size=(64, 36), fps=10)
    body = ['  clip "c.mp4" trim 0s+0.55s']  # 5.5 frames: cuts alternate 6 and 5
    for i in range(49):
        body.append(f"  transition {'dissolve' if i % 2 else 'wipeup'} 150ms")  # 1.5: 2
        body.append('  clip "c.mp4" trim 0s+0.55s')
    tl = tmp_path / "fifty.tl"
    tl.write_text(HEAD.format(size="64x36", fps=10) + "video {\n" + "\n".join(body) + "\n}\n")
    compiled = tlc.compile(str(tl))
    main = compiled.plan.timeline.main
    assert len(main) == 50
    assert [i.frames for i in main[:4]] == [6, 5, 6, 5]  # the cuts' rounding, no drift
    assert all(i.transition and i.transition.frames == 2 for i in main[1:])
    frames = sum(i.frames for i in main) - 49 * 2  # 275 - 98
    assert frames == 177
    assert compiled.plan.timeline.duration == Fraction(frames, 10)
    # each item starts where the one before ends, less the overlap
    for a, b in zip(main, main[1:], strict=False):
        assert b.start == a.start + a.duration - Fraction(2, 10)
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == frames
    assert abs((f.audio_seconds or 0) - frames / 10) <= AAC_FRAME


def test_transitions_at_an_ntsc_rate_are_whole_frames(tmp_path: Path) -> None:
    make_video(tmp_path / "c.mp4", 2, size=(32, 18), fps=30)
    body = ['  clip "c.mp4" trim 0s+0.5s']
    for _ in range(11):
        body += ["  transition slideleft 0.2s", '  clip "c.mp4" trim 0.5s+0.5s']
    tl = tmp_path / "ntsc.tl"
    tl.write_text(HEAD.format(size="32x18", fps="29.97") + "video {\n" + "\n".join(body)
                  + "\n}\n")
    main = tlc.compile(str(tl)).plan.timeline.main
    frames = sum(i.frames for i in main) - sum(i.transition.frames for i in main[1:]
                                               if i.transition)
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == frames
    assert abs((f.audio_seconds or 0) - frames * 1001 / 30000) <= AAC_FRAME


def test_the_naive_plan_renders_the_same_frames(tmp_path: Path) -> None:
    make_video(tmp_path / "c.mp4", 2, size=(64, 36), fps=10)
    tl = tmp_path / "n.tl"
    tl.write_text(HEAD.format(size="64x36", fps=10) + 'video {\n  clip "c.mp4"\n'
                  '  transition fadeblack 0.5s\n  image "c.png" for 1s\n'
                  '  transition dissolve 0.5s\n  gap 1s\n}\n')
    make_image(tmp_path / "c.png", (64, 36))
    for opts in ({}, {"optimize": False}):
        out = tmp_path / f"o{len(opts)}.mp4"
        tlc.export(str(tl), output=str(out), overwrite=True, **opts)
        f = facts(out)
        assert f.frames == 20 + 10 + 10 - 5 - 5, opts
        assert abs((f.audio_seconds or 0) - 3.0) <= AAC_FRAME, opts


def test_a_segmented_export_never_cuts_inside_a_transition(tmp_path: Path) -> None:
    make_video(tmp_path / "c.mp4", 3, size=(64, 36), fps=10)
    body = ['  clip "c.mp4"']
    for i in range(5):
        body += (["  transition dissolve 1s"] if i % 2 else []) + ['  clip "c.mp4"']
    tl = tmp_path / "s.tl"
    tl.write_text(HEAD.format(size="64x36", fps=10) + "video {\n" + "\n".join(body) + "\n}\n")
    timeline = tlc.compile(str(tl)).plan.timeline
    inside = [(i.start, i.start + i.transition.duration) for i in timeline.main if i.transition]
    cuts = [w[0] for w in seg.windows(timeline, Fraction(2))][1:]
    assert cuts
    assert not [c for c in cuts for lo, hi in inside if lo <= c < hi]
    one, many = tmp_path / "one.mp4", tmp_path / "many.mp4"
    tlc.export(str(tl), output=str(one), overwrite=True)
    tlc.export(str(tl), output=str(many), overwrite=True, jobs=2, segment_seconds=2)
    a, b = facts(one), facts(many)
    assert a.frames == b.frames == 6 * 30 - 2 * 10
    assert abs((b.audio_seconds or 0) - 16.0) <= AAC_FRAME


def test_the_transition_names_are_ffmpegs_with_the_editors_dissolve() -> None:
    names = tl_names(KNOWN)
    assert names["dissolve"] == "fade"  # the editors' cross-dissolve
    assert names["pixeldissolve"] == "dissolve"  # ffmpeg's random pixels
    assert names["wipeleft"] == "wipeleft"
    help_text = ("xfade AVOptions:\n   transition        <int>  ..FV... set cross fade\n"
                 "     custom          -1           ..FV....... custom transition\n"
                 "     fade            0            ..FV....... fade transition\n"
                 "     radial          14           ..FV....... radial transition\n"
                 "   duration          <duration>   ..FV....... set cross fade duration\n")
    assert parse_help(help_text) == ("fade", "radial")


# ---- errors, through the real `tlc check` ---------------------------------------------

H = 'output "out/e.mp4" { size 320x180 fps 25 preset draft }\n'
ERRORS = {
    "a transition first in the track": Case(
        H + 'video {\n  transition dissolve 1s\n  clip "media/a.mp4"\n}\n',
        3, "transition", ("first",)),
    "a transition last in the track": Case(
        H + 'video {\n  clip "media/a.mp4"\n  transition dissolve 1s\n}\n',
        4, "transition", ("last",)),
    "two transitions in a row": Case(
        H + 'video {\n  clip "media/a.mp4"\n  transition dissolve 1s\n'
        '  transition wipeleft 1s\n  clip "media/b.mp4"\n}\n',
        5, "transition", ("two transitions",)),
    "a transition longer than the clip before it (after its trim)": Case(
        H + 'video {\n  clip "media/a.mp4" trim 0s+0.5s\n  transition dissolve 1s\n'
        '  clip "media/b.mp4"\n}\n',
        4, "transition", ("longer", "before")),
    "a transition longer than the clip after it (after its speed)": Case(
        H + 'video {\n  clip "media/a.mp4"\n  transition dissolve 1s\n'
        '  clip "media/b.mp4" speed 4\n}\n',
        4, "transition", ("longer", "after")),
    "an unknown transition (did you mean)": Case(
        H + 'video {\n  clip "media/a.mp4"\n  transition disolve 1s\n  clip "media/b.mp4"\n}\n',
        4, "disolve", ("unknown transition 'disolve'", "did you mean 'dissolve'")),
    "a transition shorter than a frame": Case(
        H + 'video {\n  clip "media/a.mp4"\n  transition dissolve 10ms\n'
        '  clip "media/b.mp4"\n}\n',
        4, "10ms", ("less than one frame",)),
    "a transition without a unit": Case(
        H + 'video {\n  clip "media/a.mp4"\n  transition dissolve 1\n  clip "media/b.mp4"\n}\n',
        4, "1", ("unit",)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_a_transition_error_is_reported_with_file_line_column_and_caret(
        name: str, cli_project: Path, run_tlc) -> None:
    check_case(run_tlc, cli_project, ERRORS[name])


def test_clips_the_output_could_copy_are_encoded_where_a_transition_joins_them(
        tmp_path: Path) -> None:
    for name in ("a.mp4", "b.mp4"):
        make_video(tmp_path / name, 2, size=(64, 36), fps=10, audio=False)
    plain = HEAD.format(size="64x36", fps=10) + 'video {\n  clip "a.mp4"\n  clip "b.mp4"\n}\n'
    joined = plain.replace('  clip "b.mp4"', '  transition dissolve 0.5s\n  clip "b.mp4"')
    (tmp_path / "plain.tl").write_text(plain)
    (tmp_path / "joined.tl").write_text(joined)
    argv = " ".join(tlc.compile(str(tmp_path / "plain.tl")).steps[-1].argv)
    assert "-c:v copy" in argv  # (what tlc does without the transition)
    argv = " ".join(tlc.compile(str(tmp_path / "joined.tl")).steps[-1].argv)
    assert "-c:v copy" not in argv and "xfade=" in argv


def test_a_long_track_is_chunked_between_transitions_never_inside_one(tmp_path: Path) -> None:
    from tlc.passes.chunk_inputs import MAX_INPUTS

    make_video(tmp_path / "c.mp4", 4, size=(64, 36), fps=10)
    body = []
    n = MAX_INPUTS + 16
    for i in range(n):  # each trim its own input; a transition before every third clip
        if i and i % 3 == 0:
            body.append("  transition dissolve 200ms")
        body.append(f'  clip "c.mp4" trim {i / 40}s+0.5s')
    tl = tmp_path / "long.tl"
    tl.write_text(HEAD.format(size="64x36", fps=10) + "video {\n" + "\n".join(body) + "\n}\n")
    compiled = tlc.compile(str(tl))
    assert len(compiled.steps) > 1  # cut into segments
    argvs = [" ".join(s.argv) for s in compiled.steps]
    assert sum(a.count("xfade=") for a in argvs) == (n - 1) // 3
    assert all(a.count(" -i ") <= MAX_INPUTS for a in argvs)
    out = tmp_path / "out.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == n * 5 - (n - 1) // 3 * 2
    assert abs((f.audio_seconds or 0) - f.frames / 10) <= AAC_FRAME


def test_the_edit_example_is_one_run_of_the_length_it_says(examples: Path, run_tlc) -> None:
    printed = run_tlc("print", "edit.tl", "--format", "json", cwd=examples)
    assert printed.returncode == 0, printed.stderr
    assert len(json.loads(printed.stdout)) == 1
    proc = run_tlc("export", "edit.tl", "-o", "out/edit-small.mp4", "-y", "--preset", "draft",
                   "--size", "320x180", cwd=examples)
    assert proc.returncode == 0, proc.stderr
    f = facts(examples / "out" / "edit-small.mp4")
    assert f.frames == 360  # 12 s at 30 fps, as its comment says
    assert abs((f.audio_seconds or 0) - 12.0) <= AAC_FRAME
