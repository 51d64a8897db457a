"""The Python API for programs that embed tlc: compile_file and export."""

from __future__ import annotations

from pathlib import Path

import pytest
from media import make_video
from verify import facts

import tlc
from tlc.ir import Plan


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("api") / "clip.mp4", 1, size=(64, 36), fps=10)


def test_compile_file_returns_the_plan(clip: Path) -> None:
    tl = clip.parent / "t.tl"
    tl.write_text('output "o.mp4" { size 64x36 fps 10 }\nvideo { clip "clip.mp4" }\n')
    plan = tlc.compile_file(str(tl))
    assert isinstance(plan, Plan)
    assert [s.path for s in plan.outputs] == [str(clip.parent / "o.mp4")]


def test_export_text_with_overrides(clip: Path, tmp_path: Path) -> None:
    text = f'output "o.mp4" {{ fps 10 }}\nvideo {{ clip "{clip}" trim 0s..0.5s }}\n'
    out = tmp_path / "api.mp4"
    written = tlc.export(text, output=str(out), size="32x18", preset="draft")
    assert written == [str(out)]
    f = facts(out)
    assert (f.width, f.height, f.frames) == (32, 18, 5)


def test_export_refuses_to_overwrite(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "kept.mp4"
    out.write_bytes(b"precious")
    text = f'output "o.mp4" {{ size 32x18 fps 10 }}\nvideo {{ clip "{clip}" }}\n'
    with pytest.raises(tlc.TlcError, match="-y"):
        tlc.export(text, output=str(out))
    assert out.read_bytes() == b"precious"
    tlc.export(text, output=str(out), overwrite=True, preset="draft")
    assert facts(out).frames == 10
