"""Golden argv of every built-in encoder plugin, for every preset, hardware ones too.

``tests/fixtures/argv/NAME-FAMILY.txt`` holds, for each preset, the whole ffmpeg
argv of a one-stream export through that encoder (of a 1280x720, 30 fps colour, or
a second of silence: sources without inputs, so that only what the encoder changes
can change these files), as tlc emits it after the passes (``-pix_fmt yuv420p`` at
the output, as ``finalize`` leaves it). The hardware encoders cannot run here (no
GPU), so their argv is only compared, never run. Regenerate with
``TLC_UPDATE_FIXTURES=1 pytest tests/test_plugins_argv.py`` and read the diff.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from plugfix import fresh_registry

from tlc.backend.emit import emit
from tlc.ir import Encode, Lavfi, Plan, Sink, Timeline
from tlc.plugin import PRESETS, Request
from tlc.plugin.codecs import codec
from tlc.plugin.manager import Registered

FIXTURES = Path(__file__).parent / "fixtures" / "argv"
UPDATE = os.environ.get("TLC_UPDATE_FIXTURES") == "1"
REGISTRY = fresh_registry()
ENCODERS = [r for r in REGISTRY.all if r.encoder.family != "copy"]
AUDIO_OUTPUTS = {
    "aac": ("/out/audio.m4a", "ipod"),
    "opus": ("/out/audio.opus", "opus"),
    "mp3": ("/out/audio.mp3", "mp3"),
    "pcm": ("/out/audio.wav", "wav"),
    "flac": ("/out/audio.flac", "flac"),
}


def argv_for(r: Registered, preset: str) -> list[str]:
    e = r.encoder
    if e.media == "v":
        request = Request.for_preset(preset, 1280, 720, Fraction(30))
        src = Lavfi("color", (("c", "gray"), ("s", "1280x720"), ("r", "30"), ("d", "1")), "v")
        c = replace(codec(REGISTRY, e, request), pix_fmt="yuv420p")
        path, container = "/out/video.mp4", "mp4"
    else:
        request = Request.for_preset(preset)
        src = Lavfi("anullsrc", (("r", "48000"), ("cl", "stereo"), ("d", "1")), "a")
        c = codec(REGISTRY, e, request)
        path, container = AUDIO_OUTPUTS[e.family]
    sink = Sink(path, (Encode(src, c, e.media),), "output", container)  # type: ignore[arg-type]
    timeline = Timeline((), (), (), (), Fraction(1), Fraction(30), 1280, 720, {})
    (step,) = emit(Plan((sink,), timeline, "/work"), None, "ffmpeg")
    return list(step.argv)


def golden_text(r: Registered) -> str:
    lines = [f"# {r.encoder.name} ({r.encoder.family}): {r.encoder.ffmpeg_name}"]
    for preset in PRESETS:
        lines.append(f"{preset}: {shlex.join(argv_for(r, preset))}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("entry", ENCODERS, ids=lambda r: f"{r.encoder.name}-{r.encoder.family}")
def test_argv_of_every_preset_matches_golden(entry: Registered) -> None:
    expected = FIXTURES / f"{entry.encoder.name}-{entry.encoder.family}.txt"
    text = golden_text(entry)
    if UPDATE or not expected.exists():
        FIXTURES.mkdir(parents=True, exist_ok=True)
        expected.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote missing fixture {expected.name}; review and commit it")
    assert text == expected.read_text()


def test_every_golden_has_its_encoder() -> None:
    """A golden whose encoder is gone is stale."""
    names = {f"{r.encoder.name}-{r.encoder.family}.txt" for r in ENCODERS}
    assert {p.name for p in FIXTURES.glob("*.txt")} <= names


def test_the_hardware_upload_reaches_the_argv() -> None:
    """QSV: the device before the inputs, the upload last in the graph, no -pix_fmt."""
    qsv = REGISTRY.find("qsv", "h264")
    assert qsv is not None
    argv = argv_for(qsv, "draft")
    assert (argv.index("-init_hw_device") < argv.index("-filter_hw_device")
            < argv.index("-filter_complex"))
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.endswith("[v1]format=pix_fmts=nv12,hwupload=extra_hw_frames=64,format=qsv[v2]")
    assert argv[argv.index("-map") + 1] == "[v2]"
    assert "-pix_fmt" not in argv


def test_the_default_keeps_todays_argv() -> None:
    x264 = REGISTRY.find("x264", "h264")
    assert x264 is not None
    argv = argv_for(x264, "production")
    i = argv.index("-c:v")
    assert argv[i : i + 8] == ["-c:v", "libx264", "-preset", "medium", "-crf", "20",
                               "-pix_fmt", "yuv420p"]
