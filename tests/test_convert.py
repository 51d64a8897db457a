"""``tlc convert``: a `.tl` as OpenTimelineIO (and EDL, FCP XML) with the same items and
exact times; the conventions of tlc.interchange.write (transitions borrow their frames
as OTIO's do, speed and freeze as time effects, captions in tlc's metadata); and the
command's refusals (an OUT that exists, an unknown format, a bad `.tl`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media import make_audio, make_image, make_video

from tlc.interchange.convert import convert

otio = pytest.importorskip("opentimelineio")

EDIT = """\
output "out.mp4" { size 160x90 fps 25 preset draft }
video {
  clip "a.mp4" trim 0.2s..1.8s
  transition dissolve 400ms
  clip "b.mp4" speed 2
  transition wipeleft 6f
  freeze "a.mp4" at 1s for 0.48s
  gap 200ms
  image "logo.png" for 0.4s
}
overlay {
  text "Hi \\"there\\"" at 0.2s..1s pos center size 12 box
  image "logo.png" at 0s..1s pos 4,4 opacity 0.5
}
audio {
  clip "tone.m4a" at 0.5s volume -6dB fade in 0.2s out 0.3s
}
chapter "Start" at 0s
chapter "Two" at 1s
"""


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("convert-media")
    make_video(d / "a.mp4", 2, size=(160, 90), fps=25)
    make_video(d / "b.mp4", 2, size=(160, 90), fps=30)
    make_image(d / "logo.png", (32, 18))
    make_audio(d / "tone.m4a", 3)
    return d


@pytest.fixture
def project(tmp_path: Path, media: Path) -> Path:
    for f in media.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "edit.tl").write_text(EDIT)
    return tmp_path


def frames(rt: object, fps: int = 25) -> Fraction:
    assert isinstance(rt, otio.opentime.RationalTime)
    return Fraction(rt.value) * fps / Fraction(rt.rate)


def test_tl_to_otio_has_every_item_at_its_exact_time(project: Path) -> None:
    convert(str(project / "edit.tl"), str(project / "edit.otio"))
    t = otio.adapters.read_from_file(str(project / "edit.otio"))
    v1, *overlays, a1, a2 = t.tracks
    assert v1.name == "V1" and v1.kind == "Video" and a1.kind == a2.kind == "Audio"
    kinds = [type(i).__name__ for i in v1]
    assert kinds == ["Clip", "Transition", "Clip", "Transition", "Clip", "Gap", "Clip"]
    a, d1, b, d2, freeze, gap, logo = v1
    # the dissolve: 10 frames, 5 before the cut (b's handle) and 5 after (a's)
    assert (frames(d1.in_offset), frames(d1.out_offset)) == (5, 5)
    assert d1.transition_type == "SMPTE_Dissolve"
    assert d2.transition_type == "Custom_Transition" and d2.metadata["tlc"]["name"] == "wipeleft"
    assert (frames(d2.in_offset), frames(d2.out_offset)) == (3, 3)
    # a: 0.2s..1.8s is 40 frames, less the 5 the dissolve borrows at its end
    assert (frames(a.source_range.start_time), frames(a.source_range.duration)) == (5, 35)
    # b: 2 s at speed 2 is 25 frames; 5 borrowed at its start (10 source frames), 3 at its end
    assert frames(b.source_range.start_time) == 10 and frames(b.source_range.duration) == 17
    assert [type(e).__name__ for e in b.effects] == ["LinearTimeWarp"]
    assert b.effects[0].time_scalar == 2
    assert [type(e).__name__ for e in freeze.effects] == ["FreezeFrame"]
    assert frames(freeze.source_range.start_time) == 25  # the frame at 1 s
    assert frames(freeze.source_range.duration) == 12 - 3
    assert frames(gap.source_range.duration) == 5 and frames(logo.source_range.duration) == 10
    # the track lasts what the timeline lasts: 40 + 25 + 12 + 5 + 10 - 10 - 6 frames
    assert frames(v1.duration()) == 76 == frames(t.duration())
    assert b.media_reference.target_url == (project / "b.mp4").as_uri()
    assert frames(b.media_reference.available_range.duration, 30) == 60
    assert a.metadata["tlc"]["kind"] == "clip" and not a.metadata["tlc"]["mute"]
    # the overlays: the caption (a generator, its text in metadata) and the logo overlap,
    # so they are two tracks, the logo (written later) above
    # (an editor cannot place them as tlc does: they are there, switched off)
    assert [(tr.name, tr.enabled) for tr in overlays] == [("V2.1", False), ("V2.2", False)]
    (gap0, text), (logo2,) = list(overlays[0]), list(overlays[1])
    assert frames(gap0.source_range.duration) == 5 and frames(text.duration()) == 20
    assert text.media_reference.generator_kind == "tlc_text"
    caption = {**text.metadata["tlc"], "place": list(text.metadata["tlc"]["place"])}
    assert caption == {"kind": "text", "text": 'Hi "there"', "pos": "center",
                                    "scale": None, "size": 12, "color": None, "box": True,
                                    "font": None, "place": [1, 0]}
    assert list(logo2.metadata["tlc"]["pos"]) == [4, 4] and logo2.metadata["tlc"]["opacity"] == 0.5
    # the clips' own sound, as an editor links it: under each picture, the dissolve too;
    # b's sound lasts as long as b is (the 3 frames of the wipe into a silent freeze frame)
    assert [type(i).__name__ for i in a1] == ["Clip", "Transition", "Clip"]
    assert a1[0].source_range == a.source_range and a1[1].in_offset == d1.in_offset
    assert a1[2].source_range.start_time == b.source_range.start_time
    assert frames(a1[2].source_range.duration) == 17 + 3
    assert a1[2].effects[0].time_scalar == 2
    gap_a, tone = a2
    assert frames(gap_a.source_range.duration) == 12.5 * 1  # (0.5 s: 12.5 frames, exact)
    assert tone.metadata["tlc"]["volume_db"] == -6.0
    assert tone.metadata["tlc"]["fade_out"] == "0.3"
    assert [(m.name, frames(m.marked_range.start_time)) for m in t.tracks.markers] == [
        ("Start", 0), ("Two", 25)]
    meta = t.metadata["tlc"]
    assert meta["fps"] == "25" and list(meta["size"]) == [160, 90]
    assert meta["outputs"].startswith('output "out.mp4" {\n  size 160x90\n')


@pytest.mark.parametrize("ext", [".edl", ".xml", ".otioz"])
def test_other_formats_read_back_with_the_same_cuts(project: Path, ext: str) -> None:
    out = project / f"edit{ext}"
    warnings: list[str] = []
    convert(str(project / "edit.tl"), str(out), warn=warnings.append)
    extra = {"rate": 25} if ext == ".edl" else {}  # (an EDL does not say its rate)
    t = otio.adapters.read_from_file(str(out), **extra)
    video = [tr for tr in t.tracks if tr.kind == "Video"]
    clips = [c for c in video[0] if isinstance(c, otio.schema.Clip)]
    assert [c.name.removesuffix(" FF") for c in clips][:3] == ["a.mp4", "b.mp4", "a.mp4"]
    assert frames(video[0].duration()) == 76
    assert bool(warnings) == (ext != ".otioz")
    if ext == ".edl":
        assert any("one video track" in w for w in warnings)


def test_otiotool_lists_the_clips(project: Path) -> None:
    otiotool = Path(sys.executable).parent / "otiotool"
    if not otiotool.exists():
        pytest.skip("no otiotool next to this Python")
    convert(str(project / "edit.tl"), str(project / "edit.otio"))
    shown = subprocess.run([str(otiotool), "-i", str(project / "edit.otio"), "--list-clips",
                            "--verify-ranges", "--list-markers"], capture_output=True,
                           text=True, check=True).stdout
    assert shown.count("CLIP: a.mp4 IN BOUNDS") == 3  # (twice in V1, once in A1)
    assert shown.count("CLIP: b.mp4 IN BOUNDS") == 2
    assert "OUT OF BOUNDS" not in shown and "Two" in shown


def test_the_command_refuses_to_overwrite_and_says_why(project: Path, run_tlc: object) -> None:
    run = run_tlc  # (the fixture's callable)
    first = run("convert", "edit.tl", "edit.otio", cwd=project)  # type: ignore[operator]
    assert first.returncode == 0, first.stderr
    again = run("convert", "edit.tl", "edit.otio", cwd=project)  # type: ignore[operator]
    assert again.returncode == 2 and "edit.otio exists: use -y" in again.stderr
    forced = run("convert", "-y", "edit.tl", "edit.otio", cwd=project)  # type: ignore[operator]
    assert forced.returncode == 0
    unknown = run("convert", "edit.tl", "edit.mov", cwd=project)  # type: ignore[operator]
    assert unknown.returncode == 2 and "tlc convert writes .tl, .otio" in unknown.stderr
    (project / "bad.tl").write_text('video {\n  clip "a.mp4" trim 2..3s\n}\n')
    bad = run("convert", "bad.tl", "bad.otio", cwd=project)  # type: ignore[operator]
    assert bad.returncode == 2 and "bad.tl:2:" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("convert", "none.tl", "x.otio", cwd=project)  # type: ignore[operator]
    assert missing.returncode == 2 and "no such file" in missing.stderr
    left = [n for n in os.listdir(project) if n.startswith(".")]
    assert left == [] and not (project / "bad.otio").exists()


# ---- the round trip: .tl -> .otio -> .tl ------------------------------------------------


def resolved_blank(tl: Any) -> Any:
    """A resolved timeline less where it was written (spans, its name, its outputs'
    folders)."""
    import dataclasses

    from tlc.core.errors import NO_SPAN

    def blank(x: object) -> object:
        if isinstance(x, tuple):
            return tuple(blank(k) for k in x)
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            changes: dict[str, object] = {}
            for f in dataclasses.fields(x):
                value = getattr(x, f.name)
                if f.name == "span":
                    changes[f.name] = NO_SPAN
                elif f.name == "trimmed":  # (`trim 0s+2s` for a 2 s clip written bare)
                    changes[f.name] = False
                elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
                    changes[f.name] = blank(value)
            return dataclasses.replace(x, **changes)  # type: ignore[type-var]
        return x

    return blank(dataclasses.replace(
        tl, file="", outputs=tuple(dataclasses.replace(o, path=os.path.basename(o.path))
                                   for o in tl.outputs),
        audio=tuple(t for t in tl.audio if t)))  # (a track whose sound all starts after
    # the end has none: the file says nothing of it)


def resolved(path: Path) -> Any:
    """What a `.tl` means, less where it was written."""
    from tlc.core.context import Context
    from tlc.resolve import resolve
    from tlc.syntax.parser import parse

    return resolved_blank(resolve(parse(path.read_text(), str(path)), Context(no_output_ok=True)))


def test_round_trip_keeps_every_item_time_transition_and_speed(project: Path) -> None:
    convert(str(project / "edit.tl"), str(project / "edit.otio"))
    (project / "back").mkdir()
    warnings: list[str] = []
    convert(str(project / "edit.otio"), str(project / "back" / "edit.tl"), warn=warnings.append)
    text = (project / "back" / "edit.tl").read_text()
    assert warnings == []
    assert "converted from edit.otio" in text and 'output "out.mp4" {' in text
    assert "transition wipeleft 6f" in text or "transition wipeleft 240ms" in text
    # (media in the new file's folder or below: relative to it; elsewhere: absolute)
    assert "speed 2" in text and f'freeze "{project}/a.mp4" at 1s for 480ms' in text
    assert f'image "{project}/logo.png" for 400ms' in text and 'text "Hi \\"there\\""' in text
    assert resolved(project / "back" / "edit.tl") == resolved(project / "edit.tl")
    # and once more: a timeline converted back is converted the same
    convert(str(project / "back" / "edit.tl"), str(project / "again.otio"))
    convert(str(project / "again.otio"), str(project / "again.tl"))
    assert 'clip "b.mp4" trim 0s+2s speed 2' in (project / "again.tl").read_text()
    assert resolved(project / "again.tl") == resolved(project / "edit.tl")


def framemd5(path: Path) -> list[str]:
    from media import ffmpeg_exe

    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0",
                          "-f", "framemd5", "-"], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if not line.startswith("#")]


def test_converted_back_it_exports_the_same_frames(project: Path) -> None:
    import tlc

    convert(str(project / "edit.tl"), str(project / "edit.otio"))
    convert(str(project / "edit.otio"), str(project / "back.tl"))
    tlc.export(str(project / "edit.tl"), output=str(project / "one.mp4"), overwrite=True)
    tlc.export(str(project / "back.tl"), output=str(project / "two.mp4"), overwrite=True)
    # and the .otio itself, as tlc export reads it (the reader, then tlc's metadata)
    tlc.export(str(project / "edit.otio"), output=str(project / "three.mp4"), overwrite=True)
    first, second = framemd5(project / "one.mp4"), framemd5(project / "two.mp4")
    assert sum(line.startswith("0,") for line in first) == 76  # (the video: 3.04 s)
    assert first == second == framemd5(project / "three.mp4")  # (pictures and sound)


# ---- an editor's timeline to .tl -------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("TLC_OTIO_SAMPLES", ROOT.parent / "shared" / "otio-samples"))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no {SAMPLES}")
@pytest.mark.parametrize("name", ["dissolve_test_4.edl", "premiere_example.xml",
                                  "transition_test.otio", "nested_example.otio"])
def test_an_editors_timeline_as_tl_means_what_the_file_does(tmp_path: Path, name: str) -> None:
    """The `.tl` written for an editor's timeline resolves to what the timeline itself
    does (frames at its own rate, its output keeping it), read by tlc export."""
    import dataclasses

    from otio_standins import make_standins

    from tlc.core.context import Context
    from tlc.interchange.convert import read_interchange
    from tlc.resolve import resolve

    media = tmp_path / "media"
    make_standins(SAMPLES / name, media)
    out = tmp_path / "edit" / "edit.tl"
    convert(str(SAMPLES / name), str(out), relink=[str(media)])
    text = out.read_text()
    assert f"converted from {name}" in text and f"# {name}:" in text
    direct = resolve(read_interchange(str(SAMPLES / name), [str(media)]),
                     Context(no_output_ok=True))
    written = resolved(out)
    assert isinstance(written, type(direct))
    for field in ("main", "overlays", "audio", "duration", "fps", "chapters"):
        assert getattr(written, field) == getattr(resolved_blank(direct), field), field
    assert dataclasses.replace(written.outputs[0], path="") == dataclasses.replace(
        resolved_blank(direct).outputs[0], path="", implicit=False)


def test_an_edl_round_trip_keeps_the_pictures_cuts(project: Path) -> None:
    """An EDL holds the main track (no tlc metadata): read back, every cut, source frame,
    speed, freeze frame and dissolve length is the same (the CMX 3600 adapter loses a
    speed or a freeze frame next to a transition: none here)."""
    (project / "cut.tl").write_text(
        'output "cut.mp4" { size 160x90 fps 25 }\nvideo {\n  clip "a.mp4" trim 0.2s..1.8s\n'
        '  transition dissolve 400ms\n  clip "b.mp4" trim 0.4s+1s\n  gap 200ms\n'
        '  clip "b.mp4" speed 2\n  freeze "a.mp4" at 1s for 0.48s\n'
        '  clip "a.mp4" trim ..0.4s\n}\n')
    convert(str(project / "cut.tl"), str(project / "cut.edl"))
    assert "* FROM CLIP: " + (project / "b.mp4").as_uri() in (project / "cut.edl").read_text()
    convert(str(project / "cut.edl"), str(project / "back.tl"))

    def cuts(path: Path) -> list[tuple[object, ...]]:
        return [(i.kind, i.path, i.start, i.frames, i.src_in, i.speed,
                 i.transition.frames if i.transition else 0)
                for i in resolved(path).main]

    assert cuts(project / "back.tl") == cuts(project / "cut.tl")


# ---- random main tracks: every item, time, transition and speed comes back --------------


@st.composite
def main_tracks(draw: st.DrawFn) -> str:
    """A valid `video { }` of 1 to 5 items at 25 fps (frames), transitions between
    some of them, no longer than either neighbour; and overlay and audio tracks."""
    items: list[tuple[str, int]] = []  # (its text, about its frames on the timeline)
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["clip", "clip", "gap", "still", "freeze"]))
        if kind == "clip":
            start, length = draw(st.integers(0, 20)), draw(st.sampled_from([8, 12, 16, 20]))
            speed = draw(st.sampled_from([None, "2", "0.5", "1.25"]))
            mute = draw(st.booleans())
            text = (f'clip "{draw(st.sampled_from(["a.mp4", "b.mp4"]))}" '
                    f"trim {start}f+{length}f" + (f" speed {speed}" if speed else "")
                    + (" mute" if mute else ""))
            items.append((text, int(length / Fraction(speed or 1))))
        elif kind == "gap" and not (items and items[-1][0].startswith("gap")):
            # (two gaps in a row come back as one: the same frames)
            n = draw(st.integers(3, 12))
            items.append((f"gap {n}f", n))
        elif kind == "still":
            n = draw(st.integers(3, 12))
            items.append((f'image "logo.png" for {n}f', n))
        elif kind == "freeze":
            n = draw(st.integers(3, 12))
            items.append((f'freeze "a.mp4" at {draw(st.integers(0, 40))}f for {n}f', n))
    lines = [items[0][0]]
    taken = 0  # frames of the item before that a transition into it took
    for (_, before), (text, after) in zip(items, items[1:], strict=False):
        room = min(before - taken, after)  # (OTIO: an item outlasts its two transitions)
        taken = 0
        if room > 0 and draw(st.booleans()):
            name = draw(st.sampled_from(["dissolve", "wipeleft", "fadeblack"]))
            taken = draw(st.integers(1, room))
            lines.append(f"transition {name} {taken}f")
        lines.append(text)
    text = 'output "o.mp4" { size 160x90 fps 25 }\nvideo {\n  ' + "\n  ".join(lines) + "\n}\n"
    for _ in range(draw(st.integers(0, 2))):  # overlays inside the shortest timeline (3f)
        shown = [draw(st.sampled_from(
            [f'image "logo.png" at {draw(st.integers(0, 1))}f+{draw(st.integers(1, 2))}f '
             f"pos {draw(st.integers(0, 99))},{draw(st.integers(0, 60))}",
             f'text "T{draw(st.integers(0, 9))}" at 1f..3f size 8 box',
             'video "b.mp4" at 0f+2f scale 32x18']))
            for _ in range(draw(st.integers(1, 3)))]
        text += "overlay {\n  " + "\n  ".join(shown) + "\n}\n"
    for _ in range(draw(st.integers(0, 2))):  # sound, some of it overlapping
        heard = [f'clip "tone.m4a" trim {draw(st.integers(0, 9))}f+{draw(st.integers(2, 30))}f'
                 f" at {draw(st.integers(0, 12))}f"
                 + draw(st.sampled_from(["", " volume -6dB", " fade in 2f out 1f"]))
                 for _ in range(draw(st.integers(1, 3)))]
        text += "audio {\n  " + "\n  ".join(heard) + "\n}\n"
    return text


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=main_tracks())
def test_random_main_tracks_come_back_exactly(project: Path, text: str) -> None:
    (project / "r.tl").write_text(text)
    convert(str(project / "r.tl"), str(project / "r.otio"), overwrite=True)
    convert(str(project / "r.otio"), str(project / "back.tl"), overwrite=True)
    assert resolved(project / "back.tl") == resolved(project / "r.tl"), text


def test_an_item_shorter_than_its_two_transitions_is_told(project: Path) -> None:
    (project / "o.tl").write_text('output "o.mp4" { fps 25 }\nvideo {\n  clip "a.mp4" trim 0f+8f\n'
                                  '  transition dissolve 3f\n  clip "b.mp4" trim 0f+4f\n'
                                  '  transition wipeleft 3f\n  gap 3f\n}\n')
    said: list[str] = []
    convert(str(project / "o.tl"), str(project / "o.otio"), warn=said.append)
    assert said == [f"{project / 'o.tl'}:5:3: this item's transitions (3 and 3 frames) overlap "
                    "in its 4: OpenTimelineIO cannot hold that, and what reads it (an editor, "
                    "tlc) shortens them"]
