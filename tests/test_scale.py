"""Big timelines: 10,000 clips printed fast and small, in argv the kernel takes, with no
run opening more than 64 inputs; 500 clips exported under ``ulimit -n 256``; 1,000
captions rendered. The numbers are in docs/reliability.md (measured with
``python bench/scale.py``)."""

from __future__ import annotations

import dataclasses
import importlib
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from usage import argv_facts, clips_tl, make_sources, measure
from verify import facts

from tlc import ir
from tlc.api import compile_timeline, context

TLC = Path(sys.executable).parent / "tlc"
# the module (tlc.passes re-exports the pass function under the same name)
chunking = importlib.import_module("tlc.passes.chunk_inputs")

MAX_ARG = 100 * 1024  # no single argv element longer (the kernel's limit is 128 KiB)
MAX_ARGV = 128 * 1024  # no whole argv longer (the kernel's limit is 2 MiB, with the env)


@pytest.fixture(scope="module")
def long_clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four 60 s sources at 32x18, 10 fps (copies: four files, four inodes)."""
    d = tmp_path_factory.mktemp("scale")
    make_sources(d)
    return d


def test_print_10000_clips(long_clips: Path, cli_env: dict[str, str], tmp_path: Path) -> None:
    """Its time is measured by bench/scale.py, not here: a timed assertion fails on a busy
    machine (docs/reliability.md has the numbers). Memory does not depend on the load."""
    tl = long_clips / "ten-thousand.tl"
    tl.write_text(clips_tl(10_000))
    out = tmp_path / "steps.json"
    argv = [str(TLC), "print", str(tl), "--format", "json"]
    measure(argv, long_clips, out, cli_env)  # probes the media once (a real user's cache)

    got = measure(argv, long_clips, out, cli_env)

    assert got.status == 0, got.stderr
    assert got.rss_mb < 300, got
    steps = json.loads(out.read_text())
    sizes = argv_facts(steps)
    assert sizes["runs"] > 1  # segments
    assert sizes["longest arg"] < MAX_ARG
    assert sizes["longest argv"] < MAX_ARGV
    assert sizes["most -i"] <= chunking.MAX_INPUTS


def test_500_clips_export_under_ulimit_n_256(long_clips: Path, cli_env: dict[str, str],
                                             tmp_path: Path) -> None:
    """Without chunking, 500 inputs are past 256 open files and ffmpeg fails; with it,
    no run opens more than 64 and the export is exact: 1,000 frames, 100 s of sound."""
    tl = long_clips / "five-hundred.tl"
    tl.write_text(clips_tl(500, str(tmp_path / "out.mp4")))

    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    def export(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TLC), "export", str(tl), "-y", *options], env=cli_env,
                              capture_output=True, text=True, timeout=300, check=False,
                              stdin=subprocess.DEVNULL, preexec_fn=few_files)

    proc = export("--disable-pass", "chunk_inputs")
    assert proc.returncode == 1, proc.stderr  # the limit bites
    assert not (tmp_path / "out.mp4").exists()

    proc = export()

    assert proc.returncode == 0, proc.stderr
    f = facts(tmp_path / "out.mp4")
    assert (f.width, f.height, f.frames) == (32, 18, 1000)
    assert f.audio_seconds == pytest.approx(100, abs=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_1000_captions_render(long_clips: Path, cli_env: dict[str, str],
                              tmp_path: Path) -> None:
    caps = "".join(
        f'  text "caption {i}: \\"%{{n}}\\" [x], {{y}}; z=1" at {i / 100:.2f}s+0.01s size 8\n'
        for i in range(1000)
    )
    tl = tmp_path / "captions.tl"
    tl.write_text(f'output "out.mp4" {{ size 32x18 fps 10 preset draft }}\n'
                  f'video {{\n  clip "{long_clips / "src0.mp4"}" trim 0s..10s\n}}\n'
                  f"overlay {{\n{caps}}}\n")

    proc = subprocess.run([str(TLC), "export", str(tl)], env=cli_env, capture_output=True,
                          text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no warning: every caption is inside the timeline
    f = facts(tmp_path / "out.mp4")
    assert (f.frames, f.audio_seconds) == (100, pytest.approx(10, abs=1e-3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captions.tl", "out.mp4"]


def test_chunked_export_equals_the_unchunked_one(long_clips: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With the bound at 8 inputs, 30 clips become 4 segments; the export has the same
    frames (decoded, compared by PSNR with the one-run export) and the same sound."""
    from tlc.runtime.run import execute

    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    text = clips_tl(30, seconds=0.3)
    tl = long_clips / "thirty.tl"
    tl.write_text(text)
    outs = {}
    for name, bound in (("one", 1000), ("chunked", 8)):
        monkeypatch.setattr(chunking, "MAX_INPUTS", bound)
        c = compile_timeline(text, str(tl), context(output=str(tmp_path / f"{name}.mp4")))
        outs[name] = c
        execute(c.steps, workdir=c.ctx.workdir)
    assert len(outs["one"].steps) == 1 and len(outs["chunked"].steps) == 9
    one, chunked = (facts(tmp_path / f"{n}.mp4") for n in ("one", "chunked"))
    assert chunked.frames == one.frames == 90
    assert chunked.audio_seconds == pytest.approx(one.audio_seconds, abs=1e-3)
    psnr = subprocess.run(
        [_ffmpeg(), "-nostdin", "-i", str(tmp_path / "one.mp4"), "-i",
         str(tmp_path / "chunked.mp4"), "-lavfi", "[0:v][1:v]psnr", "-f", "null", "-"],
        capture_output=True, text=True, check=True).stderr
    average = float(psnr.split("average:")[1].split()[0])
    assert average > 30, psnr  # the same pictures (an off-by-one frame is far below 20)


