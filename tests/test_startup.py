"""What ``tlc`` loads at start-up: a command imports only what it uses.

The time itself is measured by ``bench/passes.py --only join8`` (a copy join's time
outside ffmpeg), never asserted here. These tests pin what that time is made of: with
warm caches (the probes, the bundled ffmpeg's path, the installed plugins' entry
points), an export or a print of a plain timeline opens no media with PyAV, builds no
Lark parser, reads no package metadata, renders no jinja2 template and draws no rich bar.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the `tlc` command in-process, then prints which of these modules it imported
# (with -P: the directory it runs in is not on sys.path, as for the `tlc` script).
_WATCH = (
    "av", "lark", "jinja2", "rich", "importlib.metadata", "imageio_ffmpeg", "tomllib",
    "concurrent.futures", "tlc.segmented.export", "tlc.media.fonts", "socket",
    "importlib.resources",
)
TLC = Path(sys.executable).parent / "tlc"
_RUN = f"""\
import atexit, json, sys
atexit.register(lambda: print(json.dumps([m for m in {_WATCH!r} if m in sys.modules]),
                              file=sys.stderr))
sys.argv = ["tlc", *sys.argv[1:]]
from tlc.cli import main
main()
"""


def loaded(args: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """The watched modules that ``tlc ARGS`` imported (it must succeed)."""
    proc = subprocess.run([sys.executable, "-P", "-c", _RUN, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    found: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
    return found


@pytest.fixture
def join(cli_project: Path) -> Path:
    """A copy join: two clips of one encoding, video copied, the sound encoded."""
    tl = cli_project / "join.tl"
    tl.write_text('output "out/j.mp4" { size 320x180 fps 25 }\n'
                  'video {\n  clip "media/a.mp4"\n  clip "media/b.mp4"\n}\n')
    return tl


def test_a_warm_export_imports_only_what_it_uses(
    join: Path, cli_env: dict[str, str]
) -> None:
    loaded(["export", join.name, "-y", "--progress", "none"], join.parent, cli_env)  # warms

    got = loaded(["export", join.name, "-y", "--progress", "none"], join.parent, cli_env)

    assert got == []
    printed = subprocess.run([str(TLC), "print", join.name, "--format", "json"],
                             cwd=join.parent, env=cli_env, capture_output=True, text=True,
                             check=True)
    (step,) = json.loads(printed.stdout)
    assert "-c:v copy" in " ".join(step["argv"])  # (the copy join it is meant to be)
    assert (join.parent / "out" / "j.mp4").stat().st_size > 0


def test_print_with_cached_probes_opens_no_media(join: Path, cli_env: dict[str, str]) -> None:
    loaded(["print", join.name, "--format", "json"], join.parent, cli_env)  # probes once

    assert loaded(["print", join.name, "--format", "json"], join.parent, cli_env) == []
    # the shell script is the one form that needs its template engine
    assert loaded(["print", join.name], join.parent, cli_env) == ["jinja2"]


def test_a_new_probe_still_opens_the_file(cli_project: Path, cli_env: dict[str, str],
                                          tmp_path: Path) -> None:
    env = {**cli_env, "TLC_CACHE_DIR": str(tmp_path / "cache")}  # (nothing probed yet)
    (cli_project / "one.tl").write_text('output "o.mp4" { size 320x180 fps 25 }\n'
                                        'video { clip "media/a.mp4" }\n')
    got = loaded(["print", "one.tl", "--format", "json"], cli_project, env)
    assert "av" in got


def test_entry_points_are_read_once_until_a_package_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata
    import os

    from tlc.plugin import entrypoints

    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    scans: list[int] = []  # each time every installed package's metadata is read
    distributions = importlib.metadata.distributions
    monkeypatch.setattr(importlib.metadata, "distributions",
                        lambda: scans.append(1) or distributions())

    first = entrypoints.declared("tlc")
    assert entrypoints.declared("tlc") == first and len(scans) == 1

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))  # another sys.path: read again
    assert entrypoints.declared("tlc") == first and len(scans) == 2

    dist = site / "tlc_x-1.0.dist-info"  # a package installed there, with a plugin
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tlc-x\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[tlc]\nx = tlc_x:plugin\n")
    later = os.stat(site).st_mtime_ns + 1_000_000_000  # (a coarse clock could tie)
    os.utime(site, ns=(later, later))
    found = entrypoints.declared("tlc")
    assert len(scans) == 3
    assert entrypoints.Declared("x", "tlc_x:plugin", "tlc-x 1.0") in found
