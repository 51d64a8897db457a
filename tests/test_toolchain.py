"""Finding ffmpeg, reading its version once, and the argv details that follow from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tlc.core import cache, toolchain
from tlc.core.errors import UsageError
from tlc.core.toolchain import Ffmpeg, find_ffmpeg, parse_version


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private cache, no TLC_FFMPEG, and no ffmpeg on PATH unless a test puts one there."""
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TLC_FFMPEG", raising=False)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.fixture(scope="module")
def real_ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def link(real: str, where: Path) -> str:
    """The real ffmpeg under another path (a symlink named ffmpeg in ``where``)."""
    where.mkdir(parents=True, exist_ok=True)
    path = where / "ffmpeg"
    path.symlink_to(real)
    return str(path)


def fake_ffmpeg(where: Path, version_line: str) -> str:
    """A script that answers ``-version`` like an ffmpeg release that is not installed here."""
    where.mkdir(parents=True, exist_ok=True)
    path = where / "ffmpeg"
    path.write_text(f"#!/bin/sh\necho '{version_line}'\necho 'libavutil 58. 29.100'\n")
    path.chmod(0o755)
    return str(path)


def no_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"spawned a process: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ffmpeg version 6.1.1 Copyright (c) 2000-2023 the FFmpeg developers", (6, 1, 1)),
        ("n9.0.2-17-g2a571b6068-20260930", (9, 0, 2)),
        ("7.1", (7, 1, 0)),
        ("N-112345-gabcdef", (99, 0, 0)),
        ("ffmpeg version N-112345-gabcdef-20231010 Copyright", (99, 0, 0)),
        ("4.4.2-0ubuntu0.22.04.1", (4, 4, 2)),
        ("ffmpeg version 5.1.4-0+deb12u1 Copyright", (5, 1, 4)),
        ("ffmpeg version 6.0-essentials_build-www.gyan.dev", (6, 0, 0)),
        ("ffmpeg version 2024-03-04-git-e30369bc1c-full_build-www.gyan.dev", (99, 0, 0)),
        ("n7.0", (7, 0, 0)),
    ],
)
def test_parse_version(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_version(text) == expected


def test_parse_version_rejects_text_without_a_version() -> None:
    with pytest.raises(ValueError):
        parse_version("usage: echo [string ...]")


@pytest.mark.parametrize(
    ("version", "args"),
    [
        ((6, 1, 1), ["-filter_complex_script", "g.txt"]),
        ((7, 0, 0), ["-/filter_complex", "g.txt"]),
        ((99, 0, 0), ["-/filter_complex", "g.txt"]),
    ],
)
def test_filter_script_option_follows_the_version(
    version: tuple[int, int, int], args: list[str]
) -> None:
    ff = Ffmpeg("/usr/bin/ffmpeg", version, ".".join(map(str, version)), "system")
    assert ff.filter_script_args("g.txt") == args


def test_bundled_ffmpeg_is_found_and_described(real_ffmpeg: str) -> None:
    ff = find_ffmpeg()
    assert ff.origin == "bundled"
    assert ff.path == real_ffmpeg
    assert ff.version >= (4, 0, 0)
    text = ff.display()
    assert real_ffmpeg in text and ff.version_text in text and "bundled" in text


def test_find_order_option_then_env_then_path_then_bundled(
    real_ffmpeg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opt = link(real_ffmpeg, tmp_path / "opt")
    env = link(real_ffmpeg, tmp_path / "env")
    on_path = link(real_ffmpeg, tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("TLC_FFMPEG", env)

    assert (find_ffmpeg(opt).path, find_ffmpeg(opt).origin) == (opt, "option")
    assert (find_ffmpeg().path, find_ffmpeg().origin) == (env, "env")
    monkeypatch.delenv("TLC_FFMPEG")
    assert (find_ffmpeg().path, find_ffmpeg().origin) == (on_path, "system")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert find_ffmpeg().origin == "bundled"


def test_an_old_ffmpeg_gets_the_old_filter_script_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No ffmpeg 6 is installed here, so a script stands in for its `-version`.
    old = fake_ffmpeg(tmp_path / "old", "ffmpeg version 6.1.1 Copyright (c) 2000-2023")
    ff = find_ffmpeg(old)
    assert ff.version == (6, 1, 1)
    assert ff.filter_script_args("g.txt") == ["-filter_complex_script", "g.txt"]


def test_no_ffmpeg_anywhere_names_both_ways_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # `import imageio_ffmpeg` fails
    with pytest.raises(UsageError) as exc:
        find_ffmpeg()
    text = str(exc.value)
    assert "--ffmpeg" in text and "TLC_FFMPEG" in text and "pip install imageio-ffmpeg" in text


def test_imageio_without_a_binary_is_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import imageio_ffmpeg

    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path))  # (no answer of an earlier run)

    def no_binary() -> str:
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_binary)
    with pytest.raises(UsageError, match="TLC_FFMPEG"):
        find_ffmpeg()


def test_explicit_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "no" / "ffmpeg")
    with pytest.raises(UsageError) as exc:
        find_ffmpeg(missing)
    assert missing in exc.value.message and "--ffmpeg" in exc.value.message


def test_explicit_path_that_is_not_executable(tmp_path: Path) -> None:
    plain = tmp_path / "ffmpeg"
    plain.write_text("not a program\n")
    plain.chmod(0o644)
    with pytest.raises(UsageError, match="not an executable"):
        find_ffmpeg(str(plain))


def test_env_path_that_does_not_exist_is_not_silently_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "gone")
    monkeypatch.setenv("TLC_FFMPEG", missing)
    with pytest.raises(UsageError) as exc:
        find_ffmpeg()
    assert "TLC_FFMPEG" in exc.value.message and missing in exc.value.message


def test_a_program_that_is_not_ffmpeg_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "ffmpeg"
    other.write_text("#!/bin/sh\necho 'Python 3.11.7'\n")
    other.chmod(0o755)
    with pytest.raises(UsageError, match="does not look like ffmpeg"):
        find_ffmpeg(str(other))


def test_version_is_read_once_per_binary_ever(
    real_ffmpeg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = find_ffmpeg()
    no_subprocess(monkeypatch)
    assert find_ffmpeg() == first
    assert find_ffmpeg(real_ffmpeg) == Ffmpeg(
        real_ffmpeg, first.version, first.version_text, "option"
    )


def test_a_changed_binary_is_asked_again(tmp_path: Path) -> None:
    path = fake_ffmpeg(tmp_path / "bin", "ffmpeg version 6.1.1")
    assert find_ffmpeg(path).version == (6, 1, 1)
    fake_ffmpeg_path = Path(path)
    fake_ffmpeg_path.write_text("#!/bin/sh\necho 'ffmpeg version 7.1.2 Copyright'\n")
    st = fake_ffmpeg_path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert find_ffmpeg(path).version == (7, 1, 2)


def test_a_corrupt_version_cache_is_ignored(real_ffmpeg: str) -> None:
    find_ffmpeg()
    cache_file = cache.cache_path(toolchain.VERSION_CACHE)
    assert cache_file.exists()
    cache_file.write_bytes(b"\x00{not json")
    assert find_ffmpeg().path == real_ffmpeg
    cache_file.write_text(json.dumps({os.path.realpath(real_ffmpeg): {"size": "x", "output": 3}}))
    assert find_ffmpeg().path == real_ffmpeg
    cache_file.write_text("[1, 2, 3]")
    assert find_ffmpeg().path == real_ffmpeg


def test_an_unwritable_cache_dir_does_not_fail(
    real_ffmpeg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TLC_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert find_ffmpeg().path == real_ffmpeg
