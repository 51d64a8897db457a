"""The Python API, for programs that embed tlc::

    import tlc
    plan = tlc.compile_file("teaser.tl")            # parse, resolve, lower, optimize
    tlc.export("teaser.tl", output="out/t.mp4", size=(1280, 720), overwrite=True)
    tlc.export('output "a.m4a"\\naudio { clip "x.wav" }')   # text works too

Everything the CLI compiles, renders or prints goes through here (``tlc plugins`` and
``tlc doctor`` through :mod:`tlc.doctor`), and so can any program that embeds tlc.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from tlc.core.context import Context, Overrides
from tlc.core.errors import UsageError
from tlc.core.presets import PRESET_CHOICES, unknown_preset
from tlc.ir import Plan
from tlc.pipeline import Compiled, compile_resolved, compile_timeline, explain
from tlc.runtime.run import ProgressFn, execute
from tlc.syntax.values import parse_fps, parse_size

__all__ = [
    "Compiled", "SEGMENT_OPTIONS", "check_outputs", "compile", "compile_file",
    "compile_resolved", "compile_timeline", "context", "explain", "export", "parse_fps",
    "parse_size", "read_source", "render", "runs", "runs_js", "runs_json", "segment_cache",
    "segment_options", "shell_script",
]

if TYPE_CHECKING:
    from tlc.backend.emit import Step
    from tlc.exportlog.record import Recording
    from tlc.segmented.export import Report, SegmentedExport, SegmentOptions
    from tlc.segmented.store import SegmentCache


def context(
    *,
    output: str | None = None,
    size: tuple[int, int] | str | None = None,
    fps: float | Fraction | str | None = None,
    preset: str | None = None,
    encoder: str | None = None,
    disable_passes: Iterable[str] = (),
    optimize: bool = True,
    ffmpeg: str | None = None,
    output_root: str | None = None,
    no_output_ok: bool = False,
    relink: Sequence[str | os.PathLike[str]] = (),
    engine: str = "native",
    smart: str = "auto",
) -> Context:
    """The options of one compile. A file without an ``output`` statement renders to
    ``output`` with the defaults for its extension; with neither, it is an error unless
    ``no_output_ok`` (checking the edit: an implicit output with the defaults, or the
    config file's, and ``size``/``fps``, gives it its frame grid). ``relink``: folders
    where media an editor's timeline (``.otio``, ``.edl``, ...) names but that is not
    there is found by file name. ``engine``: what runs the plan, ``native`` ffmpeg or
    ``wasm`` (ffmpeg.wasm under Node.js); the plan is made for that engine's ffmpeg (its
    version, encoders, filters, fonts)."""
    from tlc.config import load_defaults
    from tlc.core import cache
    from tlc.core.confine import output_root as real_root
    from tlc.core.toolchain import find_ffmpeg
    from tlc.passes import PASS_NAMES

    unknown = [p for p in disable_passes if p not in PASS_NAMES]
    if unknown:
        raise UsageError(f"unknown pass {unknown[0]!r}", hint="passes: " + ", ".join(PASS_NAMES))
    if isinstance(size, str):
        size = parse_size(size)
    if fps is not None and not isinstance(fps, Fraction):
        fps = parse_fps(str(fps))
    if preset is not None and preset not in PRESET_CHOICES:
        raise UsageError(unknown_preset(preset))
    if smart not in ("auto", "on", "off"):
        raise UsageError(f"unknown smart mode {smart!r}: use auto, on or off")
    overrides = Overrides(output=output, size=size, fps=fps, preset=preset, encoder=encoder)
    root = real_root(output_root) if output_root is not None else None
    with cache.confined(root):
        found = find_ffmpeg(ffmpeg, engine)
    return Context(
        overrides=overrides,
        defaults=load_defaults(),
        disabled_passes=frozenset(disable_passes),
        optimize=optimize,
        ffmpeg=found,
        output_root=root,
        no_output_ok=no_output_ok,
        relink=tuple(os.fspath(d) for d in relink),
        smart=smart,
    )


def read_source(path_or_text: str, text_ok: bool = True) -> tuple[str, str]:
    """(text, file name) from a path or (``text_ok``) from `.tl` text itself. A timeline
    OpenTimelineIO reads (``.otio``, ``.edl``, ...) is read when compiled: its text here
    is only for the export log's hash ("" for a zipped ``.otioz``)."""
    from tlc.interchange.formats import is_interchange

    if "\n" not in path_or_text and is_interchange(path_or_text):
        if not os.path.isfile(path_or_text):
            raise UsageError(f"no such file: {path_or_text}")
        if path_or_text.lower().endswith(".otioz"):
            return "", path_or_text
        with open(path_or_text, encoding="utf-8", errors="replace") as fh:
            return fh.read(), path_or_text
    if not text_ok or (
        "\n" not in path_or_text
        and (path_or_text.endswith(".tl") or os.path.exists(path_or_text))
    ):
        try:
            with open(path_or_text, encoding="utf-8") as fh:
                return fh.read(), path_or_text
        except FileNotFoundError:
            raise UsageError(f"no such file: {path_or_text}") from None
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"cannot read {path_or_text}: {e}") from None
    return path_or_text, "<string>"


