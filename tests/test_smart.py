"""Smart render (the ``smart_render`` pass): copied GOPs, re-encoded spans, one valid file.

The source is written as a camera or a screen recorder writes it: x264 with a
keyframe every 1.33 s, B-frames (so an MP4 edit list), AAC sound. The timeline
trims it off a keyframe and puts a logo and a caption on it. Every frame of the
smart export is checked against the source (copied frames: bit-identical) or the
``--smart off`` export (re-encoded frames: PSNR), and the file is decoded by
ffmpeg, PyAV and Chromium.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from media import ffmpeg_exe, make_image, run_ffmpeg
from verify import decoded_audio, decoded_audio_seconds

from tlc.api import compile_timeline, context, explain, export

ROOT = Path(__file__).resolve().parent.parent
FPS = 15
TRIM = 6  # frames: the trim starts at 0.4 s, frame 6, not a keyframe
FRAMES = 174  # 11.6 s at 15 fps

TIMELINE = """output "{out}" {{
  size 160x90
  fps 15
}}
video {{
  clip "src.mp4" trim 0.4s..12s
}}
overlay {{
  image "logo.png" at 5s..6s pos 10,10
  text "Hi" at 8s..9s size 20
}}
"""


def camera_source(path: Path, seconds: int = 12, *extra: str) -> Path:
    """x264 as a camera writes it: fixed GOP of 20 frames (1.33 s), B-frames, stereo AAC; the
    picture a little soft, as a lens makes it (testsrc2's one-pixel lines are more than
    any encode of 160x90 keeps within 40 dB)."""
    run_ffmpeg([
        "-f", "lavfi", "-i",
        f"testsrc2=size=160x90:rate={FPS}:duration={seconds},gblur=sigma=2",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "16",
        "-g", "20", "-keyint_min", "20", "-sc_threshold", "0", "-pix_fmt", "yuv420p", *extra,
        "-c:a", "aac", "-ac", "2", "-b:a", "96k", str(path),
    ])
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source, the timeline, and its smart and ``--smart off`` exports."""
    d = tmp_path_factory.mktemp("smart")
    camera_source(d / "src.mp4")
    make_image(d / "logo.png", (16, 16))
    for name, smart in (("out", "auto"), ("off", "off")):
        tl = d / f"{name}.tl"
        tl.write_text(TIMELINE.format(out=f"{name}.mp4"))
        export(str(tl), overwrite=True, smart=smart, log=False)
    return d


def notes(tl: Path, **opts: object) -> str:
    ctx = context(**opts)  # type: ignore[arg-type]
    compiled = compile_timeline(tl.read_text(), str(tl), ctx, keep_history=True)
    return "\n".join(line[6:] for line in explain(compiled).splitlines()
                     if line.startswith("note: smart render") or line.startswith("note:   "))


def runs(text: str) -> list[tuple[bool, int]]:
    """(copied, frames) of each run, in order, from explain's notes."""
    return [(kind == "copy", int(n)) for kind, n in
            re.findall(r"^  (copy|re-encode) +source [\d.]+s\.\.[\d.]+s \((\d+) frames\)",
                       text, re.M)]


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="yuv420p") for f in c.decode(video=0)]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def check_runs(found: list[tuple[bool, int]], out: list[np.ndarray], source: list[np.ndarray],
               spans_like: list[np.ndarray], least_db: float) -> list[float]:
    """Each copied frame of ``out`` is ``source``'s (the frame the output shows there),
    bit for bit; each re-encoded one is within ``least_db`` of ``spans_like``'s. Returns
    the re-encoded frames' PSNR."""
    at, seen = 0, []
    for copied, n in found:
        for i in range(at, at + n):
            if copied:
                assert np.array_equal(out[i], source[i]), f"frame {i} is not the source's"
            else:
                seen.append(psnr(out[i], spans_like[i]))
                assert seen[-1] >= least_db, f"frame {i}: {seen[-1]:.1f} dB"
        at += n
    assert at == len(out)
    return seen


def no_errors(path: Path) -> None:
    """``ffmpeg -v error -xerror -i OUT -f null -`` prints nothing and exits 0."""
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", str(path), "-f", "null",
                           "-"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == ""


def test_explain_shows_each_run_and_why(made: Path) -> None:
    text = notes(made / "out.tl")
    assert "not on a keyframe" in text and "logo.png (line 9)" in text
    assert "caption 'Hi' (line 10)" in text
    found = runs(text)
    assert sum(n for _, n in found) == FRAMES
    assert found[0] == (False, 14)  # 0.4 s to the keyframe at 1.33 s
    assert sum(n for copied, n in found if copied) >= 100  # most frames are copied
    assert notes(made / "out.tl", smart="off") == ""


def test_copied_frames_are_the_sources_and_spans_match_the_one_run_export(made: Path) -> None:
    out, off, src = frames(made / "out.mp4"), frames(made / "off.mp4"), frames(made / "src.mp4")
    assert len(out) == len(off) == FRAMES
    db = check_runs(runs(notes(made / "out.tl")), out, src[TRIM:TRIM + FRAMES], off, 40)
    print(f"re-encoded frames: {len(db)}, PSNR vs --smart off: min {min(db):.2f} dB")


