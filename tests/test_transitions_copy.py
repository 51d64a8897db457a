"""Copy next to transitions (issue 11): in a track with transitions, the items a
transition joins are re-encoded, and the clips around them that match the output
are still copied, frame for frame, in one run's join and in a segmented export's.
"""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from media import ffmpeg_exe, run_ffmpeg
from verify import facts

import tlc

HEAD = 'output "out.mp4" { size 160x90 fps 10 preset draft }\n'
AAC_FRAME = 1024 / 48000
#: a lavfi source per clip: each clip's pictures differ from the others'
PATTERNS = {"a": "testsrc2", "b": "smptebars", "c": "rgbtestsrc", "d": "testsrc"}


def clip(path: Path, pattern: str, size: str = "160x90", seconds: int = 3) -> Path:
    """A clip as the output would encode it: H.264 yuv420p at 10 fps, a keyframe first."""
    run_ffmpeg(["-f", "lavfi", "-i", f"{pattern}=size={size}:rate=10:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", str(path)])
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("copy_next")
    for name, pattern in PATTERNS.items():
        clip(root / f"{name}.mp4", pattern)
    clip(root / "big.mp4", "testsrc2", size="192x108", seconds=2)  # needs a fit
    return root


def timeline(root: Path, name: str, body: str) -> Path:
    path = root / f"{name}.tl"
    path.write_text(HEAD + "video {\n" + body + "}\n")
    return path


ABCD = ('  clip "a.mp4"\n  clip "b.mp4"\n  transition dissolve 1s\n  clip "c.mp4"\n'
        '  clip "d.mp4"\n')


def frame_md5s(path: Path) -> list[str]:
    """The MD5 of each decoded picture (ffmpeg's framemd5), in order."""
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-map",
                           "0:v:0", "-f", "framemd5", "-"], capture_output=True, text=True,
                          check=True)
    return [line.rsplit(",", 1)[1].strip() for line in proc.stdout.splitlines()
            if line and not line.startswith("#")]


def exported(tl: Path, out: Path, frames: int, **opts: object) -> list[str]:
    """Export ``tl`` to ``out``: exactly ``frames`` pictures at 10 fps, the sound as long
    within one AAC frame, a clean decode; the MD5 of each picture."""
    tlc.export(str(tl), output=str(out), overwrite=True, **opts)
    f = facts(out)
    assert f.frames == frames
    assert abs((f.audio_seconds or 0) - frames / 10) <= AAC_FRAME
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-nostdin", "-i", str(out),
                           "-f", "null", "-"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    return frame_md5s(out)


