"""Every pass: fixture plans before/after (golden), and real renders checked by probing.

The golden files ``tests/fixtures/passes/NAME.expected`` hold the plan (as ``tlc
explain`` prints it: runs, inputs, graph chains, options) of each fixture timeline
after each pass of the pipeline, in order. Regenerate them with
``TLC_UPDATE_FIXTURES=1 pytest tests/test_passes.py`` and read the diff: it is the
review of what a pass change does.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from passfix import FIXTURES, make_media
from verify import facts

from tlc.api import compile_timeline, context
from tlc.backend.text import plan_text
from tlc.passes import PASS_NAMES
from tlc.runtime.run import execute

#: ``long`` (66 clips, for chunk_inputs) is too long to read as a chain: its per-pass
#: fixtures (tests/fixtures/passes/by_pass/) show it
NAMES = sorted(p.stem for p in FIXTURES.glob("*.tl") if p.stem != "long")
UPDATE = os.environ.get("TLC_UPDATE_FIXTURES") == "1"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("passes"))


def compiled(root: Path, name: str, **opts: object):  # type: ignore[no-untyped-def]
    path = root / f"{name}.tl"
    ctx = context(**opts)  # type: ignore[arg-type]
    return compile_timeline(path.read_text(), str(path), ctx, keep_history=True)


def golden_text(root: Path, name: str) -> str:
    c = compiled(root, name)
    parts = ["== naive ==", *plan_text(c.naive)]
    for pass_name, plan in c.history:
        parts += [f"== {pass_name} ==", *plan_text(plan)]
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_plan_after_each_pass_matches_fixture(root: Path, name: str) -> None:
    text = golden_text(root, name)
    expected = FIXTURES / f"{name}.expected"
    if UPDATE or not expected.exists():
        expected.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote missing fixture {expected.name}; review and commit it")
    assert text == expected.read_text()


def render(root: Path, name: str, out: str, **opts: object) -> Path:
    c = compiled(root, name, output=str(root / out), **opts)
    execute(c.steps, overwrite=True, workdir=c.ctx.workdir)
    return root / out


def runs(root: Path, name: str, **opts: object) -> int:
    return len(compiled(root, name, **opts).steps)


# ---- what each pass is for, seen in the plan -----------------------------------------------


def test_all_passes_make_one_run_and_naive_makes_many(root: Path) -> None:
    assert runs(root, "overlays") == 1
    # 4 items + join + 4 overlays + mix + output
    assert runs(root, "overlays", optimize=False) == 11


def test_drop_persistence_inlines_item_files(root: Path) -> None:
    c = compiled(root, "overlays", disable_passes=["drop_persistence"])
    labels = [s.label for s in c.steps]
    assert labels.count("clip") == 4 and "concat" in labels
    c = compiled(root, "overlays", disable_passes=["merge_overlays"])
    assert "clip" not in [s.label for s in c.steps]


def test_merge_overlays_reads_the_logo_once(root: Path) -> None:
    c = compiled(root, "overlays")
    argv = c.steps[0].argv
    logo_inputs = [a for a in argv if a.endswith("/logo.png")]
    assert len(logo_inputs) == 1
    graph = argv[argv.index("-filter_complex") + 1]
    assert "split=2" in graph and graph.count("overlay=") == 3
    c = compiled(root, "overlays", disable_passes=["merge_overlays"])
    assert [s.label for s in c.steps].count("overlay") == 4


def test_concat_copy_uses_the_concat_demuxer(root: Path) -> None:
    argv = compiled(root, "join").steps[0].argv
    assert "concat" in argv and "-c:v" in argv and argv[argv.index("-c:v") + 1] == "copy"
    argv = compiled(root, "join", disable_passes=["concat_copy", "smart_render"]).steps[0].argv
    assert argv[argv.index("-c:v") + 1] == "libx264"


def test_copy_trims_copies_keyframe_trims_only(root: Path) -> None:
    argv = compiled(root, "trims").steps[0].argv
    assert argv[argv.index("-c:v") + 1] == "copy"
    argv = compiled(root, "trims", disable_passes=["copy_trims", "smart_render"]).steps[0].argv
    assert argv[argv.index("-c:v") + 1] == "libx264"
    argv = compiled(root, "trims_off").steps[0].argv
    assert argv[argv.index("-c:v") + 1] == "libx264"


def test_defer_format_converts_pixels_once(root: Path) -> None:
    argv = compiled(root, "join", disable_passes=["concat_copy", "smart_render"]).steps[0].argv
    graph = argv[argv.index("-filter_complex") + 1]
    assert not re.search(r"\bformat=|scale=|fps=", graph)
    assert argv[argv.index("-pix_fmt") + 1] == "yuv420p"
    off = ["concat_copy", "defer_format", "smart_render"]
    argv = compiled(root, "join", disable_passes=off).steps[0].argv
    graph = argv[argv.index("-filter_complex") + 1]
    # one scale per clip (even when it changes nothing) and a pix_fmt conversion per stage
    assert graph.count("scale=") == 3 and graph.count("format=pix_fmts=yuv420p") >= 3


def test_audio_once_encodes_audio_once(root: Path) -> None:
    for disabled in ([], ["drop_persistence"], ["merge_overlays"]):
        steps = compiled(root, "overlays", disable_passes=disabled).steps
        assert sum(s.argv.count("-c:a") for s in steps) == 1, disabled
    # without it, the audio tracks are mixed into a file of their own first
    steps = compiled(root, "overlays", disable_passes=["audio_once"]).steps
    assert sum(s.argv.count("-c:a") for s in steps) == 2
    steps = compiled(
        root, "overlays", disable_passes=["audio_once", "drop_persistence"]
    ).steps
    assert sum(s.argv.count("-c:a") for s in steps) > 1


def test_force_keyframes_at_cuts(root: Path) -> None:
    argv = compiled(root, "cuts").steps[0].argv
    assert argv[argv.index("-force_key_frames") + 1] == "1"
    argv = compiled(root, "cuts", disable_passes=["force_keyframes"]).steps[0].argv
    assert "-force_key_frames" not in argv


def test_finalize_faststart_and_pix_fmt(root: Path) -> None:
    argv = compiled(root, "overlays").steps[0].argv
    assert "+faststart" in argv and "-pix_fmt" in argv
    argv = compiled(root, "overlays", disable_passes=["finalize"]).steps[0].argv
    assert "+faststart" not in argv and "-pix_fmt" not in argv


# ---- and a real render for each pass, on and off -------------------------------------------

EXPECT = {  # name -> (seconds, frames at 30 fps or None, has video, has audio)
    "overlays": (3.5, 105, True, True),
    "join": (6.0, 180, True, True),
    "transitions": (7.5, 225, True, True),
    "trims": (2.0, 60, True, True),
    "trims_off": (3.5, 105, True, True),
    "cuts": (2.5, 75, True, True),
    "podcast": (4.0, None, False, True),
    "audio_seq": (9.0, None, False, True),
    "renditions": (3.0, 90, True, True),
    "renditions_copy": (6.0, 180, True, True),
}


def check(path: Path, name: str) -> None:
    seconds, frames, video, audio = EXPECT[name]
    f = facts(path)
    if video:
        assert (f.width, f.height, f.fps, f.vcodec, f.pix_fmt) == (160, 90, 30, "h264", "yuv420p")
        assert f.frames == frames
    else:
        assert f.vcodec is None
    assert f.acodec == "aac"
    assert f.audio_seconds == pytest.approx(seconds, abs=1024 / 48000)


@pytest.mark.parametrize("name", NAMES)
def test_render_with_all_passes(root: Path, name: str) -> None:
    out = render(root, name, f"out/{name}-all{Path(name).suffix or ''}" + _ext(name))
    check(out, name)
    assert facts(out).faststart


@pytest.mark.parametrize("pass_name", PASS_NAMES)
def test_render_with_one_pass_off(root: Path, pass_name: str) -> None:
    for name in ("overlays", "trims", "cuts") if pass_name != "audio_once" else ("podcast",):
        out = render(root, name, f"out/{name}-no-{pass_name}{_ext(name)}",
                     disable_passes=[pass_name])
        check(out, name)


def test_render_naive(root: Path) -> None:
    for name in ("overlays", "podcast"):
        out = render(root, name, f"out/{name}-O0{_ext(name)}", optimize=False)
        check(out, name)


def _ext(name: str) -> str:
    return ".m4a" if name in ("podcast", "audio_seq") else ".mp4"
