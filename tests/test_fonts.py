"""Text in any script: each caption is drawn in a font that has its characters.

Real ffmpeg, real fonts: each caption is rendered on a black 320x120 frame and the
decoded frame is compared with "tofu" (the boxes a font draws for characters it
lacks). Needs the fonts `make system-deps` installs (Noto, Noto CJK, DejaVu);
without them these tests skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from media import run_ffmpeg

from tlc import api
from tlc.core.errors import MediaError
from tlc.media import fonts

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PUA = "\ue000"  # a private-use character: no installed font has it


def _has_fonts() -> bool:
    if shutil.which("fc-match") is None:
        return False
    inv = fonts.inventory()
    if inv is None or not Path(DEJAVU).is_file():
        return False
    return all(inv.choose(t).missing == () for t in ("你好世界", "こんにちは", "مرحبا"))


pytestmark = pytest.mark.skipif(
    not _has_fonts(),
    reason="needs fontconfig and the fonts of `make system-deps` "
    "(fonts-noto-core fonts-noto-cjk fonts-dejavu-core)",
)


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path_factory.mktemp("tlc-cache")))
    fonts.forget()


@pytest.fixture(scope="module")
def black(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fonts-media")
    run_ffmpeg(["-f", "lavfi", "-i", "color=black:s=320x120:r=25:d=0.2", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(d / "black.mp4")])
    return d / "black.mp4"


def timeline(black: Path, text: str, font: str | None = None) -> str:
    opts = f' font "{font}"' if font else ""
    return (f'output "out.mp4" size 320x120 fps 25 audio none\n'
            f'video {{ clip "{black}" }}\n'
            f'overlay {{\n  text "{text}" at 0s..0.2s size 40{opts}\n}}\n')


def frame(tmp_path: Path, black: Path, text: str, font: str | None = None) -> bytes:
    """The first frame (grey levels, row by row) of the caption rendered by tlc."""
    import av

    name = f"{abs(hash((text, font)))}"
    tl = tmp_path / f"{name}.tl"
    tl.write_text(timeline(black, text, font), encoding="utf-8")
    out = tmp_path / f"{name}.mp4"
    api.export(str(tl), str(out), overwrite=True)
    with av.open(str(out)) as c:
        f = next(c.decode(video=0)).reformat(format="gray")
    plane = f.planes[0]
    raw = bytes(plane)
    return b"".join(raw[y * plane.line_size:y * plane.line_size + f.width]
                    for y in range(f.height))


def diff(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two grey frames (0: the same picture)."""
    assert len(a) == len(b)
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def lit(a: bytes) -> int:
    return sum(1 for x in a if x > 128)


@pytest.mark.parametrize("text", ["你好世界", "こんにちは", "مرحبا"])
def test_other_scripts_are_drawn_not_boxes(tmp_path: Path, black: Path, text: str) -> None:
    drawn = frame(tmp_path, black, text)
    # tofu: DejaVu has none of these, and draws the same box for each as for U+E000
    forced = frame(tmp_path, black, text, DEJAVU) if text != "مرحبا" else None
    boxes = frame(tmp_path, black, PUA * len(text), DEJAVU)
    if forced is not None:
        assert diff(forced, boxes) < 0.5, "the forced font should draw boxes"
    assert lit(drawn) > 200, "nothing drawn"
    assert diff(drawn, boxes) > 3, "the caption came out as boxes"


def test_latin_keeps_drawtexts_own_font(tmp_path: Path, black: Path) -> None:
    compiled = api.compile(timeline(black, "Hello"))
    script = " ".join([*(a for s in compiled.steps for a in s.argv),
                       *(repr(x) for s in compiled.steps for x in s.aux)])
    assert "drawtext" in script and "fontfile" not in script
    assert not compiled.warnings
    hello = frame(tmp_path, black, "Hello")
    assert lit(hello) > 200
    assert diff(hello, frame(tmp_path, black, PUA * 5)) > 3


def test_unknown_character_is_a_box_and_a_warning(tmp_path: Path, black: Path) -> None:
    compiled = api.compile(timeline(black, f"ok {PUA}"))
    assert any("U+E000" in w and "no installed font has" in w for w in compiled.warnings)
    # the box a font draws for one character it lacks is the one it draws for another
    assert diff(frame(tmp_path, black, PUA), frame(tmp_path, black, "\u0378")) < 0.5


def test_emoji_in_a_colour_font_only_warns_and_renders(tmp_path: Path, black: Path) -> None:
    """Noto Color Emoji is a bitmap font that drawtext cannot open at a size: tlc never
    picks it, renders the rest, and names what cannot be drawn."""
    compiled = api.compile(timeline(black, "hi 🎉"))
    warnings = [w for w in compiled.warnings if "U+1F389" in w]
    assert len(warnings) == 1 and "colour emoji font" in warnings[0], compiled.warnings
    assert lit(frame(tmp_path, black, "hi 🎉")) > 100  # the export ran, "hi" is there


