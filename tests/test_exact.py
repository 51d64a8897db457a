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
    from tlc.probe import probe_many

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
