"""Segmented export: segments rendered apart (a cache, local processes, a Dask cluster)
and joined by stream copy give the export a one-run render gives.

The teaser is rendered at 640x360 with the production preset (the encoder's own noise
is then well above 40 dB, so a PSNR at the joins measures the joins). Every frame of
a segmented export is compared with the one-run export's frame at the same index:
a dropped, doubled or shifted frame at a join would be far below 40 dB.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest
from media import ffmpeg_exe, make_video
from verify import Facts, facts, psnr_per_frame

from tlc.ir import OverlayItem
from tlc.segmented import windows as seg

TLC = [sys.executable, "-m", "tlc.cli"]
SMALL = ("--size", "640x360", "--preset", "production")
TEASER_FRAMES = 435  # 14.5 s at 30 fps
CUT_FRAMES = (90, 195, 285, 315, 360)  # where the teaser's main items start


def tlc(*args: str, cwd: Path, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*TLC, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def done_event(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    done = [e for e in events if e["event"] == "done"]
    assert done, proc.stdout + proc.stderr
    return done[-1]


def assert_same_export(ref: Path, got: Path) -> None:
    a, b = facts(ref), facts(got)
    assert (b.width, b.height, b.fps, b.vcodec, b.acodec, b.pix_fmt) == (
        a.width, a.height, a.fps, a.vcodec, a.acodec, a.pix_fmt)
    assert b.frames == a.frames == TEASER_FRAMES
    assert b.faststart
    assert a.audio_seconds is not None and b.audio_seconds is not None
    assert abs(b.audio_seconds - a.audio_seconds) < 1e-3  # the same sound, made once
    psnr = psnr_per_frame(ref, got)
    assert len(psnr) == TEASER_FRAMES
    at_joins = {k: psnr[k - 1: k + 1] for k in CUT_FRAMES}
    assert min(min(v) for v in at_joins.values()) > 40, at_joins
    assert min(psnr) > 40, min(psnr)


@pytest.fixture(scope="module")
def one_run(examples: Path) -> Path:
    """The teaser exported in one run: the reference."""
    out = examples / "out" / "seg-ref.mp4"
    tlc("export", "teaser.tl", "-o", str(out), "-y", *SMALL, cwd=examples)
    return out


# ---- cutting the timeline --------------------------------------------------------------


def test_windows_merge_items_up_to_the_target(examples: Path) -> None:
    from tlc import api

    compiled = api.compile(str(examples / "teaser.tl"))
    tl = compiled.plan.timeline
    # items: 3, 3.5, 3, 1, 1.5, 2.5 s
    assert seg.windows(tl, Fraction(1)) == [
        (Fraction(0), Fraction(3)), (Fraction(3), Fraction(13, 2)),
        (Fraction(13, 2), Fraction(19, 2)), (Fraction(19, 2), Fraction(21, 2)),
        (Fraction(21, 2), Fraction(12)), (Fraction(12), Fraction(29, 2)),
    ]
    assert seg.windows(tl, Fraction(5)) == [
        (Fraction(0), Fraction(3)), (Fraction(3), Fraction(13, 2)),
        (Fraction(13, 2), Fraction(21, 2)), (Fraction(21, 2), Fraction(29, 2))]
    # a last window shorter than half the target joins the one before
    assert seg.windows(tl, Fraction(6)) == [
        (Fraction(0), Fraction(3)), (Fraction(3), Fraction(13, 2)),
        (Fraction(13, 2), Fraction(29, 2))]
    assert seg.windows(tl, Fraction(100)) == [(Fraction(0), Fraction(29, 2))]
    # the default target: about three windows a worker, 2 s at least
    assert seg.target_length(tl, 1) == Fraction(29, 6)
    assert seg.target_length(tl, 4) == 2


def test_an_overlay_across_a_cut_is_split() -> None:
    from tlc.core.errors import Span

    span = Span("x.tl", 1, 1)
    pip = OverlayItem("video", Fraction(6), Fraction(10), span, path="/p.mp4",
                      src_in=Fraction(1))
    first = seg._cut_overlay(pip, Fraction(3), Fraction(8))
    second = seg._cut_overlay(pip, Fraction(8), Fraction(12))
    assert first is not None and second is not None
    assert (first.start, first.end, first.src_in) == (3, 6, 1)  # (read on 1 s past the cut)
    # 2 s later in its source (read from 1 s before: the frame shown at the cut), and
    # read on 1 s past the window's end
    assert (second.start, second.end, second.src_in, second.lead) == (0, 2, 2, 1)
    assert first.lead is None
    assert seg._cut_overlay(pip, Fraction(3), Fraction(12)).end == 7  # type: ignore[union-attr]
    # a caption is drawn at its end time too (enable=between(t,start,end)): one ending at
    # a cut is drawn on the next window's first frame, as in one run
    caption = OverlayItem("text", Fraction(0), Fraction(3), span, text="hi")
    at_cut = seg._cut_overlay(caption, Fraction(3), Fraction(6))
    assert at_cut is not None and (at_cut.start, at_cut.end) == (0, 0)
    assert seg._cut_overlay(pip, Fraction(10), Fraction(12)) is None


# ---- local executors --------------------------------------------------------------------


def test_pool_export_equals_the_one_run_export(examples: Path, one_run: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "pool.mp4"
    proc = tlc("export", "teaser.tl", "-o", str(out), *SMALL, "--jobs", "2",
               "--progress", "json", cwd=examples)
    report = done_event(proc)["segments"]
    assert isinstance(report, dict)
    assert (report["segments"], report["rendered"], report["cached"], report["executor"]) == (
        6, 6, 0, "pool")
    assert len(report["renders"]) == 6  # (label, seconds) of each render
    assert_same_export(one_run, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pool.mp4"]  # no work files left


def test_dry_run_prints_the_segment_runs_and_one_copy_join(examples: Path) -> None:
    proc = tlc("export", "teaser.tl", "-o", "out/x.mp4", "--jobs", "2", "--dry-run",
               cwd=examples)
    runs = [ln for ln in proc.stdout.splitlines() if "ffmpeg" in ln and " -i " in ln]
    assert len(runs) == 7  # 5 windows of video, the sound, the join
    join = runs[-1]
    assert "-f concat" in join and "-c:v copy" in join and "-c:a copy" in join
    assert all("-an" in r or "-c:a" not in r for r in runs[:5])  # the windows: video only
    # tlc print shows the same runs
    printed = json.loads(tlc("print", "teaser.tl", "-o", "out/x.mp4", "--jobs", "2",
                             "--format", "json", cwd=examples).stdout)
    assert len(printed) == 7
    # (the join goes through the finalize pass like every plan: +faststart, and every
    # stream ends at the timeline's 14.5 s)
    assert printed[-1]["argv"][-9:] == ["-c:a", "copy", "-movflags", "+faststart", "-t", "14.5",
                                        "-f", "mp4", f"file:{examples}/out/x.mp4"]


def test_a_sound_only_timeline_is_exported_in_one_run(examples: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.m4a"
    proc = tlc("export", "podcast.tl", "-o", str(out), "--jobs", "2", "--progress", "json",
               cwd=examples)
    assert "exporting in one run, not in segments" in proc.stderr
    assert "segments" not in done_event(proc)
    assert facts(out).acodec == "aac"


# ---- the cache ---------------------------------------------------------------------------


def test_incremental_export_renders_only_what_changed(examples: Path, one_run: Path,
                                                     tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tl = tmp_path / "teaser.tl"
    tl.write_text((examples / "teaser.tl").read_text().replace('"media/', f'"{examples}/media/'))

    def export(name: str) -> dict[str, object]:
        proc = tlc("export", str(tl), "-o", str(tmp_path / name), *SMALL, "--cache", str(cache),
                   "--progress", "json", cwd=tmp_path)
        return done_event(proc)["segments"]  # type: ignore[return-value]

    first = export("a.mp4")  # (--jobs: one per core, 2 here)
    assert (first["rendered"], first["cached"]) == (6, 0)  # 5 windows and the sound
    assert_same_export(one_run, tmp_path / "a.mp4")
    again = export("b.mp4")
    assert (again["rendered"], again["cached"]) == (0, 6)
    assert (tmp_path / "a.mp4").read_bytes() == (tmp_path / "b.mp4").read_bytes()

    # a new caption: one window of video again, the sound is the same
    tl.write_text(tl.read_text().replace('"Chapter 1"', '"Chapter 2"'))
    caption = export("c.mp4")
    assert (caption["rendered"], caption["cached"]) == (1, 5)
    # a clip trimmed otherwise (same length): its window, and the sound
    tl.write_text(tl.read_text().replace("trim 3s+3s", "trim 2s+3s"))
    trimmed = export("d.mp4")
    assert (trimmed["rendered"], trimmed["cached"]) == (2, 4)
    assert facts(tmp_path / "d.mp4").frames == TEASER_FRAMES

    listed = tlc("cache", "ls", "--cache", str(cache), "--json", cwd=tmp_path).stdout
    entries = [json.loads(line) for line in listed.splitlines()]
    assert len(entries) == 9
    assert {e["label"].split(" ")[1] for e in entries} == {"video", "sound"}


def test_touching_a_media_file_renders_its_segments_again(examples: Path,
                                                        tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    for f in (examples / "media").iterdir():
        os.link(f, media / f.name) if f.name != "c.mp4" else (media / f.name).write_bytes(
            f.read_bytes())
    tl = tmp_path / "teaser.tl"
    tl.write_text((examples / "teaser.tl").read_text())
    cache = tmp_path / "cache"
    args = ("export", str(tl), "-o", str(tmp_path / "o.mp4"), "-y", "--preset", "draft",
            "--size", "320x180", "--cache", str(cache), "--progress", "json")

    def rendered(*more: str) -> object:
        return done_event(tlc(*args, *more, cwd=tmp_path))["segments"]["rendered"]  # type: ignore[index]

    assert rendered() == 6
    os.utime(media / "c.mp4", ns=(1, 1))  # same bytes, another mtime: its window and the
    assert rendered() == 2  # sound (c.mp4 has none, but a changed file might have some now)
    os.utime(media / "c.mp4", ns=(2, 2))
    # keyed by the bytes, not the mtime: first a render of the new keys, then none
    assert rendered("--hash-content") == 6
    os.utime(media / "c.mp4", ns=(3, 3))
    assert rendered("--hash-content") == 0


def test_two_concurrent_exports_share_the_cache(examples: Path, one_run: Path,
                                               tmp_path: Path) -> None:
    """Started together on one cache: each segment is rendered once (the other export
    waits on its lock, then reads it), both outputs are whole and right."""
    cache = tmp_path / "cache"
    procs = [
        subprocess.Popen(
            [*TLC, "export", "teaser.tl", "-o", str(tmp_path / f"{n}.mp4"), *SMALL,
             "--cache", str(cache), "--progress", "json"],
            cwd=examples, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in ("x", "y")
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    reports = [done_event(subprocess.CompletedProcess([], 0, out, err))["segments"]
               for out, err in results]
    assert sum(r["rendered"] for r in reports) == 6  # type: ignore[index,misc]
    for n in ("x", "y"):
        assert_same_export(one_run, tmp_path / f"{n}.mp4")
    names = [p.name for p in (cache / "segments").rglob("*") if p.is_file()]
    assert not [n for n in names if "tmp" in n], names
    assert len([n for n in names if not n.endswith(".json")]) == 6


def test_the_cache_is_trimmed_to_its_limit_least_recently_used_first(
    examples: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    common = ("--size", "320x180", "--preset", "draft", "--cache", str(cache),
              "--progress", "json")
    tlc("export", "teaser.tl", "-o", str(tmp_path / "a.mp4"), *common, cwd=examples)
    first = {p.name for p in (cache / "segments").rglob("*.mp4")}
    # another size: other segments; a limit of 1 byte keeps only the export's own
    tlc("export", "teaser.tl", "-o", str(tmp_path / "b.mp4"), *common, "--size", "256x144",
        "--cache-limit", "1", cwd=examples)
    second = {p.name for p in (cache / "segments").rglob("*.mp4")}
    assert second and not (first & second)
    assert facts(tmp_path / "b.mp4").frames == TEASER_FRAMES
    cleared = tlc("cache", "clear", "--cache", str(cache), cwd=tmp_path).stdout
    assert cleared.startswith("removed 6 segment(s)")
    assert not list((cache / "segments").rglob("*.mp4"))


def test_ctrl_c_during_a_pool_export_leaves_nothing(examples: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.mp4"
    proc = subprocess.Popen(
        [*TLC, "export", "teaser.tl", "-o", str(out), "--jobs", "2", "--preset", "production"],
        cwd=examples, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    # (wait for a render: an encoder check before it is an ffmpeg too, gone in a moment)
    assert _renders(proc.pid, wait=120), "no render started"
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends it: the whole group
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 5
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


# ---- Dask ----------------------------------------------------------------------------------


def _renders(pid: int, wait: float = 0) -> list[int]:
    """The ffmpeg renders (run with ``-progress``) below ``pid``; with ``wait``, the first
    that appears within that many seconds."""
    deadline = time.monotonic() + wait
    while True:
        found = [p for p in _children_named(pid, "ffmpeg") if _has_arg(p, b"-progress")]
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def _has_arg(pid: int, arg: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return arg in fh.read().split(b"\0")
    except OSError:
        return False


def _children_named(pid: int, name: str) -> list[int]:
    """Processes whose parent is ``pid`` (or a child of it) and whose name has ``name``."""
    found = []
    parents = {pid}
    for _ in range(3):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    cmd = fh.read()
            except OSError:
                continue
            if int(fields[1]) in parents:
                parents.add(int(entry))
                if name.encode() in cmd.split(b"\0")[0]:
                    found.append(int(entry))
    return sorted(set(found))


def test_dask_local_cluster_export_equals_the_one_run_export(
    examples: Path, one_run: Path, tmp_path: Path
) -> None:
    """``--executor dask`` with no scheduler: tlc starts a local cluster of 2 worker
    processes on the loopback interface, and stops it."""
    out = tmp_path / "dask.mp4"
    proc = tlc("export", "teaser.tl", "-o", str(out), *SMALL, "--executor", "dask",
               "--jobs", "2", "--progress", "json", cwd=examples)
    report = done_event(proc)["segments"]
    assert report["executor"] == "dask" and report["rendered"] == 6  # type: ignore[index]
    assert_same_export(one_run, out)


@pytest.fixture(scope="module")
def cluster() -> object:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=50) as c:
        yield c


def test_a_dask_worker_killed_mid_render_still_gives_a_correct_export(
    examples: Path, one_run: Path, tmp_path: Path, cluster: object
) -> None:
    from distributed import Client

    import tlc as tlc_api

    address = cluster.scheduler_address  # type: ignore[attr-defined]
    with Client(address) as client:
        worker_pids = set(client.run(os.getpid).values())
    out = tmp_path / "killed.mp4"
    result: dict[str, object] = {}

    def export() -> None:
        try:
            result["outputs"] = tlc_api.export(
                str(examples / "teaser.tl"), output=str(out), size="640x360",
                preset="production", scheduler=address,
            )
        except BaseException as err:  # noqa: BLE001 - reported by the test
            result["error"] = err

    t = threading.Thread(target=export)
    t.start()
    victim = ffmpeg = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and t.is_alive():
        for pid in worker_pids:
            kids = _children_named(pid, "ffmpeg")
            if kids:
                victim, ffmpeg = pid, kids[0]
                break
        time.sleep(0.02)
    assert victim is not None and ffmpeg is not None, "no worker started an ffmpeg"
    os.kill(victim, signal.SIGKILL)  # the worker dies mid-render
    t.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert result["outputs"] == [str(out)]
    assert_same_export(one_run, out)
    # its ffmpeg died with it (PR_SET_PDEATHSIG), rather than writing on, orphaned
    for _ in range(50):
        if not os.path.exists(f"/proc/{ffmpeg}") or _zombie(ffmpeg):
            break
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{ffmpeg}") or _zombie(ffmpeg)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["killed.mp4"]


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_worker_that_cannot_see_the_media_is_named_before_anything_renders(
    cluster: object,
) -> None:
    from tlc.core.errors import UsageError
    from tlc.plugins.dask_executor import DaskExecutor
    from tlc.runtime.jobs import ExecutorOptions

    address = cluster.scheduler_address  # type: ignore[attr-defined]
    ex = DaskExecutor(ExecutorOptions(scheduler=address))
    try:
        assert ex.workers == 2
        with pytest.raises(UsageError) as err:
            ex.check_paths(["/nonexistent/tlc-media/a.mp4"], ["/nonexistent/tlc-out"])
        assert "cannot read /nonexistent/tlc-media/a.mp4" in str(err.value)
        assert "cannot write into /nonexistent/tlc-out" in str(err.value)
        assert "shared storage" in (err.value.hint or "")
        ex.check_paths([sys.executable], [str(Path.cwd())])  # what every worker has: fine
    finally:
        ex.close()


def test_an_unreachable_scheduler_is_a_clear_error(examples: Path) -> None:
    proc = tlc("export", "teaser.tl", "-o", "out/u.mp4", "--scheduler", "tcp://127.0.0.1:9",
               cwd=examples, check=False, env={"TLC_DASK_CONNECT_TIMEOUT": "2"})
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr


_ = Facts  # (the type of facts(), for readers)


# ---- before anything renders --------------------------------------------------------------


def test_an_existing_output_is_refused_before_any_segment_renders(
    examples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "there.mp4"
    out.write_bytes(b"keep me")
    cache = tmp_path / "cache"
    proc = tlc("export", "teaser.tl", "-o", str(out), "--cache", str(cache), cwd=examples,
               check=False)
    assert proc.returncode == 2 and "exists: use -y" in proc.stderr
    assert out.read_bytes() == b"keep me"
    assert not list(cache.rglob("*.mp4"))


def test_the_cache_must_lie_under_the_output_root(examples: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    proc = tlc("export", str(examples / "teaser.tl"), "-o", str(root / "o.mp4"),
               "--output-root", str(root), "--cache", str(outside), cwd=examples, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "is outside --output-root" in proc.stderr and not outside.exists()


def test_two_outputs_at_two_frame_rates(examples: Path, tmp_path: Path) -> None:
    """A second output at 25 fps beside the program's 30 is drawn on its own frame grid
    (each cut on its nearest frame), so its windows start at any cut, and it keeps the
    one-run export's 250 frames. A second output of another size is cut in windows of
    its own program too, and matches its one-run export."""
    media = examples / "media"
    body = f"""