def compile_file(path: str, **options: object) -> Plan:
    """Compile a `.tl` file (or `.tl` text) into its optimized :class:`~tlc.ir.Plan`."""
    return compile(path, **options).plan


def compile(path_or_text: str, **options: object) -> Compiled:  # noqa: A001
    text, file = read_source(path_or_text)
    ctx = context(**options)  # type: ignore[arg-type]
    return compile_timeline(text, file, ctx)


#: the options of :func:`export` (and the CLI's) that ask for a segmented export
SEGMENT_OPTIONS = (
    "jobs", "executor", "scheduler", "incremental", "cache", "cache_limit", "hash_content",
    "segment_seconds",
)


def export(
    path_or_text: str,
    output: str | None = None,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    log: bool | None = None,
    **options: object,
) -> list[str]:
    """Compile and render; return the paths written. Options are the CLI's:
    ``size``, ``fps``, ``preset``, ``encoder``, ``disable_passes``, ``optimize``, ``ffmpeg``,
    ``smart`` (``auto``, ``on``, ``off``: smart render),
    ``output_root`` (every file written stays under this directory).

    Segmented export (see :mod:`tlc.segmented.export` and :func:`segment_options`):
    ``incremental=True`` (or ``cache=DIR``) keeps rendered segments and renders again
    only those that changed; ``jobs``, ``executor`` (``local``, ``pool``, ``dask``)
    and ``scheduler`` spread the segments over local processes or a Dask cluster.

    The export, failed ones too, is appended to the export log (``tlc stats``,
    :mod:`tlc.exportlog`); ``log=False`` keeps it out.
    """
    from tlc.exportlog.record import recording

    with recording(enabled=log) as rec:
        wanted = {k: options.pop(k) for k in SEGMENT_OPTIONS if k in options}
        segments = segment_options(**wanted)  # type: ignore[arg-type]
        text, file = read_source(path_or_text)
        rec.source(text, file)
        compiled = compile_timeline(text, file, context(output=output, **options))  # type: ignore[arg-type]
        return render(compiled, overwrite=overwrite, progress=progress, segments=segments)


def segment_options(
    *,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    incremental: bool = False,
    cache: str | None = None,
    cache_limit: int | str | None = None,
    hash_content: bool = False,
    segment_seconds: float | Fraction | str | None = None,
) -> SegmentOptions | None:
    """The segmented export these options ask for; None: a plain one-run export."""
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more")
    wanted = (
        incremental or cache is not None or (jobs or 1) > 1 or executor is not None
        or scheduler is not None or segment_seconds is not None
    )
    if not wanted:
        return None  # (a plain export loads nothing of the segmented one)
    from tlc.segmented.export import SegmentOptions
    from tlc.segmented.store import DEFAULT_LIMIT, default_dir, parse_size_limit

    if scheduler is not None and executor not in (None, "dask"):
        raise UsageError("--scheduler is for --executor dask")
    if jobs is None:  # as many renders at once as there are cores (the sound is one of them)
        jobs = 1 if executor == "local" else max(1, min(os.cpu_count() or 1, 8))
    name = executor or ("dask" if scheduler else "pool" if jobs > 1 else "local")
    if cache is None and incremental:
        cache = default_dir()
        if cache is None:
            raise UsageError(
                "--incremental: tlc's cache directory is outside --output-root",
                hint="give --cache DIR under the output root (or set TLC_CACHE_DIR)",
            )
    if cache is not None:
        cache = os.path.abspath(os.path.expanduser(cache))
    limit = parse_size_limit(cache_limit) if isinstance(cache_limit, str) else cache_limit
    seconds = None
    if segment_seconds is not None:
        try:
            seconds = Fraction(str(segment_seconds)).limit_denominator(1000)
        except (ValueError, ZeroDivisionError):
            seconds = None
        if seconds is None or seconds <= 0:
            raise UsageError(f"bad --segment {segment_seconds!r}: give seconds, such as 10")
    return SegmentOptions(
        executor=name, jobs=jobs, scheduler=scheduler, cache=cache,
        cache_limit=limit if limit is not None else DEFAULT_LIMIT,
        hash_content=hash_content, segment_seconds=seconds,
    )


def render(
    compiled: Compiled,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    notify: Callable[[str], None] | None = None,
    segments: SegmentOptions | None = None,
    on_report: Callable[[Report], None] | None = None,
    log: bool | None = None,
) -> list[str]:
    """Run a compiled export; return the paths written.

    If it fails while an encoder that ``encoder auto`` chose on the GPU is in it, the
    export runs once more with that output's software encoder, and ``notify`` (by
    default :func:`warnings.warn`) is told why. A GPU encoder can pass its check and
    still fail on a real export (out of sessions or memory, a driver reset).

    With ``segments``, the export is segmented (:mod:`tlc.segmented.export`) and
    ``on_report`` gets what it did; a timeline that cannot be segmented (sound only,
    video copied) is exported in one run, and ``notify`` says so.

    Each render is logged (:mod:`tlc.exportlog`; ``log=False``: not this one).
    """
    from tlc.exportlog.record import recording

    with recording(enabled=log, warn=notify) as rec:
        rec.compiled(compiled)
        rec.outputs = _render(compiled, rec, overwrite, progress, notify, segments, on_report)
        return rec.outputs


