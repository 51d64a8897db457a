"""The `tlc` command as a script or an app (Electron spawning it) uses it: shared/cli.md.

Every test runs the real console script in a subprocess, with its own cache
(``TLC_CACHE_DIR``), on tiny media, and checks what the caller can see: exit
status, stdout/stderr, and the files on disk (probed with ffmpeg).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from media import ffmpeg_exe, make_video
from verify import facts

TLC_COMMAND = Path(sys.executable).parent / "tlc"

PASSES = ("drop_persistence", "merge_overlays", "concat_copy", "copy_trims", "defer_format",
          "audio_once", "force_keyframes", "finalize")

# Two 2 s clips and a logo over them: 4 s at 320x180, 25 fps.
TWO_CLIPS_AND_LOGO = """\
output "out/t.mp4" {
  size 320x180
  fps 25
  preset draft
}
video {
  clip "media/a.mp4"
  clip "media/b.mp4"
}
overlay {
  image "media/logo.png" at 1s..3s pos 10,10
}
"""


def write_tl(proj: Path, text: str = TWO_CLIPS_AND_LOGO, name: str = "t.tl") -> Path:
    tl = proj / name
    tl.write_text(text, encoding="utf-8")
    return tl


def leftovers(*dirs: Path) -> list[Path]:
    """tlc's temp files and work directories under ``dirs``."""
    found: list[Path] = []
    for d in dirs:
        if d.is_dir():
            found += [p for p in d.rglob("*")
                      if ".tlc-tmp" in p.name or p.name.startswith(".tlc-work-")]
    return found


def assert_video(path: Path, width: int, height: int, fps: int, seconds: float) -> None:
    """A playable H.264/AAC file of this size and rate, ``seconds`` long within one frame."""
    assert path.is_file(), f"{path} was not written"
    f = facts(path)
    assert (f.width, f.height) == (width, height)
    assert f.fps == fps
    assert f.vcodec == "h264" and f.acodec == "aac"
    assert f.video_seconds == pytest.approx(seconds, abs=1 / fps)
    assert f.audio_seconds == pytest.approx(seconds, abs=1 / fps)


def json_lines(stdout: str) -> list[dict]:
    lines = stdout.splitlines()
    assert lines, "nothing on stdout"
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            pytest.fail(f"stdout line is not JSON: {line!r}\n--- stdout:\n{stdout}")
    assert all(isinstance(e, dict) for e in events)
    return events


def fake_ffmpeg(path: Path) -> Path:
    """A FAKE ffmpeg: a real one cannot be made to fail on demand in the middle of a run.

    It answers ``-version`` like ffmpeg 6.1 and ``-encoders`` with libx264 and aac,
    and passes tlc's one-frame encoder checks (``-f null``): tlc asks all that before
    an export. When tlc runs it for real (with ``-progress``) it prints a few lines and
    "Conversion failed!" on stderr and exits 1, as ffmpeg does when encoding fails.
    """
    path.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do\n'
        '  case "$a" in\n'
        "    -version)\n"
        '      echo "ffmpeg version 6.1 Copyright (c) 2000-2023 the FFmpeg developers"\n'
        "      exit 0;;\n"
        "    -encoders)\n"
        '      echo " V....D libx264              libx264 H.264"\n'
        '      echo " A....D aac                  AAC (Advanced Audio Coding)"\n'
        "      exit 0;;\n"
        "    null)\n"
        "      exit 0;;\n"
        "    -progress)\n"
        '      i=1; while [ $i -le 30 ]; do echo "fake ffmpeg noise $i" >&2; i=$((i+1)); done\n'
        '      echo "[libx264 @ 0x55d0] fake: could not open encoder" >&2\n'
        '      echo "Conversion failed!" >&2\n'
        "      exit 1;;\n"
        "  esac\n"
        "done\n"
        'echo "fake ffmpeg: unexpected call: $*" >&2\n'
        "exit 1\n")
    path.chmod(0o755)
    return path


# ---- export ----------------------------------------------------------------------------


