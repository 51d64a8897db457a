"""Clips with transparency on a higher video track of an editor's timeline are overlays
drawn over the tracks below (the rest is flattened, the highest clip showing)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from media import make_video, run_ffmpeg

import tlc.api as api

RATE = 24


def _png(path: Path, alpha: bool) -> Path:
    """A 64x36 red picture (a ``.mov`` of PNG frames: a second of them): its left half
    see-through where ``alpha``."""
    fmt = "rgba" if alpha else "rgb24"
    chain = "format=rgba,geq=r=255:g=0:b=0:a='if(lt(X,32),0,255)'" if alpha else "format=rgb24"
    if path.suffix == ".mov":
        length = ["-frames:v", str(RATE), "-c:v", "png"]
    else:
        length = ["-frames:v", "1", "-update", "1"]
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c=red:s=64x36:r={RATE}", "-vf",
                f"{chain},format={fmt}", *length, str(path)])
    return path


def _timeline(tmp_path: Path, main: Path, top: Path, faded: bool = False) -> Path:
    """V1: 48 frames of ``main``; V2: 12 frames of gap, then 24 of ``top`` (``faded``:
    dissolving in from the gap over 6 frames)."""
    import opentimelineio as otio

    rt = lambda f: otio.opentime.RationalTime(f, RATE)  # noqa: E731
    tr = lambda a, d: otio.opentime.TimeRange(rt(a), rt(d))  # noqa: E731
    tl = otio.schema.Timeline("alpha")
    v1 = otio.schema.Track("V1")
    v1.append(otio.schema.Clip("main", otio.schema.ExternalReference(str(main)), tr(0, 48)))
    v2 = otio.schema.Track("V2")
    v2.append(otio.schema.Gap(source_range=tr(0, 12)))
    if faded:
        v2.append(otio.schema.Transition("in", "SMPTE_Dissolve", rt(3), rt(3)))
    v2.append(otio.schema.Clip("logo", otio.schema.ExternalReference(str(top)), tr(0, 24)))
    tl.tracks.extend([v1, v2])
    path = tmp_path / "edit.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


def _frames(path: Path) -> list:  # type: ignore[type-arg]
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.mark.parametrize(("name", "kind"), [("logo.png", "image"), ("logo.mov", "video")])
def test_a_clip_with_transparency_on_v2_is_drawn_over_v1(tmp_path: Path, name: str,
                                                        kind: str) -> None:
    import numpy as np

    main = make_video(tmp_path / "main.mp4", 2, size=(64, 36), fps=RATE, audio=False)
    path = _timeline(tmp_path, main, _png(tmp_path / name, alpha=True))
    out = tmp_path / "out.mp4"
    compiled = api.compile(str(path), output=str(out), size=(64, 36), preset="draft")
    tl = compiled.plan.timeline
    assert [(m.kind, m.frames) for m in tl.main] == [("clip", 48)]  # V1 alone, uncut
    assert [[(o.kind, o.start, o.end) for o in track] for track in tl.overlays] == [
        [(kind, Fraction(1, 2), Fraction(3, 2))]]
    assert len(compiled.steps) == 1  # one ffmpeg run
    api.render(compiled)
    got, ref = _frames(out), _frames(main)
    assert len(got) == 48  # the timeline's length, exactly
    for i in (18, 30):  # under the logo: its red half drawn, V1 through the other half
        left = np.abs(got[i][:, 4:28].astype(int) - ref[i][:, 4:28].astype(int)).mean()
        assert left < 12, (i, left)
        r, g, b = got[i][:, 36:60].reshape(-1, 3).mean(axis=0)
        assert r > 200 and g < 50 and b < 50, (i, r, g, b)
    for i in (5, 42):  # before and after it: V1 alone
        assert np.abs(got[i].astype(int) - ref[i].astype(int)).mean() < 12


def test_an_opaque_clip_on_v2_is_still_flattened(tmp_path: Path) -> None:
    main = make_video(tmp_path / "main.mp4", 2, size=(64, 36), fps=RATE, audio=False)
    path = _timeline(tmp_path, main, _png(tmp_path / "card.png", alpha=False))
    tl = api.compile(str(path), size=(64, 36), no_output_ok=True).plan.timeline
    assert tl.overlays == ()
    assert [(m.kind, m.frames) for m in tl.main] == [("clip", 12), ("still", 24), ("clip", 12)]


def test_a_clip_with_transparency_next_to_a_transition_is_flattened_with_a_warning(
    tmp_path: Path,
) -> None:
    main = make_video(tmp_path / "main.mp4", 2, size=(64, 36), fps=RATE, audio=False)
    path = _timeline(tmp_path, main, _png(tmp_path / "logo.png", alpha=True), faded=True)
    compiled = api.compile(str(path), size=(64, 36), no_output_ok=True)
    tl = compiled.plan.timeline
    assert tl.overlays == ()
    assert [m.kind for m in tl.main] == ["clip", "still", "clip"]
    assert tl.main[1].transition is not None
    assert any("clip 'logo' on track V2" in w and "transparency is lost next to a transition"
               in w for w in compiled.warnings)


def test_a_clip_with_transparency_is_an_overlay_only_where_nothing_opaque_covers_it() -> None:
    from tlc.core.errors import NO_SPAN
    from tlc.interchange.layers import Cut, Layer, Piece, Source
    from tlc.interchange.overlays import stack

    def clip(name: str, start: int, length: int, ref: int) -> Piece:
        src = Source(name, "V", Fraction(start), Fraction(0), Fraction(1), ref, NO_SPAN)
        return Piece(Fraction(start), Fraction(length), src)

    low = Layer((clip("a", 0, 10, 0),))
    logo = Layer((clip("logo", 1, 8, 1),))
    top = Layer((clip("card", 4, 2, 2), clip("title", 6, 2, 3)))
    faded = Layer((clip("b", 8, 1, 4), clip("title2", 9, 1, 3)),
                  (Cut(Fraction(9), Fraction(1, 2), Fraction(1, 2), "dissolve", "b-t", NO_SPAN),))
    got = stack([low, logo, top, faded], Fraction(10), lambda s: s.ref in (1, 3))
    # the logo where the opaque card does not cover it; the title above it
    assert [[(p.source.name, p.start, p.end, p.source.src) for p in o if p.source]
            for o in got.overlays] == [
        [("logo", 1, 4, 0), ("logo", 6, 8, 5)], [("title", 6, 8, 0)]]
    # the title after a dissolve stays flat (and is warned about): it covers the logo
    assert [p.source.name for p in got.flat if p.source] == ["title2"]
    assert [p.source.name for p in got.main.pieces if p.source] == [
        "a", "card", "a", "b", "title2"]


@pytest.mark.parametrize("switched_on", [False, True])
def test_a_timeline_tlc_wrote_gets_its_overlays_back_once(tmp_path: Path,
                                                          switched_on: bool) -> None:
    import opentimelineio as otio

    from tlc.interchange.convert import convert, read_interchange
    from tlc.syntax import ast

    make_video(tmp_path / "main.mp4", 2, size=(64, 36), fps=RATE, audio=False)
    _png(tmp_path / "logo.png", alpha=True)
    (tmp_path / "edit.tl").write_text(
        'output "o.mp4" { size 64x36 fps 24 }\nvideo {\n  clip "main.mp4"\n}\n'
        'overlay {\n  image "logo.png" at 0.5s..1.5s\n}\n')
    convert(str(tmp_path / "edit.tl"), str(tmp_path / "edit.otio"))
    if switched_on:  # (as an editor may: tlc writes its overlay tracks switched off)
        tl = otio.adapters.read_from_file(str(tmp_path / "edit.otio"))
        for track in tl.tracks:
            track.enabled = True
        otio.adapters.write_to_file(tl, str(tmp_path / "edit.otio"))
    tree = read_interchange(str(tmp_path / "edit.otio"))
    overlays = [t for t in tree.tracks if isinstance(t, ast.OverlayTrack)]
    assert [[type(i).__name__ for i in t.items] for t in overlays] == [["ImageOverlay"]]
