"""Frame-exact edge cases of the main program."""

from __future__ import annotations

from pathlib import Path

from media import make_video
from verify import facts

import tlc


def test_one_frame_items_each_last_one_frame(tmp_path: Path) -> None:
    make_video(tmp_path / "c.mp4", 2, size=(32, 18), fps=30, gop=30)
    items = "\n".join(f'  clip "c.mp4" trim {t}s+1f' for t in (0, 0.5, 1, 1.5))
    tl = tmp_path / "one.tl"
    tl.write_text(f'output "o.mp4" {{ size 32x18 fps 30 preset draft }}\nvideo {{\n{items}\n}}\n')
    for opts in ({}, {"optimize": False}):
        out = tmp_path / f"one{len(opts)}.mp4"
        tlc.export(str(tl), output=str(out), overwrite=True, **opts)
        f = facts(out)
        assert f.frames == 4, opts
        assert abs((f.audio_seconds or 0) - 4 / 30) < 1024 / 48000


def test_items_of_fractional_frames_do_not_drift(tmp_path: Path) -> None:
    """Four clips of 0.1 s at 25 fps (2.5 frames each) make 0.4 s: 10 frames (3, 2, 3,
    2), not 4 x 2 = 8. Each cut is on the frame nearest its exact time."""
    make_video(tmp_path / "c.mp4", 2, size=(32, 18), fps=30, gop=30)
    items = "\n".join(f'  clip "c.mp4" trim {t}s+0.1s' for t in (0, 0.5, 1, 1.5))
    tl = tmp_path / "tenth.tl"
    tl.write_text(f'output "o.mp4" {{ size 32x18 fps 25 preset draft }}\nvideo {{\n{items}\n}}\n')
    assert [i.frames for i in tlc.compile(str(tl)).plan.timeline.main] == [3, 2, 3, 2]
    out = tmp_path / "o.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == 10
    assert abs((f.audio_seconds or 0) - 0.4) < 1024 / 48000


def test_a_phone_clip_turned_for_display_is_fitted_as_shown(tmp_path: Path) -> None:
    """A clip stored 320x180 with a display matrix of 90 degrees (as phones write it)
    decodes, turned by ffmpeg, as 180x320: tlc probes it so, fits it (pillarboxed),
    and never stream-copies it beside unturned clips (the join would lose the turn)."""
    import subprocess

    from media import ffmpeg_exe

    make_video(tmp_path / "flat.mp4", 1, size=(320, 180), fps=30)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-display_rotation", "90", "-i",
                    str(tmp_path / "flat.mp4"), "-c", "copy", str(tmp_path / "phone.mp4")],
                   check=True)
    from tlc.media.probe import probe_many

    info = probe_many([str(tmp_path / "phone.mp4")])[str(tmp_path / "phone.mp4")]
    assert info.video is not None
    assert (info.video.width, info.video.height, info.video.rotation) == (180, 320, 90)
    tl = tmp_path / "turned.tl"
    tl.write_text('output "o.mp4" { size 320x180 fps 30 preset draft }\n'
                  'video {\n  clip "flat.mp4"\n  clip "phone.mp4"\n  clip "flat.mp4"\n}\n')
    out = tmp_path / "o.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)  # (it failed in ffmpeg's concat)
    f = facts(out)
    assert (f.width, f.height, f.frames) == (320, 180, 90)


def test_a_trimmed_mpeg_ts_clip_with_one_keyframe_keeps_its_pictures(tmp_path: Path) -> None:
    """ffmpeg's -ss into an MPEG-TS lands past the file's only keyframe and decodes no
    picture at all (the clip went missing: 2 s short). tlc reads such a clip from its
    start and trims it in the graph."""
    import subprocess

    from media import ffmpeg_exe

    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:r=25:d=4",
         "-f", "lavfi", "-i", "sine=f=440:r=48000:d=4", "-c:v", "libx264", "-g", "1000",
         "-bf", "2", "-c:a", "aac", "-f", "mpegts", str(tmp_path / "cam.ts")],
        check=True,
    )
    make_video(tmp_path / "b.mp4", 1, size=(64, 36), fps=25)
    tl = tmp_path / "ts.tl"
    tl.write_text('output "o.mp4" { size 64x36 fps 25 preset draft }\n'
                  'video {\n  clip "cam.ts" trim 0.5s..2.5s\n  clip "b.mp4"\n}\n')
    out = tmp_path / "o.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    f = facts(out)
    assert f.frames == 75  # 2 s of the .ts, then 1 s
    assert abs((f.audio_seconds or 0) - 3) < 1024 / 48000


