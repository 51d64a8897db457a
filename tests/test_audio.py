"""Audio-only exports at the encoder's floor: one ffmpeg run, one concat-demuxer input
for clips that follow each other whole, one encode, gapless and exact to the sample.

The gapless test cuts one continuous tone into separately encoded AAC parts and joins
them back: the largest sample-to-sample jump within 50 ms of a join must be at most
twice the largest elsewhere. A plain concat-demuxer copy of the same parts fails that
test (each part's encoder priming and padding play at the join), so the test can fail.
"""

from __future__ import annotations

import os
import stat
import struct
import time
import wave
from dataclasses import replace
from pathlib import Path

import av
import pytest
from conftest import RunTlc
from media import ffmpeg_exe, run_ffmpeg
from verify import decoded_audio

from tlc.api import compile_timeline, context
from tlc.backend.escape import concat_safe_name
from tlc.core.errors import ValidationError
from tlc.ir import ConcatEntry, ConcatSrc, Node, transform
from tlc.media import probe
from tlc.runtime.run import execute

RATE = 44100
# samples in each part: none a whole number of packets, none cut at a zero crossing
PARTS = (13331, 19777, 11113, 22037)
TOTAL = sum(PARTS)  # about 1.5 s
WINDOW = RATE * 50 // 1000  # "within 50 ms of a join"


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One continuous 1 kHz tone cut, to the sample, into four separately encoded AAC
    files (part0.m4a ... part3.m4a), plus a 48 kHz stereo file (other.m4a).

    Each part starts the tone abruptly, and AAC codes that onset with some ringing,
    which any join, however exact, shows: at 1 kHz and 256k it stays well inside the
    2x margin (a 440 Hz tone's smaller sample steps would not leave the margin room)."""
    d = tmp_path_factory.mktemp("audio-parts")
    graph = [f"[0:a]asplit={len(PARTS)}" + "".join(f"[s{i}]" for i in range(len(PARTS)))]
    outs: list[str] = []
    at = 0
    for i, n in enumerate(PARTS):
        cut = f"atrim=start_sample={at}:end_sample={at + n},asetpts=PTS-STARTPTS"
        graph.append(f"[s{i}]{cut}[p{i}]")
        outs += ["-map", f"[p{i}]", "-c:a", "aac", "-b:a", "256k", str(d / f"part{i}.m4a")]
        at += n
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=1000:sample_rate={RATE}:duration=2",
                "-filter_complex", ";".join(graph), *outs])
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000:duration=0.5",
                "-ac", "2", "-c:a", "aac", str(d / "other.m4a")])
    return d


def timeline(d: Path, body: str, out: str = "out.m4a", settings: str = "audio aac 128k") -> Path:
    tl = d / "t.tl"
    tl.write_text(f'output "{out}" {settings}\naudio {{\n{body}\n}}\n')
    return tl


def whole_parts() -> str:
    return "\n".join(f'  clip "part{i}.m4a"' for i in range(len(PARTS)))


def compiled(tl: Path, **opts: object):  # type: ignore[no-untyped-def]
    return compile_timeline(tl.read_text(), str(tl), context(**opts))  # type: ignore[arg-type]


def export(tl: Path, **opts: object) -> Path:
    c = compiled(tl, **opts)
    (out,) = execute(c.steps, overwrite=True, workdir=c.ctx.workdir)
    return Path(out)


def jumps(x: list[int], joins: list[int]) -> tuple[int, int]:
    """(largest |x[i+1] - x[i]| within 50 ms of a join, largest elsewhere)."""
    near = [False] * (len(x) - 1)
    for j in joins:
        for i in range(max(0, j - WINDOW), min(len(near), j + WINDOW)):
            near[i] = True
    d = [abs(x[i + 1] - x[i]) for i in range(len(x) - 1)]
    return (max(v for v, n in zip(d, near, strict=True) if n),
            max(v for v, n in zip(d, near, strict=True) if not n))


def joins_at(lengths: list[int]) -> list[int]:
    out, at = [], 0
    for n in lengths[:-1]:
        at += n
        out.append(at)
    return out


# ---- the plan --------------------------------------------------------------------------------


def test_whole_clips_are_one_concat_input_and_one_encode(parts: Path) -> None:
    c = compiled(timeline(parts, whole_parts()))
    (step,) = c.steps
    argv = list(step.argv)
    assert argv.count("-i") == 1 and argv[argv.index("-f") + 1] == "concat"
    (listing,) = step.aux
    lines = listing.content.splitlines()
    assert lines[0] == "ffconcat version 1.0"
    assert [x.split("/")[-1] for x in lines[1:]] == [f"part{i}.m4a'" for i in range(len(PARTS))]
    graph = argv[argv.index("-filter_complex") + 1]
    # decoded once, at the sources' own rate and layout, cut to the exact length
    assert "amix" not in graph and "adelay" not in graph and "concat=" not in graph
    assert "aresample=osr=44100" in graph and "channel_layouts=mono" in graph
    assert f"atrim=end_sample={TOTAL}" in graph
    assert argv.count("-c:a") == 1 and argv[argv.index("-c:a") + 1] == "aac"
    # the naive plan is what the pass rewrites: one input per clip, mixed over silence
    naive = compiled(timeline(parts, whole_parts()), disable_passes=["concat_audio"]).steps
    assert list(naive[0].argv).count("-i") == len(PARTS) and "amix" in " ".join(naive[0].argv)


