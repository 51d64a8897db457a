"""Reading editorial timelines: what the acceptance of OpenTimelineIO input asks
(Premiere's dissolves blended in one run, speed and freeze lengths exact, every missing
clip in one error, relinking, clear errors for broken files, 500 events), and the
pieces: URLs, relinking by name, timecodes, NTSC rates, the timeline's own rate.
"""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from media import make_video, run_ffmpeg
from otio_standins import PALETTE, make_standins, write_edl
from verify import facts

import tlc.api as api
from tlc.interchange.media import relinked, url_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("TLC_OTIO_SAMPLES", ROOT.parent / "shared" / "otio-samples"))
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no {SAMPLES}")

RGB = {"red": (255, 0, 0), "blue": (0, 0, 255), "lime": (0, 255, 0), "yellow": (255, 255, 0),
       "magenta": (255, 0, 255), "cyan": (0, 255, 255), "white": (255, 255, 255),
       "orange": (255, 165, 0)}
assert set(RGB) == set(PALETTE)


def _compile(path: Path, relink: Path, **kw: object) -> api.Compiled:
    kw.setdefault("size", (64, 36))
    kw.setdefault("preset", "draft")
    return api.compile(str(path), relink=[relink], **kw)


@needs_samples
def test_premieres_dissolves_blend_both_pictures_at_their_middle_in_one_run(
    tmp_path: Path,
) -> None:
    import numpy as np

    sample = SAMPLES / "premiere_example.xml"
    colours = make_standins(sample, tmp_path / "media", colours=True)
    out = tmp_path / "premiere.mp4"
    compiled = _compile(sample, tmp_path / "media", output=str(out))
    assert len(compiled.steps) == 1  # one ffmpeg run
    api.render(compiled)
    main = compiled.plan.timeline.main
    with __import__("av").open(str(out)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 1271
    blends = 0
    for i, item in enumerate(main):
        if item.transition is None:
            continue
        a, b = main[i - 1], item
        assert a.path is not None and b.path is not None
        ca = np.array(RGB[colours[os.path.basename(a.path)]])
        cb = np.array(RGB[colours[os.path.basename(b.path)]])
        first = round(item.start * 30)  # the transition's first frame
        middle = frames[first + item.transition.frames // 2].reshape(-1, 3).mean(axis=0)
        assert np.abs(middle - (ca + cb) / 2).max() < 40, (middle, ca, cb)
        assert np.abs(middle - ca).max() > 80 and np.abs(middle - cb).max() > 80
        blends += 1
    assert blends == 2


@needs_samples
def test_speed_effects_and_freeze_frames_last_exactly_what_the_edl_says(tmp_path: Path) -> None:
    sample = SAMPLES / "speed_effects_small.edl"
    make_standins(sample, tmp_path / "media")
    tl = _compile(sample, tmp_path / "media", output=str(tmp_path / "o.mp4")).plan.timeline
    assert [(m.kind, m.frames) for m in tl.main] == [
        ("clip", 126), ("gap", 12114), ("freeze", 17), ("clip", 1), ("clip", 18),
        ("gap", 4324), ("clip", 36),
    ]
    fast = tl.main[-1]
    assert fast.speed == Fraction(119, 60)  # the M2 line's 47.6 fps over 24
    assert tl.duration == Fraction(16636, 24)


@needs_samples
def test_every_missing_clip_is_in_one_error_and_relinking_renders(
    tmp_path: Path, run_tlc
) -> None:
    sample = SAMPLES / "dissolve_test_4.edl"
    r = run_tlc("check", sample)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("  clip ")]
    assert len(lines) == 6  # every event, at its record time
    assert r.stderr.startswith(f"{sample}: error: media not found for 6 clips:")
    assert "  clip '001' on track V1 at 01:04:11:17" in r.stderr
    assert "--relink" in r.stderr
    make_standins(sample, tmp_path / "media")
    out = tmp_path / "o.mp4"
    r = run_tlc("check", sample, "--relink", tmp_path / "nothing-here")
    assert r.returncode == 2 and "--relink" in r.stderr and "no such folder" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run_tlc("export", sample, "--relink", tmp_path / "empty",
                "--relink", tmp_path / "media", "-o", out, "--size", "64x36",
                "--preset", "draft")
    assert r.returncode == 0, r.stderr
    assert facts(out).frames == 477


BROKEN = {
    "bad.otio": ('{"OTIO_SCHEMA": "Timeline.1",\n "name": "x",\n "tracks": [1,,]}\n',
                 ":3:14: error: not a timeline OpenTimelineIO reads: JSON parse error"),
    "future.otio": ('{"OTIO_SCHEMA": "Timeline.9", "name": "x"}\n',
                    ":1:1: error: not a timeline OpenTimelineIO reads (UnsupportedSchemaError): "
                    "unsupported schema version"),
    "bad.edl": ("TITLE: x\n001  AX V C 01:00:00:00 01:00:01:00 01:00:00:00\n",
                ":2:1: error: not a timeline OpenTimelineIO reads (EDLParseError): incorrect "
                "number of fields"),
    "bad.xml": ("<xmeml><sequence><bad", ":1:17: error: not a timeline OpenTimelineIO reads "
                "(ParseError): unclosed token"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_timeline_is_one_clear_located_error(name: str, tmp_path: Path,
                                                       run_tlc) -> None:
    text, said = BROKEN[name]
    path = tmp_path / name
    path.write_text(text)
    r = run_tlc("print", path, "-o", tmp_path / "o.mp4")
    assert r.returncode == 2
    assert r.stderr.startswith(str(path)) and said in r.stderr.splitlines()[0], r.stderr
    assert "Traceback" not in r.stderr


def test_media_urls_are_decoded_and_relative_paths_are_the_timelines() -> None:
    assert url_path("file://localhost/D%3a/media/a%20b.mov", "/t") == "D:/media/a b.mov"
    assert url_path("file:///Volumes/Media/x.mov", "/t") == "/Volumes/Media/x.mov"
    assert url_path("file://server/share/x.mov", "/t") == "//server/share/x.mov"
    assert url_path("media/x.mov", "/t/edit") == "/t/edit/media/x.mov"
    assert url_path("/abs/x.mov", "/t") == "/abs/x.mov"


def test_relinking_finds_a_file_by_its_name_or_its_name_without_extension_in_subfolders(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "clip_A.mov").write_bytes(b"")
    (tmp_path / "b" / "shot.mp4").write_bytes(b"")
    (tmp_path / "b" / "clip_A.edl").write_bytes(b"")  # (a timeline is not media)
    folders = [str(tmp_path / "a"), str(tmp_path / "b")]
    assert relinked(["clip_A"], folders) == str(tmp_path / "b" / "clip_A.mov")
    assert relinked(["C:\\media\\shot.mp4"], folders) == str(tmp_path / "b" / "shot.mp4")
    assert relinked(["shot.mov"], folders) == str(tmp_path / "b" / "shot.mp4")
    assert relinked(["other"], folders) is None
    (tmp_path / "b" / "day2").mkdir()
    (tmp_path / "b" / "day2" / "A002.mxf").write_bytes(b"")
    assert relinked(["A002"], folders) == str(tmp_path / "b" / "day2" / "A002.mxf")


def _otio_timeline(tmp_path: Path, media: Path) -> Path:
    """A 23.976 timeline from 01:00:00:00: a clip whose media lies beside it (relative
    URL), one offline (a MissingReference named as its file), one by a bare path that
    does not exist (found by its basename), a marker, and a disabled clip."""
    import opentimelineio as otio

    rate = 24000 / 1001
    rt = lambda f: otio.opentime.RationalTime(f, rate)  # noqa: E731
    tr = lambda a, d: otio.opentime.TimeRange(rt(a), rt(d))  # noqa: E731
    tl = otio.schema.Timeline("t", global_start_time=rt(86400 * 1000 // 1001))
    track = otio.schema.Track("V1")
    tl.tracks.append(track)
    a = otio.schema.Clip("a", otio.schema.ExternalReference(
        os.path.relpath(media / "a.mov", tmp_path), available_range=tr(0, 96)), tr(10, 24))
    a.markers.append(otio.schema.Marker("Scene 2", tr(20, 0)))
    b = otio.schema.Clip("b", otio.schema.MissingReference("b.mov"), tr(0, 12))
    off = otio.schema.Clip("off", otio.schema.MissingReference("gone.mov"), tr(0, 12))
    off.enabled = False
    c = otio.schema.Clip("c", otio.schema.ExternalReference("/nowhere/c.mov"), tr(5, 30))
    for item in (a, b, off, c):
        track.append(item)
    audio = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    tl.tracks.append(audio)
    audio.append(otio.schema.Gap(source_range=tr(0, 6)))
    audio.append(otio.schema.Clip("a", otio.schema.ExternalReference(
        os.path.relpath(media / "a.mov", tmp_path), available_range=tr(0, 96)), tr(0, 30)))
    path = tmp_path / "edit.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


def test_an_ntsc_timeline_with_a_timecode_start_renders_at_its_own_rate(
    tmp_path: Path,
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    for name in ("a.mov", "b.mov", "c.mov"):
        run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=24000/1001:duration=4",
                    "-f", "lavfi", "-i", "sine=duration=4", "-c:v", "libx264", "-preset",
                    "ultrafast", "-c:a", "aac", "-shortest", str(media / name)])
    path = _otio_timeline(tmp_path, media)
    out = tmp_path / "o.mp4"
    compiled = _compile(path, media, output=str(out))
    tl = compiled.plan.timeline
    assert tl.fps == Fraction(24000, 1001)
    assert [(m.kind, m.frames, m.src_in * Fraction(24000, 1001)) for m in tl.main] == [
        ("clip", 24, 10), ("clip", 12, 0), ("gap", 12, 0), ("clip", 30, 5)]  # (disabled: a gap)
    assert [m.mute for m in tl.main] == [True] * 4  # the sound is the audio track's
    assert [(a.start * Fraction(24000, 1001), a.duration * Fraction(24000, 1001))
            for a in tl.audio[0]] == [(6, 30)]
    assert [(c.title, c.start * Fraction(24000, 1001)) for c in tl.chapters] == [
        ("Scene 2", 10)]
    api.render(compiled)
    assert facts(out).frames == 78
    again = _compile(path, media, fps="30", no_output_ok=True)
    assert again.plan.timeline.fps == 30  # --fps wins


def test_source_timecode_is_matched_to_the_medias_timecode_tag(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=25:duration=6",
                "-c:v", "libx264", "-preset", "ultrafast", "-timecode", "10:00:00:00",
                str(media / "A001.mov")])
    edl = tmp_path / "tc.edl"
    edl.write_text("TITLE: tc\nFCM: NON-DROP FRAME\n"
                   "001  A001     V     C        10:00:02:05 10:00:03:00 01:00:00:00 "
                   "01:00:00:20\n* FROM CLIP NAME:  A001\n")
    tl = _compile(edl, media, no_output_ok=True).plan.timeline
    assert tl.fps == 25
    assert [(m.src_in, m.frames) for m in tl.main] == [(Fraction(2) + Fraction(5, 25), 20)]


def test_a_500_event_edl_compiles_to_500_clips(tmp_path: Path) -> None:
    edl = write_edl(tmp_path / "long.edl", 500)
    make_standins(edl, tmp_path / "media")
    tl = _compile(edl, tmp_path / "media", no_output_ok=True).plan.timeline
    assert len(tl.main) == 500
    assert sum(m.transition is not None for m in tl.main) == 9
    assert tl.duration * 24 == 3000


def test_a_tl_file_never_imports_opentimelineio(tmp_path: Path) -> None:
    make_video(tmp_path / "a.mp4", 1, size=(64, 36), audio=False)
    (tmp_path / "e.tl").write_text('video { clip "a.mp4" }\n')
    code = ("import sys, tlc.api as api; api.compile(sys.argv[1], no_output_ok=True); "
            "print('opentimelineio' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "e.tl")],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_an_otioz_bundle_renders_the_media_inside_it(tmp_path: Path) -> None:
    import opentimelineio as otio

    make_video(tmp_path / "a.mov", 2, size=(64, 36), fps=24)
    rt = lambda f: otio.opentime.RationalTime(f, 24)  # noqa: E731
    tl = otio.schema.Timeline("z")
    tl.tracks.append(otio.schema.Track("V1"))
    tl.tracks[0].append(otio.schema.Clip("a", otio.schema.ExternalReference(
        (tmp_path / "a.mov").as_uri(), available_range=otio.opentime.TimeRange(rt(0), rt(48))),
        otio.opentime.TimeRange(rt(6), rt(24))))
    bundle = tmp_path / "edit.otioz"
    otio.adapters.write_to_file(tl, str(bundle))
    (tmp_path / "a.mov").unlink()  # only the bundle has it now
    out = tmp_path / "o.mp4"
    compiled = api.compile(str(bundle), output=str(out), size=(64, 36), preset="draft")
    assert [(m.frames, m.src_in) for m in compiled.plan.timeline.main] == [(24, Fraction(1, 4))]
    api.render(compiled)
    assert facts(out).frames == 24


@needs_samples
def test_what_is_not_rendered_is_warned_about_by_name(tmp_path: Path) -> None:
    nested = SAMPLES / "nested_example.otio"
    make_standins(nested, tmp_path / "n")
    said = _compile(nested, tmp_path / "n", no_output_ok=True).warnings
    assert any("'Nested Stack 2 (with effects)'" in w and "'LinearTimeWarp' is not rendered"
               in w for w in said)
    bars = SAMPLES / "generator_reference_test.otio"
    said = _compile(bars, tmp_path, no_output_ok=True).warnings
    assert any("clip 'C' on track V1: generator 'SMPTEBars' is not drawn" in w for w in said)


@needs_samples
def test_an_edl_of_stills_plays_each_for_its_event(tmp_path: Path) -> None:
    from media import make_image

    (tmp_path / "m").mkdir()
    make_image(tmp_path / "m" / "SC00.JPG", (64, 36))
    tl = _compile(SAMPLES / "25fps.edl", tmp_path / "m", no_output_ok=True).plan.timeline
    assert [(m.kind, m.frames) for m in tl.main] == [
        ("still", 161), ("still", 200), ("still", 86), ("still", 49)]


def test_audio_transitions_are_overlapping_fades_on_tracks_of_their_own(
    tmp_path: Path,
) -> None:
    import opentimelineio as otio

    make_video(tmp_path / "a.mov", 4, size=(64, 36), fps=24)
    rt = lambda f: otio.opentime.RationalTime(f, 24)  # noqa: E731
    tr = lambda a, d: otio.opentime.TimeRange(rt(a), rt(d))  # noqa: E731
    tl = otio.schema.Timeline("sound")
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    tl.tracks.append(track)
    ref = lambda: otio.schema.ExternalReference("a.mov")  # noqa: E731
    track.append(otio.schema.Clip("x", ref(), tr(24, 24)))
    track.append(otio.schema.Transition(in_offset=rt(6), out_offset=rt(6)))
    track.append(otio.schema.Clip("y", ref(), tr(48, 24)))
    track.append(otio.schema.Transition(in_offset=rt(12), out_offset=rt(0)))
    path = tmp_path / "sound.otio"
    otio.adapters.write_to_file(tl, str(path))
    compiled = api.compile(str(path), output=str(tmp_path / "o.m4a"))
    tracks = compiled.plan.timeline.audio
    got = [[(a.start * 24, a.src_in * 24, a.duration * 24, a.fade_in and a.fade_in * 24,
             a.fade_out and a.fade_out * 24) for a in t] for t in tracks]
    assert got == [[(0, 24, 30, None, 12)], [(18, 42, 30, 12, 12)]]
    api.render(compiled)
    assert abs(facts(tmp_path / "o.m4a").audio_seconds - 2) <= 1024 / 48000


def test_a_final_cut_pro_x_timeline_is_read(tmp_path: Path) -> None:
    import opentimelineio as otio

    make_video(tmp_path / "a.mov", 6, size=(64, 36), fps=24)
    rt = lambda f: otio.opentime.RationalTime(f, 24)  # noqa: E731
    tl = otio.schema.Timeline("fx")
    track = otio.schema.Track("V1")
    tl.tracks.append(track)
    ref = otio.schema.ExternalReference((tmp_path / "a.mov").as_uri(),
                                        available_range=otio.opentime.TimeRange(rt(0), rt(144)))
    track.append(otio.schema.Clip("a", ref, otio.opentime.TimeRange(rt(24), rt(48))))
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(12))))
    track.append(otio.schema.Clip("b", ref.clone(), otio.opentime.TimeRange(rt(100), rt(24))))
    otio.adapters.write_to_file(tl, str(tmp_path / "cut.fcpxml"))
    main = api.compile(str(tmp_path / "cut.fcpxml"), no_output_ok=True).plan.timeline.main
    assert [(m.kind, m.frames, m.src_in * 24) for m in main] == [
        ("clip", 48, 24), ("gap", 12, 0), ("clip", 24, 100)]


def test_a_drop_frame_edl_is_read_at_2997_against_a_drop_frame_timecode_tag(
    tmp_path: Path,
) -> None:
    (tmp_path / "m").mkdir()
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=30000/1001:duration=13",
                "-c:v", "libx264", "-preset", "ultrafast", "-timecode", "01:00:00;00",
                str(tmp_path / "m" / "A001.mov")])
    edl = tmp_path / "df.edl"
    edl.write_text(
        "TITLE: df\nFCM: DROP FRAME\n"
        "001  A001     V     C        01:00:02;00 01:00:03;00 01:00:00;00 01:00:01;00\n"
        "* FROM CLIP NAME:  A001\n"
        "002  A001     V     C        01:00:10;00 01:00:11;15 01:00:01;00 01:00:02;15\n")
    tl = _compile(edl, tmp_path / "m", no_output_ok=True).plan.timeline
    assert tl.fps == Fraction(30000, 1001)
    assert [(m.frames, m.src_in * tl.fps) for m in tl.main] == [(30, 60), (45, 300)]