def test_overlays_show_from_their_start_frame_to_the_frame_before_their_end(
        tmp_path: Path) -> None:
    """At 25 fps: ``at 1s..2s`` is frames 25 to 49, ``at 12f..1s`` frames 12 to 24 and
    ``at 3s+10f`` ten frames, 75 to 84 (the frame at the end showed too: one more)."""
    import subprocess

    from media import ffmpeg_exe, make_image

    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "color=white:size=32x32:rate=25:duration=1", "-c:v", "libx264",
                    "-preset", "ultrafast", str(tmp_path / "white.mp4")], check=True)
    make_image(tmp_path / "logo.png", (32, 32))
    tl = tmp_path / "ov.tl"
    tl.write_text('output "o.mp4" { size 160x120 fps 25 preset draft }\n'
                  'video {\n  gap 4s\n}\n'
                  'overlay {\n  image "logo.png" at 1s..2s pos 0,0\n'
                  '  text "#" at 12f..1s pos 100,60 size 40 box\n'
                  '  video "white.mp4" at 3s+10f pos 100,0\n}\n')
    out = tmp_path / "o.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    shown = {name: [] for name in ("image", "text", "video")}
    import av

    with av.open(str(out)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            plane = frame.reformat(format="gray").planes[0]
            data, stride = bytes(plane), plane.line_size
            for name, (x, y) in {"image": (10, 10), "text": (110, 80),
                                 "video": (110, 10)}.items():
                if data[y * stride + x] > 40:
                    shown[name].append(i)
    assert shown["image"] == list(range(25, 50))
    assert shown["text"] == list(range(12, 25))
    assert shown["video"] == list(range(75, 85))


def test_an_overlay_from_a_half_frame_starts_where_a_cut_would(tmp_path: Path) -> None:
    """``at 0.5s+10f`` at 25 fps: 0.5 s is frame 12.5, which rounds up as a main-track
    cut does: frames 13 to 22, ten frames (it showed on 12 to 22, eleven)."""
    from media import make_image

    make_image(tmp_path / "logo.png", (32, 32))
    tl = tmp_path / "half.tl"
    tl.write_text('output "o.mp4" { size 160x120 fps 25 preset draft }\n'
                  'video {\n  gap 2s\n}\noverlay {\n  image "logo.png" at 0.5s+10f pos 0,0\n}\n')
    out = tmp_path / "o.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    assert _frames_lit(out, 10, 10) == list(range(13, 23))


def _frames_lit(path: Path, x: int, y: int) -> list[int]:
    """The frames whose pixel at (x, y) is not dark."""
    import av

    lit = []
    with av.open(str(path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            plane = frame.reformat(format="gray").planes[0]
            if bytes(plane)[y * plane.line_size + x] > 40:
                lit.append(i)
    return lit


def test_keyframes_at_cuts_fall_on_the_cut_frames_at_ntsc_rates(tmp_path: Path) -> None:
    """``keyframes at-cuts`` at 29.97 fps, H.264 and HEVC: a keyframe on the first frame
    of each clip. The times were rounded to the microsecond, upward for a cut at
    2.7360666 s, and forced the frame after it; x265 made them I frames, not keyframes."""
    import av

    make_video(tmp_path / "c.mp4", 3, size=(64, 48), fps=30, gop=300)
    for codec in ("h264", "hevc"):
        tl = tmp_path / f"{codec}.tl"
        tl.write_text(f'output "o.mp4" {{ size 64x48 fps 29.97 video {codec} preset draft '
                      'keyframes at-cuts }\n'
                      'video {\n  clip "c.mp4" trim 0s+41f\n  clip "c.mp4" trim 1s+41f\n'
                      '  clip "c.mp4" trim 0.5s+20f\n}\n')
        out = tmp_path / f"{codec}.mp4"
        tlc.export(str(tl), output=str(out), overwrite=True)
        with av.open(str(out)) as c:
            stream = c.streams.video[0]
            pts = sorted((p.pts, p.is_keyframe) for p in c.demux(stream) if p.size)
        keys = [i for i, (_, key) in enumerate(pts) if key]
        assert keys == [0, 41, 82], (codec, keys)
