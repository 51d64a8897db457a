"""Native ffmpeg against ffmpeg.wasm (single- and multi-threaded) on the same plans.

Times, as whole processes (``tlc export ...``, Node.js and its threads included), three
timelines with each engine: native, wasm-st (``@ffmpeg/core``, ``TLC_WASM_CORE=st``)
and wasm-mt (``@ffmpeg/core-mt``):

- teaser: examples/teaser.tl (clips of four sizes and rates, a still, a gap, two
  logos, a caption, a picture in picture, music), at 640x360 draft (``--full``:
  1280x720 at its own preset, minutes in wasm);
- audio join: 50 AAC clips of 3 s to one M4A (bench/audio.py's clips), re-encoded;
- copy join: examples/join.tl, three parts joined with a stream copy.

Wall time and CPU time (user + system of the process tree), their ratios to native,
and whether each output has native's streams and frame count, and its sound native's
length as ffmpeg decodes it (ffmpeg 5.1's mp4 muxer writes a shorter container
duration for the same sound: its edit list, not the samples). The first wasm
export of a timeline checks the encoders in wasm (remembered afterwards): a `tlc
print --engine wasm` before timing pays for that. Needs `make node-deps`.

    python bench/wasm.py [--rounds N] [--full] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _common import (
    EXAMPLES,
    Variant,
    ensure_media,
    ffmpeg,
    load,
    machine,
    measure,
    probe,
    python_env,
    table,
    tlc_command,
    tlc_steps,
)

ENGINES = {
    "native": ([], {}),
    "wasm-st": (["--engine", "wasm"], {"TLC_WASM_CORE": "st"}),
    "wasm-mt": (["--engine", "wasm"], {"TLC_WASM_CORE": "mt"}),
}


def cases(d: Path, full: bool) -> list[tuple[str, Path, list[str], str]]:
    """(name, timeline, options, output extension) of each timeline timed."""
    from audio import make_clips, write_timeline

    ff, _ = ffmpeg()
    clips_dir = d / "clips"
    clips_dir.mkdir()
    clips = make_clips(ff, clips_dir)
    joined = write_timeline(clips_dir, clips, "join50", "")
    teaser = [] if full else ["--size", "640x360", "--preset", "draft"]
    return [
        ("teaser" + ("" if full else " 640x360 draft"), EXAMPLES / "teaser.tl", teaser, ".mp4"),
        ("audio join, 50 clips", joined, [], ".m4a"),
        ("copy join, 3 parts", EXAMPLES / "join.tl", [], ".mp4"),
    ]


def sound_seconds(path: Path) -> float:
    """The length of the sound as native ffmpeg decodes it (edit lists honoured)."""
    import subprocess

    ff, _ = ffmpeg()
    proc = subprocess.run([ff, "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
                           "-ac", "1", "-ar", "48000", "-f", "s16le", "-"],
                          capture_output=True, check=True)
    return len(proc.stdout) / 2 / 48000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="timed runs of each (median)")
    parser.add_argument("--full", action="store_true", help="the teaser at 1280x720")
    parser.add_argument("--keep", metavar="DIR", help="write the outputs here (kept)")
    args = parser.parse_args(argv)
    from tlc.core.errors import UsageError
    from tlc.core.wasm import node_binary, node_modules

    try:
        node_binary(), node_modules()
    except UsageError as err:
        print(f"bench/wasm.py: skipped: {err.message} ({err.hint})")
        return 0
    ensure_media()
    with tempfile.TemporaryDirectory(prefix="tlc-bench-wasm-") as scratch:
        d = Path(args.keep or scratch)
        d.mkdir(parents=True, exist_ok=True)
        env, note = python_env(Path(scratch) / "pyc")
        if note:
            print(note, file=sys.stderr)
        rows = []
        for name, tl, options, ext in cases(d, args.full):
            variants = []
            for engine, (flags, extra) in ENGINES.items():
                out = d / f"{tl.stem}-{engine}{ext}"
                full_env = {**env, **extra}
                if engine != "native":  # (the encoder checks in wasm, before the clock)
                    tlc_steps(tl, *options, *flags, env=full_env)
                v = Variant(engine, [*tlc_command(), "export", str(tl), "-o", str(out), "-y",
                                     "--no-log", *options, *flags], out)
                v.plan = engine
                variants.append((v, full_env))
            for v, full_env in variants:  # (each engine has its own environment)
                measure([v], args.rounds, label=f"{name}: {v.name}", env=full_env)
            native = variants[0][0]
            want = probe(native.output) if not native.failed else None
            want_sound = sound_seconds(native.output) if not native.failed else None
            for v, _ in variants:
                if v.failed:
                    rows.append([name, v.name, "failed", "", "", "", v.failed.splitlines()[-1]])
                    continue
                got = probe(v.output)
                sound = sound_seconds(v.output)
                same = want is not None and (got.streams, got.frames) == (want.streams, want.frames)
                # (the sound's length as ffmpeg decodes it, edit lists honoured: one AAC frame)
                same = same and want_sound is not None and abs(sound - want_sound) <= 1024 / 44100
                rows.append([
                    name, v.name, f"{v.median:.2f}", f"{v.cpu_median:.2f}",
                    f"{v.median / native.median:.1f}x", f"{v.cpu_median / native.cpu_median:.1f}x",
                    ("same" if same else "DIFFERS")
                    + f": {got.frames} frames, sound {sound:.3f} s (container {got.duration:.3f}"
                    " s); " + "; ".join(got.streams),
                ])
    print(f"\nnative vs ffmpeg.wasm ({machine()}, load {load()}, rounds {args.rounds})\n")
    print(table(["timeline", "engine", "wall s", "cpu s", "wall/native", "cpu/native",
                 "output (against native)"], rows,
                [False, False, True, True, True, True, False]))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TLC_LOG", os.devnull)
    sys.exit(main())
