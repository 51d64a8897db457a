"""The emitter: argv lists, script files for big graphs, escaping proved on real ffmpeg.

tlc builds its filter graphs itself rather than with ffmpeg-python; the test marked
"shortfall" shows why: ffmpeg-python puts any graph inline in the argv, so a big
timeline exceeds the kernel's 128 KiB limit for one argument (and its graph
compilation grows quadratically: about 15 s for 10,000 inputs here), while tlc moves
big graphs to a script file.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import ffmpeg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media import ffmpeg_exe, make_image, make_video

from tlc.api import compile_timeline, context
from tlc.backend.emit import SCRIPT_THRESHOLD, emit
from tlc.backend.escape import filter_args
from tlc.core.toolchain import Ffmpeg, find_ffmpeg

ARG_MAX_ONE = 128 * 1024  # Linux MAX_ARG_STRLEN: the longest single argv element


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("emit")
    make_video(root / "clip.mp4", 1, size=(64, 36), fps=10)
    make_image(root / "logo.png", (16, 8))
    return root


def many_clips(root: Path, n: int) -> str:
    items = "\n".join(f'  clip "clip.mp4" trim {i % 5 / 10}s+0.5s' for i in range(n))
    return f'output "out.mp4" {{ size 64x36 fps 10 preset draft }}\nvideo {{\n{items}\n}}\n'


def compile_text(root: Path, text: str, **opts: object):  # type: ignore[no-untyped-def]
    path = root / "t.tl"
    path.write_text(text)
    return compile_timeline(text, str(path), context(**opts))  # type: ignore[arg-type]


def test_big_graph_goes_to_a_script_file(media: Path) -> None:
    c = compile_text(media, many_clips(media, 300))
    (step,) = c.steps
    assert max(len(a) for a in step.argv) < 100_000
    opt = "-/filter_complex" if c.ctx.ffmpeg.version >= (7, 0, 0) else "-filter_complex_script"
    script = step.argv[step.argv.index(opt) + 1]
    (aux,) = [a for a in step.aux if a.path == script]
    assert len(aux.content) > SCRIPT_THRESHOLD and "concat=n=300" in aux.content


def test_script_option_follows_the_ffmpeg_version(media: Path) -> None:
    c = compile_text(media, many_clips(media, 300))
    old = Ffmpeg("/usr/bin/ffmpeg", (6, 1, 1), "6.1.1", "system")
    (step,) = emit(c.plan, old)
    assert "-filter_complex_script" in step.argv and "-/filter_complex" not in step.argv


def test_big_graph_renders(media: Path, tmp_path: Path) -> None:
    from tlc.runtime.run import execute

    c = compile_text(media, many_clips(media, 300), output=str(tmp_path / "big.mp4"))
    execute(c.steps, workdir=c.ctx.workdir)
    from verify import facts

    assert facts(tmp_path / "big.mp4").frames == 300 * 5


def test_equal_reads_share_one_input(media: Path) -> None:
    text = (
        'output "o.mp4" { size 64x36 fps 10 preset draft }\n'
        'video { clip "clip.mp4" }\n'
        'overlay { image "logo.png" at 0s..0.5s\n image "logo.png" at 0.5s..1s pos 4,4 }\n'
    )
    (step,) = compile_text(media, text).steps
    assert sum(a.endswith("logo.png") for a in step.argv) == 1
    graph = step.argv[step.argv.index("-filter_complex") + 1]
    assert "split=2" in graph


def test_shortfall_ffmpeg_python_keeps_big_graphs_inline() -> None:
    # 1,000 clips, each fitted to 1080p as tlc fits them: a modest timeline for an editor
    n = 1000
    ins = [ffmpeg.input(f"/media/clip{i}.mp4", ss=1.5, t=2.25) for i in range(n)]
    chains = [
        i.video.filter("scale", 1920, 1080, force_original_aspect_ratio="decrease")
        .filter("pad", 1920, 1080, "(ow-iw)/2", "(oh-ih)/2")
        .filter("setsar", 1)
        .filter("fps", 60)
        for i in ins
    ]
    argv = ffmpeg.concat(*chains, n=n, v=1, a=0).output("out.mp4").compile()
    graph = argv[argv.index("-filter_complex") + 1]
    assert len(graph) > ARG_MAX_ONE  # exec() would fail with E2BIG


def _frame_md5(graph: str, extra: list[str] | None = None) -> str:
    argv = [
        ffmpeg_exe(),
        "-v",
        "error",
        "-nostdin",
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=240x60:d=0.04",
        *(extra or []),
        "-filter_complex",
        graph,
        "-frames:v",
        "1",
        "-f",
        "framemd5",
        "-",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


CAPTION = st.lists(
    st.sampled_from(list("ab Z09'\":\\,;[]=%{}@#\n\té—✓") + ["%{pts}", "\\'", "\\n"]),
    min_size=1,
    max_size=16,
).map("".join)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=CAPTION)
def test_caption_renders_exactly_what_was_written(tmp_path: Path, text: str) -> None:
    """A caption drawn from tlc's escaped text= equals the same caption from a file."""
    # white on the black frame (drawtext's default color is black: nothing would show),
    # and one more line break in the file (ffmpeg drops the one that ends a text file)
    font = {"fontsize": "18", "fontcolor": "white"}
    textfile = tmp_path / "caption.txt"
    textfile.write_text(text + "\n", encoding="utf-8")
    ours = filter_args((("expansion", "none"), ("text", text), *font.items()))
    ref = filter_args((("expansion", "none"), ("textfile", str(textfile)), *font.items()))
    assert _frame_md5(f"[0:v]drawtext={ours}") == _frame_md5(f"[0:v]drawtext={ref}")


def test_fps_is_written_exactly() -> None:
    from tlc.core.timefmt import q

    assert q(Fraction(30000, 1001)) == "30000/1001"
    assert q(Fraction(25)) == "25"
    assert q(Fraction(5, 2)) == "2.5"


def test_found_ffmpeg_is_used_in_argv(media: Path) -> None:
    (step,) = compile_text(media, many_clips(media, 2)).steps
    assert step.argv[0] == find_ffmpeg().path