video {{
  clip "{media}/intro.mp4"
  clip "{media}/a.mp4" trim 2s..5.5s
  gap 1s
  clip "{media}/c.mp4" trim ..2.5s
}}
overlay {{ text "hi" at 1s..5s }}
"""
    head = (f'output "{tmp_path}/p.mp4" {{ size 320x180 fps 30 preset draft }}\n'
            f'output "{tmp_path}/q.mkv" {{ size 320x180 fps 25 preset draft }}\n')
    tl = tmp_path / "two.tl"
    tl.write_text(head + body)
    proc = tlc("export", str(tl), "--jobs", "2", "--progress", "json", cwd=tmp_path)
    assert done_event(proc)["segments"]["rendered"] == 10  # type: ignore[index]
    p, q = facts(tmp_path / "p.mp4"), facts(tmp_path / "q.mkv")
    assert (p.frames, q.frames, q.fps) == (300, 250, 25)
    tl.write_text(head.replace("size 320x180 fps 25", "size 160x90 fps 25") + body)
    proc = tlc("export", str(tl), "-y", "--jobs", "2", cwd=tmp_path)
    assert "exporting in one run" not in proc.stderr
    segmented = tmp_path / "q-seg.mkv"
    os.replace(tmp_path / "q.mkv", segmented)
    tlc("export", str(tl), "-y", cwd=tmp_path)
    q = facts(tmp_path / "q.mkv")
    assert (q.width, q.height, q.frames, facts(segmented).frames) == (160, 90, 250, 250)
    assert min(psnr_per_frame(tmp_path / "q.mkv", segmented)) > 40


def test_a_timeline_whose_video_is_copied_stays_one_run(examples: Path, tmp_path: Path) -> None:
    """The join example copies its clips' video: no segmented export is faster."""
    out = tmp_path / "j.mp4"
    proc = tlc("export", "join.tl", "-o", str(out), "--incremental", "--cache",
               str(tmp_path / "c"), "--progress", "json", cwd=examples)
    assert "its video is copied from the sources, not encoded: one run is faster" in proc.stderr
    assert "segments" not in done_event(proc)
    assert facts(out).frames == 270