@needs_samples
def test_an_edl_wipe_is_xfades_wipe_the_same_way(tmp_path: Path) -> None:
    sample = SAMPLES / "wipe_test.edl"
    make_standins(sample, tmp_path / "m")
    main = _compile(sample, tmp_path / "m", no_output_ok=True).plan.timeline.main
    assert [m.transition.xfade for m in main if m.transition] == ["wiperight"]  # W001


def test_a_timeline_of_sound_with_an_empty_video_track_has_no_picture(tmp_path: Path) -> None:
    import opentimelineio as otio

    make_video(tmp_path / "a.mov", 2, size=(64, 36), fps=24)
    rt = lambda f: otio.opentime.RationalTime(f, 24)  # noqa: E731
    tl = otio.schema.Timeline("sound")
    tl.tracks.append(otio.schema.Track("V1"))
    sound = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    tl.tracks.append(sound)
    sound.append(otio.schema.Clip("a", otio.schema.ExternalReference("a.mov"),
                                  otio.opentime.TimeRange(rt(0), rt(24))))
    otio.adapters.write_to_file(tl, str(tmp_path / "s.otio"))
    tl_ = api.compile(str(tmp_path / "s.otio"), no_output_ok=True).plan.timeline
    assert tl_.main == () and len(tl_.audio) == 1
    assert tl_.outputs[0].path.endswith(".m4a")


