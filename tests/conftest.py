"""Shared fixtures. Each block says which test files use it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# ---- Every test: tlc's own defaults, on any machine ---------------------------------------


@pytest.fixture(autouse=True, scope="session")
def no_user_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No config file of whoever runs the tests, and no GPU encoders: on a machine with a
    GPU, ``encoder auto`` would pick it and every golden argv would change. The tests of
    the encoder plugins (tests/test_plugins*.py) build their own registry, or unset this."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TLC_CONFIG", str(tmp_path_factory.mktemp("config") / "none.toml"))
        mp.setenv("TLC_DISABLE_PLUGINS", "nvenc,qsv,amf")
        # the tests' exports are logged here, never in the user's data directory
        mp.setenv("TLC_LOG", str(tmp_path_factory.mktemp("export-log") / "exports.jsonl"))
        yield


# ---- The real `tlc` command (tests/test_cli.py, tests/test_cli_errors.py) ----------------

#: the `tlc` console script installed next to this Python: the command users run
TLC_COMMAND = Path(sys.executable).parent / "tlc"

RunTlc = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def cli_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny media, made once: a.mp4 and b.mp4 (2 s, 320x180, 25 fps, H.264 + AAC),
    logo.png (64x48), and x.mp4 (bytes that are no media at all)."""
    from media import make_image, make_video

    d = tmp_path_factory.mktemp("cli-media")
    make_video(d / "a.mp4", 2, size=(320, 180), fps=25)
    make_video(d / "b.mp4", 2, size=(320, 180), fps=25)
    make_image(d / "logo.png", (64, 48))
    (d / "x.mp4").write_bytes(b"\x00tlc-test: not media\n" + bytes(range(256)) * 32)
    return d


@pytest.fixture
def cli_project(tmp_path: Path, cli_media: Path) -> Path:
    """An empty project directory whose ``media/`` holds the files of ``cli_media``."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "media").symlink_to(cli_media, target_is_directory=True)
    return proj


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a `tlc` subprocess: its own cache, no TLC_FFMPEG from the caller."""
    env = dict(os.environ)
    env.pop("TLC_FFMPEG", None)
    env["TLC_CACHE_DIR"] = str(tmp_path_factory.mktemp("tlc-cache"))
    return env


@pytest.fixture
def run_tlc(cli_env: dict[str, str]) -> RunTlc:
    """Run the real `tlc` command: ``run_tlc("export", path, cwd=..., env={...})``.

    Returns the CompletedProcess (text; stdout and stderr captured). ``env`` entries
    are added to ``cli_env``; a value of None removes the variable.
    """

    def run(*args: object, cwd: str | os.PathLike[str] | None = None,
            env: dict[str, str | None] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        full = dict(cli_env)
        for key, value in (env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        return subprocess.run([str(TLC_COMMAND), *map(str, args)], cwd=cwd, env=full,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)

    return run


# ---- The examples and their media (tests/test_examples.py, tests/test_segmented.py) ------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of examples/ with its media made (by examples/make_media.py, once)."""
    import shutil

    root = tmp_path_factory.mktemp("examples")
    for tl in (ROOT / "examples").glob("*.tl"):
        shutil.copy(tl, root / tl.name)
    media = ROOT / "examples" / "media"
    if media.is_dir() and len(list(media.iterdir())) >= 15:
        shutil.copytree(media, root / "media")
    else:
        shutil.copy(ROOT / "examples" / "make_media.py", root / "make_media.py")
        subprocess.run(
            [sys.executable, str(root / "make_media.py")], check=True, cwd=root, capture_output=True
        )
    return root
