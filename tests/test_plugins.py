"""The plugin manager and the encoder registry: built-ins, third parties, the hooks.

Each test builds a fresh manager with only the plugins it needs (tests/plugfix.py).
"""

from __future__ import annotations

import re
import sys
import textwrap
import types
from pathlib import Path

import pluggy
import pytest
from plugfix import fresh_registry
from verify import facts

import tlc.plugin
from tlc.api import compile_timeline, context, render
from tlc.plugin import PRESETS, Encoder, Request, hookimpl, reason_from_stderr
from tlc.plugin.manager import BUILTINS, PluginError, Registry, make_manager, use

BUILT_IN_ENCODERS = {
    ("nvenc", "h264"), ("qsv", "h264"), ("amf", "h264"), ("x264", "h264"),
    ("nvenc", "hevc"), ("qsv", "hevc"), ("amf", "hevc"), ("x265", "hevc"),
    ("aom", "av1"), ("aac", "aac"), ("opus", "opus"), ("mp3", "mp3"),
    ("pcm", "pcm"), ("flac", "flac"), ("copy", "copy"),
}


def test_every_built_in_is_registered_and_answers_every_preset() -> None:
    reg = fresh_registry()
    assert {(r.encoder.name, r.encoder.family) for r in reg.all} == BUILT_IN_ENCODERS
    assert {r.origin for r in reg.all} == {"built-in"}
    for r in reg.all:
        for preset in PRESETS:
            assert isinstance(reg.args(r.encoder, Request.for_preset(preset, 1280, 720)), list)


def test_auto_order_is_hardware_first_then_priority() -> None:
    reg = fresh_registry()
    assert [r.encoder.ffmpeg_name for r in reg.family("h264")] == [
        "h264_nvenc", "h264_qsv", "h264_amf", "libx264"]
    assert [r.encoder.ffmpeg_name for r in reg.family("hevc")] == [
        "hevc_nvenc", "hevc_qsv", "hevc_amf", "libx265"]


def test_a_fresh_manager_holds_only_what_it_was_given() -> None:
    reg = fresh_registry("x264", "trial-encode")
    assert [r.encoder.name for r in reg.all] == ["x264"]
    assert reg.find("libx264", "h264") is reg.find("x264", "h264") is not None
    assert reg.find("x264", "hevc") is None


def test_disabled_plugins_are_not_registered() -> None:
    pm = make_manager(entry_points=False, blocked=["nvenc", "qsv"])
    names = {r.encoder.name for r in Registry(pm).all}
    assert "nvenc" not in names and "qsv" not in names and "amf" in names


def test_two_plugins_declaring_one_encoder_is_an_error() -> None:
    pm = make_manager(builtins=["x264"], entry_points=False, blocked=())
    twin = types.ModuleType("twin")
    twin.tlc_encoders = hookimpl(lambda: [Encoder("x264", "h264", "libx264")])  # type: ignore[attr-defined]
    pm.register(twin, "twin")
    with pytest.raises(PluginError, match="declared by both plugin 'x264'.*plugin 'twin'"):
        _ = Registry(pm).all


def test_a_misspelt_hook_fails_at_load() -> None:
    """check_pending(): a hook name no spec has is an error, not a silently dead function."""
    pm = make_manager(builtins=[], entry_points=False, blocked=())
    bad = types.ModuleType("bad")
    bad.tlc_encoder = hookimpl(lambda: [])  # type: ignore[attr-defined]
    pm.register(bad, "bad")
    with pytest.raises(pluggy.PluginValidationError, match="tlc_encoder"):
        pm.check_pending()


def test_a_plugin_origin_is_its_name_when_registered_by_hand() -> None:
    pm = make_manager(builtins=["trial-encode"], entry_points=False, blocked=())
    mine = types.ModuleType("mine")
    mine.tlc_encoders = hookimpl(lambda: [Encoder("mine", "h264", "libx264")])  # type: ignore[attr-defined]
    pm.register(mine, "mine")
    (r,) = Registry(pm).all
    assert (r.plugin, r.origin) == ("mine", "plugin mine")
    assert "mine" not in BUILTINS


def test_the_reason_is_the_cause_not_the_cascade() -> None:
    """What the bundled ffmpeg printed for h264_nvenc on this machine (no GPU)."""
    stderr = "\n".join([
        "[h264_nvenc @ 0x563596ffd9c0] Cannot load libcuda.so.1",
        "[vost#0:0/h264_nvenc @ 0x5635] [enc:h264_nvenc @ 0x5635] Error while opening encoder"
        " - maybe incorrect parameters such as bit_rate, rate, width or height.",
        "[vf#0:0 @ 0x5635970195c0] Error sending frames to consumers: Operation not permitted",
        "[vf#0:0 @ 0x5635970195c0] Task finished with error code: -1 (Operation not permitted)",
        "[out#0/null @ 0x563596ffc280] Nothing was written into output file, because at least"
        " one of its streams received no packets.",
    ])
    assert reason_from_stderr(stderr, 255) == "Cannot load libcuda.so.1"
    assert reason_from_stderr("", 1) == "ffmpeg exited with status 1"
    assert reason_from_stderr("Conversion failed!\n", 1) == "Conversion failed!"


# ---- the example in tlc.plugin's docstring is a complete, working plugin --------------


def docstring_plugin() -> types.ModuleType:
    doc = tlc.plugin.__doc__ or ""
    block = doc.split("::\n", 1)[1].split("\nMake it installable", 1)[0]
    code = textwrap.dedent(block)
    assert "# tlc_openh264.py" in code
    module = types.ModuleType("tlc_openh264")
    exec(compile(code, "tlc_openh264.py", "exec"), module.__dict__)
    return module


def test_the_docstring_plugin_exports(tmp_path: Path) -> None:
    from media import make_video

    clip = make_video(tmp_path / "clip.mp4", 1, size=(320, 180), fps=10)  # scaled: no copy
    pm = make_manager(entry_points=False, blocked=())
    module = docstring_plugin()
    sys.modules["tlc_openh264"] = module
    try:
        pm.register(module, "openh264")
        pm.check_pending()
        text = (f'output "o.mp4" {{ size 160x90 fps 10 encoder openh264 }}\n'
                f'video {{ clip "{clip}" }}\n')
        with use(Registry(pm)):
            ctx = context(output=str(tmp_path / "o.mp4"))
            compiled = compile_timeline(text, "<string>", ctx)
            argv = compiled.steps[-1].argv
            assert argv[argv.index("-c:v") + 1] == "libopenh264"
            # 160x90 at 10 fps, production (quality 20): 0.1 * 2**(3/6) bit a pixel = 20 kb/s
            assert argv[argv.index("-b:v") + 1] == "20k"
            render(compiled)
    finally:
        del sys.modules["tlc_openh264"]
    f = facts(tmp_path / "o.mp4")
    assert (f.vcodec, f.width, f.height, f.frames) == ("h264", 160, 90, 10)


def test_hookspecs_are_documented_and_prefixed() -> None:
    from tlc.plugin import hookspecs

    specs = [n for n in dir(hookspecs) if n.startswith("tlc_")]
    assert set(specs) >= {"tlc_encoders", "tlc_check_encoder", "tlc_encoder_args",
                          "tlc_encoder_needs"}
    for name in specs:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert len(doc) > 80, name
        if getattr(hookspecs, name).tlc_spec["firstresult"]:
            assert re.search(r"None\b.*not mine", doc, re.S), name
