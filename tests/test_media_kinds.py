"""Media as users bring it, not as tlc's own tests make it: MPEG-TS files whose clocks
start at 1.4 s or 10 s, recordings whose sound or pictures start late, a variable frame
rate behind a steady header, pixels that are not square, GIFs. Each test checks what a
viewer would see or hear."""

from __future__ import annotations

from pathlib import Path

import pytest
from media import run_ffmpeg
from verify import decoded_audio, facts

import tlc
from tlc.core.errors import TlcError

SIZE = "size 160x120 fps 25 preset draft"


def export(tmp_path: Path, body: str, options: str = SIZE) -> Path:
    tl = tmp_path / "t.tl"
    tl.write_text(f'output "o.mp4" {{ {options} }}\n{body}')
    out = tmp_path / "o.mp4"
    tlc.export(str(tl), output=str(out), overwrite=True)
    return out


def luma(path: Path) -> list[float]:
    """The mean luma of each frame, 0 to 255."""
    import av

    means = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            gray = frame.reformat(format="gray")
            plane = gray.planes[0]
            data = bytes(plane)
            means.append(sum(data) / len(data))
    return means


def loud(path: Path, step: float = 0.1) -> str:
    """The sound in steps of ``step`` seconds: ``#`` loud, ``.`` silent."""
    rate = 1000
    samples = decoded_audio(path, rate)
    n = round(step * rate)
    return "".join(
        "#" if sum(abs(x) for x in samples[i : i + n]) / n > 500 else "."
        for i in range(0, len(samples) - n + 1, n)
    )


def ts(path: Path, seconds: float, offset: float | None = None) -> Path:
    """An MPEG-TS as ffmpeg writes it: its clock starts at 1.4 s (or ``offset``)."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size=160x120:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=sample_rate=48000:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-c:a", "aac"]
    if offset is not None:
        args += ["-output_ts_offset", str(offset)]
    run_ffmpeg([*args, str(path)])
    return path


def test_whole_mpeg_ts_clips_copied_keep_all_their_pictures(tmp_path: Path) -> None:
    """Copied by the concat demuxer, whose out points are the file's own clock: read as
    seconds from the start, the 10 s one lost all its video, the 1.4 s one 35 frames."""
    ts(tmp_path / "a.ts", 2)
    ts(tmp_path / "b.ts", 3, offset=10)
    out = export(tmp_path, 'video {\n  clip "a.ts"\n  clip "b.ts"\n}\n')
    f = facts(out)
    assert f.frames == 125
    assert f.audio_seconds == pytest.approx(5, abs=1e-3)


def test_a_trimmed_mpeg_ts_overlay_shows(tmp_path: Path) -> None:
    """A picture-in-picture from a TS, trimmed: read from its start and cut in the graph
    (an input seek found no keyframe and the overlay never showed)."""
    from media import make_video

    make_video(tmp_path / "black.mp4", 2, size=(160, 120), audio=False)
    run_ffmpeg(["-f", "lavfi", "-i", "color=white:size=160x120:rate=25:duration=3",
                "-c:v", "libx264", "-preset", "ultrafast", "-output_ts_offset", "10",
                str(tmp_path / "white.ts")])
    out = export(tmp_path, 'video {\n  gap 2s\n}\noverlay {\n'
                           '  video "white.ts" at 0.4s trim 0.5s..2s pos 0,0\n}\n')
    means = luma(out)
    assert len(means) == 50
    assert max(means[:10]) < 20  # black before 0.4 s
    assert min(means[10:47]) > 200  # white from frame 10, for 1.5 s
    assert max(means[48:]) < 20


def test_sound_that_starts_late_stays_late(tmp_path: Path) -> None:
    """Pictures from 0 s, sound from 1 s: one second of silence, then the tone, and the
    clip lasts its 3 s (each stream's own start was taken as 0: sound a second early)."""
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3",
                "-itsoffset", "1", "-f", "lavfi", "-i", "sine=sample_rate=48000:duration=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                str(tmp_path / "late.mp4")])
    out = export(tmp_path, 'video {\n  clip "late.mp4"\n  clip "late.mp4" trim 0.5s..1.5s\n}\n')
    f = facts(out)
    assert (f.frames, f.audio_seconds) == (100, pytest.approx(4, abs=1e-3))
    assert loud(out) == "." * 10 + "#" * 20 + "." * 5 + "#" * 5


def test_pictures_that_start_late_follow_black(tmp_path: Path) -> None:
    """Sound from 0 s, pictures from 1 s to 3 s: the clip lasts 3 s, black for its first
    second (it lasted 2 s, the pictures a second early over the sound)."""
    run_ffmpeg(["-itsoffset", "1", "-f", "lavfi", "-i",
                "color=white:size=160x120:rate=25:duration=2",
                "-f", "lavfi", "-i", "sine=sample_rate=48000:duration=3",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                str(tmp_path / "late.mp4")])
    out = export(tmp_path, 'video {\n  clip "late.mp4"\n}\n')
    f = facts(out)
    assert (f.frames, f.audio_seconds) == (75, pytest.approx(3, abs=1e-3))
    means = luma(out)
    assert max(means[:24]) < 20 and min(means[26:]) > 200
    assert loud(out) == "#" * 30


def test_a_variable_frame_rate_behind_a_steady_header_is_resampled(tmp_path: Path) -> None:
    """2 s at 10 fps then 2 s at 30 fps in a Matroska file whose header says 10 fps: an
    output at 10 fps must still resample it (it took the 80 frames as 8 s of video)."""
    run_ffmpeg(["-f", "lavfi", "-i",
                "testsrc2=size=160x120:rate=10:duration=2,settb=1/1000[a];"
                "testsrc2=size=160x120:rate=30:duration=2,settb=1/1000[b];"
                "[a][b]concat=n=2:v=1:a=0",
                "-fps_mode", "passthrough", "-enc_time_base", "1/1000",
                "-c:v", "libx264", "-preset", "ultrafast", str(tmp_path / "vfr.mkv")])
    from tlc.media.probe import probe_many

    info = probe_many([str(tmp_path / "vfr.mkv")])[str(tmp_path / "vfr.mkv")]
    assert info.video is not None and not info.video.steady
    out = export(tmp_path, 'video {\n  clip "vfr.mkv"\n}\n',
                 "size 160x120 fps 10 preset draft")
    f = facts(out)
    assert f.frames == pytest.approx(40, abs=1)
    assert f.audio_seconds == pytest.approx(f.frames / 10, abs=1e-3)


def test_pixels_that_are_not_square_are_fitted_as_they_show(tmp_path: Path) -> None:
    """240x240 stored, 4:3 pixels: it shows as 320x240, so it fills a 320x240 output
    (it was pillarboxed) and `size source` is 320x240 (it was 240x240, stretched)."""
    run_ffmpeg(["-f", "lavfi", "-i", "color=white:size=240x240:rate=25:duration=1",
                "-vf", "setsar=4/3", "-c:v", "libx264", "-preset", "ultrafast",
                str(tmp_path / "wide.mp4")])
    for options in ("size 320x240 fps 25 preset draft", "size source fps 25 preset draft"):
        out = export(tmp_path, 'video {\n  clip "wide.mp4"\n}\n', options)
        f = facts(out)
        assert (f.width, f.height) == (320, 240), options
        assert min(luma(out)) > 200, options  # white to the edges: no bars


def test_a_gif_at_the_output_size_joins_other_items(tmp_path: Path) -> None:
    """ffmpeg reads a GIF's square pixels as 64:64, which the concat filter tells from
    the gap's 1:1: the export failed in ffmpeg."""
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1",
                str(tmp_path / "anim.gif")])
    out = export(tmp_path, 'video {\n  clip "anim.gif"\n  gap 0.5s\n}\n')
    assert facts(out).frames == 38


