"""Probing real (tiny, synthetic) media with PyAV, the probe cache, and keyframes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from media import make_audio, make_image, make_video, run_ffmpeg

from tlc.core import cache
from tlc.core.errors import MediaError
from tlc.media import probe
from tlc.media.info import MediaInfo
from tlc.media.keyframes import keyframes
from tlc.media.probe import probe_each, probe_many

FRAME = Fraction(1, 25)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("TLC_CACHE_DIR", str(where))
    return where


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every file the tests read, made once: they are only read, never changed."""
    d = tmp_path_factory.mktemp("media")
    files = {
        "av": make_video(d / "av.mp4", 2),
        "mute": make_video(d / "mute.mp4", 1, size=(160, 120), audio=False),
        "gop": make_video(d / "gop.mp4", 3, size=(64, 48), audio=False, gop=25),
        "mjpeg": make_video(
            d / "mjpeg.avi", 0.2, size=(64, 48), audio=False, codec="mjpeg", pix_fmt="yuvj420p"
        ),
        "one_frame": make_video(d / "one.mp4", 0.04, size=(64, 48), audio=False),
        "aac": make_audio(d / "tone.m4a", 1),
        "png": make_image(d / "still.png", (64, 48)),
        "jpg": make_image(d / "still.jpg", (64, 48)),
    }
    garbage = d / "garbage.mp4"
    garbage.write_bytes(bytes(range(256)) * 16)
    files["garbage"] = garbage
    empty = d / "empty.mov"
    empty.write_bytes(b"")
    files["empty"] = empty
    truncated = d / "truncated.mp4"
    truncated.write_bytes(files["av"].read_bytes()[: files["av"].stat().st_size // 2])
    files["truncated"] = truncated
    return files


def copy(src: Path, dst: Path) -> str:
    shutil.copyfile(src, dst)
    return str(dst)


def test_video_with_audio(media: dict[str, Path]) -> None:
    info = probe.probe(str(media["av"]))
    assert info.path == str(media["av"])
    assert info.size == media["av"].stat().st_size
    assert not info.is_image
    assert "mp4" in info.format_name
    assert info.duration is not None and abs(info.duration - 2) <= FRAME
    v, a = info.video, info.audio
    assert v is not None and a is not None
    assert (v.codec, v.width, v.height, v.fps, v.sar, v.pix_fmt) == (
        "h264",
        320,
        240,
        25,
        1,
        "yuv420p",
    )
    assert v.duration is not None and abs(v.duration - 2) <= FRAME
    assert v.frames == 50
    assert (a.codec, a.sample_rate, a.channels, a.layout) == ("aac", 48000, 1, "mono")
    assert a.duration is not None and abs(a.duration - 2) <= FRAME


def test_video_without_audio(media: dict[str, Path]) -> None:
    info = probe.probe(str(media["mute"]))
    assert info.audio is None
    assert info.video is not None and (info.video.width, info.video.height) == (160, 120)


def test_audio_only_aac(media: dict[str, Path]) -> None:
    info = probe.probe(str(media["aac"]))
    assert info.video is None and not info.is_image
    assert info.audio is not None
    assert (info.audio.codec, info.audio.sample_rate, info.audio.profile) == ("aac", 48000, "LC")
    assert info.duration is not None and abs(info.duration - 1) <= FRAME


@pytest.mark.parametrize("kind", ["png", "jpg"])
def test_still_images(media: dict[str, Path], kind: str) -> None:
    info = probe.probe(str(media[kind]))
    assert info.is_image
    assert info.duration is None and info.audio is None
    assert info.video is not None
    assert (info.video.width, info.video.height) == (64, 48)
    assert info.video.fps == 0 and info.video.duration is None


@pytest.mark.parametrize("kind", ["mjpeg", "one_frame"])
def test_videos_are_not_images(media: dict[str, Path], kind: str) -> None:
    # JPEG frames in an AVI are a video; so is an MP4 of a single frame.
    info = probe.probe(str(media[kind]))
    assert not info.is_image
    assert info.video is not None and info.video.fps == 25
    assert info.duration is not None and info.duration > 0


@pytest.mark.parametrize(
    ("kind", "words"),
    [("garbage", "not media"), ("empty", "empty"), ("truncated", "truncated")],
)
def test_not_media_names_the_file(media: dict[str, Path], kind: str, words: str) -> None:
    with pytest.raises(MediaError) as exc:
        probe.probe(str(media[kind]))
    assert str(media[kind]) in exc.value.message
    assert words in exc.value.message
    assert exc.value.span is None  # the caller attaches the span


def test_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.mp4")
    with pytest.raises(MediaError, match="no such file") as exc:
        probe.probe(missing)
    assert missing in exc.value.message


def test_a_directory_is_not_media(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="directory"):
        probe.probe(str(tmp_path))


def test_hls_playlist_is_refused(media: dict[str, Path], tmp_path: Path) -> None:
    segment = tmp_path / "seg0.ts"
    run_ffmpeg(["-i", str(media["mute"]), "-c", "copy", "-f", "mpegts", str(segment)])
    playlist = tmp_path / "list.m3u8"
    playlist.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n"
        f"#EXTINF:1.0,\n{segment.name}\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(MediaError, match="HLS playlist") as exc:
        probe.probe(str(playlist))
    assert str(playlist) in exc.value.message
    assert probe.probe(str(segment)).format_name == "mpegts"  # the segment itself is fine


def test_ffconcat_list_is_refused(media: dict[str, Path], tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(f"ffconcat version 1.0\nfile '{media['mute']}'\n")
    with pytest.raises(MediaError, match="ffconcat"):
        probe.probe(str(listing))


def test_probe_many_dedups_and_keys_by_the_paths_given(
    media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(media["av"].parent)
    opened: list[str] = []
    real_open = av.open

    def counting_open(path: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(av, "open", counting_open)
    absolute = str(media["av"])
    got = probe_many(["av.mp4", absolute, "av.mp4", str(media["png"])])
    assert list(got) == ["av.mp4", absolute, str(media["png"])]
    assert got["av.mp4"] == got[absolute]
    assert sorted(opened) == sorted([absolute, str(media["png"])])


def test_second_probe_many_opens_no_file(
    media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [str(media[k]) for k in ("av", "mute", "aac", "png", "mjpeg")]
    first = probe_many(paths)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("opened a media file")

    reads: list[str] = []
    real_read = cache.read_json

    def counting_read(name: str) -> object:
        reads.append(name)
        return real_read(name)

    monkeypatch.setattr(av, "open", refuse)
    monkeypatch.setattr(cache, "read_json", counting_read)
    assert probe_many(paths) == first
    assert reads == [probe.PROBE_CACHE]  # one cache file, however many media files


def test_a_changed_file_is_probed_again(
    media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy(media["mute"], tmp_path / "clip.mp4")
    first = probe.probe(path).video
    assert first is not None and first.width == 160

    copy(media["av"], tmp_path / "clip.mp4")  # new content, new size
    info = probe.probe(path)
    assert info.video is not None and info.video.width == 320 and info.audio is not None

    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # same size, touched
    opened: list[str] = []
    real_open = av.open

    def counting_open(path: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(av, "open", counting_open)
    assert probe.probe(path).mtime_ns == st.st_mtime_ns + 1_000_000_000
    assert opened == [path]


def test_a_corrupt_probe_cache_is_ignored(media: dict[str, Path]) -> None:
    path = str(media["mute"])
    good = probe.probe(path)
    cache_file = cache.cache_path(probe.PROBE_CACHE)
    for junk in (b"\xff\xfe garbage", b"[]", b'{"entries": {"%s": {"size": 1}}}' % path.encode()):
        cache_file.write_bytes(junk)
        assert probe.probe(path) == good
    entries = cache.read_json(probe.PROBE_CACHE)["entries"]  # rewritten whole
    entries[path]["info"]["video"]["fps"] = "not a fraction"
    cache.write_json(probe.PROBE_CACHE, {"entries": entries})
    assert probe.probe(path) == good


def test_probe_many_reports_the_first_bad_file_and_keeps_the_rest(
    media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "missing.mov")
    with pytest.raises(MediaError) as exc:
        probe_many([str(media["av"]), str(media["garbage"]), missing])
    assert isinstance(exc.value, probe.ProbeError)
    assert exc.value.path == str(media["garbage"])

    both = probe_each([str(media["garbage"]), missing, str(media["av"])])
    assert isinstance(both[missing], MediaError) and "no such file" in both[missing].message
    monkeypatch.setattr(av, "open", None)  # the good file was cached by the failed batch
    assert isinstance(both[str(media["av"])], MediaInfo)
    assert probe.probe(str(media["av"])) == both[str(media["av"])]


def test_media_info_round_trips_through_json(media: dict[str, Path]) -> None:
    for key in ("av", "aac", "png"):
        info = probe.probe(str(media[key]))
        assert MediaInfo.from_json(info.to_json()) == info


def test_keyframes_of_a_fixed_gop(media: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # -g 25 at 25 fps for 3 s: a keyframe each second
    assert keyframes(str(media["gop"])) == (0, 1, 2)
    monkeypatch.setattr(av, "open", None)  # cached on disk: no file is opened again
    assert keyframes(str(media["gop"])) == (0, 1, 2)


def test_keyframes_of_audio_and_of_an_image(media: dict[str, Path]) -> None:
    assert keyframes(str(media["aac"])) == ()
    assert keyframes(str(media["png"])) == (0,)
    with pytest.raises(MediaError, match="not media"):
        keyframes(str(media["garbage"]))


def test_importing_probe_does_not_import_av() -> None:
    code = "import sys, tlc.media.probe; sys.exit('av' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
