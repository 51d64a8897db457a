"""Several outputs: each drawn from the sources at its own size, fps and fit, in one run.

Overlay positions and sizes are in the first video output's pixels, mapped onto each
other output as its fit maps that frame (docs/language.md, "Outputs"). So each output
of a two-output timeline is the picture of the same timeline exported alone at that
output, with its pixels written in that output's own: PSNR against it is measured
with ffmpeg's psnr filter.
"""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import TLC_COMMAND, RunTlc
from media import make_image, make_video
from verify import facts, psnr_per_frame

from tlc.api import compile_timeline, context
from tlc.core.errors import Span
from tlc.ir import OutputSpec
from tlc.lower.programs import mapping

BIG = 'output "{d}/big.mp4" { size 1920x1080 fps 10 preset draft }'
SMALL = 'output "{d}/small.mp4" { size 640x360 fps 10 preset draft }'


def body(k: int) -> str:
    """The edit, its overlays written in pixels of a frame ``k`` times 640x360."""
    return f"""
video {{
  clip "a.mp4" trim 0.2s+1s
  clip "b.mp4" trim ..1s
}}
overlay {{
  image "logo.png" at 0s..2s pos {10 * k},{20 * k} scale {32 * k}x{24 * k}
  image "pip.png" at 0.5s..2s pos {500 * k},{30 * k} scale {64 * k}x{36 * k} opacity 0.8
  text "Caption" at 0s..2s pos {100 * k},{300 * k} size {16 * k} color yellow box
  text "centre" at 1s..2s size {12 * k}
}}
"""


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 16:9 clip at 25 fps and a square one at 30 (letterboxed), two images."""
    d = tmp_path_factory.mktemp("renditions")
    make_video(d / "a.mp4", 1.5, size=(320, 180), fps=25)
    make_video(d / "b.mp4", 1.5, size=(240, 240), fps=30)
    make_image(d / "logo.png", (96, 72))
    make_image(d / "pip.png", (160, 90))
    return d


def export(run_tlc: RunTlc, d: Path, name: str, text: str) -> int:
    """Export ``text`` (as ``d/name.tl``, its outputs in ``d/name/``); the number of
    ffmpeg runs its plan has (``tlc print --format json``)."""
    tl = d / f"{name}.tl"
    tl.write_text(text.replace("{d}", name))
    printed = run_tlc("print", tl, "--format", "json", cwd=d)
    assert printed.returncode == 0, printed.stderr
    proc = run_tlc("export", tl, "-y", cwd=d)
    assert proc.returncode == 0, proc.stderr
    return len(json.loads(printed.stdout))


@pytest.fixture(scope="module")
def alone(media: Path, cli_env: dict[str, str]) -> Path:
    """Each size exported alone, its overlays in its own pixels."""
    for name, out, k in (("big", BIG, 3), ("small", SMALL, 1)):
        tl = media / f"alone-{name}.tl"
        tl.write_text(out.replace("{d}", "alone") + body(k))
        proc = subprocess.run([str(TLC_COMMAND), "export", str(tl), "-y"], cwd=media,
                              env=cli_env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    return media / "alone"


#: the issue asks for 45 dB; the same graph and encoder give identical frames (inf). A
#: picture scaled from another output's, as before, gave 43.6 dB (and 37.4 scaled up)
SAME_PICTURE_DB = 50


def assert_same(got: Path, ref: Path, size: tuple[int, int]) -> None:
    a, b = facts(ref), facts(got)
    assert (b.width, b.height, b.fps, b.frames) == (*size, 10, 20)
    assert (a.width, a.height, a.frames) == (b.width, b.height, b.frames)
    assert b.audio_seconds == pytest.approx(2.0, abs=1024 / 48000)
    psnr = psnr_per_frame(ref, got)
    assert len(psnr) == 20 and min(psnr) >= SAME_PICTURE_DB, psnr


@pytest.mark.parametrize("order", ["big-first", "small-first"])
def test_each_output_is_its_single_export(run_tlc: RunTlc, media: Path, alone: Path,
                                          order: str) -> None:
    """1920x1080 and 640x360 in either order: one run, and each output the same
    picture as that output exported alone (the first one's pixels mapped: x3 or /3)."""
    heads, k = ((BIG, SMALL), 3) if order == "big-first" else ((SMALL, BIG), 1)
    text = "\n".join(heads) + "\n" + body(k)
    assert export(run_tlc, media, order, text) == 1
    assert_same(media / order / "big.mp4", alone / "big.mp4", (1920, 1080))
    assert_same(media / order / "small.mp4", alone / "small.mp4", (640, 360))


WIDE = 'output "{d}/wide.mp4" { size 320x180 fps 10 preset draft }'
TALL = 'output "{d}/tall.mp4" { size 180x320 fps 10 fit cover preset draft }'
PORTRAIT_EDIT = """
video {{
  clip "a.mp4" trim 0.2s+1s
  clip "b.mp4" trim ..1s
}}
overlay {{
  image "logo.png" at 0s..2s pos {logo} scale {scale}
  text "Caption" at 0s..2s pos {caption} size {size} box
}}
"""


def test_a_portrait_output_beside_a_landscape_one(run_tlc: RunTlc, media: Path) -> None:
    """16:9 then 9:16 with fit cover: the tall output crops each clip itself (never a
    crop of the letterboxed wide picture), and its overlays land where the wide frame,
    covered onto it (x16/9, centred: 194.4 px cut each side), puts them."""
    wide = PORTRAIT_EDIT.format(logo="140,20", scale="32x24", caption="130,150", size=10)
    assert export(run_tlc, media, "pair", f"{WIDE}\n{TALL}\n{wide}") == 1
    # the same edit alone at 180x320, in its pixels: x' = -194.44 + x * 16/9, y' = y * 16/9
    tall = PORTRAIT_EDIT.format(logo="54,36", scale="57x43", caption="37,267", size=18)
    assert export(run_tlc, media, "tall", f"{TALL}\n{tall}") == 1
    got, ref = media / "pair" / "tall.mp4", media / "tall" / "tall.mp4"
    assert (facts(got).width, facts(got).height, facts(got).frames) == (180, 320, 20)
    psnr = psnr_per_frame(ref, got)
    assert len(psnr) == 20 and min(psnr) >= SAME_PICTURE_DB, psnr


def graph(text: str, d: Path) -> str:
    """The filter graph of ``text``'s one run."""
    path = d / "plan.tl"
    c = compile_timeline(text.replace("{d}", "plan"), str(path), context())
    assert len(c.steps) == 1
    argv = c.steps[0].argv
    return argv[argv.index("-filter_complex") + 1]


def test_contain_maps_the_frame_into_the_letterbox(media: Path) -> None:
    """A 9:16 output that contains the 16:9 frame: scaled by 9/16 and centred (109.4 px
    above), the logo at its own size (96x72 in the first output's pixels) scaled too."""
    text = (f"{WIDE}\n{TALL.replace(' fit cover', '')}\n"
            'video { clip "a.mp4" }\noverlay { image "logo.png" at 0s..1s pos 140,20 }\n')
    g = graph(text, media)
    assert "overlay=x=140:y=20:" in g  # the wide output: as written
    assert "scale=w=54:h=40[" in g and "overlay=x=79:y=121:" in g  # 96*9/16, 72*9/16


def test_each_program_is_fitted_once_from_the_sources(media: Path) -> None:
    """The small output's clips are scaled straight to 640x360 from the sources (read
    once, split), never from the 1920x1080 picture; the caption's size is its own."""
    g = graph("\n".join((BIG, SMALL)) + body(3), media)
    assert g.count("scale=w=1920:h=1080:force_original_aspect_ratio=decrease") == 2
    assert g.count("scale=w=640:h=360:force_original_aspect_ratio=decrease") == 2
    assert "[0:v:0]split=2" in g and "[1:v:0]split=2" in g
    assert "fontsize=48:" in g and "fontsize=16:" in g


def test_an_output_at_another_frame_rate_is_drawn_on_its_own_grid(media: Path) -> None:
    """15 fps beside 10: each clip is converted to 15 fps itself, each cut on its own
    frame nearest the first output's (1 s: frame 15), 30 frames in all."""
    second = SMALL.replace("fps 10", "fps 15")
    g = graph(f"{BIG}\n{second}\n{body(3)}", media)
    assert "fps=fps=15," in g and "trim=end_frame=15[" in g
    assert ",fps=fps=15[" not in g  # (not a retimed 10 fps picture)


def test_output_of_the_sources_size_is_still_copied(media: Path, tmp_path: Path) -> None:
    """Whole clips that are what an output asks for are copied for it, first or second
    (and around a transition: the second output here);
    the other output is encoded from the same sources in the same run."""
    for i in range(2):
        make_video(tmp_path / f"p{i}.mp4", 1, size=(320, 180), fps=25, gop=25)
    same = 'output "{d}/same.mp4" { size 320x180 fps 25 preset draft }'
    small = 'output "{d}/small.mp4" { size 160x90 fps 25 preset draft }'
    edit = 'video {\n  clip "p0.mp4"\n  clip "p1.mp4"\n}\n'
    for heads in ((same, small), (small, same)):
        text = "\n".join(heads).replace("{d}", "o") + "\n" + edit
        c = compile_timeline(text, str(tmp_path / "c.tl"), context())
        assert len(c.steps) == 1
        argv = c.steps[0].argv
        assert argv.count("-c:v") == 2 and "copy" in argv and "libx264" in argv
        assert argv.count("-i") == 3  # the concat list that is copied, and the 2 clips
    # and around a transition (its two items re-encoded by a run of their own)
    make_video(tmp_path / "p2.mp4", 1, size=(320, 180), fps=25, gop=25)
    edit = 'video {\n  clip "p0.mp4"\n  clip "p1.mp4"\n  transition dissolve 200ms\n' \
           '  clip "p2.mp4"\n}\n'
    text = "\n".join((small, same)).replace("{d}", "o") + "\n" + edit
    c = compile_timeline(text, str(tmp_path / "t.tl"), context())
    assert len(c.steps) == 2  # the group, then both outputs
    argv = c.steps[-1].argv
    assert argv.count("-c:v") == 2 and "copy" in argv
    assert any(a.endswith("o2-group-2-3.mp4") for a in c.steps[0].argv)


def test_an_item_with_no_frame_at_the_other_rate_keeps_the_first_grid(media: Path) -> None:
    """A one-frame item at 30 fps has no frame of its own at 10: that output's program
    stays on the 30 fps grid, drawn at its own size, and is converted to 10 fps."""
    text = ('output "{d}/a.mp4" { size 320x180 fps 30 preset draft }\n'
            'output "{d}/b.mp4" { size 160x90 fps 10 preset draft }\n'
            'video {\n  clip "a.mp4" trim ..1s\n  clip "b.mp4" trim 0s+1f\n}\n')
    g = graph(text, media)
    assert "scale=w=160:h=90:" in g and ",fps=fps=10[" in g
    assert "fps=fps=10," not in g  # (no clip converted to 10 fps on its own)


@pytest.mark.parametrize(("fit", "expected"), [
    ("contain", (Fraction(9, 16), Fraction(9, 16), Fraction(0), Fraction(2625, 4))),  # 656.25 down
    ("cover", (Fraction(16, 9), Fraction(16, 9), Fraction(-3500, 3), Fraction(0))),  # 1166.7 cut
    ("stretch", (Fraction(9, 16), Fraction(16, 9), Fraction(0), Fraction(0))),
])
def test_the_first_frame_is_mapped_as_the_fit_maps_a_picture(
    fit: str, expected: tuple[Fraction, ...]
) -> None:
    """1920x1080 onto 1080x1920: (sx, sy, dx, dy), x' = dx + x * sx."""
    out = OutputSpec("o.mp4", Span("t.tl", 1, 1), 1080, 1920, Fraction(30), "h264", "aac",
                     None, "draft", "auto", fit, False, "mp4")
    assert mapping((1920, 1080), out) == expected