def test_an_image_item_that_is_a_video_is_an_error(tmp_path: Path) -> None:
    from media import make_video

    make_video(tmp_path / "v.mp4", 1, size=(160, 120))
    with pytest.raises(TlcError, match="is a video, not a still image"):
        export(tmp_path, 'video {\n  image "v.mp4" for 1s\n}\n')


def test_mono_sound_plays_at_its_level_on_both_sides(tmp_path: Path) -> None:
    """A mono clip in a stereo output: each side as loud as the source (ffmpeg's own
    upmix put it 3 dB lower on each), and the two sides the same."""
    import subprocess

    from media import ffmpeg_exe, make_video

    make_video(tmp_path / "mono.mp4", 1, size=(160, 120))  # (its tone is mono)

    def mean_db(path: Path, pan: str) -> float:
        err = subprocess.run([ffmpeg_exe(), "-i", str(path), "-map", "0:a", "-af",
                              f"pan=mono|c0={pan},volumedetect", "-f", "null", "-"],
                             capture_output=True, text=True, check=True).stderr
        return float(err.split("mean_volume:")[1].split("dB")[0])

    out = export(tmp_path, 'video {\n  clip "mono.mp4"\n}\n')
    source = mean_db(tmp_path / "mono.mp4", "c0")
    assert mean_db(out, "c0") == pytest.approx(source, abs=0.3)
    assert mean_db(out, "c1") == pytest.approx(source, abs=0.3)


def test_a_see_through_still_shows_black_where_it_is_clear(tmp_path: Path) -> None:
    """A PNG of white at half opacity, as a main-track still: mid grey, as over black
    (its alpha was dropped and it showed white)."""
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=white@0.5:size=160x120,format=rgba",
                "-frames:v", "1", str(tmp_path / "half.png")])
    out = export(tmp_path, 'video {\n  image "half.png" for 1s\n}\n')
    means = luma(out)
    assert len(means) == 25
    assert all(110 < m < 145 for m in means), means[:3]