def test_the_file_is_valid_and_exact(made: Path) -> None:
    out = made / "out.mp4"
    no_errors(out)
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        pts = [f.pts for f in c.decode(v)]
        assert v.time_base is not None and v.codec_context.profile == "High"
        step = round(1 / (FPS * v.time_base))
    assert len(pts) == FRAMES and pts[0] == 0  # every frame, evenly spaced from 0
    assert all(b - a == step for a, b in zip(pts, pts[1:], strict=False))
    assert decoded_audio_seconds(out) == pytest.approx(FRAMES / FPS, abs=0.001)  # gapless
    assert decoded_audio_seconds(out) == decoded_audio_seconds(made / "off.mp4")
    # one clip, its sound untouched: copied, the very samples from the trim on
    assert "the sound is copied" in notes(made / "out.tl")
    sound, source = decoded_audio(out), decoded_audio(made / "src.mp4")
    start = round(TRIM / FPS * 48000)
    assert sound == source[start : start + len(sound)]


def test_chromium_plays_it_to_the_end(made: Path) -> None:
    node, chromium = shutil.which("node"), shutil.which("chromium")
    if not node or not chromium or not (ROOT / "node_modules" / "playwright-core").exists():
        pytest.skip("no node, chromium or playwright-core (make node-deps)")
    proc = subprocess.run([node, str(ROOT / "tests" / "smart_play.mjs"), str(made / "out.mp4")],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=120)
    if proc.returncode != 0 and "launch" in proc.stderr:
        pytest.skip(f"chromium cannot start here: {proc.stderr.strip()[-300:]}")
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["what"] == "ended" and seen["error"] is None, seen
    assert seen["duration"] == pytest.approx(FRAMES / FPS, abs=0.02)
    assert seen["currentTime"] == pytest.approx(seen["duration"], abs=0.02)
    assert abs(seen["frames"] - FRAMES) <= 1, seen


def test_a_source_it_cannot_match_is_encoded_with_the_reason(made: Path) -> None:
    d = made / "other"
    d.mkdir(exist_ok=True)
    camera_source(d / "src.mp4", 4, "-profile:v", "high422", "-pix_fmt", "yuv422p")
    tl = d / "a.tl"
    tl.write_text('output "o.mp4" { size 160x90\n fps 15 }\n'
                  'video { clip "src.mp4" trim 0.4s..4s }\noverlay { text "Hi" at 1s..2s }\n')
    assert "not used for o.mp4: src.mp4: its H.264 profile is High 4:2:2" in notes(tl)
    ctx = context(smart="on")
    compiled = compile_timeline(tl.read_text(), str(tl), ctx)
    assert any("smart render is not used" in w for w in compiled.warnings)
    argv = compiled.steps[-1].argv
    assert argv[argv.index("-c:v") + 1] == "libx264"


def test_a_source_not_from_x264_is_encoded_with_the_reason(made: Path) -> None:
    d = made / "openh264"
    d.mkdir(exist_ok=True)
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=size=160x90:rate={FPS}:duration=4",
                "-c:v", "libopenh264", "-g", "20", "-pix_fmt", "yuv420p", str(d / "src.mp4")])
    tl = d / "a.tl"
    tl.write_text('output "o.mp4" { size 160x90\n fps 15 }\nvideo { clip "src.mp4" }\n'
                  'overlay { text "Hi" at 1s..2s }\n')
    assert "not written by x264" in notes(tl)


def test_two_cuts_of_one_source_off_keyframes(made: Path) -> None:
    """A clip that ends off a keyframe, and the next that starts off one: each end is a
    span of its own; the GOPs between are copied; the frames follow on exactly."""
    tl = made / "cuts.tl"
    tl.write_text('output "cuts.mp4" { size 160x90\n fps 15 }\n'
                  'video {\n clip "src.mp4" trim 0.4s..5s\n clip "src.mp4" trim 7s..12s\n}\n')
    export(str(tl), overwrite=True, log=False)
    found = runs(notes(tl))
    assert [copied for copied, _ in found] == [False, True, False, False, True]
    out, src = frames(made / "cuts.mp4"), frames(made / "src.mp4")
    wanted = [*range(6, 75), *range(105, 180)]  # the source frames each output frame shows
    assert len(out) == len(wanted) == sum(n for _, n in found)
    shown = [src[k] for k in wanted]
    check_runs(found, out, shown, shown, 40)
    no_errors(made / "cuts.mp4")
    # two clips: the sound is encoded once, as long as the pictures
    assert decoded_audio_seconds(made / "cuts.mp4") == pytest.approx(len(out) / FPS, abs=0.001)


