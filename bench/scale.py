"""The scale numbers of docs/reliability.md: big timelines, printed and exported.

    python bench/scale.py            # about a minute

- ``tlc print`` of 10,000 clips (each a different 0.2 s of one of four sources, so
  10,000 distinct inputs): CPU and wall seconds, peak memory, and the argv it
  prints (the longest element, the longest whole argv, the most ``-i`` in one run),
  with and without the ``chunk_inputs`` pass;
- ``tlc export`` of 500 such clips under ``ulimit -n 256``, with and without it;
- ``tlc export`` of a 10 s video with 1,000 captions.

It prints a table; it asserts nothing (tests/test_scale.py does).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from media import make_video  # noqa: E402

TLC = str(Path(sys.executable).parent / "tlc")
VARIANTS = (("", []), (" (no chunk_inputs)", ["--disable-pass", "chunk_inputs"]))


def clips_tl(n: int, out: str) -> str:
    items = "".join(
        f'  clip "src{i % 4}.mp4" trim {(i // 4) * 0.02 % 59:.2f}s+0.2s\n' for i in range(n)
    )
    return f'output "{out}" {{ size 32x18 fps 10 preset draft }}\nvideo {{\n{items}}}\n'


def run(argv: list[str], cwd: Path, stdout: Path, nofile: int | None = None) -> dict[str, float]:
    """Run ``argv``: exit status, CPU and wall seconds, peak RSS (MB) of that process."""

    def limit() -> None:
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    with open(stdout, "wb") as fh:
        started = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=fh, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, preexec_fn=limit)
        _, status, usage = os.wait4(proc.pid, 0)
    return {
        "status": os.waitstatus_to_exitcode(status),
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.monotonic() - started,
        "rss": usage.ru_maxrss / 1024,
    }


def argv_facts(steps_json: Path) -> dict[str, int]:
    steps = json.loads(steps_json.read_text())
    sizes = [[len(a.encode()) + 1 for a in s["argv"]] for s in steps]
    return {
        "runs": len(steps),
        "longest arg": max(max(s) for s in sizes),
        "longest argv": max(sum(s) for s in sizes),
        "most -i": max(s["argv"].count("-i") for s in steps),
        "all -i": sum(s["argv"].count("-i") for s in steps),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tlc-bench-scale-") as tmp:
        d = Path(tmp)
        os.environ["TLC_CACHE_DIR"] = str(d / "cache")
        make_video(d / "src0.mp4", 60, size=(32, 18), fps=10, gop=10)
        for i in (1, 2, 3):
            (d / f"src{i}.mp4").write_bytes((d / "src0.mp4").read_bytes())
        rows = []

        big = d / "ten-thousand.tl"
        big.write_text(clips_tl(10_000, "out.mp4"))
        for label, options in VARIANTS:
            out = d / "steps.json"
            argv = [TLC, "print", str(big), "--format", "json", *options]
            run(argv, d, out)  # the first run probes the media; the cache keeps it
            best = min((run(argv, d, out) for _ in range(3)), key=lambda r: r["cpu"])
            facts = argv_facts(out)
            rows.append((f"print 10,000 clips{label}", best, facts))

        five = d / "five-hundred.tl"
        five.write_text(clips_tl(500, "out500.mp4"))
        for label, options in VARIANTS:
            got = run([TLC, "export", str(five), "-y", *options], d, d / "log", nofile=256)
            rows.append((f"export 500 clips, ulimit -n 256{label}", got, {}))

        caps = "".join(
            f'  text "caption {i}" at {i / 100:.2f}s+0.01s size 8\n' for i in range(1000)
        )
        cap = d / "captions.tl"
        cap.write_text('output "caps.mp4" { size 32x18 fps 10 preset draft }\n'
                       'video {\n  clip "src0.mp4" trim 0s..10s\n}\n'
                       f"overlay {{\n{caps}}}\n")
        got = run([TLC, "export", str(cap), "-y"], d, d / "log")
        rows.append(("export 1,000 captions (10 s)", got, {}))

    print("| what | exit | CPU s | wall s | peak MB | runs | longest arg | longest argv "
          "| most -i in a run | -i in all |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for what, r, f in rows:
        extra = [str(f.get(k, "")) for k in ("runs", "longest arg", "longest argv",
                                              "most -i", "all -i")]
        print(f"| {what} | {r['status']} | {r['cpu']:.2f} | {r['wall']:.2f} | "
              f"{r['rss']:.0f} | " + " | ".join(extra) + " |")


if __name__ == "__main__":
    main()
