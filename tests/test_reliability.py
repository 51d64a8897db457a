"""Hostile and broken input: a clear error or a correct export, never a traceback, a
half-written or clobbered file, a request to the network, or a read of a file the
timeline did not name (docs/reliability.md lists every hazard and its test).

Every test runs the real `tlc` command (or the Python API where it says so) on tiny
real media, and checks what a user or a server would see: exit status, messages,
and the files on disk.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media import make_video, run_ffmpeg
from verify import facts

from tlc.media import fonts

TLC = Path(sys.executable).parent / "tlc"


def tl_string(value: str) -> str:
    """``value`` as a `.tl` string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped.replace(chr(9), chr(92) + "t")}"'


def leftovers(*dirs: Path) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        if d.is_dir():
            found += [p for p in d.rglob("*") if ".tlc-tmp" in p.name or ".tlc-work-" in p.name]
    return found


def snapshot(*dirs: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``dirs``: path -> (size, mtime)."""
    out = {}
    for d in dirs:
        for p in d.rglob("*") if d.exists() else ():
            st = p.lstat()
            out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """clip.mp4 (1 s, 32x18, 10 fps, H.264 + AAC, a keyframe a second), red.png."""
    d = tmp_path_factory.mktemp("tiny")
    make_video(d / "clip.mp4", 1, size=(32, 18), fps=10, gop=10)
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=8x8", "-frames:v", "1", "-update", "1",
                str(d / "red.png")])
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=blue:s=8x8", "-frames:v", "1", "-update", "1",
                str(d / "blue.png")])
    return d


def run(args: list[object], env: dict[str, str], cwd: Path | None = None,
        timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TLC), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
                          **kw)  # type: ignore[call-overload]


def located(stderr: str, file: str, line: int | None = None) -> re.Match[str] | None:
    """The report starts FILE:LINE:COL: error: (and LINE is ``line``, if given)."""
    number = str(line) if line else r"\d+"
    want = rf"^{re.escape(file)}:{number}:\d+: error: \S"
    return re.match(want, stderr)


def pixel(path: Path, x: int, y: int) -> tuple[int, int, int]:
    """The RGB of one pixel of the first frame."""
    with av.open(str(path)) as c:
        plane = next(c.decode(video=0)).reformat(format="rgb24").planes[0]
        at = y * plane.line_size + x * 3
        r, g, b = bytes(plane)[at : at + 3]
    return r, g, b


# ---- no network, no surprise reads -----------------------------------------------------------


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"\0\0\0\0")

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


PLAYLISTS = {
    "HLS playlist": "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{target}\n#EXT-X-ENDLIST\n",
    "ffconcat list": "ffconcat version 1.0\nfile '{target}'\n",
    "DASH manifest": (
        '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
        'mediaPresentationDuration="PT1S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:'
        'isoff-on-demand:2011"><BaseURL>{target}</BaseURL><Period><AdaptationSet '
        'mimeType="video/mp4"><Representation id="1" bandwidth="1000"><BaseURL>{target}'
        "</BaseURL></Representation></AdaptationSet></Period></MPD>\n"
    ),
    "SDP session description": (
        "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n"
        "m=video 9 RTP/AVP 96\na=rtpmap:96 H264/90000\n"
    ),
}


EXTENSIONS = {"HLS playlist": ".m3u8", "ffconcat list": ".ffconcat",
              "DASH manifest": ".mpd", "SDP session description": ".sdp"}


@pytest.mark.parametrize("kind", list(PLAYLISTS))
@pytest.mark.parametrize("points_at", ["loopback URL", "local file"])
@pytest.mark.parametrize("named", ["as media", "as what it is"])
def test_a_playlist_posing_as_media_is_refused_and_nothing_is_fetched(
    kind: str, points_at: str, named: str, tiny: Path, tmp_path: Path,
    loopback: tuple[str, list[str]], cli_env: dict[str, str],
) -> None:
    url, requests = loopback
    target = f"{url}/segment.ts" if points_at == "loopback URL" else str(tiny / "clip.mp4")
    fake = tmp_path / ("holiday" + (".mp4" if named == "as media" else EXTENSIONS[kind]))
    fake.write_text(PLAYLISTS[kind].format(target=target))
    tl = tmp_path / "t.tl"
    tl.write_text('output "out.mp4" { size 32x18 fps 10 preset draft }\n'
                  f'video {{\n  clip "{fake.name}"\n}}\n')

    for command in ("check", "export"):
        proc = run([command, tl], cli_env, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert located(proc.stderr, str(tl), 3), proc.stderr
        assert "refusing" in proc.stderr and kind in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert requests == []
    assert not (tmp_path / "out.mp4").exists()


def test_a_url_in_a_timeline_is_a_file_name(tmp_path: Path, loopback: tuple[str, list[str]],
                                            cli_env: dict[str, str]) -> None:
    url, requests = loopback
    tl = tmp_path / "t.tl"
    tl.write_text(f'output "out.mp4"\nvideo {{\n  clip "{url}/a.mp4"\n}}\n')

    proc = run(["export", tl], cli_env, cwd=tmp_path)

    assert proc.returncode == 2, proc.stderr
    assert located(proc.stderr, str(tl), 3) and "not found" in proc.stderr, proc.stderr
    assert requests == []


def test_every_input_is_an_absolute_file_with_a_files_only_whitelist(
    tiny: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """Inputs are ``file:/abs/path`` with ``-protocol_whitelist file`` (which also holds
    for whatever a demuxer would open from them); list files name absolute paths or
    plain names beside the list."""
    for name in ("clip.mp4", "red.png"):
        shutil.copy(tiny / name, tmp_path / name)
    tl = tmp_path / "t.tl"
    tl.write_text(
        'output "out.mp4" { size 32x18 fps 10 preset draft }\n'
        'video {\n  clip "clip.mp4" trim 0s..0.5s\n  image "red.png" for 0.2s\n'
        '  clip "clip.mp4"\n}\noverlay {\n  image "red.png" at 0s..1s\n}\n'
        'audio {\n  clip "clip.mp4" volume -6dB\n}\n'
    )
    for options in ([], ["-O0"], ["--disable-pass", "drop_persistence"]):
        proc = run(["print", tl, "--format", "json", *options], cli_env)
        assert proc.returncode == 0, proc.stderr
        for step in json.loads(proc.stdout):
            argv = step["argv"]
            opts: list[str] = []  # the options of the input being read
            inputs = 0
            for i, arg in enumerate(argv):
                if arg != "-i":
                    opts.append(arg)
                    continue
                inputs += 1
                assert argv[i + 1].startswith("file:/"), argv[i + 1]
                assert "-protocol_whitelist" in opts, argv
                assert opts[opts.index("-protocol_whitelist") + 1] == "file", argv
                opts = []
            assert inputs, argv
            for aux in step["files"]:
                if aux["content"].startswith("ffconcat"):
                    for line in aux["content"].splitlines()[1:]:
                        if line.startswith("file "):
                            name = line[5:].strip("'")
                            assert name.startswith("/") or re.fullmatch(r"[\w.-]+", name), line


# ---- file names ------------------------------------------------------------------------------

WEIRD = "it's a \"test\" [1], 50% {x}; y=z: \\ ,é✓"
NAMES = [WEIRD, "-i", "pipe:0", "http:x", "a:b", "file:c", "%d", "x" * 230]


def test_names_with_special_characters_are_plain_files_as_inputs_and_outputs(
    tiny: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """Media named like options and protocols (``-i``, ``pipe:0``, ``http:x``,
    ``a:b``), with every character that means something to ffmpeg, and outputs named
    the same way: all of them are read and written as plain files, and a name
    with ``%03d`` never reads the numbered file next to it."""
    proj = tmp_path / "proj"
    (proj / "out").mkdir(parents=True)
    inputs = []
    for name in NAMES:
        src = proj / (name if name in ("pipe:0", "http:x") else name + ".mp4")
        shutil.copy(tiny / "clip.mp4", src)
        inputs.append(src.name)
    shutil.copy(tiny / "red.png", proj / "logo%03d.png")  # the one named
    shutil.copy(tiny / "blue.png", proj / "logo001.png")  # what a pattern would read
    outputs = [f"out/{n}.mp4" for n in NAMES]
    text = "".join(f"output {tl_string(o)} {{ size 32x18 fps 10 preset draft }}\n"
                   for o in outputs)
    text += "video {\n" + "".join(f"  clip {tl_string(i)}\n" for i in inputs) + "}\n"
    text += 'overlay {\n  image "logo%03d.png" at 0s.. pos 0,0\n}\n'
    tl = proj / "t.tl"
    tl.write_text(text, encoding="utf-8")
    before = {p.name for p in proj.iterdir()}

    proc = run(["export", tl.name], cli_env, cwd=proj)

    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in proj.iterdir()} == before  # nothing new beside the inputs
    assert sorted(p.name for p in (proj / "out").iterdir()) == sorted(
        Path(o).name for o in outputs)
    for o in outputs:
        f = facts(proj / o)
        assert (f.width, f.height, f.frames) == (32, 18, 10 * len(NAMES)), o
    # the overlay is the red image, not the blue logo001.png
    r, g, b = pixel(proj / outputs[0], 2, 2)
    assert r > 180 and g < 90 and b < 90, (r, g, b)
    assert leftovers(proj) == []

    # the same clips joined by stream copy: a concat list names them all
    join = proj / "join.tl"
    join.write_text('output "out/joined.mp4" { size 32x18 fps 10 preset draft }\n'
                    + text[text.index("video {"):text.index("overlay {")], encoding="utf-8")
    proc = run(["export", join.name], cli_env, cwd=proj)
    assert proc.returncode == 0, proc.stderr
    assert facts(proj / "out" / "joined.mp4").frames == 10 * len(NAMES)
    printed = run(["print", join.name, "--format", "json"], cli_env, cwd=proj)
    (step,) = json.loads(printed.stdout)
    assert "copy" in step["argv"] and any("ffconcat" in f["content"] for f in step["files"])


def test_a_name_with_a_line_break_plays_but_cannot_be_joined_by_copy(
    tiny: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """A concat list is line-based: a name with a line break cannot be in one. tlc then
    re-encodes (where it chose to copy), and says so clearly where the user asked for
    ``video copy``. (A carriage return cannot be written in a `.tl` string at all.)"""
    shutil.copy(tiny / "clip.mp4", tmp_path / "line\nbreak.mp4")
    shutil.copy(tiny / "clip.mp4", tmp_path / "plain.mp4")
    clips = '  clip "line\\nbreak.mp4"\n  clip "plain.mp4"\n'
    tl = tmp_path / "t.tl"
    tl.write_text('output "out.mp4" { size 32x18 fps 10 preset draft }\nvideo {\n'
                  + clips + "}\n")

    proc = run(["export", tl], cli_env)

    assert proc.returncode == 0, proc.stderr
    assert facts(tmp_path / "out.mp4").frames == 20

    tl.write_text('output "copy.mp4" { video copy }\nvideo {\n' + clips + "}\n")
    proc = run(["export", tl], cli_env)

    assert proc.returncode == 2, proc.stderr
    assert located(proc.stderr, str(tl), 3), proc.stderr
    assert "line break" in proc.stderr
    assert not (tmp_path / "copy.mp4").exists()


def test_concat_list_names_with_line_breaks_are_a_tlc_error() -> None:
    from tlc.backend.escape import concat_path
    from tlc.core.errors import TlcError

    assert concat_path("/a/it's.mp4") == "'/a/it'\\''s.mp4'"
    for bad in ("/a/b\n.mp4", "/a/b\r.mp4"):
        with pytest.raises(TlcError, match="line break"):
            concat_path(bad)


# ---- captions --------------------------------------------------------------------------------

CAPTIONS = st.lists(
    st.sampled_from(list("ab Z09'\":\\,;[]=%{}@#\n\té—✓") + ["%{pts}", "\\'", "\\n", "  "])
    | st.characters(exclude_categories=("Cs",), exclude_characters="\0\r"),
    min_size=1,
    max_size=12,
).map("".join)


def caption_graph(text: str, tmp: Path, font: str | None = None) -> tuple[str, str]:
    """tlc's filter graph and video label for a 0.1 s gap with ``text`` as a caption."""
    from tlc.api import compile_timeline, context

    given = f" font {tl_string(font)}" if font else ""
    tl = ('output "o.mp4" { size 160x40 fps 10 preset draft audio none }\n'
          "video {\n  gap 0.1s\n}\n"
          f"overlay {{\n  text {tl_string(text)} at 0s..0.1s size 14 pos 2,2{given}\n}}\n")
    (step,) = compile_timeline(tl, str(tmp / "c.tl"), context()).steps
    argv = list(step.argv)
    graph = argv[argv.index("-filter_complex") + 1]
    return graph, argv[argv.index("-map") + 1]


def frame_md5(graph: str, label: str) -> str:
    from media import ffmpeg_exe

    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-filter_complex", graph,
                           "-map", label, "-frames:v", "1", "-f", "framemd5", "-"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=CAPTIONS)
