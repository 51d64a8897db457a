"""The examples a newcomer runs first: each exports, and probes as the timeline says.

The media is made by examples/make_media.py (synthetic sources) into a temp dir; the
exports use ``--preset draft`` to keep the suite fast (the plan is the same).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from verify import decoded_audio, facts

ROOT = Path(__file__).resolve().parent.parent
TLC = [sys.executable, "-m", "tlc.cli"]


def tlc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*TLC, *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def runs(examples: Path, name: str, *opts: str) -> int:
    out = tlc("print", f"{name}.tl", "--format", "json", *opts, cwd=examples).stdout
    return len(json.loads(out))


def export(examples: Path, name: str, out: str, *opts: str) -> Path:
    tlc("export", f"{name}.tl", "-o", out, "-y", "--preset", "draft", *opts, cwd=examples)
    return examples / out


def test_teaser_is_one_run_and_naive_is_many(examples: Path) -> None:
    assert runs(examples, "teaser") == 1
    # 6 items, the join, 4 overlays, the music mix, the output
    assert runs(examples, "teaser", "-O0") == 13


def test_teaser_exports_and_naive_gives_the_same_streams(examples: Path) -> None:
    good = facts(export(examples, "teaser", "out/teaser.mp4"))
    naive = facts(export(examples, "teaser", "out/teaser-O0.mp4", "-O0"))
    for f in (good, naive):
        assert (f.width, f.height, f.fps, f.vcodec, f.acodec) == (1280, 720, 30, "h264", "aac")
        assert f.pix_fmt == "yuv420p"
        assert f.frames == 435  # 14.5 s at 30 fps, exact
        assert f.audio_seconds == pytest.approx(14.5, abs=1 / 30)
    assert good.faststart


def test_podcast_exports_audio_only(examples: Path) -> None:
    assert runs(examples, "podcast") == 1
    f = facts(export(examples, "podcast", "out/podcast.m4a"))
    assert (f.vcodec, f.acodec, f.sample_rate) == (None, "aac", 48000)
    assert f.audio_seconds == pytest.approx(15.0, abs=1024 / 48000)
    assert f.faststart


def _video_packets(path: Path) -> list[str]:
    """A digest of each H.264 packet's NAL units, leaving out parameter sets (SPS/PPS),
    which the concat demuxer repeats in-band at keyframes when it joins files."""
    import av

    digests = []
    with av.open(str(path)) as c:
        for p in c.demux(c.streams.video[0]):
            if not p.size:
                continue
            data, h, i = bytes(p), hashlib.md5(), 0
            while i + 4 <= len(data):
                n = int.from_bytes(data[i : i + 4], "big")
                nal = data[i + 4 : i + 4 + n]
                if nal and nal[0] & 0x1F not in (7, 8):
                    h.update(nal)
                i += 4 + n
            digests.append(h.hexdigest())
    return digests


def test_join_copies_the_video_and_encodes_the_audio_once_gaplessly(examples: Path) -> None:
    (step,) = json.loads(tlc("print", "join.tl", "--format", "json", cwd=examples).stdout)
    argv = step["argv"]
    assert argv[argv.index("-c:v") + 1] == "copy"
    assert argv.count("-c:a") == 1 and argv[argv.index("-c:a") + 1] == "aac"
    out = export(examples, "join", "out/join.mp4")
    # the video is the sources' packets, byte for byte: nothing re-encoded
    sources = [p for i in (1, 2, 3) for p in _video_packets(examples / "media" / f"part{i}.mp4")]
    assert _video_packets(out) == sources
    f = facts(out)
    assert f.frames == 270 and f.faststart
    assert f.audio_seconds == pytest.approx(9.0, abs=1024 / 48000)
    # gapless: no run of silence at the joins (the parts' tones run to their ends)
    samples = decoded_audio(out)
    for join in (3, 6):
        around = samples[join * 48000 - 480 : join * 48000 + 480]
        assert max(abs(s) for s in around[:240]) > 100 and max(abs(s) for s in around[-240:]) > 100


def test_help_is_cheap_to_import() -> None:
    """``tlc --help`` loads none of PyAV, ffmpeg-python, rich, jinja2, lark."""
    code = (
        "import sys; from tlc.cli import main\n"
        "heavy = {'av', 'ffmpeg', 'rich', 'jinja2', 'lark'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}
    )
    assert proc.stdout.strip() == "[]", proc.stdout
