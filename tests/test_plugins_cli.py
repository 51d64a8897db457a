"""`tlc plugins`, `tlc doctor`, `--encoder` and the config file, with the real ffmpeg.

The machines these run on have no GPU: the bundled ffmpeg lists NVENC, QSV and
AMF, and each fails its check with ffmpeg's own reason. A test that relies on
that skips where a GPU encoder really works.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from verify import facts

ROOT = Path(__file__).resolve().parent.parent
HARDWARE = ("nvenc", "qsv", "amf")
ALL_PLUGINS = {"TLC_DISABLE_PLUGINS": None}


@pytest.fixture
def project(cli_project: Path) -> Path:
    (cli_project / "t.tl").write_text(
        'output "out/t.mp4" { size 160x90 fps 25 preset draft }\n'
        'video { clip "media/a.mp4" trim 0s..1s }\n'
    )
    return cli_project


def rows(stdout: str, name: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if re.match(rf"{name}\s", ln)]


def test_plugins_lists_software_available_and_gpu_unavailable_with_the_reason(run_tlc) -> None:  # type: ignore[no-untyped-def]
    proc = run_tlc("plugins", env=ALL_PLUGINS)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == [
        "encoder", "family", "kind", "ffmpeg", "from", "status"]
    for name, family in (("x264", "h264"), ("x265", "hevc"), ("aac", "aac")):
        (row,) = rows(proc.stdout, name)
        assert row.split()[1:6] == [family, "software", row.split()[3], "built-in", "available"]
    for name in HARDWARE:
        found = rows(proc.stdout, name)
        assert [r.split()[1] for r in found] == ["h264", "hevc"]
        for row in found:
            if row.split()[5] == "available":
                pytest.skip(f"{name} really works on this machine")
            assert row.split()[2] == "hardware"
            reason = row.split("unavailable: ", 1)[1]
            assert reason.strip() and "Nothing was written" not in reason, row


def test_doctor_reports_ffmpeg_the_encoders_that_pass_and_the_probe_backend(run_tlc) -> None:  # type: ignore[no-untyped-def]
    proc = run_tlc("doctor", env=ALL_PLUGINS)

    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # path, version, and system or bundled
    assert re.fullmatch(r"ffmpeg: /\S+ \(ffmpeg \S+, (bundled with imageio-ffmpeg|from PATH)\)",
                        lines[0]), lines[0]
    works = next(ln for ln in lines if ln.startswith("encoders that work: "))
    assert "x264 (h264)" in works and "aac (aac)" in works
    assert any(ln.startswith("encoder auto picks: h264 ") for ln in lines)
    assert any(ln.startswith("probe backend: PyAV") for ln in lines)


def test_encoder_auto_exports_with_x264_end_to_end(project: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    printed = run_tlc("print", "t.tl", "--format", "json", cwd=project, env=ALL_PLUGINS)
    assert printed.returncode == 0, printed.stderr
    if "libx264" not in printed.stdout:
        pytest.skip("a GPU encoder works on this machine")

    proc = run_tlc("export", "t.tl", cwd=project, env=ALL_PLUGINS)

    assert proc.returncode == 0, proc.stderr
    f = facts(project / "out" / "t.mp4")
    assert (f.vcodec, f.acodec, f.width, f.height, f.frames) == ("h264", "aac", 160, 90, 25)


def test_a_gpu_encoder_that_cannot_run_exits_2_says_why_and_writes_nothing(
    project: Path, run_tlc
) -> None:  # type: ignore[no-untyped-def]
    proc = run_tlc("export", "t.tl", "--encoder", "nvenc", cwd=project, env=ALL_PLUGINS)

    if proc.returncode == 0:
        pytest.skip("nvenc really works on this machine")
    assert proc.returncode == 2, proc.stderr
    first, hint = proc.stderr.splitlines()[:2]
    assert first.startswith("error: encoder 'nvenc' (h264_nvenc) does not work with this ffmpeg: ")
    assert len(first.split("ffmpeg: ", 1)[1]) > 3  # ffmpeg's reason
    assert hint == "hint: encoders that work for h264 here: x264; or write 'encoder auto'"
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in project.iterdir()) == ["media", "t.tl"]


def test_the_encoder_in_the_tl_file_points_at_its_output(project: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    tl = project / "t.tl"
    tl.write_text(tl.read_text().replace("preset draft", "preset draft encoder x265"))

    proc = run_tlc("check", "t.tl", cwd=project)

    assert proc.returncode == 2
    assert proc.stderr.startswith("t.tl:1:8: error: encoder 'x265' encodes hevc, not h264")


def test_encoders_md_is_generated_from_the_plugins(run_tlc) -> None:  # type: ignore[no-untyped-def]
    """docs/encoders.md is `tlc plugins --markdown`, never edited by hand."""
    proc = run_tlc("plugins", "--markdown", env=ALL_PLUGINS)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (ROOT / "docs" / "encoders.md").read_text(), (
        "docs/encoders.md is stale: tlc plugins --markdown > docs/encoders.md")
    for preset_row in ("| x264 | h264 | `-preset ultrafast -crf 23` |",
                       "| nvenc | h264 | `-preset p1 -forced-idr 1 -rc vbr -cq 23 -b:v 0` |"):
        assert preset_row in proc.stdout


def test_help_does_not_load_the_plugins() -> None:
    code = "import sys; from tlc.cli import main; print('pluggy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ}, check=True)
    assert proc.stdout.strip() == "False"


# ---- the config file: config < .tl < command line --------------------------------------------


def sizes(run_tlc, project: Path, config: Path, *args: str) -> str:  # type: ignore[no-untyped-def]
    proc = run_tlc("check", "t.tl", *args, cwd=project, env={"TLC_CONFIG": str(config)})
    assert proc.returncode == 0, proc.stderr
    (line,) = [ln for ln in proc.stdout.splitlines() if "->" in ln]
    return line.split(": ", 1)[1]


def test_config_then_tl_then_flags(project: Path, tmp_path: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('size = "320x180"\nfps = 30\npreset = "preview"\nencoder = "x264"\n')
    tl = project / "t.tl"
    tl.write_text('output "out/t.mp4" { fps 25 }\nvideo { clip "media/a.mp4" trim 0s..1s }\n')

    # size and preset from the config, fps from the .tl
    assert sizes(run_tlc, project, config) == "h264 320x180@25, audio aac, preset preview"
    # the command line wins over both
    assert sizes(run_tlc, project, config, "--size", "64x36", "--fps", "10",
                 "--preset", "draft") == "h264 64x36@10, audio aac, preset draft"
    # no config: tlc's own defaults
    assert sizes(run_tlc, project, tmp_path / "none.toml") == (
        "h264 1920x1080@25, audio aac, preset production")


def test_a_wrong_config_file_is_an_error_that_names_it(project: Path, tmp_path: Path,
                                                        run_tlc) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('sise = "320x180"\n')

    proc = run_tlc("check", "t.tl", cwd=project, env={"TLC_CONFIG": str(config)})

    assert proc.returncode == 2
    assert f"{config}: unknown setting 'sise'" in proc.stderr
    assert "did you mean 'size'" in proc.stderr

    config.write_text('size = "big"\n')
    proc = run_tlc("check", "t.tl", cwd=project, env={"TLC_CONFIG": str(config)})
    assert proc.returncode == 2 and "bad size 'big'" in proc.stderr