@pytest.mark.parametrize("fps", ["60", "24000/1001"])
def test_a_picture_in_picture_across_cuts_matches_one_run(examples: Path, tmp_path: Path,
                                                          fps: str) -> None:
    """A 30 fps picture in picture over cuts, at 60 fps (its last frame before a cut
    must still be drawn) and at 23.976 fps (its frames after a cut keep their timing)."""
    media = examples / "media"
    text = f"""output "{tmp_path}/@.mp4" {{ size 320x180 fps {fps} preset production }}
video {{
  clip "{media}/intro.mp4" trim ..2s
  clip "{media}/b.mov" trim 1s+2s
  clip "{media}/intro.mp4" trim 1s..3s
  clip "{media}/c.mp4" trim ..2s
}}
overlay {{
  video "{media}/pip.mp4" at 1s..7s pos 150,10 scale 160x90
}}
"""
    for name in ("one", "seg"):
        (tmp_path / f"{name}.tl").write_text(text.replace("@", name))
    tlc("export", str(tmp_path / "one.tl"), cwd=tmp_path)
    tlc("export", str(tmp_path / "seg.tl"), "--jobs", "2", "--segment", "2", cwd=tmp_path)
    one, got = facts(tmp_path / "one.mp4"), facts(tmp_path / "seg.mp4")
    assert got.frames == one.frames
    psnr = psnr_per_frame(tmp_path / "one.mp4", tmp_path / "seg.mp4")
    assert len(psnr) == one.frames and min(psnr) > 40, min(psnr)