def test_clips_that_need_filters_join_by_the_concat_filter(parts: Path) -> None:
    body = """
      clip "part0.m4a"
      clip "part1.m4a"
      clip "part2.m4a" trim 0.05s..
      clip "part3.m4a" volume -3dB fade in 0.1s
      clip "part0.m4a" at 2s
    """
    c = compiled(timeline(parts, body))
    (step,) = c.steps
    argv = list(step.argv)
    graph = argv[argv.index("-filter_complex") + 1]
    # part0+part1: one list; the trimmed and the faded clip: an input each; a gap; part0
    assert argv.count("-i") == 4 and argv.count("concat") == 1
    assert "concat=n=5:v=0:a=1" in graph and "amix" not in graph and "adelay" not in graph
    gap = 2 * RATE - (TOTAL - RATE // 20)
    assert f"anullsrc=r=44100:cl=mono,atrim=end_sample={gap}" in graph
    out = export(timeline(parts, body))
    expected = round((2 + PARTS[0] / RATE) * RATE)
    assert len(decoded_audio(out, RATE)) == expected


def test_a_second_track_is_mixed_and_mixed_rates_resample(parts: Path) -> None:
    body = whole_parts() + '\n}\naudio {\n  clip "other.m4a" at 0.5s volume -6dB'
    c = compiled(timeline(parts, body))
    graph = c.steps[0].argv[list(c.steps[0].argv).index("-filter_complex") + 1]
    assert "amix=inputs=2" in graph and "sample_rates=48000:channel_layouts=stereo" in graph
    out = export(timeline(parts, body))
    with av.open(str(out)) as f:
        s = f.streams.audio[0]
        assert (s.codec_context.sample_rate, s.codec_context.layout.name) == (48000, "stereo")
    assert len(decoded_audio(out, 48000)) == round(TOTAL / RATE * 48000)


# ---- what the output sounds like ----------------------------------------------------------------


def test_reencode_is_exact_and_gapless(parts: Path) -> None:
    out = export(timeline(parts, whole_parts()))
    with av.open(str(out)) as f:
        s = f.streams.audio[0]
        assert (s.codec_context.sample_rate, s.codec_context.channels) == (RATE, 1)
    x = decoded_audio(out, RATE)
    assert len(x) == TOTAL  # to the sample (the contract allows one AAC frame)
    near, elsewhere = jumps(x, joins_at(list(PARTS)))
    assert near <= 2 * elsewhere, (near, elsewhere)


def test_a_plain_concat_copy_of_the_same_parts_is_not_gapless(parts: Path, tmp_path: Path) -> None:
    """The control: the test above fails on a join that keeps priming and padding."""
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"file '{parts / f'part{i}.m4a'}'\n" for i in range(len(PARTS))))
    out = tmp_path / "copy.m4a"
    run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out)])
    x = decoded_audio(out, RATE)
    assert len(x) - TOTAL > 1024 * (len(PARTS) - 1)  # priming and padding at every join
    # where the joins are in the copy: each part decodes to whole packets of 1024
    # samples, its priming included (only the last part's padding is cut)
    lengths = []
    for i in range(len(PARTS)):
        with av.open(str(parts / f"part{i}.m4a")) as f:
            lengths.append(1024 * sum(1 for p in f.demux(f.streams.audio[0]) if p.size))
    near, elsewhere = jumps(x, joins_at(lengths))
    assert near > 2 * elsewhere, (near, elsewhere)


def test_audio_copy_joins_without_reencoding_and_says_why_it_clicks(
    parts: Path, run_tlc: RunTlc
) -> None:
    tl = timeline(parts, whole_parts(), out="copy.m4a", settings="audio copy")
    done = run_tlc("export", tl, "-y", "--progress", "none")
    assert done.returncode == 0, done.stderr
    warning = done.stderr
    assert "priming" in warning and "3 join(s)" in warning and "'audio aac'" in warning
    ms = int(warning.split("about ")[1].split(" ms")[0])
    x = decoded_audio(parts / "copy.m4a", RATE)
    assert abs((len(x) - TOTAL) * 1000 / RATE - ms) < 1024 * 1000 / RATE  # within a packet
    with av.open(str(parts / "copy.m4a")) as f:
        assert f.streams.audio[0].codec_context.name == "aac"


