"""Mistakes in a `.tl` file, through the real `tlc` command (language contract, "Errors").

Each case is a small file with one mistake, the line it is on and the token the
caret must point at; the column is computed from the text, so the expectation
cannot drift from the file. What an editor or a script relies on:

- exit status 2, and nothing rendered (ffmpeg never started, no output directory);
- stderr starts ``FILE:LINE:COL: error: MESSAGE``, then the source line, then a
  caret under the column;
- no Python traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HEAD = 'output "out/e.mp4" { size 320x180 fps 25 preset draft }\n'
MAIN = 'video {\n  clip "media/a.mp4"\n}\n'  # a 2 s timeline


@dataclass(frozen=True)
class Case:
    text: str
    line: int  # 1-based line of the mistake
    token: str  # the offending token: the caret goes under its first character
    says: tuple[str, ...] = field(default=())  # words the message (or hint) must contain

    @property
    def column(self) -> int:
        src = self.text.splitlines()[self.line - 1]
        assert src.count(self.token) == 1, f"token {self.token!r} not unique on {src!r}"
        return src.index(self.token) + 1


CASES = {
    "unknown keyword in a setting (did you mean)": Case(
        'output "out/e.mp4" {\n  size 320x180\n  fsp 25\n}\n' + MAIN,
        3, "fsp", ("did you mean", "fps")),
    "unknown keyword in a track (did you mean)": Case(
        HEAD + 'video {\n  clpi "media/a.mp4"\n}\n',
        3, "clpi", ("did you mean", "clip")),
    "time without a unit in a trim": Case(
        HEAD + 'video {\n  clip "media/a.mp4" trim 1..2s\n}\n',
        3, "1..2s", ("unit",)),
    "time without a unit in a gap": Case(
        HEAD + 'video {\n  clip "media/a.mp4"\n  gap 1\n}\n',
        4, "1", ("unit",)),
    "time without a unit at the end of an overlay range": Case(
        HEAD + MAIN + 'overlay {\n  text "hi" at 1s..2 pos center\n}\n',
        6, "2 pos", ("unit",)),
    "range whose end is before its start (trim)": Case(
        HEAD + 'video {\n  clip "media/a.mp4" trim 1.5s..1s\n}\n',
        3, "1.5s..1s"),
    "range whose end is before its start (overlay)": Case(
        HEAD + MAIN + 'overlay {\n  text "hi" at 1.5s..1s\n}\n',
        6, "1.5s..1s"),
    "trim past the end of the source": Case(
        HEAD + 'video {\n  clip "media/a.mp4" trim 1s..5s\n}\n',
        3, "1s..5s"),
    "missing media file": Case(
        HEAD + 'video {\n  clip "media/a.mp4"\n  clip "media/nothere.mp4"\n}\n',
        4, '"media/nothere.mp4"', ("nothere.mp4",)),
    "file that is not media": Case(
        HEAD + 'video {\n  clip "media/a.mp4"\n  clip "media/x.mp4"\n}\n',
        4, '"media/x.mp4"', ("x.mp4",)),
    "overlay outside the timeline": Case(
        HEAD + MAIN + 'overlay {\n  image "media/logo.png" at 3s..5s pos 10,10\n}\n',
        6, "3s..5s"),
    "two outputs that claim the same path": Case(
        'output "out/e.mp4" { size 320x180 }\noutput "out/e.mp4" { size 160x90 }\n' + MAIN,
        2, '"out/e.mp4"', ("out/e.mp4",)),
    "image overlay with no range": Case(
        HEAD + MAIN + 'overlay {\n  image "media/logo.png" pos 10,10\n}\n',
        6, "image"),
    "image overlay with a start but no range": Case(
        HEAD + MAIN + 'overlay {\n  image "media/logo.png" at 1s pos 10,10\n}\n',
        6, "1s"),
    "a caption colour ffmpeg does not know (did you mean)": Case(
        HEAD + MAIN + 'overlay {\n  text "hi" at 0s..1s color bleu\n}\n',
        6, "bleu", ("did you mean", "blue")),
    "an output with neither video nor audio": Case(
        'output "out/e.mp4" { video none audio none }\n' + MAIN,
        1, '"out/e.mp4"', ("neither",)),
    "an audio bitrate without its k": Case(
        'output "out/e.mp4" { audio aac 64 }\n' + MAIN,
        1, "audio aac 64", ("64k",)),
    "a trim that starts past the end of the source": Case(
        HEAD + 'video {\n  clip "media/a.mp4" trim 5s..\n}\n',
        3, "5s..", ("starts past the end",)),
    "a codec the container cannot hold": Case(
        'output "out/e.mov" { audio opus }\n' + MAIN,
        1, "audio opus", ("cannot hold opus",)),
    "audio copy of AAC into an .mp3": Case(
        'output "out/e.mp3" { audio copy }\naudio {\n  clip "media/a.mp4"\n}\n',
        3, 'clip "media/a.mp4"', ("cannot hold",)),
    "a font file that is not a font": Case(
        HEAD + MAIN + 'overlay {\n  text "hi" at 0s..1s font "media/logo.png"\n}\n',
        6, '"media/logo.png"', ("not a font",)),
    "an HEVC output too small for x265": Case(
        'output "out/e.mp4" { size 8x8 video hevc }\n' + MAIN,
        1, "size 8x8", ("16 pixels",)),
    "a video given as a still image": Case(
        HEAD + 'video {\n  image "media/a.mp4" for 1s\n}\n',
        3, '"media/a.mp4"', ("clip",)),
}


def check_report(stderr: str, file: str, case: Case) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) >= 3, stderr
    head = rf"^{re.escape(file)}:{case.line}:{case.column}: error: \S"
    assert re.match(head, lines[0]), f"expected {head!r}, got:\n{stderr}"
    source_line = case.text.splitlines()[case.line - 1]
    assert lines[1].rstrip() == source_line.rstrip(), stderr
    caret = lines[2]
    assert caret[: case.column - 1].strip() == "", stderr
    assert caret[case.column - 1 : case.column] == "^", f"no caret at {case.column}:\n{stderr}"
    for word in case.says:
        assert word.lower() in stderr.lower(), f"{word!r} not in:\n{stderr}"


def check_case(run_tlc, project: Path, case: Case, command: str = "check") -> None:  # type: ignore[no-untyped-def]
    """Write ``case`` as ``bad.tl`` in ``project``, run ``tlc COMMAND`` on it: exit 2, and
    the report :func:`check_report` wants."""
    tl = project / "bad.tl"
    tl.write_text(case.text, encoding="utf-8")
    proc = run_tlc(command, tl, cwd=project)
    assert proc.returncode == 2, proc.stderr
    check_report(proc.stderr, str(tl), case)


def located(stderr: str, file: Path, line: int, column: int) -> bool:
    """True when ``stderr`` starts ``FILE:LINE:COL: error: `` and a caret line follows."""
    lines = stderr.splitlines()
    head = re.escape(f"{file}:{line}:{column}: error: ")
    return bool(lines and re.match(head, lines[0])) and any(
        ln.strip().startswith("^") for ln in lines[1:4]
    )


@pytest.mark.parametrize("command", ["export", "check"])
@pytest.mark.parametrize("name", list(CASES))
def test_tl_error_is_reported_with_file_line_column_and_caret(
        name: str, command: str, cli_project: Path, run_tlc) -> None:
    check_case(run_tlc, cli_project, CASES[name], command)
    assert not (cli_project / "out").exists(), "nothing may be rendered for a bad .tl"


def test_file_is_named_as_the_user_wrote_it(cli_project: Path, run_tlc) -> None:
    """Run from the .tl's directory with a relative name: the report uses that name."""
    case = CASES["range whose end is before its start (trim)"]
    (cli_project / "bad.tl").write_text(case.text, encoding="utf-8")

    proc = run_tlc("export", "bad.tl", cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    check_report(proc.stderr, "bad.tl", case)


def test_error_is_reported_before_ffmpeg_starts(cli_project: Path, tmp_path: Path,
                                                run_tlc) -> None:
    """A .tl error must stop tlc before any ffmpeg run: a fake ffmpeg records calls.

    The fake answers ``-version`` like ffmpeg (tlc needs that to accept it) and logs
    every other call; the real ffmpeg cannot tell us whether it was started.
    """
    log = tmp_path / "calls.log"
    fake = tmp_path / "fake-ffmpeg"
    fake.write_text(
        "#!/bin/sh\n"
        'case " $* " in *" -version "*)\n'
        '  echo "ffmpeg version 6.1 Copyright (c) 2000-2023 the FFmpeg developers"; exit 0;;\n'
        "esac\n"
        f'echo "$*" >> "{log}"\n'
        "exit 1\n")
    fake.chmod(0o755)
    case = CASES["trim past the end of the source"]
    tl = cli_project / "bad.tl"
    tl.write_text(case.text, encoding="utf-8")

    proc = run_tlc("export", tl, "--ffmpeg", fake, cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    check_report(proc.stderr, str(tl), case)
    assert not log.exists(), f"ffmpeg was started: {log.read_text()}"


def test_a_file_argument_is_a_file_and_dash_is_standard_input(cli_project: Path,
                                                              cli_env: dict[str, str]) -> None:
    """FILE names a file (text that is not one is "no such file", never compiled as a
    timeline); ``-`` reads the timeline from standard input, its paths relative to the
    working directory (an editor can pipe it without writing a file)."""
    import subprocess

    from conftest import TLC_COMMAND

    def tlc(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TLC_COMMAND), *args], cwd=cli_project, env=cli_env,
                              input=stdin, capture_output=True, text=True, timeout=120,
                              check=False)

    text = HEAD + MAIN
    proc = tlc("check", text.replace("\n", " "))
    assert proc.returncode == 2 and "no such file" in proc.stderr, proc.stderr
    proc = tlc("check", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    proc = tlc("check", "-", stdin=HEAD + 'video {\n  clip "media/nothere.mp4"\n}\n')
    assert proc.returncode == 2 and proc.stderr.startswith("<stdin>:3:8: error:"), proc.stderr


def test_a_bad_command_line_setting_is_blamed_on_the_option(cli_project: Path,
                                                           run_tlc) -> None:
    """``--size 321x180`` is the command line's mistake: the message names the option,
    not a line of the file (whose own size is fine)."""
    tl = cli_project / "ok.tl"
    tl.write_text(HEAD + MAIN, encoding="utf-8")
    for args, says in ((("--size", "321x180"), "error: --size: size 321x180"),
                       (("-o", "out/x.txt"), "error: -o: unknown output type '.txt'"),
                       (("-o", "media/a.mp4"), "is also an input")):
        proc = run_tlc("check", tl, *args, cwd=cli_project)
        assert proc.returncode == 2, proc.stderr
        assert says in proc.stderr and f"{tl}:" not in proc.stderr, proc.stderr


def test_warnings_are_written_as_errors_are(cli_project: Path, run_tlc) -> None:
    """``FILE:LINE:COL: warning: MESSAGE``, for an overlay cut by the end, a video overlay
    longer than its video and an audio item after the end."""
    tl = cli_project / "w.tl"
    tl.write_text(HEAD + MAIN + 'overlay {\n  text "x" at 1s..3s\n'
                  '  video "media/b.mp4" at 0s..3s\n}\n'
                  'audio {\n  clip "media/a.mp4" at 5s\n}\n', encoding="utf-8")
    proc = run_tlc("check", tl, cwd=cli_project)
    assert proc.returncode == 0, proc.stderr
    warnings = sorted(line for line in proc.stderr.splitlines() if "warning" in line)
    assert warnings == [
        f"{tl}:10:3: warning: audio item starts after the timeline ends; it is not heard",
        f"{tl}:6:15: warning: overlay runs past the end of the timeline (2s); it is cut there",
        f"{tl}:7:26: warning: overlay runs past the end of the timeline (2s); it is cut there",
        f"{tl}:7:26: warning: the video lasts 2s, the overlay 3s: nothing shows after 2s",
    ], proc.stderr
