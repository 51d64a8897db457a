"""Choosing encoders by what really works, and the software retry when a GPU fails.

These tests use a FAKE ffmpeg (tests/plugfix.py): there is no GPU here, so no
hardware encoder can really pass its check or fail in the middle of an export.
The fake pretends exactly that for the encoders a test names, and hands every
other call to the real ffmpeg, so the exports still write real files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from media import make_video
from plugfix import fake_ffmpeg, fresh_registry
from verify import facts

from tlc.api import Compiled, compile_timeline, context, render
from tlc.core.errors import EncoderError, FfmpegError
from tlc.plugin.manager import Registry, use


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("select") / "clip.mp4", 1, size=(320, 180), fps=10)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake ffmpeg, a cache of its own, and a log of every call to it."""
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FAKE_FFMPEG_LOG", str(tmp_path / "calls.log"))
    for name in ("FAKE_FFMPEG_WORKS", "FAKE_FFMPEG_FAILS", "FAKE_FFMPEG_UNLISTED"):
        monkeypatch.delenv(name, raising=False)
    return fake_ffmpeg(tmp_path / "bin")


@pytest.fixture(autouse=True)
def all_builtins() -> Iterator[Registry]:
    """Every built-in, the hardware ones too (the session blocks those elsewhere)."""
    with use(fresh_registry()) as reg:
        yield reg


def timeline(clip: Path, out: Path, options: str = "") -> str:
    # 320x180 scaled to 160x90: the video is encoded, never copied
    return f'output "{out}" {{ size 160x90 fps 10 {options} }}\nvideo {{ clip "{clip}" }}\n'


def compiled(fake: Path, text: str, **opts: object) -> Compiled:
    ctx = context(ffmpeg=str(fake), **opts)  # type: ignore[arg-type]
    return compile_timeline(text, "<string>", ctx)


def video_encoder(c: Compiled) -> str:
    argv = c.steps[-1].argv
    return argv[argv.index("-c:v") + 1]


def calls(tmp_path: Path, word: str) -> list[str]:
    log = tmp_path / "calls.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [ln for ln in lines if word in ln.split()]


# ---- encoder auto ---------------------------------------------------------------------------