def test_export_writes_the_output_relative_to_the_tl_file(cli_project: Path, tmp_path: Path,
                                                          run_tlc) -> None:
    """Run from another directory: media and output paths follow the .tl's directory."""
    write_tl(cli_project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    proc = run_tlc("export", "../proj/t.tl", cwd=elsewhere)

    assert proc.returncode == 0, proc.stderr
    assert_video(cli_project / "out" / "t.mp4", 320, 180, 25, 4.0)
    assert list(elsewhere.iterdir()) == []
    assert leftovers(cli_project, elsewhere) == []


def test_output_option_size_and_fps_override(cli_project: Path, tmp_path: Path,
                                             run_tlc) -> None:
    """`-o` is relative to the working directory; --size and --fps win over the file."""
    tl = write_tl(cli_project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    proc = run_tlc("export", tl, "-o", "rendered/small.mp4", "--size", "160x90", "--fps", "15",
                   cwd=elsewhere)

    assert proc.returncode == 0, proc.stderr
    assert_video(elsewhere / "rendered" / "small.mp4", 160, 90, 15, 4.0)
    assert not (cli_project / "out" / "t.mp4").exists()
    assert leftovers(cli_project, elsewhere) == []


def test_output_option_replaces_only_the_first_output(cli_project: Path, tmp_path: Path,
                                                      run_tlc) -> None:
    tl = write_tl(cli_project, """\
output "out/big.mp4" { size 320x180 fps 25 preset draft }
output "out/small.mp4" { size 160x90 fps 25 preset draft }
video {
  clip "media/a.mp4"
}
""")
    proc = run_tlc("export", tl, "-o", "first.mp4", cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert_video(tmp_path / "first.mp4", 320, 180, 25, 2.0)
    assert_video(cli_project / "out" / "small.mp4", 160, 90, 25, 2.0)
    assert not (cli_project / "out" / "big.mp4").exists()


def test_existing_output_needs_y(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)
    out = cli_project / "out" / "t.mp4"
    out.parent.mkdir()
    out.write_bytes(b"precious, not to be clobbered\n")
    os.utime(out, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = out.stat().st_mtime_ns

    proc = run_tlc("export", tl)

    assert proc.returncode == 2, proc.stderr
    assert "-y" in proc.stderr
    assert out.read_bytes() == b"precious, not to be clobbered\n"
    assert out.stat().st_mtime_ns == before
    assert leftovers(cli_project) == []

    proc = run_tlc("export", tl, "-y")

    assert proc.returncode == 0, proc.stderr
    assert_video(out, 320, 180, 25, 4.0)
    assert leftovers(cli_project) == []


def test_naive_plan_export_makes_the_same_video_and_cleans_up(cli_project: Path,
                                                              run_tlc) -> None:
    """-O0 renders through intermediate files (several runs); none may be left behind."""
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, "-O0", "--progress", "json")

    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)
    assert max(e["steps"] for e in events if e["event"] == "progress") > 1
    assert_video(cli_project / "out" / "t.mp4", 320, 180, 25, 4.0)
    assert leftovers(cli_project) == []


# ---- progress ----------------------------------------------------------------------------


def test_progress_json(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, "--progress", "json")

    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)
    progress = [e for e in events if e["event"] == "progress"]
    assert progress, proc.stdout
    for e in progress:
        assert {"step", "steps", "fraction", "out_time", "speed", "eta"} <= e.keys(), e
        assert isinstance(e["step"], int) and isinstance(e["steps"], int)
        assert 1 <= e["step"] <= e["steps"]
        assert isinstance(e["fraction"], int | float) and 0 <= e["fraction"] <= 1
        assert isinstance(e["out_time"], int | float) and e["out_time"] >= 0
        assert e["speed"] is None or isinstance(e["speed"], int | float)
        assert e["eta"] is None or isinstance(e["eta"], int | float)
    done = events[-1]
    assert done["event"] == "done", proc.stdout
    out = (cli_project / "out" / "t.mp4").resolve()
    assert [Path(p).resolve() for p in done["outputs"]] == [out]
    assert isinstance(done["seconds"], int | float) and done["seconds"] >= 0
    assert_video(cli_project / "out" / "t.mp4", 320, 180, 25, 4.0)


def test_progress_json_reports_a_tl_error_last(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project, TWO_CLIPS_AND_LOGO.replace("at 1s..3s", "at 3s..1s"))

    proc = run_tlc("export", tl, "--progress", "json")

    assert proc.returncode == 2, proc.stderr
    events = json_lines(proc.stdout)
    assert events[-1]["event"] == "error"
    assert isinstance(events[-1]["message"], str) and events[-1]["message"]
    assert not (cli_project / "out").exists()


def test_progress_json_reports_an_existing_output_last(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)
    (cli_project / "out").mkdir()
    (cli_project / "out" / "t.mp4").write_bytes(b"old")

    proc = run_tlc("export", tl, "--progress", "json")

    assert proc.returncode == 2, proc.stderr
    last = json_lines(proc.stdout)[-1]
    assert last["event"] == "error" and "-y" in last["message"]
    assert (cli_project / "out" / "t.mp4").read_bytes() == b"old"


@pytest.mark.parametrize("mode", [["--progress", "none"], ["--progress", "auto"], []],
                         ids=["none", "auto", "default"])
def test_no_progress_on_stdout_unless_asked(mode: list[str], cli_project: Path,
                                            run_tlc) -> None:
    """stdout is not a TTY here: `auto` (the default) must stay quiet, as `none` does."""
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, *mode)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert (cli_project / "out" / "t.mp4").is_file()


