"""Smart render in a segmented export: windows on the source's keyframes, copied GOP
runs as segments of their own (tlc.segmented.gops).

test_smart.py's camera source and timeline (a trim off a keyframe, a logo, a
caption), exported with ``--jobs 2 --segment 2`` and a cache: the frames are the
one-run smart export's (the copied ones the source's, bit for bit), the file is
valid, and a re-export after a new caption renders only the caption's window.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import av
import pytest
from media import make_image
from test_smart import (
    FPS,
    FRAMES,
    HEVC,
    TIMELINE,
    TRIM,
    camera_source,
    check_runs,
    frames,
    no_errors,
    notes,
    runs,
    x265_source,
)
from verify import decoded_audio_seconds

from tlc.api import export

SEGMENTS = ("--jobs", "2", "--segment", "2")


def done(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    found = [e for e in events if e.get("event") == "done"]
    assert found, proc.stdout + proc.stderr
    return found[-1]["segments"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source, the timeline and its one-run smart export (one.mp4)."""
    d = tmp_path_factory.mktemp("smartseg")
    camera_source(d / "src.mp4")
    make_image(d / "logo.png", (16, 16))
    (d / "a.tl").write_text(TIMELINE.format(out="one.mp4"))
    export(str(d / "a.tl"), overwrite=True, log=False)
    return d


def test_segmented_smart_export_is_the_one_run_export(made: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    tl, out, cache = made / "a.tl", made / "seg.mp4", made / "cache"
    printed = run_tlc("print", tl, *SEGMENTS, cwd=made)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.count(": copied window -> ") >= 3  # whole GOP runs, no encoder
    first = run_tlc("export", tl, "-o", out, *SEGMENTS, "--cache", cache, "--progress", "json",
                    cwd=made)
    report = done(first)
    assert report["rendered"] == report["segments"] and report["segments"] >= 6  # type: ignore[operator]
    seg, one, src = frames(out), frames(made / "one.mp4"), frames(made / "src.mp4")
    assert len(seg) == len(one) == FRAMES
    # copied runs: the source's frames, bit for bit; spans: the one-run export's, exactly
    check_runs(runs(notes(tl)), seg, src[TRIM:TRIM + FRAMES], one, math.inf)
    no_errors(out)
    with av.open(str(out)) as c, av.open(str(made / "src.mp4")) as s:
        v = c.streams.video[0]
        assert v.codec_context.extradata == s.streams.video[0].codec_context.extradata
        pts = [f.pts for f in c.decode(v)]
        assert v.time_base is not None
        step = round(1 / (FPS * v.time_base))
    assert pts[0] == 0 and all(b - a == step for a, b in zip(pts, pts[1:], strict=False))
    assert decoded_audio_seconds(out) == pytest.approx(FRAMES / FPS, abs=0.001)

    # a new caption: only its window is rendered again (the sound and copied GOPs are kept)
    tl.write_text(tl.read_text().replace('text "Hi"', 'text "Ho"'))
    again = done(run_tlc("export", tl, "-o", made / "seg2.mp4", *SEGMENTS, "--cache", cache,
                         "--progress", "json", cwd=made))
    assert (again["rendered"], again["cached"]) == (1, report["segments"] - 1)  # type: ignore[operator]
    (label, _), = again["renders"]  # type: ignore[misc]
    assert "copied" not in label and "7.6" in label  # the window of the caption's GOPs
    assert len(frames(made / "seg2.mp4")) == FRAMES
    no_errors(made / "seg2.mp4")

    # --smart off renders other bytes: of the cache, only the sound is taken
    off = done(run_tlc("export", tl, "-o", made / "seg3.mp4", *SEGMENTS, "--cache", cache,
                       "--smart", "off", "--progress", "json", cwd=made))
    assert off["cached"] == 1 and off["rendered"] == off["segments"] - 1  # type: ignore[operator]
    assert all("video" in label for label, _ in off["renders"])  # type: ignore[attr-defined]
    assert len(frames(made / "seg3.mp4")) == FRAMES


def test_hevc_windows_join_into_one_valid_stream(made: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    """HEVC: a join keeps the first file's hvcC, so every window must have the source's
    parameter sets (before, windows of an HEVC output were all encoded)."""
    d = made / "hevc"
    d.mkdir(exist_ok=True)
    x265_source(d / "src.mp4", "no-open-gop=1")
    make_image(d / "logo.png", (16, 16))
    (d / "a.tl").write_text(HEVC.format(out="one.mp4"))
    export(str(d / "a.tl"), overwrite=True, log=False)
    proc = run_tlc("export", d / "a.tl", "-o", d / "seg.mp4", *SEGMENTS, "--progress", "json",
                   cwd=d)
    assert done(proc)["segments"] >= 6  # type: ignore[operator]
    seg, one, src = frames(d / "seg.mp4"), frames(d / "one.mp4"), frames(d / "src.mp4")
    assert len(seg) == FRAMES
    check_runs(runs(notes(d / "a.tl")), seg, src[TRIM:TRIM + FRAMES], one, math.inf)
    no_errors(d / "seg.mp4")


def test_smart_off_never_takes_a_smart_rendered_window_from_the_cache(
    made: Path, run_tlc  # type: ignore[no-untyped-def]
) -> None:
    """A gap among the clips: windows are cut as usual and smart render runs inside
    each; ``--smart off`` renders other bytes, so none of those windows is reused."""
    tl, cache = made / "gap.tl", made / "cache-gap"
    tl.write_text(TIMELINE.format(out="gap.mp4").replace(
        'clip "src.mp4" trim 0.4s..12s', 'clip "src.mp4" trim 0.4s..12s\n  gap 1s'))
    on = done(run_tlc("export", tl, *SEGMENTS, "--cache", cache, "--progress", "json",
                      cwd=made))
    off = done(run_tlc("export", tl, "-o", made / "gap-off.mp4", *SEGMENTS, "--cache", cache,
                       "--smart", "off", "--progress", "json", cwd=made))
    assert on["segments"] == off["segments"]
    assert off["cached"] == 1  # the sound alone  # type: ignore[comparison-overlap]
