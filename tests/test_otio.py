"""Editorial timelines from real editing systems (../shared/otio-samples), read through
OpenTimelineIO and rendered against stand-in media: the length OpenTimelineIO says, to
the frame; the cuts and transitions it has; sound as long as the picture; relinking;
every missing clip in one error; clear errors for files that are not timelines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from otio_standins import make_standins
from verify import facts

import tlc.api as api

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("TLC_OTIO_SAMPLES", ROOT.parent / "shared" / "otio-samples"))
AAC_FRAME = 1024 / 48000

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no {SAMPLES}")


@dataclass(frozen=True)
class Sample:
    fps: Fraction
    frames: int  # OpenTimelineIO's duration
    clips: int  # main-track clips and freeze frames after flattening
    transitions: int
    render: bool  # rendered in full (else compiled and checked)
    audio_tracks: int = 0


SAMPLE_TABLE = {
    "25fps.edl": Sample(Fraction(25), 496, 4, 0, True),
    "dissolve_test.edl": Sample(Fraction(24), 20, 3, 1, True),
    "dissolve_test_2.edl": Sample(Fraction(24), 20, 3, 1, False),
    "dissolve_test_3.edl": Sample(Fraction(24), 137, 3, 1, False),
    "dissolve_test_4.edl": Sample(Fraction(24), 477, 6, 2, True),
    "enabled.otio": Sample(Fraction(24), 6, 2, 0, True),
    "gap_test.edl": Sample(Fraction(24), 126, 3, 0, True),
    "generator_reference_test.otio": Sample(Fraction(24), 50, 0, 0, False),
    "multitrack.otio": Sample(Fraction(24), 3282, 5, 0, False),
    "nested_example.otio": Sample(Fraction(24), 636, 7, 0, True),
    "premiere_example.xml": Sample(Fraction(30), 1271, 6, 2, True, 4),
    "premiere_example_v0.18.1.otio": Sample(Fraction(30), 1271, 6, 2, False, 4),
    "screening_example_v0.18.1.otio": Sample(Fraction(24), 1049, 9, 0, False),
    "simple_cut.otio": Sample(Fraction(24), 19, 4, 0, True),
    "speed_effects_small.edl": Sample(Fraction(24), 16636, 5, 0, True),
    "transition_test.otio": Sample(Fraction(24), 170, 3, 3, True),
    "wipe_test.edl": Sample(Fraction(24), 20, 3, 1, True),
    "multi_audio.edl": Sample(Fraction(24), 81982, 0, 0, False, 2),
}
#: the samples tlc refuses, and what the one error says
REFUSED = {
    "hiero_xml_export.xml": "media not found for 1 clip:\n  clip '/' on track V1 at 01:00:45:05",
    "timecode_mismatch.edl": "Source and record duration don't match",
}


def test_every_sample_is_in_a_table() -> None:
    names = {p.name for p in SAMPLES.iterdir() if p.name != "README.md"}
    assert names == set(SAMPLE_TABLE) | set(REFUSED)


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("otio-media")
    made = {}
    for name in [*SAMPLE_TABLE, "hiero_xml_export.xml"]:
        make_standins(SAMPLES / name, root / name, colours=name == "premiere_example.xml")
        made[name] = root / name
    return made


def otio_duration(name: str) -> tuple[int, Fraction]:
    """OpenTimelineIO's own length of a sample, in frames, and its rate."""
    from tlc.interchange.formats import load
    from tlc.interchange.walk import rate

    tl, read_at = load(str(SAMPLES / name))
    d = tl.duration()
    return round(d.value), read_at or rate(d.rate)


@pytest.mark.parametrize("name", sorted(SAMPLE_TABLE))
def test_a_sample_compiles_to_its_length_cuts_and_transitions(
    name: str, standins: dict[str, Path], tmp_path: Path
) -> None:
    want = SAMPLE_TABLE[name]
    frames, fps = otio_duration(name)
    assert (frames, fps) == (want.frames, want.fps)
    ext = ".m4a" if want.clips == 0 and want.audio_tracks else ".mp4"
    out = tmp_path / f"out{ext}"
    compiled = api.compile(str(SAMPLES / name), output=str(out), size=(64, 36),
                           preset="draft", relink=[standins[name]])
    tl = compiled.plan.timeline
    assert tl.fps == want.fps  # the timeline's own rate
    assert tl.duration * tl.fps == want.frames
    assert sum(m.kind in ("clip", "freeze") for m in tl.main) == want.clips
    assert sum(m.transition is not None for m in tl.main) == want.transitions
    assert len(tl.audio) == want.audio_tracks
    assert len(compiled.steps) == 1
    if not want.render:
        return
    api.render(compiled, overwrite=True)
    f = facts(out)
    assert f.frames == want.frames
    assert f.fps == want.fps
    assert f.audio_seconds is not None
    assert abs(f.audio_seconds - want.frames / want.fps) <= AAC_FRAME


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_sample_tlc_cannot_render_is_one_clear_error(
    name: str, standins: dict[str, Path], run_tlc, tmp_path: Path
) -> None:
    relink = standins.get(name, tmp_path)
    r = run_tlc("check", SAMPLES / name, "--relink", relink)
    assert r.returncode == 2
    assert REFUSED[name] in r.stderr
    assert r.stderr.startswith(f"{SAMPLES / name}")
    assert "Traceback" not in r.stderr