def test_chunked_one_frame_clips_keep_every_frame(long_clips: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """20 clips of one frame each, cut into segments of 8: each segment's join keeps its
    20 frames on the frame grid (the concat filter alone gave them no duration, and the
    encoder dropped all but one per segment: 3 frames of 20)."""
    from tlc.runtime.run import execute

    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(chunking, "MAX_INPUTS", 8)
    text = clips_tl(20, seconds=0.1)
    tl = long_clips / "twenty-frames.tl"
    tl.write_text(text)
    c = compile_timeline(text, str(tl), context(output=str(tmp_path / "o.mp4")))
    assert len(c.steps) > 2  # segments
    execute(c.steps, workdir=c.ctx.workdir)
    f = facts(tmp_path / "o.mp4")
    assert (f.frames, f.audio_seconds) == (20, pytest.approx(2, abs=1e-3))


def _ffmpeg() -> str:
    from media import ffmpeg_exe

    return ffmpeg_exe()


def test_each_pass_walk_is_the_walk_of_its_plan(long_clips: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The walks ir.transform hands on to the next pass (instead of walking again) are
    exactly the fresh walks of the plans they belong to."""
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(chunking, "MAX_INPUTS", 8)
    checked = []

    def check(name: str, plan: ir.Plan) -> None:
        handed = ir.walk(plan.outputs)
        fresh = ir.walk_from(tuple(plan.outputs))
        assert [id(n) for n in handed] == [id(n) for n in fresh], name
        # sinks() walks around the items' chains: the same files, in the same order
        assert ir.sinks(plan) == [n for n in fresh if isinstance(n, ir.Sink)], name
        checked.append(name)

    text = clips_tl(30).replace("}\n", "}\n", 1) + (
        'overlay {\n  text "x" at 0s..1s\n  video "src0.mp4" at 1s..2s\n}\n'
        'audio {\n  clip "src1.mp4" trim 0s..3s volume -6dB\n}\n'
    )
    for options in ({}, {"disable_passes": ["drop_persistence"]}):
        ctx = dataclasses.replace(context(**options), workdir=None)  # type: ignore[arg-type]
        compile_timeline(text, str(long_clips / "walks.tl"), ctx, on_pass=check)
    assert len(checked) > 10