def rgb(path: Path, index: int) -> object:
    import av

    with av.open(str(path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="rgb24").astype(float)
    raise AssertionError(f"{path} has no frame {index}")


def test_the_clips_around_a_transition_are_copied_and_the_group_re_encoded(
        clips: Path, run_tlc) -> None:
    import numpy as np

    tl = timeline(clips, "abcd", ABCD)
    steps = tlc.compile(str(tl)).steps
    assert len(steps) == 2  # the group's run, then the join
    group, join = (" ".join(s.argv) for s in steps)
    assert "xfade=" in group and "b.mp4" in group and "c.mp4" in group
    assert "a.mp4" not in group and "d.mp4" not in group
    assert "-f concat" in join and "-c:v copy" in join and "xfade" not in join
    assert "acrossfade=" in join  # the sound: one graph over the whole track, encoded once

    printed = run_tlc("print", tl, cwd=clips)
    assert printed.returncode == 0, printed.stderr
    assert "file a.mp4" in printed.stdout or "a.mp4'" in printed.stdout
    assert "-c:v copy" in printed.stdout
    explained = run_tlc("explain", tl, cwd=clips)
    assert explained.returncode == 0, explained.stderr
    assert "note: out.mp4: item 1 (a.mp4) copied" in explained.stdout
    assert "note: out.mp4: item 4 (d.mp4) copied" in explained.stdout
    assert ("note: out.mp4: items 2-3 (b.mp4, c.mp4) re-encoded (group-2-3.mp4): the "
            "transition 'dissolve' joins these items") in explained.stdout

    out = clips / "abcd.mp4"
    got = exported(tl, out, 4 * 30 - 10)  # the items' sum less the transition, to the frame
    assert got[:30] == frame_md5s(clips / "a.mp4")  # copied: the very same pictures
    assert got[80:] == frame_md5s(clips / "d.mp4")
    # the dissolve is frames 50..59: at its middle, half b's picture and half c's
    mid, b, c = rgb(out, 55), rgb(clips / "b.mp4", 25), rgb(clips / "c.mp4", 5)
    off_mix = float(np.abs(mid - (b + c) / 2).mean())  # type: ignore[operator]
    assert off_mix * 3 < float(np.abs(mid - b).mean())  # type: ignore[operator]
    assert off_mix * 3 < float(np.abs(mid - c).mean())  # type: ignore[operator]


def test_a_clip_that_does_not_match_is_re_encoded_on_its_own_and_said_why(
        clips: Path, run_tlc) -> None:
    tl = timeline(clips, "mixed", ABCD.replace('"d.mp4"', '"big.mp4"'))
    explained = run_tlc("explain", tl, cwd=clips)
    assert explained.returncode == 0, explained.stderr
    assert "item 1 (a.mp4) copied" in explained.stdout
    assert ("item 4 (big.mp4) re-encoded (clip-4.mp4): it is 192x108, the output is "
            "160x90 (it needs a fit)") in explained.stdout
    assert exported(tl, clips / "mixed.mp4", 30 + 50 + 20)[:30] == frame_md5s(clips / "a.mp4")


def test_a_track_where_no_clip_matches_is_one_encode_as_before(clips: Path, run_tlc) -> None:
    tl = timeline(clips, "none", '  clip "big.mp4"\n  transition wipeleft 0.5s\n'
                  '  clip "big.mp4"\n  clip "big.mp4"\n')
    steps = tlc.compile(str(tl)).steps
    assert len(steps) == 1
    argv = " ".join(steps[0].argv)
    assert "-c:v copy" not in argv and "xfade=" in argv
    explained = run_tlc("explain", tl, cwd=clips)
    assert "note:" not in explained.stdout


def test_a_trim_off_its_keyframes_is_re_encoded_by_copy_trims(clips: Path, run_tlc) -> None:
    tl = timeline(clips, "trims", ABCD.replace('"a.mp4"', '"a.mp4" trim 0s..2s'))
    explained = run_tlc("explain", tl, cwd=clips).stdout
    assert "== concat_copy: no change ==" in explained
    assert ("item 1 (a.mp4) re-encoded (clip-1.mp4): its trim ends at 2.000s, which is "
            "not a keyframe") in explained
    assert "item 4 (d.mp4) copied" in explained
    off = run_tlc("print", tl, "--disable-pass", "copy_trims", cwd=clips).stdout
    assert "-c:v copy" not in off  # (copy_trims is the pass that copies next to a trim)


def test_a_segmented_export_copies_the_windows_without_a_transition(
        clips: Path, run_tlc) -> None:
    tl = timeline(clips, "seg", ABCD)
    printed = run_tlc("print", tl, "--jobs", "2", "--segment", "3", "--format", "json",
                      cwd=clips)
    assert printed.returncode == 0, printed.stderr
    steps = json.loads(printed.stdout)
    windows = [" ".join(s["argv"]) for s in steps[:-1] if s["writes"][0].endswith(".mp4")]
    copied = [w for w in windows if "-c:v copy" in w]
    assert len(windows) == 3 and len(copied) == 2  # a and d copied; b~c encoded
    assert all("xfade" not in w for w in copied)
    one = exported(tl, clips / "seg-one.mp4", 110)
    many = exported(tl, clips / "seg-many.mp4", 110, jobs=2, segment_seconds=Fraction(3))
    assert many[:30] == frame_md5s(clips / "a.mp4")
    assert many == one  # the same pictures as the one-run export


def test_an_hevc_output_is_one_encode_and_explain_says_why(tmp_path: Path, run_tlc) -> None:
    for name in ("h1.mp4", "h2.mp4"):
        run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=2",
                    "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=0",
                    "-pix_fmt", "yuv420p", "-tag:v", "hvc1", str(tmp_path / name)])
    tl = tmp_path / "h.tl"
    tl.write_text(HEAD.replace("preset draft", "preset draft video hevc") + "video {\n"
                  '  clip "h1.mp4"\n  clip "h2.mp4"\n  transition dissolve 0.5s\n'
                  '  clip "h1.mp4"\n}\n')
    steps = tlc.compile(str(tl)).steps
    assert len(steps) == 1 and "-c:v copy" not in " ".join(steps[0].argv)
    explained = run_tlc("explain", tl, cwd=tmp_path).stdout
    assert ("note: out.mp4: no clip copied next to the transitions: a hevc join of copied "
            "clips and files tlc encodes would not decode (H.264 only)") in explained
