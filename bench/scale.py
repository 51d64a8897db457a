"""The scale numbers of docs/reliability.md: big timelines, printed and exported.

    python bench/scale.py            # about a minute

- ``tlc print`` of 10,000 clips (each a different 0.2 s of one of four sources, so
  10,000 distinct inputs): CPU and wall seconds, peak memory, and the argv it
  prints (the longest element, the longest whole argv, the most ``-i`` in one run),
  with and without the ``chunk_inputs`` pass;
- ``tlc print`` of 10,000 clips over 12 files, each ``clip "media/vNN.mp4" trim
  0.5s..1s`` (issue 13: under 2 s on a quiet machine);
- ``tlc export`` of 500 such clips under ``ulimit -n 256``, with and without it;
- ``tlc export`` of a 10 s video with 1,000 captions.

It prints a table; it asserts nothing (tests/test_scale.py does).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from usage import argv_facts, clips_tl, make_sources, measure  # noqa: E402

TLC = str(Path(sys.executable).parent / "tlc")
VARIANTS = (("", []), (" (no chunk_inputs)", ["--disable-pass", "chunk_inputs"]))


def twelve_files(d: Path) -> Path:
    """10,000 clips, each the same half second of one of 12 files (copies of src0.mp4)."""
    media = d / "media"
    media.mkdir(exist_ok=True)
    for i in range(12):
        (media / f"v{i:02d}.mp4").write_bytes((d / "src0.mp4").read_bytes())
    items = "".join(f'  clip "media/v{i % 12:02d}.mp4" trim 0.5s..1s\n' for i in range(10_000))
    tl = d / "twelve.tl"
    tl.write_text('output "out12.mp4" { size 32x18 fps 10 preset draft }\n'
                  f"video {{\n{items}}}\n")
    return tl


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tlc-bench-scale-") as tmp:
        d = Path(tmp)
        os.environ["TLC_CACHE_DIR"] = str(d / "cache")
        make_sources(d)
        rows = []

        big = d / "ten-thousand.tl"
        big.write_text(clips_tl(10_000, "out.mp4"))
        for label, options in VARIANTS:
            out = d / "steps.json"
            argv = [TLC, "print", str(big), "--format", "json", *options]
            measure(argv, d, out)  # the first run probes the media; the cache keeps it
            best = min((measure(argv, d, out) for _ in range(3)), key=lambda r: r.cpu)
            facts = argv_facts(json.loads(out.read_text()))
            rows.append((f"print 10,000 clips{label}", best, facts))

        twelve = twelve_files(d)
        argv = [TLC, "print", str(twelve), "--format", "json"]
        out = d / "steps12.json"
        measure(argv, d, out)  # (probes the 12 files once)
        best = min((measure(argv, d, out) for _ in range(3)), key=lambda r: r.cpu)
        rows.append(("print 10,000 clips over 12 files", best,
                     argv_facts(json.loads(out.read_text()))))

        five = d / "five-hundred.tl"
        five.write_text(clips_tl(500, "out500.mp4"))
        for label, options in VARIANTS:
            got = measure([TLC, "export", str(five), "-y", *options], d, d / "log", nofile=256)
            rows.append((f"export 500 clips, ulimit -n 256{label}", got, {}))

        caps = "".join(
            f'  text "caption {i}" at {i / 100:.2f}s+0.01s size 8\n' for i in range(1000)
        )
        cap = d / "captions.tl"
        cap.write_text('output "caps.mp4" { size 32x18 fps 10 preset draft }\n'
                       'video {\n  clip "src0.mp4" trim 0s..10s\n}\n'
                       f"overlay {{\n{caps}}}\n")
        got = measure([TLC, "export", str(cap), "-y"], d, d / "log")
        rows.append(("export 1,000 captions (10 s)", got, {}))

    print("| what | exit | CPU s | wall s | peak MB | runs | longest arg | longest argv "
          "| most -i in a run | -i in all |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for what, r, f in rows:
        extra = [str(f.get(k, "")) for k in ("runs", "longest arg", "longest argv",
                                              "most -i", "all -i")]
        print(f"| {what} | {r.status} | {r.cpu:.2f} | {r.wall:.2f} | {r.rss_mb:.0f} | "
              + " | ".join(extra) + " |")


if __name__ == "__main__":
    main()