# ---- one process, one list file ------------------------------------------------------------------


def test_an_audio_export_spawns_exactly_one_ffmpeg(
    parts: Path, tmp_path: Path, run_tlc: RunTlc
) -> None:
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "ffmpeg"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{ffmpeg_exe()}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env: dict[str, str | None] = {"TLC_FFMPEG": str(wrapper)}
    tl = timeline(parts, whole_parts(), out="counted.m4a")
    assert run_tlc("check", tl, env=env).returncode == 0  # the version is asked once, ever
    log.unlink(missing_ok=True)
    done = run_tlc("export", tl, "-y", "--progress", "none", env=env)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and "-f concat" in calls[0], calls


def test_the_list_is_escaped_and_a_line_break_keeps_a_file_out_of_it(
    parts: Path, tmp_path: Path
) -> None:
    names = ["it's a [clip]; 100%,=.m4a", "é \\ $HOME #1.m4a", "line\nbreak.m4a"]
    for i, name in enumerate(names):
        (tmp_path / name).write_bytes((parts / f"part{i}.m4a").read_bytes())
    body = "\n".join(
        '  clip "' + n.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        for n in names
    )
    tl = timeline(tmp_path, body)
    (step,) = compiled(tl).steps
    (listing,) = step.aux
    assert listing.content.count("\nfile ") == 2 and "line" not in listing.content
    assert "-safe" in step.argv  # absolute paths outside the list's directory
    x = decoded_audio(export(tl), RATE)
    assert len(x) == sum(PARTS[:3])


def test_safe_mode_stays_on_for_plain_names_below_the_list(parts: Path) -> None:
    """tlc's own files in the work directory need no `-safe 0`; ffmpeg reads them."""
    c = compiled(timeline(parts, whole_parts()))
    workdir = c.ctx.workdir
    assert workdir is not None
    os.makedirs(workdir, exist_ok=True)
    for i in range(len(PARTS)):
        (Path(workdir) / f"00{i}-part.m4a").write_bytes((parts / f"part{i}.m4a").read_bytes())

    def local(node: Node) -> Node:
        if isinstance(node, ConcatSrc):
            entries = tuple(ConcatEntry(os.path.join(workdir, f"00{i}-part.m4a"))
                            for i in range(len(node.entries)))
            return replace(node, entries=entries)
        return node

    from tlc.backend.emit import emit

    (step,) = emit(transform(c.plan, local), c.ctx.ffmpeg)
    assert "-safe" not in step.argv
    assert step.aux[0].content.splitlines()[1:] == [f"file 00{i}-part.m4a" for i in range(4)]
    (out,) = execute([step], overwrite=True, workdir=workdir)
    assert len(decoded_audio(out, RATE)) == TOTAL


@pytest.mark.parametrize(
    ("path", "safe"),
    [("/w/001-a.mp4", "001-a.mp4"), ("/w/sub/x_y-z.m4a", "sub/x_y-z.m4a"),
     ("/a.m4a", None), ("/w/.hidden.m4a", None), ("/w/a b.m4a", None), ("/w/é.m4a", None),
     ("/w/a'b.m4a", None), ("/w/a:b.m4a", None)],
)
def test_concat_safe_names(path: str, safe: str | None) -> None:
    assert concat_safe_name(path, "/w") == safe


# ---- probing many files is one cheap batch -------------------------------------------------


def test_the_second_probe_of_500_files_costs_almost_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLC_CACHE_DIR", str(tmp_path / "cache"))
    paths = []
    for i in range(500):
        p = tmp_path / f"c{i:03d}.wav"
        with wave.open(str(p), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(struct.pack("<80h", *([i] * 80)))
        paths.append(str(p))
    first = probe.probe_many(paths)
    assert {float(i.duration or 0) for i in first.values()} == {0.01}

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("opened a media file")

    monkeypatch.setattr(av, "open", refuse)
    started = time.perf_counter()
    assert probe.probe_many(paths) == first
    assert time.perf_counter() - started < 0.5


def test_opus_output_from_44k_sources(parts: Path) -> None:
    """Sources at 44.1 kHz are kept as they are; ffmpeg resamples for an encoder that
    only takes 48 kHz."""
    out = export(timeline(parts, whole_parts(), out="out.opus", settings="audio opus"))
    assert abs(len(decoded_audio(out, 48000)) - TOTAL / RATE * 48000) <= 1



def test_audio_copy_refuses_a_line_break_in_a_name(parts: Path, tmp_path: Path) -> None:
    (tmp_path / "a\nb.m4a").write_bytes((parts / "part0.m4a").read_bytes())
    (tmp_path / "c.m4a").write_bytes((parts / "part1.m4a").read_bytes())
    tl = timeline(tmp_path, '  clip "a\\nb.m4a"\n  clip "c.m4a"', settings="audio copy")
    with pytest.raises(ValidationError, match="line break"):
        compiled(tl)
