"""The third-party plugin in examples/plugin-svtav1 installs and exports AV1.

It is installed the way a user installs it (pip, from its directory, through its
entry point), into a directory of its own put on PYTHONPATH beside tlc: no
network (``--no-deps``, and the build tools already here), and nothing written
into the source tree (pip builds from a copy).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "plugin-svtav1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the installed plugin (its module and its dist-info)."""
    tmp = tmp_path_factory.mktemp("svtav1")
    source = tmp / "src"
    shutil.copytree(EXAMPLE, source)
    target = tmp / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-input", "--target", str(target), str(source)],
        check=True, capture_output=True, text=True,
    )
    return target


def test_it_installs_with_its_entry_point(site: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    proc = run_tlc("plugins", env={"PYTHONPATH": str(site)})

    assert proc.returncode == 0, proc.stderr
    av1 = [ln.split()[:5] for ln in proc.stdout.splitlines() if re.match(r"\S+\s+av1\s", ln)]
    assert av1 == [
        ["svtav1", "av1", "software", "libsvtav1", "tlc-plugin-svtav1"],
        ["rav1e", "av1", "software", "librav1e", "tlc-plugin-svtav1"],
        ["aom", "av1", "software", "libaom-av1", "built-in"],
    ]


def test_it_exports_av1_with_encoder_svtav1(site: Path, cli_project: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    (cli_project / "t.tl").write_text(
        'output "out/t.mp4" { size 160x90 fps 25 video av1 preset draft }\n'
        'video { clip "media/a.mp4" trim 0s..1s }\n'
    )

    env = {"PYTHONPATH": str(site)}
    auto = run_tlc("print", "t.tl", cwd=cli_project, env=env)
    assert auto.returncode == 0 and "-c:v libsvtav1" in auto.stdout  # it outranks aom

    proc = run_tlc("export", "t.tl", "--encoder", "svtav1", cwd=cli_project, env=env)

    assert proc.returncode == 0, proc.stderr
    import av

    with av.open(str(cli_project / "out" / "t.mp4")) as c:
        (v,) = c.streams.video
        assert v.codec_context.codec.canonical_name == "av1"
        assert (v.codec_context.width, v.codec_context.height) == (160, 90)
        assert v.codec_context.format.name == "yuv420p10le"  # the plugin's needs
        assert sum(1 for p in c.demux(v) if p.size) == 25


def test_without_it_av1_uses_the_built_in_encoder(cli_project: Path, run_tlc) -> None:  # type: ignore[no-untyped-def]
    (cli_project / "t.tl").write_text(
        'output "out/t.mp4" { size 160x90 fps 25 video av1 }\nvideo { clip "media/a.mp4" }\n'
    )
    proc = run_tlc("print", "t.tl", "--encoder", "svtav1", cwd=cli_project)
    assert proc.returncode == 2
    assert "unknown encoder 'svtav1'" in proc.stderr

    proc = run_tlc("print", "t.tl", cwd=cli_project)
    assert proc.returncode == 0 and "libaom-av1" in proc.stdout