def test_auto_takes_a_working_gpu_encoder_and_keeps_software_to_fall_back_to(
    fake: Path, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_WORKS", "h264_nvenc")
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    (out,) = c.plan.timeline.outputs
    assert (out.encoder, out.fallback_encoder, out.audio_encoder) == ("nvenc", "x264", "aac")
    assert video_encoder(c) == "h264_nvenc"


def test_auto_goes_down_the_priorities(
    fake: Path, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_WORKS", "h264_amf h264_qsv")
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    assert video_encoder(c) == "h264_qsv"
    argv = c.steps[-1].argv
    assert argv.index("-init_hw_device") < argv.index("-i")
    graph = argv[argv.index("-filter_complex") + 1]
    assert "format=pix_fmts=nv12,hwupload=extra_hw_frames=64,format=qsv[" in graph
    assert "-pix_fmt" not in argv  # the upload sets the format; yuv420p would undo it


def test_auto_takes_software_when_no_gpu_encoder_works(
    fake: Path, clip: Path, tmp_path: Path
) -> None:
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    (out,) = c.plan.timeline.outputs
    assert (out.encoder, out.fallback_encoder) == ("x264", None)
    assert video_encoder(c) == "libx264"


def test_a_listed_encoder_must_also_pass_its_check(fake: Path, clip: Path, tmp_path: Path) -> None:
    """The real ffmpeg lists h264_nvenc, but it fails without a GPU: not used."""
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4", "video hevc"))
    assert video_encoder(c) == "libx265"


# ---- a named encoder ------------------------------------------------------------------------


def test_a_named_encoder_that_does_not_work_is_an_error_with_why_and_what_works(
    fake: Path, clip: Path, tmp_path: Path
) -> None:
    with pytest.raises(EncoderError) as caught:
        compiled(fake, timeline(clip, tmp_path / "o.mp4"), encoder="nvenc")
    err = caught.value
    assert err.exit_code == 2
    assert err.message.startswith("encoder 'nvenc' (h264_nvenc) does not work with this ffmpeg: ")
    assert err.message.split(": ", 1)[1].strip()  # ffmpeg's reason
    assert err.hint is not None and "x264" in err.hint
    assert not (tmp_path / "o.mp4").exists()


def test_an_encoder_the_ffmpeg_does_not_list_does_not_work(
    fake: Path, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_WORKS", "h264_nvenc")  # it would pass, if it were listed
    monkeypatch.setenv("FAKE_FFMPEG_UNLISTED", "h264_nvenc")
    with pytest.raises(EncoderError, match="does not list h264_nvenc"):
        compiled(fake, timeline(clip, tmp_path / "o.mp4", "encoder nvenc"))


def test_a_named_encoder_of_another_family_is_an_error(
    fake: Path, clip: Path, tmp_path: Path
) -> None:
    with pytest.raises(EncoderError, match="'x264' encodes h264, not hevc") as caught:
        compiled(fake, timeline(clip, tmp_path / "o.mp4", "video hevc"), encoder="x264")
    assert "x265" in (caught.value.hint or "")


def test_an_unknown_encoder_says_what_is_close(fake: Path, clip: Path, tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="unknown encoder 'nvnec'") as caught:
        compiled(fake, timeline(clip, tmp_path / "o.mp4"), encoder="nvnec")
    assert "did you mean 'nvenc'" in (caught.value.hint or "")


def test_a_video_encoder_leaves_an_audio_only_output_alone(
    fake: Path, clip: Path, tmp_path: Path
) -> None:
    text = timeline(clip, tmp_path / "o.mp4") + f'output "{tmp_path / "o.m4a"}"\n'
    c = compiled(fake, text, encoder="x264")
    video, audio = c.plan.timeline.outputs
    assert (video.encoder, video.audio_encoder) == ("x264", "aac")
    assert (audio.encoder, audio.audio_encoder) == ("auto", "aac")


# ---- checks: real, cached, and only for the families an export needs ------------------------


def test_only_the_families_needed_are_checked_and_only_once(
    fake: Path, clip: Path, tmp_path: Path
) -> None:
    compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    checked = {ln.split()[ln.split().index("-c:v" if "-c:v" in ln else "-c:a") + 1]
               for ln in calls(tmp_path, "null")}
    assert checked == {"h264_nvenc", "h264_qsv", "h264_amf", "libx264", "aac"}
    assert len(calls(tmp_path, "-encoders")) == 1

    (tmp_path / "calls.log").unlink()
    compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    assert calls(tmp_path, "null") == [] and calls(tmp_path, "-encoders") == []


def test_a_changed_ffmpeg_is_checked_again(fake: Path, clip: Path, tmp_path: Path) -> None:
    compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    fake.write_text(fake.read_text() + "# a new build\n")
    (tmp_path / "calls.log").unlink()
    compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    assert len(calls(tmp_path, "null")) == 5


# ---- a GPU encoder failing in the middle of an export ---------------------------------------


def test_an_auto_gpu_encoder_that_fails_mid_export_is_retried_once_in_software(
    fake: Path, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_WORKS", "h264_nvenc")
    monkeypatch.setenv("FAKE_FFMPEG_FAILS", "h264_nvenc")
    told: list[str] = []
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    assert video_encoder(c) == "h264_nvenc"

    assert render(c, notify=told.append) == [str(tmp_path / "o.mp4")]

    assert facts(tmp_path / "o.mp4").vcodec == "h264"
    exports = calls(tmp_path, "-progress")
    assert ["h264_nvenc" in e for e in exports] == [True, False]
    assert "libx264" in exports[1]
    (message,) = told
    assert "hardware encoder nvenc failed" in message and "the GPU went away" in message
    assert message.endswith("exporting o.mp4 again with x264")


def test_the_software_retry_happens_once(
    fake: Path, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_WORKS", "h264_nvenc")
    monkeypatch.setenv("FAKE_FFMPEG_FAILS", "h264_nvenc libx264")
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4"))
    with pytest.raises(FfmpegError, match="exit status 1"):
        render(c, notify=lambda m: None)
    assert len(calls(tmp_path, "-progress")) == 2
    assert not (tmp_path / "o.mp4").exists()


def test_a_named_gpu_encoder_is_never_replaced(
    fake: Path, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_WORKS", "h264_nvenc")
    monkeypatch.setenv("FAKE_FFMPEG_FAILS", "h264_nvenc")
    c = compiled(fake, timeline(clip, tmp_path / "o.mp4"), encoder="nvenc")
    assert c.plan.timeline.outputs[0].fallback_encoder is None
    with pytest.raises(FfmpegError):
        render(c, notify=lambda m: pytest.fail(f"told {m!r}"))
    assert len(calls(tmp_path, "-progress")) == 1


def test_the_command_line_tells_the_user_about_the_retry(
    fake: Path, clip: Path, tmp_path: Path, run_tlc
) -> None:  # type: ignore[no-untyped-def]
    tl = tmp_path / "t.tl"
    tl.write_text(timeline(clip, tmp_path / "o.mp4"))
    env = {"TLC_DISABLE_PLUGINS": None, "TLC_CACHE_DIR": str(tmp_path / "cli-cache"),
           "FAKE_FFMPEG_WORKS": "h264_nvenc", "FAKE_FFMPEG_FAILS": "h264_nvenc"}

    proc = run_tlc("export", tl, "--ffmpeg", fake, "--progress", "json", env=env)

    assert proc.returncode == 0, proc.stderr
    assert "warning: hardware encoder nvenc failed" in proc.stderr
    assert '"event": "warning"' in proc.stdout
    assert facts(tmp_path / "o.mp4").vcodec == "h264"
