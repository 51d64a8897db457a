"""A segmented export: segments rendered apart (cached, in parallel), then one join.

The plan, for each output::

    segment 1 ─┐  video only, windows of the timeline cut at its cut points
    segment 2 ─┤  (tlc.segmented.windows), each starting on a keyframe; with a cache, each
    ...        │  kept under the hash of what made it (tlc.segmented.store)
    segment N ─┤
    sound     ─┤  the whole timeline's sound, encoded once (no priming at joins)
               └─> ffmpeg -f concat -i segments.txt -i sound.m4a -c copy OUT

The segment and sound renders are independent :class:`~tlc.runtime.jobs.Job` values
that an executor runs (one after the other, on local cores, or on a Dask
cluster); the join is the serial part, a stream copy. Each render is an ordinary
compile of a smaller timeline, so every pass and encoder plugin applies to it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from tlc.backend.emit import Step, emit
from tlc.core.context import Context
from tlc.core.errors import FfmpegError, UsageError
from tlc.core.timefmt import human
from tlc.ir import ConcatEntry, ConcatSrc, Copy, Encode, OutputSpec, Plan, Sink, Src, Timeline, walk
from tlc.lower.programs import for_output
from tlc.passes.finalize import finalize
from tlc.plugin.codecs import audio_codec, video_codec
from tlc.runtime.jobs import Executor, ExecutorOptions, Job, JobResult
from tlc.runtime.run import Progress, ProgressFn, execute
from tlc.segmented import windows as seg
from tlc.segmented.gops import SMART_KEY, smart_view, window_context
from tlc.segmented.progress import RENDERS, RenderProgress, takes_progress
from tlc.segmented.store import SegmentCache, input_paths, segment_key


@dataclass(frozen=True, slots=True)
class SegmentOptions:
    """How to segment and where to keep segments (the CLI's export options)."""

    executor: str = "local"
    jobs: int = 1
    scheduler: str | None = None
    cache: str | None = None  # a directory: keep segments there (incremental re-export)
    cache_limit: int | None = None
    hash_content: bool = False
    segment_seconds: Fraction | None = None


@dataclass
class Report:
    """What a segmented export did, for the user and for the benchmarks."""

    segments: int = 0
    rendered: int = 0
    cached: int = 0
    render_seconds: list[tuple[str, float]] = field(default_factory=list)
    join_seconds: float = 0.0
    executor: str = ""

    def summary(self) -> str:
        return (
            f"{self.segments} segment(s): {self.rendered} rendered, {self.cached} from the "
            f"cache ({self.executor}); join {self.join_seconds:.2f} s"
        )


@dataclass
class _Output:
    spec: OutputSpec
    video: list[str] = field(default_factory=list)  # segment files, in order
    sound: str | None = None


@dataclass
class SegmentedExport:
    """The jobs to run and the join that follows them."""

    timeline: Timeline
    ctx: Context
    jobs: list[Job]
    outputs: list[_Output]
    workdir: str
    cache: SegmentCache | None
    report: Report
    keys: set[str]

    def join_steps(
        self,
        sources: dict[str, str] | None = None,
        colour_flags: dict[str, tuple[str, ...]] | None = None,
    ) -> list[Step]:
        """The runs that join each output's segments and sound (a stream copy):
        ``sources`` replaces segment paths (pinned links), ``colour_flags`` adds each
        output's options (:func:`uniform_colours`)."""
        sources = sources or {}
        colour_flags = colour_flags or {}
        sinks = []
        for out in self.outputs:
            entries = tuple(ConcatEntry(sources.get(p, p)) for p in out.video)
            streams: list[Copy] = [Copy(ConcatSrc(entries, "v"), "v")]
            if out.sound is not None:
                streams.append(Copy(Src(sources.get(out.sound, out.sound), "a"), "a"))
            flags = colour_flags.get(out.spec.path, ())
            sinks.append(
                Sink(out.spec.path, tuple(streams), "output", out.spec.container, flags,
                     duration=self.timeline.duration)
            )
        plan = Plan(tuple(sinks), self.timeline, os.path.join(self.workdir, "join"))
        # (what only an output needs, such as +faststart, as for every plan)
        return emit(finalize(plan, self.ctx), self.ctx.ffmpeg)

    def steps(self) -> list[Step]:
        """Every run, in an order that works one at a time (``tlc print``, ``--dry-run``)."""
        return [s for job in self.jobs for s in job.steps] + self.join_steps()


def one_run_notice(plan: Plan) -> str | None:
    """What to tell a user who asked for segments when ``plan`` is exported in one run
    (None: it can be segmented)."""
    why = not_segmentable(plan.timeline, plan)
    return None if why is None else f"exporting in one run, not in segments: {why}"


def not_segmentable(tl: Timeline, plan: Plan | None = None) -> str | None:
    """Why ``tl`` cannot be exported in segments (None: it can). With ``plan``, its
    one-run plan: one that encodes no video (it copies it) is faster than any
    segmented export, and is kept."""
    for out in tl.outputs:
        why = seg.segmentable(out)
        if why is not None:
            return f"output {os.path.basename(out.path)}: {why}"
    colours = seg.colour_mismatch(tl)
    if colours is not None:
        return colours
    if tl.subtitles:  # (a window's burned cues would need its offset; soft ones the join)
        return "it has subtitles"
    if tl.chapters:
        return "it has chapters"
    if plan is not None and not any(
        isinstance(n, Encode) and n.media == "v" for n in walk(list(plan.outputs))
    ):
        return "its video is copied from the sources, not encoded: one run is faster"
    return None


def plan_segments(
    tl: Timeline, ctx: Context, opts: SegmentOptions, workers: int
) -> SegmentedExport:
    """Cut ``tl`` into segment jobs (those the cache has already are not jobs)."""
    from tlc.pipeline import compile_resolved

    why = not_segmentable(tl)
    if why is not None:
        raise UsageError(f"cannot export in segments: {why}")
    assert ctx.workdir is not None
    workdir = ctx.workdir
    cache = None
    if opts.cache is not None:
        cache = SegmentCache(opts.cache, opts.cache_limit)
        if ctx.output_root is not None:
            from tlc.core.confine import inside

            if not inside(opts.cache, ctx.output_root):
                raise UsageError(
                    f"the segment cache {opts.cache} is outside --output-root {ctx.output_root}",
                    hint="give --cache DIR under the output root",
                )
        try:
            cache.prepare()
        except OSError as err:
            raise UsageError(f"cannot use the segment cache {opts.cache}: {err.strerror}") from None
    version = ctx.ffmpeg.version_text if ctx.ffmpeg else ""
    report = Report()
    jobs: list[Job] = []
    outputs: list[_Output] = []
    keys: set[str] = set()
    target = seg.target_length(tl, workers, opts.segment_seconds)
    # A video window is smart-rendered inside unless smart render is off: the two give
    # other bytes, so they are two cache entries (the sound is the same either way).
    off = ctx.smart == "off" or "smart_render" in ctx.disabled_passes
    smart_mode = "smart-off" if off else "smart-auto"

    def job_for(
        sub: Timeline, ext: str, label: str, codecs: Sequence[object], smart: bool = False,
        copied: bool = False, video: bool = True,
    ) -> str:
        mode = [SMART_KEY if smart else smart_mode] if video else []
        key = segment_key(sub, [*codecs, *mode], version, opts.hash_content)
        again = key in keys
        keys.add(key)
        report.segments += 1
        if cache is not None:
            path = cache.path(key, ext)
            if cache.hit(key, ext) is not None:
                report.cached += 1
                return path
        else:
            path = os.path.join(workdir, "segments", f"{key[:16]}{ext}")
        if again:
            return path  # the same segment twice in one export (a repeated window): one job
        sub = replace(sub, outputs=(replace(sub.outputs[0], path=path),))
        sub_ctx = window_context(ctx, sub.outputs[0], smart,
                                 os.path.join(workdir, f"job-{key[:16]}"))
        compiled = compile_resolved(sub, sub_ctx)
        for w in sub_ctx.warnings:
            ctx.warn(w)
        jobs.append(
            Job(
                key=key,
                label=label,
                # (a window of the source's GOPs, copied: so tlc print says)
                steps=tuple(replace(st, label="copied window") if copied else st
                            for st in compiled.steps),
                output=path,
                workdir=sub_ctx.workdir or workdir,
                seconds=sub.duration,
                lock=cache.lock_path(key) if cache is not None else None,
            )
        )
        return path

    for out in tl.outputs:
        made = _Output(out)
        view = for_output(tl, out)  # (its own program: its size, fit and frame grid)
        smart = smart_view(view, out, ctx)  # (cut at the source's keyframes: tlc.segmented.gops)
        view = smart.timeline if smart is not None else view
        spans = seg.windows(view, target, out.fps if out.fps != view.fps else None)
        vcodec = video_codec(out)
        for i, (start, end) in enumerate(spans, 1):
            sub = seg.video_window(view, out, start, end, "")
            window = f"{human(start, 's')}..{human(end, 's')}"
            copied = smart is not None and smart.all_copied(sub, start)
            label = f"{os.path.basename(out.path)} video {i}/{len(spans)} ({window})"
            label += " copied" if copied else ""
            made.video.append(job_for(sub, seg.SEGMENT_CONTAINER[1], label, [vcodec],
                                      smart is not None, copied))
        if out.has_audio:
            sub = seg.audio_only(tl, out, "")
            codecs = [] if out.audio == "copy" else [audio_codec(out)]
            label = f"{os.path.basename(out.path)} sound"
            made.sound = job_for(sub, seg.sound_extension(out), label, codecs, video=False)
        outputs.append(made)
    return SegmentedExport(tl, ctx, jobs, outputs, workdir, cache, report, keys)


def run_segments(
    export: SegmentedExport,
    executor: Executor,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
) -> list[str]:
    """Render the jobs with ``executor``, then join; return the outputs written."""
    from tlc.runtime.run import check_outputs

    report = export.report
    report.executor = executor.name
    # before anything renders: an output that exists without -y, a worker that cannot
    # see the media or write the segments
    check_outputs(export.join_steps(), overwrite)
    if export.jobs:
        reads = input_paths(export.timeline)
        ffmpeg = export.jobs[0].steps[0].argv[0]
        dirs = sorted({os.path.dirname(j.output) for j in export.jobs})
        os.makedirs(export.workdir, exist_ok=True)
        for d in dirs:
            os.makedirs(d, exist_ok=True)
        executor.check_paths([ffmpeg, *reads], dirs)
    steps_total = len(export.jobs) + 1
    told = RenderProgress(export.jobs, progress)

    def on_done(job: Job, result: JobResult) -> None:
        if result.rendered:
            report.rendered += 1
            report.render_seconds.append((job.label, result.wall))
            if export.cache is not None:
                export.cache.describe(job.key, job.label, job.seconds, export.timeline.file)
        else:
            report.cached += 1  # another export rendered it meanwhile
        told.ended(job)

    try:
        if export.jobs:
            if progress is not None and takes_progress(executor):
                executor.run(export.jobs, on_done, told.rendering)
            else:
                executor.run(export.jobs, on_done)
        started = time.monotonic()
        pins = _pin(export)
        colours = {
            out.spec.path: uniform_colours(out.spec, [pins.get(p, p) for p in out.video])
            for out in export.outputs
        }

        def join_progress(p: Progress) -> None:
            if progress is not None:
                progress(replace(p, step=steps_total, steps=steps_total,
                                 overall=RENDERS + (1 - RENDERS) * p.fraction))

        written = execute(
            export.join_steps(pins, colours),
            overwrite=overwrite,
            progress=join_progress,
            workdir=os.path.join(export.workdir, "join"),
            root=export.ctx.output_root,
        )
        report.join_seconds = time.monotonic() - started
    finally:
        shutil.rmtree(export.workdir, ignore_errors=True)
    if export.cache is not None:
        export.cache.trim(keep=export.keys)
    return written


#: the bitstream filter that rewrites each codec family's colour description
_METADATA_BSF = {"h264": "h264_metadata", "hevc": "hevc_metadata", "av1": "av1_metadata"}


def uniform_colours(out: OutputSpec, segments: Sequence[str]) -> tuple[str, ...]:
    """Options for the join that give the whole stream the first segment's colour
    description, when the segments' differ; () when they agree.

    An encoder writes the colour description (range, matrix, primaries, transfer) of
    its first frame. A one-run export has one, its program's first frame's; the
    windows of a segmented one start on other clips, which may be tagged otherwise
    (a BT.601 camera file after an untagged one): joined as they are, the stream
    would change its description, and a player its colours, at that join. The
    pictures are the same: only the description is rewritten (a bitstream filter,
    no re-encode).
    """
    import av

    described = []
    for path in segments:
        with av.open(path) as c:
            if not c.streams.video or not c.streams.video[0].frames:
                # ffmpeg wrote a file without pictures (a source it could not decode
                # from the trim's start): never join it as if it were the window
                raise FfmpegError(
                    f"a window of {os.path.basename(out.path)} came out with no video "
                    f"({os.path.basename(path)}): ffmpeg decoded no frame of its clips; "
                    "a one-run export (without --jobs, --incremental, --executor) may "
                    "drop that clip silently instead"
                )
            cc = c.streams.video[0].codec_context
            described.append(
                (int(cc.color_range), int(cc.color_primaries), int(cc.color_trc),
                 int(cc.colorspace))
            )
    if len(set(described)) <= 1:
        return ()
    bsf = _METADATA_BSF.get(out.video)
    if bsf is None:
        return ()
    rng, primaries, trc, matrix = described[0]
    unspecified = 2
    full = 1 if rng == 2 else 0  # AVCOL_RANGE_JPEG: full range
    # (the same four fields; AV1's filter spells two of them otherwise)
    av1 = bsf == "av1_metadata"
    values = {
        "color_primaries" if av1 else "colour_primaries": primaries or unspecified,
        "transfer_characteristics": trc or unspecified,
        "matrix_coefficients": matrix or unspecified,
        "color_range" if av1 else "video_full_range_flag": full,
    }
    return ("-bsf:v", f"{bsf}=" + ":".join(f"{k}={v}" for k, v in values.items()))


def _pin(export: SegmentedExport) -> dict[str, str]:
    """Hard links, in the export's work directory, to the cached files it joins: a
    concurrent export trimming the cache cannot remove them from under the join."""
    if export.cache is None:
        return {}
    where = os.path.join(export.workdir, "pinned")
    os.makedirs(where, exist_ok=True)
    pins: dict[str, str] = {}
    for out in export.outputs:
        for path in [*out.video, *([out.sound] if out.sound else [])]:
            if path in pins:
                continue
            link = os.path.join(where, f"{len(pins):05d}-{os.path.basename(path)}")
            try:
                os.link(path, link)
            except FileNotFoundError:
                raise UsageError(
                    f"the cached segment {path} disappeared before the join",
                    hint="another tlc cleared the cache meanwhile: export again",
                ) from None
            except OSError:
                with contextlib.suppress(OSError):
                    shutil.copyfile(path, link)
            pins[path] = link
    return pins


def make_executor(name: str, options: ExecutorOptions) -> Executor:
    """The executor called ``name`` from the plugins (``tlc_executors``)."""
    from tlc.plugin.manager import registry

    found = registry().executors()
    for info in found:
        if info.name == name:
            return info.make(options)
    raise UsageError(
        f"unknown executor {name!r}", hint="executors: " + ", ".join(i.name for i in found)
    )


def export_segmented(
    tl: Timeline,
    ctx: Context,
    opts: SegmentOptions,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    on_plan: Callable[[SegmentedExport], None] | None = None,
) -> tuple[list[str], Report]:
    """Plan, render and join; return the outputs written and what was done."""
    executor = make_executor(opts.executor, ExecutorOptions(opts.jobs, opts.scheduler))
    try:
        workers = executor.workers
        export = plan_segments(tl, ctx, opts, workers)
        if on_plan is not None:
            on_plan(export)
        return run_segments(export, executor, overwrite=overwrite, progress=progress), export.report
    finally:
        executor.close()