def test_a_caption_in_a_timeline_renders_exactly_what_was_written(
    text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """From the `.tl` string to the pixels: tlc's graph for a caption draws the same
    frame as ffmpeg drawing the caption's text from a file (``textfile=``, with
    ``expansion=none``): nothing is lost, added or interpreted on the way."""
    tmp = tmp_path_factory.mktemp("caption")
    graph, label = caption_graph(text, tmp)
    textfile = tmp / "caption.txt"
    # (ffmpeg drops one line break at the end of a text file, as editors end files)
    textfile.write_text(text + "\n", encoding="utf-8")
    # the font tlc picked for the text's characters, if not drawtext's default
    inv = fonts.inventory()
    picked = inv.choose(text).file if inv is not None else None
    placeholder, ref_label = caption_graph("PLACEHOLDER", tmp, picked)
    assert ":text=PLACEHOLDER:" in placeholder
    reference = placeholder.replace(":text=PLACEHOLDER:", f":textfile={textfile}:")
    assert frame_md5(graph, label) == frame_md5(reference, ref_label)


def test_the_caption_comparison_sees_the_caption(tmp_path: Path) -> None:
    """(The property above would pass vacuously if captions did not show.)"""
    shown = {frame_md5(*caption_graph(text, tmp_path)) for text in ("X", "Y", " ")}
    assert len(shown) == 3


# ---- confined writes: --output-root ----------------------------------------------------------


@pytest.fixture
def rooted(tiny: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(project, root, elsewhere): media in the project, the root inside it, and a
    directory outside that a symlink in the root points to."""
    proj = tmp_path / "proj"
    root = proj / "jobs" / "42"
    root.mkdir(parents=True)
    shutil.copy(tiny / "clip.mp4", proj / "clip.mp4")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "link").symlink_to(elsewhere, target_is_directory=True)
    return proj, root, elsewhere


def write_job(proj: Path, out: str, extra: str = "") -> Path:
    tl = proj / "job.tl"
    tl.write_text(f"output {tl_string(out)} {{ size 32x18 fps 10 preset draft }}\n"
                  'video {\n  clip "clip.mp4" trim 0s..0.6s\n  clip "clip.mp4"\n}\n' + extra)
    return tl


def test_output_root_keeps_every_write_under_it(rooted: tuple[Path, Path, Path],
                                                tmp_path: Path, cli_env: dict[str, str]
                                                ) -> None:
    """An export with intermediate files (-O0: item files, a join, list and script
    files) and its cache: nothing is written outside the root. The cache, outside the
    root here, is not used at all."""
    proj, root, elsewhere = rooted
    home = tmp_path / "home"
    home.mkdir()
    outside_cache = tmp_path / "cache"
    env = {**cli_env, "TLC_CACHE_DIR": str(outside_cache), "HOME": str(home),
           "XDG_CACHE_HOME": str(home / ".cache")}
    tl = write_job(proj, "jobs/42/final.mp4",
                   'overlay {\n  text "a caption" at 0s..1s size 8\n}\n')
    before = snapshot(proj, tmp_path / "elsewhere", home)
    for options in (["-O0"], []):
        proc = run(["export", tl, "-y", "--output-root", root, *options], env, cwd=proj)
        assert proc.returncode == 0, proc.stderr
        assert facts(root / "final.mp4").frames == 16
    after = snapshot(proj, elsewhere, home)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert str(root / "final.mp4") in changed
    assert all(p == str(root) or p.startswith(f"{root}/") for p in changed), changed
    assert not outside_cache.exists()
    assert leftovers(proj) == []

    inside_cache = root / ".cache"
    env["TLC_CACHE_DIR"] = str(inside_cache)
    proc = run(["export", tl, "-y", "--output-root", root], env, cwd=proj)
    assert proc.returncode == 0, proc.stderr
    assert any(inside_cache.iterdir())  # a cache under the root is used


@pytest.mark.parametrize(
    ("out", "option"),
    [
        ("jobs/42/../final.mp4", []),
        ("jobs/42/link/final.mp4", []),
        ("jobs/42/ok.mp4", ["-o", "../escaped.mp4"]),
        ("/tmp/final.mp4", []),
    ],
    ids=["dotdot", "symlink", "dash-o", "absolute"],
)
def test_output_root_refuses_paths_that_lead_out(out: str, option: list[str],
                                                 rooted: tuple[Path, Path, Path],
                                                 cli_env: dict[str, str]) -> None:
    proj, root, elsewhere = rooted
    tl = write_job(proj, out)
    before = snapshot(proj.parent)

    proc = run(["export", tl, "--output-root", root, *option], cli_env, cwd=root)

    assert proc.returncode == 2, proc.stderr
    assert "outside --output-root" in proc.stderr, proc.stderr
    assert located(proc.stderr, str(tl), 1), proc.stderr
    assert snapshot(proj.parent) == before
    assert list(elsewhere.iterdir()) == []


def test_output_root_must_exist(rooted: tuple[Path, Path, Path],
                                cli_env: dict[str, str]) -> None:
    proj, root, _ = rooted
    tl = write_job(proj, "jobs/42/final.mp4")
    proc = run(["export", tl, "--output-root", root / "nope"], cli_env)
    assert proc.returncode == 2 and "no such directory" in proc.stderr, proc.stderr


def test_output_root_in_the_python_api(rooted: tuple[Path, Path, Path],
                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path
                                       ) -> None:
    import tlc
    from tlc.core.errors import TlcError

    proj, root, elsewhere = rooted
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "api-cache"))
    tl = write_job(proj, "jobs/42/link/x.mp4")
    with pytest.raises(TlcError, match="outside --output-root"):
        tlc.export(str(tl), output_root=str(root))
    assert list(elsewhere.iterdir()) == []

    tl = write_job(proj, "jobs/42/api.mp4")
    assert tlc.export(str(tl), output_root=str(root)) == [str(root / "api.mp4")]
    assert facts(root / "api.mp4").frames == 16
    assert not (tmp_path / "api-cache").exists()


def test_a_late_symlink_is_caught_before_the_write(rooted: tuple[Path, Path, Path],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """The root is checked again right before each write: a directory swapped for a
    symlink after compiling (a race with another process) is refused then."""
    from tlc.api import compile as compile_tl
    from tlc.api import render
    from tlc.core.errors import TlcError

    proj, root, elsewhere = rooted
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "api-cache"))
    (root / "sub").mkdir()
    tl = write_job(proj, "jobs/42/sub/x.mp4")
    compiled = compile_tl(str(tl), output_root=str(root))
    (root / "sub").rmdir()
    (root / "sub").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(TlcError, match="outside --output-root"):
        render(compiled)
    assert list(elsewhere.iterdir()) == []


# ---- faults ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip whose export is a few hundred kilobytes (noise does not compress)."""
    d = tmp_path_factory.mktemp("big")
    run_ffmpeg(["-f", "lavfi", "-i", "nullsrc=s=320x240:r=25:d=2,geq=random(1)*255:128:128",
                "-f", "lavfi", "-i", "anoisesrc=d=2:r=48000", "-shortest",
                "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-c:a", "aac",
                str(d / "noise.mp4")])
    return d


def full_disk_job(tmp_path: Path, big_media: Path, out_dir: Path) -> tuple[Path, Path, bytes]:
    tl = tmp_path / "job.tl"
    tl.write_text(f'output {tl_string(str(out_dir / "final.mp4"))} '
                  "{ size 320x240 fps 25 preset draft }\n"
                  f'video {{\n  clip {tl_string(str(big_media / "noise.mp4"))}\n}}\n')
    out = out_dir / "final.mp4"
    previous = b"the previous export " * 500
    out.write_bytes(previous)
    return tl, out, previous


def test_a_full_disk_is_a_clear_error_and_the_previous_output_stays(
    tmp_path: Path, big_media: Path, cli_env: dict[str, str]
) -> None:
    """A 1 MiB filesystem (tmpfs; needs root, else skipped: the file-size-limit test
    below covers the same path without privileges)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    try:
        tl, out, previous = full_disk_job(tmp_path, big_media, disk)
        filler = disk / "filler"
        with open(filler, "wb") as fh:  # leave ~100 KiB: the export needs far more
            free = shutil.disk_usage(disk).free
            fh.write(b"\0" * max(0, free - 100 * 1024))

        proc = run(["export", tl, "-y"], cli_env)

        assert proc.returncode == 1, proc.stderr
        assert "disk is full" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        assert out.read_bytes() == previous
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "final.mp4"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_file_size_limit_is_a_clear_error_and_the_previous_output_stays(
    tmp_path: Path, big_media: Path, cli_env: dict[str, str]
) -> None:
    """``ulimit -f``: the kernel stops ffmpeg (SIGXFSZ) at 64 KiB into the file."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    tl, out, previous = full_disk_job(tmp_path, big_media, out_dir)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    proc = run(["export", tl, "-y"], cli_env, preexec_fn=limit)

    assert proc.returncode == 1, proc.stderr
    assert "file size limit" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_bytes() == previous
    assert [p.name for p in out_dir.iterdir()] == ["final.mp4"]


def test_tlc_s_own_writes_failing_are_a_clear_error(tiny: Path, tmp_path: Path,
                                                    cli_env: dict[str, str]) -> None:
    """A filter script tlc must write (a graph of 300 captions is past the argv's
    share) fails on the file size limit: exit 1, "cannot write", no traceback."""
    shutil.copy(tiny / "clip.mp4", tmp_path / "clip.mp4")
    caps = "".join(f'  text "caption number {i}" at 0s..1s size 8\n' for i in range(300))
    tl = tmp_path / "t.tl"
    tl.write_text('output "out.mp4" { size 32x18 fps 10 preset draft }\n'
                  f'video {{\n  clip "clip.mp4"\n}}\noverlay {{\n{caps}}}\n')

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    proc = run(["export", tl], cli_env, preexec_fn=limit)

    assert proc.returncode == 1, proc.stderr
    assert "cannot write" in proc.stderr and "graph" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "t.tl"]


def test_an_output_path_that_is_a_directory_or_a_dangling_link(
    tiny: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    shutil.copy(tiny / "clip.mp4", tmp_path / "clip.mp4")
    tl = tmp_path / "t.tl"
    tl.write_text('output "out.mp4" { size 32x18 fps 10 }\nvideo {\n  clip "clip.mp4"\n}\n')
    (tmp_path / "out.mp4").mkdir()
    proc = run(["export", tl, "-y"], cli_env)
    assert proc.returncode == 2 and "is a directory" in proc.stderr, proc.stderr

    (tmp_path / "out.mp4").rmdir()
    (tmp_path / "out.mp4").symlink_to(tmp_path / "nowhere.mp4")
    proc = run(["export", tl], cli_env)
    assert proc.returncode == 2 and "exists" in proc.stderr, proc.stderr
    assert not (tmp_path / "nowhere.mp4").exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"\x00\x01garbage" * 100, "not media"),
        (None, "truncated"),
    ],
    ids=["zero-length", "garbage", "truncated"],
)
def test_media_that_is_not_media_is_a_located_error(
    content: bytes | None, says: str, tiny: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    bad = tmp_path / "bad.mp4"
    whole = (tiny / "clip.mp4").read_bytes()
    bad.write_bytes(whole[: len(whole) // 3] if content is None else content)
    shutil.copy(tiny / "clip.mp4", tmp_path / "good.mp4")
    tl = tmp_path / "t.tl"
    tl.write_text('output "out.mp4" { size 32x18 fps 10 }\n'
                  'video {\n  clip "good.mp4"\n  clip "bad.mp4"\n}\n')

    proc = run(["export", tl], cli_env)

    assert proc.returncode == 2, proc.stderr
    assert located(proc.stderr, str(tl), 4), proc.stderr
    assert "bad.mp4" in proc.stderr and says in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[1] == '  clip "bad.mp4"' and lines[2].index("^") == 7, proc.stderr
    assert not (tmp_path / "out.mp4").exists()


# ---- concurrency -----------------------------------------------------------------------------


def test_two_exports_to_one_path_at_once(tiny: Path, tmp_path: Path,
                                         cli_env: dict[str, str]) -> None:
    """Two different timelines, one output path, started together. With -y both
    succeed and the file is one of the two exports, whole; without -y, one wins and
    the other says the file appeared (or exists). Never a mixed file, never a temp."""
    shutil.copy(tiny / "clip.mp4", tmp_path / "clip.mp4")
    out = tmp_path / "same.mp4"
    tls = []
    for name, clips in (("one", 1), ("three", 3)):
        tl = tmp_path / f"{name}.tl"
        tl.write_text('output "same.mp4" { size 32x18 fps 10 preset draft }\nvideo {\n'
                      + '  clip "clip.mp4"\n' * clips + "}\n")
        tls.append(tl)

    for overwrite in (["-y"], []):
        for _ in range(3):
            out.unlink(missing_ok=True)
            procs = [subprocess.Popen([str(TLC), "export", str(tl), *overwrite], env=cli_env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      stdin=subprocess.DEVNULL) for tl in tls]
            results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
            codes = sorted(code for code, _ in results)
            if overwrite:
                assert codes == [0, 0], results
            else:
                assert codes == [0, 2], results
                err = next(err for code, err in results if code == 2)
                assert "appeared while exporting" in err or "exists" in err, err
            f = facts(out)
            assert f.frames in (10, 30), f
            assert f.audio_seconds == pytest.approx(f.frames / 10, abs=0.05)
            assert leftovers(tmp_path) == []
