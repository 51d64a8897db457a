"""Sound as users bring it: WAVs that do not name their channels, Opus with its
pre-skip, trims of .m4a files, 5.1 beds, clips that end before their last frame. Each
test measures the decoded sound of the export."""

from __future__ import annotations

from pathlib import Path

import pytest
from media import make_video, run_ffmpeg
from verify import decoded_audio, decoded_audio_seconds

import tlc
from tlc.core.errors import TlcError


def export(tmp_path: Path, text: str, name: str = "o.m4a") -> Path:
    tl = tmp_path / "t.tl"
    tl.write_text(text)
    out = tmp_path / name
    tlc.export(str(tl), output=str(out), overwrite=True)
    return out


def onsets(samples: list[int], level: int = 3000) -> list[int]:
    """Where the sound rises above ``level`` (sample indexes)."""
    return [i for i in range(1, len(samples))
            if abs(samples[i]) > level and abs(samples[i - 1]) <= level]


def test_wavs_that_do_not_name_their_channels_export(tmp_path: Path) -> None:
    """ffmpeg writes a 16-bit stereo WAV with no channel mask ("2 channels"): AAC refused
    it, and two of them would not join. They play as stereo."""
    run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=2:sample_rate=44100", "-ac", "2",
                "-c:a", "pcm_s16le", str(tmp_path / "a.wav")])
    text = 'output "o.m4a"\naudio {\n  clip "a.wav"\n  clip "a.wav" trim 1s..\n}\n'
    for name in ("o.m4a", "o.wav"):
        out = export(tmp_path, text.replace("o.m4a", name), name)
        assert decoded_audio_seconds(out, 44100) == pytest.approx(3, abs=1e-3)


def test_opus_lasts_what_it_plays(tmp_path: Path) -> None:
    """An Opus file's duration counts its 312-sample pre-skip, which its decoder drops:
    each Opus item was followed by 6.5 ms of silence, and the whole came out long."""
    run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=2:sample_rate=48000", "-c:a", "libopus",
                str(tmp_path / "a.opus")])
    out = export(tmp_path, 'output "o.wav"\naudio {\n  clip "a.opus"\n  clip "a.opus"\n}\n',
                 "o.wav")
    assert decoded_audio_seconds(out) == pytest.approx(4, abs=1e-3)
    quiet = [i for i, x in enumerate(decoded_audio(out)) if abs(x) < 50]
    gaps = [i for i in quiet if 95000 < i < 97000]
    assert len(gaps) < 40, gaps  # (a sine crosses zero; 6.5 ms of silence is 312 samples)


def test_trims_of_an_m4a_land_on_the_sample(tmp_path: Path) -> None:
    """A click every 250 ms (at 125 + 250k ms): ffmpeg's seek in an audio-only .m4a lands
    on a packet boundary, up to 1023 samples off; each trimmed item must begin at its
    trim point exactly."""
    run_ffmpeg(["-f", "lavfi", "-i",
                "aevalsrc='0.9*gte(mod(t,0.25),0.125)*lt(mod(t,0.25),0.128)':s=48000:d=4",
                "-c:a", "aac", str(tmp_path / "tick.m4a")])
    out = export(tmp_path, 'output "o.wav"\naudio {\n  clip "tick.m4a" trim 1.1s..2.2s\n'
                           '  clip "tick.m4a" trim 0.6s+1s\n}\n', "o.wav")
    clicks = onsets(decoded_audio(out))
    # item 1: clicks at 1.125 s and on, from 25 ms; item 2 from 1.1 s + 25 ms
    expected = [1200 + 12000 * k for k in range(5)] + [52800 + 1200 + 12000 * k for k in range(4)]
    assert len(clicks) == len(expected)
    assert all(abs(a - b) <= 2 for a, b in zip(clicks, expected, strict=True)), clicks


def test_a_loud_5_1_bed_mixed_down_does_not_clip(tmp_path: Path) -> None:
    make_video(tmp_path / "v.mp4", 2, size=(160, 120), audio=False)
    tones = ";".join(f"sine=frequency={200 + 100 * i}:duration=2,volume=4[c{i}]"
                     for i in range(6))
    run_ffmpeg(["-filter_complex",
                f"{tones};{''.join(f'[c{i}]' for i in range(6))}join=inputs=6:channel_layout=5.1",
                "-c:a", "pcm_f32le", str(tmp_path / "bed.wav")])
    out = export(tmp_path, 'output "o.wav"\nvideo {\n  clip "v.mp4"\n}\n'
                           'audio {\n  clip "bed.wav"\n}\n', "o.wav")
    peak = max(abs(x) for x in decoded_audio(out))
    assert 8000 < peak < 32000  # heard, and below full scale (it was clipped at 32767)


def test_a_clip_to_its_end_is_not_made_longer_than_its_source(tmp_path: Path) -> None:
    """1.7 s of a clip after 12.2 s: its end (13.9 s) is half a frame at 25 fps. Rounded
    up, the last 20 ms would be a repeated picture and silence: a hole in the sound."""
    make_video(tmp_path / "a.mp4", 3, size=(160, 120), fps=25)
    make_video(tmp_path / "b.mp4", 12.2, size=(160, 120), fps=25)
    out = export(tmp_path, 'output "o.mp4" { size 160x120 fps 25 preset draft }\n'
                           'video {\n  clip "b.mp4"\n  clip "a.mp4" trim 1.3s..\n}\n', "o.mp4")
    samples = decoded_audio(out)
    assert len(samples) == pytest.approx(13.88 * 48000, abs=2)
    tail = samples[-960:]  # the last 20 ms: the tone, not silence
    assert sum(abs(x) for x in tail) / len(tail) > 1000


def test_a_volume_without_db_and_sign_is_an_error(tmp_path: Path) -> None:
    """``volume 0.5`` reads as ffmpeg's linear half; it would be +0.5 dB."""
    make_video(tmp_path / "a.mp4", 1, size=(160, 120))
    with pytest.raises(TlcError, match="in decibels"):
        export(tmp_path, 'output "o.m4a"\naudio {\n  clip "a.mp4" volume 0.5\n}\n')
    out = export(tmp_path, 'output "o.m4a"\naudio {\n  clip "a.mp4" volume -6\n}\n')
    assert decoded_audio_seconds(out) == pytest.approx(1, abs=1e-3)