def test_emoji_with_an_outline_glyph_is_drawn(tmp_path: Path, black: Path) -> None:
    inv = fonts.inventory()
    assert inv is not None
    if inv.choose("😀").missing:
        pytest.skip("no installed outline font has U+1F600 (DejaVu Sans has)")
    drawn = frame(tmp_path, black, "😀")
    assert diff(drawn, frame(tmp_path, black, PUA)) > 1


def test_a_colour_font_given_is_an_error(black: Path) -> None:
    inv = fonts.inventory()
    assert inv is not None
    if not inv.colour:
        pytest.skip("no colour emoji font installed (fonts-noto-color-emoji)")
    with pytest.raises(MediaError, match="colour bitmap font"):
        api.compile(timeline(black, "x", inv.colour[0].file))


def test_a_given_font_lacking_characters_warns(black: Path) -> None:
    compiled = api.compile(timeline(black, "你好", DEJAVU))
    assert any("DejaVu Sans has no" in w and "U+4F60" in w for w in compiled.warnings)


def test_check_names_the_characters_at_the_caption(tmp_path: Path, black: Path,
                                                   run_tlc: object) -> None:
    (tmp_path / "t.tl").write_text(timeline(black, f"a{PUA}b 🎉"), encoding="utf-8")
    proc = run_tlc("check", "t.tl", cwd=tmp_path)  # type: ignore[operator]
    assert proc.returncode == 0, proc.stderr
    assert "t.tl:4:3: warning: no installed font has '\\ue000' (U+E000)" in proc.stderr
    assert "'🎉' (U+1F389) is only in a colour emoji font" in proc.stderr


def test_the_font_inventory_is_cached_on_disk(black: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first = api.compile(timeline(black, "你好"))
    from tlc.core import cache

    path = cache.cache_path(fonts.CACHE_NAME)
    assert path is not None and path.is_file()
    fonts.forget()  # a new process: only the file is left

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"fontconfig asked again: {args}")

    monkeypatch.setattr(subprocess, "run", no_process)
    again = api.compile(timeline(black, "你好"))
    assert [s.argv for s in again.steps] == [s.argv for s in first.steps]


def test_a_thousand_captions_ask_fontconfig_once(black: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = subprocess.run

    def counted(argv: list[str], *args: object, **kwargs: object) -> object:
        if "fc-" in str(argv[0]):
            calls.append(argv)
        return real(argv, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counted)
    lines = "\n".join(f'  text "字{chr(0x4E00 + i)} {i}" at 0s..0.2s' for i in range(1000))
    text = timeline(black, "x").replace('  text "x" at 0s..0.2s size 40\n', lines + "\n")
    compiled = api.compile(text)
    assert len(calls) == 1
    assert not compiled.warnings


def test_a_font_file_of_the_project_is_read_too(black: Path, tmp_path: Path) -> None:
    """A font fontconfig has not installed (beside the .tl) is read with fc-query."""
    shutil.copy(DEJAVU, tmp_path / "mine.ttf")
    (tmp_path / "t.tl").write_text(timeline(black, "ok 你", "mine.ttf"), encoding="utf-8")
    compiled = api.compile(str(tmp_path / "t.tl"))
    assert any("DejaVu Sans has no '你' (U+4F60)" in w for w in compiled.warnings)
    assert not api.compile(timeline(black, "ok", str(tmp_path / "mine.ttf"))).warnings


def test_without_fontconfig_nothing_is_chosen_and_a_warning_says_so(
        black: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None
                        if str(name).startswith("fc-") else which(name, *a, **k))
    compiled = api.compile(timeline(black, "你好"))
    assert "fontfile" not in " ".join(a for s in compiled.steps for a in s.argv)
    assert any("fc-match is not installed" in w for w in compiled.warnings)
    assert not api.compile(timeline(black, "plain")).warnings


def test_a_font_installed_later_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached inventory is keyed by fontconfig's folders: a font added to the
    user's font folder is in the next compile's inventory (the cache is asked anew)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    added = tmp_path / "data" / "fonts" / "added.ttf"
    before = fonts.inventory()
    assert before is not None and before.font_of(str(added)) is None
    fonts.forget()
    added.parent.mkdir(parents=True)
    shutil.copy(DEJAVU, added)
    after = fonts.inventory()
    assert after is not None
    if after.font_of(str(added)) is None:
        pytest.skip("this fontconfig does not read $XDG_DATA_HOME/fonts")


def test_scripts_no_one_font_has_are_named(black: Path) -> None:
    compiled = api.compile(timeline(black, "Hi 你好 مرحبا"))
    (warning,) = compiled.warnings
    assert "no one installed font has every character" in warning
    assert "'你' (U+4F60), '好' (U+597D)" in warning and "split the caption" in warning
