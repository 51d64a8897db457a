"""Frame-exact edge cases of the main program."""

from __future__ import annotations

from pathlib import Path

from media import make_video
from verify import facts

import tlc


def test_one_frame_items_each_last_one_frame(tmp_path: Path) -> None:
    make_video(tmp_path / "c.mp4", 2, size=(32, 18), fps=30, gop=30)
    items = "\n".join(f'  clip "c.mp4" trim {t}s+1f' for t in (0, 0.5, 1, 1.5))
    tl = tmp_path / "one.tl"
    tl.write_text(f'output "o.mp4" {{ size 32x18 fps 30 preset draft }}\nvideo {{\n{items}\n}}\n')
    for opts in ({}, {"optimize": False}):
        out = tmp_path / f"one{len(opts)}.mp4"
        tlc.export(str(tl), output=str(out), overwrite=True, **opts)
        f = facts(out)
        assert f.frames == 4, opts
        assert abs((f.audio_seconds or 0) - 4 / 30) < 1024 / 48000
