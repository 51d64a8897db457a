"""The media and timelines of the pass fixtures (tests/fixtures/passes), made once a session."""

from __future__ import annotations

import shutil
from pathlib import Path

from media import make_audio, make_image, make_video, run_ffmpeg

FIXTURES = Path(__file__).parent / "fixtures" / "passes"


def make_media(root: Path) -> Path:
    """Copy the fixture timelines into ``root`` and make the media they name."""
    root.mkdir(parents=True, exist_ok=True)
    for tl in FIXTURES.glob("*.tl"):
        shutil.copy(tl, root / tl.name)
    make_video(root / "wide25.mp4", 2, size=(256, 144), fps=25)
    make_video(root / "small30.mp4", 1.5, size=(120, 90), fps=30, audio=False)
    make_image(root / "still.png", (200, 100))
    make_image(root / "logo.png", (32, 16))
    make_audio(root / "tone.m4a", 4, freq=330)
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=550:sample_rate=44100:duration=1.5",
                "-c:a", "aac", str(root / "voice.m4a")])
    for i in range(3):
        make_video(root / f"part{i}.mp4", 2, size=(160, 90), fps=30, gop=30)
    return root