def test_clips_that_differ_in_colour_are_exported_in_one_run(examples: Path,
                                                             tmp_path: Path) -> None:
    """A BT.709 clip after an untagged one: one run converts it to the track's colours
    in its graph; windows would not, so the export stays one run and says why."""
    tagged = tmp_path / "hd709.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=2",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
         str(tagged)], check=True)
    tl = tmp_path / "mixed.tl"
    tl.write_text(f'output "{tmp_path}/m.mp4" {{ size 320x180 fps 30 preset draft }}\n'
                  f'video {{\n  clip "{examples}/media/intro.mp4" trim ..2s\n'
                  f'  clip "{tagged}"\n}}\n')
    proc = tlc("export", str(tl), "--jobs", "2", cwd=tmp_path)
    assert "not in segments: its clips differ in colour (intro.mp4: BT.601, limited range; " \
        "hd709.mp4: BT.709, limited range)" in proc.stderr
    assert facts(tmp_path / "m.mp4").frames == 120


def _ramp(path: Path, seconds: int, *extra: str) -> Path:
    """A flat picture whose brightness counts its frames (16 + 4 * (n mod 50)), and a
    tone: which source frame an output frame shows can be read from its pixels."""
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
         f"color=black:size=160x120:rate=25:d={seconds},format=yuv420p,"
         "geq=lum='16+4*mod(N\\,50)':cb=128:cr=128",
         "-f", "lavfi", "-i", f"sine=duration={seconds}", "-c:v", "libx264", "-qp", "0",
         "-c:a", "aac", *extra, str(path)], check=True)
    return path