# ---- dry run, print, explain, check ------------------------------------------------------


def test_dry_run_prints_the_commands_and_renders_nothing(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, "--dry-run")

    assert proc.returncode == 0, proc.stderr
    assert "ffmpeg" in proc.stdout
    assert "-i" in proc.stdout.split() and "a.mp4" in proc.stdout and "t.mp4" in proc.stdout
    assert not (cli_project / "out" / "t.mp4").exists()
    assert leftovers(cli_project) == []


def test_print_json_lists_steps(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("print", tl, "--format", "json")

    assert proc.returncode == 0, proc.stderr
    steps = json.loads(proc.stdout)
    assert isinstance(steps, list) and len(steps) == 1
    for step in steps:
        assert isinstance(step["argv"], list) and step["argv"]
        assert all(isinstance(a, str) for a in step["argv"])
        assert isinstance(step["writes"], list)
    out = (cli_project / "out" / "t.mp4").resolve()
    assert any(Path(w).resolve() == out for w in steps[-1]["writes"])
    assert not out.exists()


def test_print_sh_is_a_script_that_renders_the_output(cli_project: Path, tmp_path: Path,
                                                      run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("print", tl, "--format", "sh")

    assert proc.returncode == 0, proc.stderr
    assert not (cli_project / "out" / "t.mp4").exists()
    script = tmp_path / "export.sh"
    script.write_text(proc.stdout)
    ran = subprocess.run(["sh", str(script)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert_video(cli_project / "out" / "t.mp4", 320, 180, 25, 4.0)


def test_print_sh_quotes_a_directory_with_quotes_and_spaces(tmp_path: Path,
                                                           cli_media: Path, run_tlc) -> None:
    """The script's work directory, in a folder named ``it's $x keep``: its trap quoted
    it wrongly, and on exit removed the sibling folder ``it's``."""
    sibling = tmp_path / "it's"
    sibling.mkdir()
    (sibling / "precious.txt").write_text("keep me")
    proj = tmp_path / "it's $x keep"
    proj.mkdir()
    (proj / "media").symlink_to(cli_media, target_is_directory=True)
    tl = write_tl(proj)

    proc = run_tlc("print", tl, "--format", "sh")

    assert proc.returncode == 0, proc.stderr
    ran = subprocess.run(["sh", "-c", proc.stdout], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert (sibling / "precious.txt").read_text() == "keep me"
    assert_video(proj / "out" / "t.mp4", 320, 180, 25, 4.0)
    assert leftovers(proj) == []


def test_print_sh_of_a_segmented_export_renders_it(cli_project: Path, tmp_path: Path,
                                                   run_tlc) -> None:
    """``--jobs 2`` with a window repeated: each window is rendered once, into
    directories the script makes, then joined."""
    tl = cli_project / "seg.tl"
    clips = "".join('  clip "media/a.mp4" trim 0.2s..\n' for _ in range(4))  # (encoded)
    tl.write_text('output "out/seg.mp4" { size 320x180 fps 25 preset draft }\n'
                  f"video {{\n{clips}}}\n")

    proc = run_tlc("print", tl, "--format", "sh", "--jobs", "2", "--segment", "2")

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("# run ") == 3  # one window (four times), the sound, the join
    ran = subprocess.run(["sh", "-c", proc.stdout], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert_video(cli_project / "out" / "seg.mp4", 320, 180, 25, 7.2)


def test_explain_names_every_pass(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("explain", tl)

    assert proc.returncode == 0, proc.stderr
    missing = [p for p in PASSES if p not in proc.stdout]
    assert missing == [], proc.stdout


def test_check_renders_nothing(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("check", tl)

    assert proc.returncode == 0, proc.stderr
    assert not (cli_project / "out" / "t.mp4").exists()
    assert leftovers(cli_project) == []


# ---- passes from the command line ----------------------------------------------------------


def runs(run_tlc, tl: Path, *options: str) -> int:
    proc = run_tlc("print", tl, "--format", "json", *options)
    assert proc.returncode == 0, proc.stderr
    return len(json.loads(proc.stdout))


def test_optimization_levels_and_disabled_passes(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    default = runs(run_tlc, tl)
    naive = runs(run_tlc, tl, "-O0")
    no_drop = runs(run_tlc, tl, "--disable-pass", "drop_persistence")

    assert default == 1
    assert naive > 1
    assert no_drop > default


def test_unknown_pass_is_a_usage_error(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("print", tl, "--disable-pass", "nonsense")

    assert proc.returncode == 2
    assert "nonsense" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---- ffmpeg: found, missing, failing -------------------------------------------------------


def test_doctor_names_the_bundled_ffmpeg(run_tlc) -> None:
    if shutil.which("ffmpeg"):
        pytest.skip("an ffmpeg on PATH is preferred to the bundled one")
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    version_line = subprocess.run([exe, "-version"], capture_output=True, text=True,
                                  check=True).stdout.splitlines()[0]
    version = version_line.split()[2]  # "ffmpeg version <this> Copyright ..."

    proc = run_tlc("doctor")

    assert proc.returncode == 0, proc.stderr
    assert exe in proc.stdout
    assert version in proc.stdout
    assert "bundled" in proc.stdout


def test_plugins_lists_x264_and_aac_as_available(run_tlc) -> None:
    proc = run_tlc("plugins")

    assert proc.returncode == 0, proc.stderr
    for name in ("x264", "aac"):
        rows = [ln for ln in proc.stdout.splitlines() if re.match(rf"\s*{name}\b", ln)]
        assert rows, proc.stdout
        assert re.search(r"\bavailable\b", rows[0]), rows[0]
        assert not re.search(r"\b(not|un)\s*available\b", rows[0]), rows[0]


def test_ffmpeg_failure_exits_1_with_its_last_lines(cli_project: Path, tmp_path: Path,
                                                    run_tlc) -> None:
    tl = write_tl(cli_project)
    fake = fake_ffmpeg(tmp_path / "ffmpeg")

    proc = run_tlc("export", tl, "--ffmpeg", fake)

    assert proc.returncode == 1, proc.stderr
    assert "Conversion failed!" in proc.stderr
    assert "could not open encoder" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (cli_project / "out" / "t.mp4").exists()
    assert leftovers(cli_project) == []

    proc = run_tlc("export", tl, "--ffmpeg", fake, "--progress", "json")

    assert proc.returncode == 1, proc.stderr
    last = json_lines(proc.stdout)[-1]
    assert last["event"] == "error" and last["message"]
    assert "Conversion failed!" in proc.stderr
    assert leftovers(cli_project) == []


def test_failed_export_leaves_no_new_directory(cli_project: Path, tmp_path: Path,
                                               run_tlc) -> None:
    tl = write_tl(cli_project)
    fake = fake_ffmpeg(tmp_path / "ffmpeg")

    proc = run_tlc("export", tl, "--ffmpeg", fake)

    assert proc.returncode == 1, proc.stderr
    assert not (cli_project / "out").exists()


def test_missing_ffmpeg_option(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, "--ffmpeg", "/nonexistent/ffmpeg")

    assert proc.returncode == 2, proc.stderr
    assert "--ffmpeg" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (cli_project / "out").exists()


def test_missing_ffmpeg_message_names_both_ways_to_set_it(cli_project: Path, run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, "--ffmpeg", "/nonexistent/ffmpeg")

    assert proc.returncode == 2, proc.stderr
    assert "--ffmpeg" in proc.stderr and "TLC_FFMPEG" in proc.stderr


def test_missing_ffmpeg_from_the_environment_names_the_variable(cli_project: Path,
                                                                run_tlc) -> None:
    tl = write_tl(cli_project)

    proc = run_tlc("export", tl, env={"TLC_FFMPEG": "/nonexistent/ffmpeg"})

    assert proc.returncode == 2, proc.stderr
    assert "TLC_FFMPEG" in proc.stderr


# ---- cancelling ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s at 640x360: enough work at preset production to take a few seconds."""
    d = tmp_path_factory.mktemp("cli-long")
    make_video(d / "long.mp4", 20, size=(640, 360), fps=30)
    return d


def ffmpeg_processes_under(path: Path) -> list[str]:
    """Command lines of running processes that mention ``path`` (Linux /proc)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in cmd and "ffmpeg" in cmd:
            found.append(cmd)
    return found


def export_running(tl: Path, cwd: Path, env: dict[str, str],
                   *options: str) -> subprocess.Popen[str]:
    """``tlc export`` started in a session of its own, once its ffmpeg is running (its
    first progress event is read). One long encode: not smart render's short spans and
    copy."""
    proc = subprocess.Popen([str(TLC_COMMAND), "export", str(tl), "--progress", "json",
                             "--smart", "off", *options], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    first = proc.stdout.readline()  # type: ignore[union-attr]
    assert json.loads(first)["event"] == "progress", first
    return proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_cancel_stops_cleanly(sig: signal.Signals, tmp_path: Path, long_media: Path,
                              cli_env: dict[str, str]) -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) or SIGTERM mid-export:
    exit 130 soon, no temp file, no ffmpeg left running, and the file that stood at the
    output path (the export runs with -y) is untouched."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "media").symlink_to(long_media, target_is_directory=True)
    tl = write_tl(proj, """\
output "out/long.mp4" { size 640x360 fps 30 preset production }
video {
  clip "media/long.mp4"
}
overlay {
  text "cancel me" at 1s..19s pos center size 32 color white box
}
""")
    out = proj / "out" / "long.mp4"
    out.parent.mkdir()
    out.write_bytes(b"the previous export")
    before = out.stat().st_mtime_ns

    proc = export_running(tl, proj, cli_env, "-y")
    try:
        os.killpg(proc.pid, sig)
        sent = time.monotonic()
        try:
            stdout, stderr = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tlc did not exit within 5 s of {sig.name}")
        waited = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    assert proc.returncode == 130, (waited, stderr)
    assert "Traceback" not in stderr
    assert json.loads(stdout.splitlines()[-1])["event"] == "error"
    assert out.read_bytes() == b"the previous export"
    assert out.stat().st_mtime_ns == before
    assert leftovers(proj) == []
    if os.path.isdir("/proc"):
        assert ffmpeg_processes_under(proj) == []


def test_a_hard_kill_ends_ffmpeg_and_the_next_export_sweeps_what_was_left(
        tmp_path: Path, long_media: Path, cli_env: dict[str, str]) -> None:
    """``kill -9`` of tlc's process group (an app's last resort after a timeout): ffmpeg,
    in a session of its own, ends with it (it ran on to the end, writing), and the temp
    file and work directory it could not clean up are removed by the next export there."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "media").symlink_to(long_media, target_is_directory=True)
    tl = write_tl(proj, 'output "out/long.mp4" { size 640x360 fps 30 preset production }\n'
                        'video {\n  clip "media/long.mp4" trim 0.1s..\n}\n')
    proc = export_running(tl, proj, cli_env)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
        deadline = time.monotonic() + 5
        while ffmpeg_processes_under(proj) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ffmpeg_processes_under(proj) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert leftovers(proj) != []  # (nothing could remove them)

    short = write_tl(proj, 'output "out/short.mp4" { size 320x180 fps 25 preset draft }\n'
                           'video {\n  clip "media/long.mp4" trim 0s..1s\n}\n', "short.tl")
    again = subprocess.run([str(TLC_COMMAND), "export", str(short)], cwd=proj, env=cli_env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert leftovers(proj) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_cancel_while_compiling_is_a_cancel(sig: signal.Signals, tmp_path: Path,
                                              cli_media: Path, cli_env: dict[str, str]) -> None:
    """A signal before any ffmpeg runs (while 3,000 clips compile): exit 130 and a
    "cancelled" event, not click's "Aborted!" with status 1, a traceback, or death by
    SIGTERM with nothing said."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "media").symlink_to(cli_media, target_is_directory=True)
    clips = "".join(f'  clip "media/a.mp4" trim {i % 19 / 10}s+0.1s\n' for i in range(3000))
    tl = write_tl(proj, f'output "out/many.mp4" {{ size 320x180 fps 25 }}\nvideo {{\n{clips}}}\n')
    proc = subprocess.Popen([str(TLC_COMMAND), "export", str(tl), "--progress", "json"],
                            cwd=proj, env=cli_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    time.sleep(0.4)  # (past the imports: compiling)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr, stderr
    if stdout.strip():
        assert json.loads(stdout.splitlines()[-1])["event"] == "error"
    assert not (proj / "out" / "many.mp4").exists()
    assert leftovers(proj) == []


def test_progress_never_goes_back_and_reaches_1_only_on_success(
        tmp_path: Path, cli_project: Path, cli_env: dict[str, str]) -> None:
    """Twenty clips with music under them, one run: ffmpeg's own ``out_time`` went back
    (64 % to 13 %), and its ``progress=end`` came as 1.0 just before an error too."""
    clips = "".join('  clip "media/a.mp4"\n  clip "media/b.mp4" trim 0.5s..\n'
                    for _ in range(10))
    tl = write_tl(cli_project, 'output "out/p.mp4" { size 320x180 fps 25 preset draft }\n'
                               f'video {{\n{clips}}}\naudio {{\n  clip "media/a.mp4"\n}}\n')
    proc = subprocess.run([str(TLC_COMMAND), "export", str(tl), "--progress", "json"],
                          cwd=cli_project, env=cli_env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    fractions = [e["fraction"] for e in events if e["event"] == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert events[-1]["event"] == "done"

    # an ffmpeg that reports some progress, ends its report as ffmpeg does, and fails
    fake = tmp_path / "failing-ffmpeg"
    fake.write_text(
        "#!/bin/sh\n"  # (what is not an export run goes to the real ffmpeg)
        f'case " $* " in *" -progress "*) ;; *) exec {shlex.quote(ffmpeg_exe())} "$@";; esac\n'
        "printf 'out_time_us=2000000\\nprogress=continue\\nprogress=end\\n'\n"
        "echo 'No space left on device' >&2\n"
        "exit 1\n")
    fake.chmod(0o755)
    proc = subprocess.run([str(TLC_COMMAND), "export", str(tl), "-y", "--progress", "json",
                           "--ffmpeg", str(fake)],
                          cwd=cli_project, env=cli_env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["event"] == "error"
    assert all(e.get("fraction", 0) < 1.0 for e in events if e["event"] == "progress")


# ---- help ----------------------------------------------------------------------------------


def test_help(run_tlc) -> None:
    proc = run_tlc("--help")

    assert proc.returncode == 0, proc.stderr
    for command in ("export", "print", "explain", "check", "plugins", "doctor"):
        assert command in proc.stdout


def test_help_as_a_module(cli_env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "tlc.cli", "export", "--help"], env=cli_env,
                          capture_output=True, text=True, timeout=60, check=False)

    assert proc.returncode == 0, proc.stderr
    for option in ("--output", "--size", "--fps", "--preset", "--encoder", "--overwrite",
                   "--dry-run", "--progress", "--disable-pass", "--ffmpeg"):
        assert option in proc.stdout, option