def test_gaps_and_stills_beside_copied_gops(made: Path) -> None:
    """A gap and a still in the main track are encoded (with the source's settings)
    between the copied GOPs; the file is whole and exact (a gap once stopped the pass)."""
    tl = made / "gap.tl"
    make_image(made / "still.png", (160, 90))
    tl.write_text('output "gap.mp4" { size 160x90\n fps 15 }\n'
                  'video {\n image "still.png" for 1s\n clip "src.mp4" trim 0.4s..12s\n'
                  ' gap 1s\n}\noverlay {\n text "Hi" at 9s..10s size 20\n}\n')
    export(str(tl), overwrite=True, log=False)
    text = notes(tl)
    assert "a gap" in text and "a still" in text
    found = runs(text)
    assert any(copied for copied, _ in found)
    out = frames(made / "gap.mp4")
    assert len(out) == 15 + FRAMES + 15 == sum(n for _, n in found)
    no_errors(made / "gap.mp4")
    assert decoded_audio_seconds(made / "gap.mp4") == pytest.approx(len(out) / FPS, abs=0.001)


def test_two_sources_with_the_same_headers_are_cut_at_their_own_keyframes(made: Path) -> None:
    """Two files from one camera (same SPS/PPS) with GOPs of other lengths: each clip's
    copied runs start on its own file's keyframes, and every copied frame is its own."""
    other = camera_source(made / "other.mp4", 12, "-g", "15", "-keyint_min", "15")
    tl = made / "two.tl"
    tl.write_text('output "two.mp4" { size 160x90\n fps 15 }\n'
                  'video {\n clip "src.mp4" trim 0s..6s\n clip "other.mp4" trim 2s..10s\n}\n'
                  'overlay {\n text "Hi" at 7s..8s size 20\n}\n')
    export(str(tl), overwrite=True, log=False)
    export(str(tl), output=str(made / "two-off.mp4"), overwrite=True, log=False, smart="off")
    found = runs(notes(tl))
    # the second clip starts on one of its own keyframes (2 s), not on the first's
    assert [copied for copied, _ in found] == [True, False, True, False, True]
    out = frames(made / "two.mp4")
    src, oth = frames(made / "src.mp4"), frames(other)
    shown = [*src[0:90], *oth[30:150]]
    assert len(out) == len(shown) == sum(n for _, n in found)
    check_runs(found, out, shown, frames(made / "two-off.mp4"), 38)
    no_errors(made / "two.mp4")


def x265_source(path: Path, *params: str) -> Path:
    run_ffmpeg([
        "-f", "lavfi", "-i", f"testsrc2=size=160x90:rate={FPS}:duration=12,gblur=sigma=2",
        "-c:v", "libx265", "-preset", "veryfast", "-crf", "20", "-x265-params",
        ":".join(["keyint=20", "min-keyint=20", "scenecut=0", "log-level=error", *params]),
        "-pix_fmt", "yuv420p", "-tag:v", "hvc1", str(path),
    ])
    return path


HEVC = TIMELINE.replace("fps 15\n", "fps 15\n  video hevc\n")


def test_hevc_from_x265_with_closed_gops(made: Path) -> None:
    d = made / "hevc"
    d.mkdir(exist_ok=True)
    x265_source(d / "src.mp4", "no-open-gop=1")
    shutil.copy(made / "logo.png", d / "logo.png")
    tl = d / "a.tl"
    tl.write_text(HEVC.format(out="out.mp4"))
    export(str(tl), overwrite=True, log=False)
    export(str(tl), str(d / "off.mp4"), overwrite=True, log=False, smart="off")
    found = runs(notes(tl))
    assert [c for c, _ in found] == [False, True, False, True, False, True]
    out, off, src = frames(d / "out.mp4"), frames(d / "off.mp4"), frames(d / "src.mp4")
    assert len(out) == len(off) == FRAMES
    db = check_runs(found, out, src[TRIM:TRIM + FRAMES], off, 38)
    print(f"HEVC re-encoded frames: {len(db)}, PSNR vs --smart off: min {min(db):.2f} dB")
    no_errors(d / "out.mp4")


def test_hevc_with_open_gops_falls_back(made: Path) -> None:
    d = made / "hevc-open"
    d.mkdir(exist_ok=True)
    x265_source(d / "src.mp4")  # x265's default: open GOPs
    shutil.copy(made / "logo.png", d / "logo.png")
    tl = d / "a.tl"
    tl.write_text(HEVC.format(out="out.mp4"))
    assert "it has open GOPs" in notes(tl)


def test_the_command_line(made: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    """``tlc print`` shows the runs (a segment per span, the list of copied GOPs);
    ``tlc explain`` the reasons; ``--smart off`` and ``--disable-pass`` turn it off."""
    tl = made / "out.tl"
    printed = run_tlc("print", tl, cwd=made)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.count(": segment -> smart-1-") == 3
    assert "exact_stream_id 1" in printed.stdout and "-c:v copy" in printed.stdout
    explained = run_tlc("explain", tl, cwd=made)
    assert "== smart_render: changed" in explained.stdout and "re-encode source" in explained.stdout
    for off in (["--smart", "off"], ["--disable-pass", "smart_render"]):
        printed = run_tlc("print", tl, *off, cwd=made)
        assert "smart-1-" not in printed.stdout and "libx264" in printed.stdout, off
    bad = run_tlc("print", tl, "--smart", "maybe", cwd=made)
    assert bad.returncode == 2
