"""The wasm engine (``--engine wasm``): ffmpeg.wasm under Node.js, both cores, against
native ffmpeg; and its failures. Tiny media: ffmpeg.wasm is about ten times slower.

Skipped, saying why, where Node.js or the npm packages (``make node-deps``) are missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import av
import pytest
from media import make_audio, make_video

ROOT = Path(__file__).resolve().parent.parent
CORES = ROOT / "node_modules" / "@ffmpeg"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (CORES / "core-mt" / "package.json").is_file(),
    reason="Node.js or the ffmpeg.wasm cores are missing: run `make node-deps`",
)

TIMELINE = """\
output "out/o.mp4" { size 160x90 fps 10 preset draft }
video {
  clip "media/a.mp4" trim ..1s
  transition dissolve 300ms
  clip "media/b.mp4" trim ..1s
}
overlay {
  text "Hi" at 0s..1s pos center size 20 box
}
audio {
  clip "media/tone.m4a" volume -6dB
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("wasm")
    (d / "media").mkdir()
    make_video(d / "media" / "a.mp4", 1, size=(160, 90), fps=10)
    make_video(d / "media" / "b.mp4", 1, size=(192, 108), fps=10, audio=False)
    make_audio(d / "media" / "tone.m4a", 2)
    (d / "edit.tl").write_text(TIMELINE)
    return d


def shape(path: Path) -> list[tuple[object, ...]]:
    """Each stream: kind, codec, size, and its packets (frames) for video."""
    out: list[tuple[object, ...]] = []
    with av.open(str(path)) as c:
        for s in c.streams:
            cc = s.codec_context
            if s.type == "video":
                with av.open(str(path)) as again:
                    n = sum(1 for p in again.demux(video=0) if p.size)
                out.append(("video", cc.name, cc.width, cc.height, n))
            else:
                out.append((s.type, cc.name, cc.sample_rate, cc.channels))
    return out


def seconds(path: Path) -> float:
    with av.open(str(path)) as c:
        return round(c.duration / 1e6, 2)


@pytest.fixture(scope="module")
def native(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import tlc

    out = tmp_path_factory.mktemp("native") / "n.mp4"
    tlc.export(str(project / "edit.tl"), output=str(out), overwrite=True, log=False)
    return out


@pytest.mark.parametrize("core", ["st", "mt"])
def test_export_matches_native(project: Path, native: Path, run_tlc, core: str) -> None:
    out = project / "out" / f"{core}.mp4"
    r = run_tlc("export", project / "edit.tl", "--engine", "wasm", "-o", out, "-y",
                "--progress", "json", env={"TLC_WASM_CORE": core}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert '"event": "progress"' in r.stdout  # parsed from ffmpeg.wasm's -progress
    assert shape(out) == shape(native)
    assert shape(out)[0][-1] == 17  # 10 + 10 frames less the 3 of the dissolve
    assert seconds(out) == seconds(native)
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(  # no temp, no work dir
        p.name for p in out.parent.iterdir() if not p.name.startswith(".")
    )


def test_plan_is_made_for_ffmpeg_wasm(project: Path, run_tlc) -> None:
    r = run_tlc("print", project / "edit.tl", "--engine", "wasm", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "fontfile=" in r.stdout  # no fontconfig inside: drawtext is given its font
    r = run_tlc("doctor")
    assert "wasm engine (--engine wasm):" in r.stdout and "ffmpeg 5.1.4" in r.stdout


def test_intermediates_are_fast_in_wasm(project: Path, run_tlc) -> None:
    import json

    r = run_tlc("print", project / "edit.tl", "--engine", "wasm", "-O0", "--preset",
                "production", "--format", "json")
    assert r.returncode == 0, r.stderr
    steps = json.loads(r.stdout)
    codecs = [s["argv"][s["argv"].index("-c:v"):][:6] for s in steps if "-c:v" in s["argv"]]
    *intermediate, final = codecs
    assert intermediate and all(c[2:] == ["-preset", "ultrafast", "-crf", "23"]
                                for c in intermediate)
    assert final[2:] == ["-preset", "medium", "-crf", "20"]  # the output's own preset


def test_missing_encoder_is_an_error_before_anything_runs(project: Path, run_tlc) -> None:
    text = TIMELINE.replace("preset draft", "preset draft video av1")
    (project / "av1.tl").write_text(text)
    r = run_tlc("export", project / "av1.tl", "--engine", "wasm", "-o", project / "av1.mp4")
    assert r.returncode == 2, r.stderr
    assert "error" in r.stderr and "Traceback" not in r.stderr
    assert not (project / "av1.mp4").exists()


def test_heap_exhausted_is_a_clear_failure(project: Path, run_tlc) -> None:
    out = project / "huge.mp4"
    r = run_tlc("export", project / "edit.tl", "--engine", "wasm", "-o", out,
                "--size", "8192x4320", env={"TLC_WASM_CORE": "mt"}, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "memory" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()
    assert not [p for p in project.iterdir() if p.name.startswith(("huge", ".tlc"))]


def test_segmented_export_is_for_the_native_engine(project: Path, run_tlc) -> None:
    r = run_tlc("export", project / "edit.tl", "--engine", "wasm", "--jobs", "2",
                "-o", project / "seg.mp4")
    assert r.returncode == 2 and "native engine" in r.stderr


@pytest.mark.skipif(os.cpu_count() == 1, reason="one CPU core")
def test_doctor_says_which_core(run_tlc) -> None:
    r = run_tlc("doctor", env={"TLC_WASM_CORE": "st"})
    assert "@ffmpeg/core 0.12.10, single-threaded: forced by TLC_WASM_CORE" in r.stdout


def test_ctrl_c_ends_node_and_leaves_nothing(project: Path, cli_env) -> None:
    import signal

    from test_cli import export_running, ffmpeg_processes_under, leftovers

    env = {**cli_env, "TLC_WASM_CORE": "st"}
    out = project / "out" / "cancel.mp4"
    proc = export_running(project / "edit.tl", project, env, "--engine", "wasm", "-o", str(out),
                          "--size", "1280x720", "--fps", "30", "--preset", "production")
    try:
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends it: the whole group
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert not out.exists() and leftovers(project) == []
    assert ffmpeg_processes_under(project) == []


# ---- the browser module (tlc print --format js) in headless Chromium -----------------------


@pytest.fixture(scope="module")
def page_data(project: Path, tmp_path_factory: pytest.TempPathFactory, cli_env) -> Path:
    """A data folder for the example page: plan.mjs and every input it names."""
    import json
    import subprocess

    from conftest import TLC_COMMAND

    data = tmp_path_factory.mktemp("page-data")
    r = subprocess.run([str(TLC_COMMAND), "print", str(project / "edit.tl"), "--format", "js"],
                       env=cli_env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    (data / "plan.mjs").write_text(r.stdout)
    plan = json.loads(r.stdout.split("export const plan = ", 1)[1].split(";\nexport const", 1)[0])
    assert {i["kind"] for i in plan["inputs"]} == {"media", "font"}  # (the caption's font)
    for i in plan["inputs"]:
        shutil.copy(i["path"], data / i["name"])
    return data


@pytest.mark.parametrize("isolated", [True, False], ids=["headers", "no-headers"])
def test_browser_renders_the_plan(page_data: Path, native: Path, tmp_path: Path,
                                  isolated: bool) -> None:
    import json
    import subprocess

    out = tmp_path / "page.mp4"
    argv = ["node", str(ROOT / "examples" / "wasm" / "browser.mjs"), "--data", str(page_data),
            "--out", str(out)] + ([] if isolated else ["--no-isolation"])
    r = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    if r.returncode == 77:
        pytest.skip(r.stdout.strip())
    assert r.returncode == 0, r.stdout + r.stderr
    said = json.loads(r.stdout.strip().splitlines()[-1])
    assert said["isolated"] is isolated
    threads = isolated and (os.cpu_count() or 1) > 1
    assert said["core"] == ("core-mt" if threads else "core")  # the guard
    assert shape(out) == shape(native)
    assert seconds(out) == seconds(native)