def test_flattening_shows_the_highest_clip_and_its_tracks_transitions() -> None:
    from tlc.core.errors import NO_SPAN
    from tlc.interchange.layers import Cut, Layer, Piece, Source, flatten

    def clip(name: str, start: int, length: int, ref: int) -> Piece:
        src = Source(name, "V", Fraction(start), Fraction(100), Fraction(1), ref, NO_SPAN)
        return Piece(Fraction(start), Fraction(length), src)

    low = Layer((clip("a", 0, 10, 0),))
    mid = Layer((clip("b", 2, 3, 1), clip("c", 5, 3, 2)),
                (Cut(Fraction(5), Fraction(1), Fraction(1), "dissolve", "b-c", NO_SPAN),))
    top = Layer((clip("d", 4, 2, 3),))  # covers the cut between b and c
    got = flatten([low, mid, top], Fraction(12))
    shown = [(p.start, p.duration, p.source.name if p.source else None,
              p.source.src if p.source else None) for p in got.pieces]
    assert shown == [(0, 2, "a", 100), (2, 2, "b", 100), (4, 2, "d", 100), (6, 2, "c", 101),
                     (8, 2, "a", 108), (10, 2, None, None)]
    assert got.cuts == ()  # b-c is under d
    got = flatten([low, mid], Fraction(10))
    assert [c.label for c in got.cuts] == ["b-c"]