def _render(
    compiled: Compiled,
    rec: Recording,
    overwrite: bool,
    progress: ProgressFn | None,
    notify: Callable[[str], None] | None,
    segments: SegmentOptions | None,
    on_report: Callable[[Report], None] | None,
) -> list[str]:
    from tlc.core.errors import FfmpegError
    from tlc.plugin import reason_from_stderr

    if any(o.implicit for o in compiled.plan.timeline.outputs):
        raise UsageError("this timeline has no output to render (it was compiled to check it)",
                         hint="compile it with output=PATH")
    from tlc.plugin.selection import software_fallback

    engine = compiled.ctx.ffmpeg.engine if compiled.ctx.ffmpeg else "native"
    if segments is not None and engine != "native":
        raise UsageError(f"a segmented export (--jobs, --incremental, ...) is for the native "
                         f"engine, not --engine {engine}")
    if segments is not None:
        from tlc.exportlog.record import log_segments
        from tlc.segmented.export import export_segmented, one_run_notice

        notice = one_run_notice(compiled.plan)
        if notice is None:
            rec.segmented = True
            planned: list[SegmentedExport] = []
            outputs, report = export_segmented(
                compiled.plan.timeline, compiled.ctx, segments,
                overwrite=overwrite, progress=progress, on_plan=planned.append,
            )
            log_segments(rec, planned[0], report)
            if on_report is not None:
                on_report(report)
            return outputs
        (notify or _warn)(notice)

    def run(c: Compiled) -> list[str]:
        return execute(
            c.steps,
            overwrite=overwrite,
            progress=progress,
            workdir=c.ctx.workdir,
            root=c.ctx.output_root,
            on_run=rec.run,
            engine=engine,
        )

    try:
        return run(compiled)
    except FfmpegError as err:
        fallback = software_fallback(compiled.plan.timeline)
        if fallback is None:
            raise
        timeline, changed = fallback
        why = reason_from_stderr(err.stderr_tail, err.returncode or 1)
        for path, hardware, software in changed:
            (notify or _warn)(
                f"hardware encoder {hardware} failed during the export ({why}); "
                f"exporting {os.path.basename(path)} again with {software}"
            )
    from tlc.core import cache

    with cache.confined(compiled.ctx.output_root):
        again = compile_resolved(timeline, compiled.ctx)
    rec.fallback = True
    return run(again)


def _warn(message: str) -> None:
    import warnings

    warnings.warn(message, RuntimeWarning, stacklevel=3)


# ---- what an export would run, as the CLI shows it ------------------------------------


def runs(
    compiled: Compiled,
    segments: SegmentOptions | None = None,
    notify: Callable[[str], None] | None = None,
) -> list[Step]:
    """The runs an export would execute (``--dry-run``, ``tlc print``): the compiled
    ones, or with ``segments`` the renders the cache lacks, then the join. A timeline
    that stays one run has ``notify`` told why, as the export tells it."""
    if segments is None:
        return list(compiled.steps)
    from tlc.segmented.export import one_run_notice, plan_segments

    notice = one_run_notice(compiled.plan)
    if notice is not None:
        (notify or _warn)(notice)
        return list(compiled.steps)
    planned = plan_segments(compiled.plan.timeline, compiled.ctx, segments, segments.jobs)
    return planned.steps()


def shell_script(steps: Sequence[Step], source: str, workdir: str | None) -> str:
    """``tlc print``: a POSIX shell script that does what the export does."""
    from tlc.backend.text import steps_sh

    return steps_sh(steps, source, workdir)


def runs_json(steps: Sequence[Step]) -> str:
    """``tlc print --format json``: the runs as JSON."""
    from tlc.backend.text import steps_json

    return steps_json(steps)


def runs_js(steps: Sequence[Step], source: str, workdir: str | None) -> str:
    """``tlc print --format js``: an ES module that runs the steps (compiled with
    ``engine="wasm"``) with ffmpeg.wasm in a browser (:mod:`tlc.backend.jsmodule`)."""
    from tlc.backend.jsmodule import steps_js

    return steps_js(steps, source, workdir)


def check_outputs(steps: Sequence[Step], overwrite: bool) -> None:
    """Raise :class:`~tlc.core.errors.UsageError` if an output of ``steps`` exists and
    ``overwrite`` is off (as the export would, before it starts)."""
    from tlc.runtime.run import check_outputs as refuse_existing

    refuse_existing(steps, overwrite)


def segment_cache(cache_dir: str | None = None) -> SegmentCache:
    """The segment cache at ``cache_dir`` (default: tlc's cache directory)."""
    from tlc.segmented.store import SegmentCache, default_dir

    where = cache_dir or default_dir()
    if where is None:
        raise UsageError("there is no cache directory")
    return SegmentCache(os.path.abspath(os.path.expanduser(where)))