def _frame_numbers(path: Path, x: int, y: int) -> list[float]:
    """The ramp's frame number (mod 50) each frame shows at (x, y), as read: within a
    quarter of a frame number of a whole one after a lossy encode."""
    import av

    numbers = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            plane = frame.planes[0]  # (the luma as stored: yuv420p, not rescaled to gray)
            numbers.append((bytes(plane)[y * plane.line_size + x] - 16) / 4)
    return numbers


def _same_frames(got: list[float], expected: list[float]) -> bool:
    """True when each frame reads as the same frame number (a frame off is 1 apart)."""
    return len(got) == len(expected) and all(
        abs(a - b) < 0.5 for a, b in zip(got, expected, strict=True))


def test_odd_sources_show_the_same_frames_segmented_as_in_one_run(tmp_path: Path) -> None:
    """Every output frame shows the same source frame, in windows as in one run, for:
    an MPEG-TS clip trimmed (ffmpeg starts a file where its mapped streams start: the
    TS's pictures in a window, its sound in one run, a frame apart); a picture in
    picture trimmed between two of its frames (a frame late after each cut); and an
    animated GIF given as an image (it ran on past a short window: 170 frames for 150)."""
    _ramp(tmp_path / "ramp.ts", 4, "-f", "mpegts")
    _ramp(tmp_path / "ramp.mp4", 8)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=40x30:rate=10:duration=2", str(tmp_path / "anim.gif")],
                   check=True)
    make_video(tmp_path / "a.mp4", 2, size=(160, 120), fps=25)
    text = """output "@.mp4" { size 160x120 fps 25 preset draft }
video {
  clip "a.mp4"
  clip "ramp.ts" trim 0.5s..3.5s
  clip "a.mp4"
  clip "a.mp4"
}
overlay {
  video "ramp.mp4" at 1s..8s trim 0.5s.. pos 120,0 scale 40x30
  image "anim.gif" at 0s..2s pos 0,90
}
"""
    for name in ("one", "seg"):
        (tmp_path / f"{name}.tl").write_text(text.replace("@", name))
    tlc("export", str(tmp_path / "one.tl"), cwd=tmp_path)
    tlc("export", str(tmp_path / "seg.tl"), "--jobs", "2", "--segment", "1", cwd=tmp_path)
    one, seg = tmp_path / "one.mp4", tmp_path / "seg.mp4"
    assert facts(seg).frames == facts(one).frames == 225
    main, pip = _frame_numbers(one, 60, 60), _frame_numbers(one, 140, 15)
    assert _same_frames(main[50:125], [(12 + k) % 50 for k in range(75)])  # TS: 0.503 s on
    assert _same_frames(pip[25:200], [(13 + k) % 50 for k in range(175)])  # 0.52 s: frame 13
    assert _same_frames(_frame_numbers(seg, 60, 60)[50:125], main[50:125])
    assert _same_frames(_frame_numbers(seg, 140, 15)[25:200], pip[25:200])
    assert min(psnr_per_frame(one, seg)) > 40
