"""A timeline without an output (language version 2): the edit alone, through `tlc`.

``tlc check`` checks it on an implicit output with the defaults (the frame grid);
``tlc export FILE -o OUT`` renders it with the defaults for OUT's extension; export,
print and explain with neither an output nor ``-o`` stop with an error that says how
to fix it, after any error in the file itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EDIT = 'video {\n  clip "media/a.mp4"\n  clip "media/b.mp4" trim 0.5s..2s\n}\n'  # 3.5 s
SMALL = ("--size", "320x180", "--fps", "25", "--preset", "draft")  # (a quick render)
HOW_TO_FIX = ('output "', "-o OUT")


def write(proj: Path, text: str, name: str = "edit.tl") -> Path:
    tl = proj / name
    tl.write_text(text, encoding="utf-8")
    return tl


def test_check_says_ok_and_that_there_is_no_output(cli_project: Path, run_tlc) -> None:
    tl = write(cli_project, EDIT)

    proc = run_tlc("check", tl, cwd=cli_project)

    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{tl}: ok, 3.500s, 2 main item(s)"), proc.stdout
    assert "(no output: export with -o OUT)" in first
    assert "1920x1080@60" in proc.stdout  # the defaults' frame grid
    assert sorted(p.name for p in cli_project.iterdir()) == ["edit.tl", "media"]


def test_check_takes_the_grid_from_the_options_and_the_config(
        cli_project: Path, tmp_path: Path, run_tlc) -> None:
    tl = write(cli_project, EDIT)
    config = tmp_path / "config.toml"
    config.write_text('size = "640x360"\nfps = 30\n', encoding="utf-8")

    from_config = run_tlc("check", tl, cwd=cli_project, env={"TLC_CONFIG": str(config)})
    from_flags = run_tlc("check", tl, "--size", "1280x720", "--fps", "24", cwd=cli_project,
                         env={"TLC_CONFIG": str(config)})

    assert from_config.returncode == 0, from_config.stderr
    assert "640x360@30" in from_config.stdout
    assert from_flags.returncode == 0, from_flags.stderr
    assert "1280x720@24" in from_flags.stdout


def test_check_of_a_sound_only_edit(cli_project: Path, run_tlc) -> None:
    from media import make_audio

    make_audio(cli_project / "music.m4a", 1.5)
    tl = write(cli_project, 'audio {\n  clip "music.m4a"\n}\n')

    proc = run_tlc("check", tl, cwd=cli_project)

    assert proc.returncode == 0, proc.stderr
    assert "(no output: export with -o OUT)" in proc.stdout
    assert "no video" in proc.stdout


@pytest.mark.parametrize("command", ["check", "export", "print", "explain"])
def test_an_error_in_the_file_comes_first(command: str, cli_project: Path, run_tlc) -> None:
    """A trim past the end is reported at its line and column, not 'no output'."""
    text = 'video {\n  clip "media/a.mp4"\n  clip "media/b.mp4" trim 1s..5s\n}\n'
    tl = write(cli_project, text)

    proc = run_tlc(command, tl, cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    column = text.splitlines()[2].index("1s..5s") + 1
    assert lines[0].startswith(f"{tl}:3:{column}: error: trim past the end"), proc.stderr
    assert lines[1] == '  clip "media/b.mp4" trim 1s..5s'
    assert lines[2].index("^") == column - 1
    assert "no output" not in proc.stderr


@pytest.mark.parametrize("text,line,token", [
    ('video {\n  clip "media/a.mp4"\n  clip "media/gone.mp4"\n}\n', 3, '"media/gone.mp4"'),
    ('video {\n  clip "media/a.mp4"\n}\noverlay {\n  text "hi" at 3s..4s\n}\n', 5, "3s..4s"),
])
def test_check_reports_located_errors(text: str, line: int, token: str, cli_project: Path,
                                      run_tlc) -> None:
    tl = write(cli_project, text)

    proc = run_tlc("check", tl, cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    column = text.splitlines()[line - 1].index(token) + 1
    assert proc.stderr.startswith(f"{tl}:{line}:{column}: error: "), proc.stderr


def test_export_to_mp4_renders_video_and_audio(cli_project: Path, run_tlc) -> None:
    import av

    tl = write(cli_project, EDIT)
    out = cli_project / "out.mp4"

    proc = run_tlc("export", tl, "-o", out, *SMALL, cwd=cli_project)

    assert proc.returncode == 0, proc.stderr
    with av.open(str(out)) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1
        v = c.streams.video[0]
        assert (v.codec_context.name, v.codec_context.width, v.codec_context.height) == (
            "h264", 320, 180)
        assert c.streams.audio[0].codec_context.name == "aac"
        assert c.duration is not None
        assert abs(c.duration / av.time_base - 3.5) < 0.1


def test_export_to_m4a_renders_sound_only(cli_project: Path, run_tlc) -> None:
    import av

    tl = write(cli_project, EDIT)
    out = cli_project / "out.m4a"

    proc = run_tlc("export", tl, "-o", out, cwd=cli_project)

    assert proc.returncode == 0, proc.stderr
    with av.open(str(out)) as c:
        assert len(c.streams.video) == 0 and len(c.streams.audio) == 1
        assert c.streams.audio[0].codec_context.name == "aac"
        assert c.duration is not None
        assert abs(c.duration / av.time_base - 3.5) < 0.1


@pytest.mark.parametrize("command", ["export", "print", "explain"])
def test_without_an_output_or_o_says_how_to_fix_it(command: str, cli_project: Path,
                                                   run_tlc) -> None:
    tl = write(cli_project, EDIT)

    proc = run_tlc(command, tl, cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"{tl}:1:1: error: no output"), proc.stderr
    assert lines[1:3] == ["video {", "^"], proc.stderr  # (where an output line would go)
    for words in HOW_TO_FIX:
        assert words in proc.stderr
    assert proc.stdout == ""
    assert sorted(p.name for p in cli_project.iterdir()) == ["edit.tl", "media"]


def test_o_with_a_bad_extension_is_blamed_on_the_option(cli_project: Path, run_tlc) -> None:
    tl = write(cli_project, EDIT)

    proc = run_tlc("export", tl, "-o", "out.xyz", cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: -o: unknown output type '.xyz'"), proc.stderr


def test_o_still_replaces_the_first_outputs_path(cli_project: Path, run_tlc) -> None:
    tl = write(cli_project, 'output "first.m4a"\n' + EDIT)

    proc = run_tlc("print", tl, "-o", "other.m4a", cwd=cli_project)

    assert proc.returncode == 0, proc.stderr
    assert "other.m4a" in proc.stdout and "first.m4a" not in proc.stdout


def test_the_api_does_the_same(cli_project: Path) -> None:
    import av

    import tlc
    from tlc.core.errors import TlcError, UsageError

    tl = write(cli_project, EDIT)
    with pytest.raises(TlcError, match="no output") as err:
        tlc.compile_file(str(tl))
    assert "-o OUT" in err.value.message
    checked = tlc.compile(str(tl), no_output_ok=True)
    assert checked.plan.timeline.outputs[0].implicit
    with pytest.raises(UsageError, match="no output to render"):
        tlc.api.render(checked)

    out = cli_project / "api.m4a"
    assert tlc.export(str(tl), output=str(out)) == [str(out)]
    with av.open(str(out)) as c:
        assert len(c.streams.video) == 0 and len(c.streams.audio) == 1


def test_o_with_video_for_a_sound_only_edit_is_blamed_on_the_option(
        cli_project: Path, run_tlc) -> None:
    from media import make_audio

    make_audio(cli_project / "music.m4a", 1.5)
    tl = write(cli_project, 'audio {\n  clip "music.m4a"\n}\n')

    proc = run_tlc("export", tl, "-o", "out.mp4", cwd=cli_project)

    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: -o: 'out.mp4' has video"), proc.stderr
    assert ".m4a" in proc.stderr
