"""The Python API, for programs that embed tlc::

    import tlc
    plan = tlc.compile_file("teaser.tl")            # parse, resolve, lower, optimize
    tlc.export("teaser.tl", output="out/t.mp4", size=(1280, 720), overwrite=True)
    tlc.export('output "a.m4a"\\naudio { clip "x.wav" }')   # text works too

Everything the CLI does goes through here.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from .context import Context, Overrides
from .emit import Step, emit
from .errors import UsageError
from .ir import Plan, Timeline
from .run import ProgressFn, execute

if TYPE_CHECKING:
    from .segmented import Report, SegmentOptions


@dataclass
class Compiled:
    """A compiled timeline: the plan, the ffmpeg runs that make it, and what each pass did."""

    plan: Plan
    steps: list[Step]
    ctx: Context
    naive: Plan | None = None
    history: list[tuple[str, Plan]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return self.ctx.warnings


def _context(
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
) -> Context:
    from . import cache
    from .config import load_defaults
    from .confine import output_root as real_root
    from .passes import PASS_NAMES
    from .toolchain import find_ffmpeg

    unknown = [p for p in disable_passes if p not in PASS_NAMES]
    if unknown:
        raise UsageError(f"unknown pass {unknown[0]!r}", hint="passes: " + ", ".join(PASS_NAMES))
    if isinstance(size, str):
        size = parse_size(size)
    if fps is not None and not isinstance(fps, Fraction):
        fps = parse_fps(str(fps))
    if preset is not None and preset not in ("draft", "preview", "production", "auto"):
        raise UsageError(f"unknown preset {preset!r}: use draft, preview, production or auto")
    overrides = Overrides(output=output, size=size, fps=fps, preset=preset, encoder=encoder)
    root = real_root(output_root) if output_root is not None else None
    with cache.confined(root):
        found = find_ffmpeg(ffmpeg)
    return Context(
        overrides=overrides,
        defaults=load_defaults(),
        disabled_passes=frozenset(disable_passes),
        optimize=optimize,
        ffmpeg=found,
        output_root=root,
    )


def parse_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit():
        raise UsageError(f"bad size {text!r}: write WxH, such as 1280x720")
    return int(w), int(h)


def parse_fps(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"bad fps {text!r}: write a number such as 30 or 29.97") from None
    if value <= 0:
        raise UsageError(f"bad fps {text!r}: it must be positive")
    # 29.97 -> 30000/1001, 23.976 -> 24000/1001, 59.94 -> 60000/1001
    for base in (24, 30, 60, 120):
        if abs(float(value) - base * 1000 / 1001) < 0.005:
            return Fraction(base * 1000, 1001)
    return value


def _read(path_or_text: str, text_ok: bool = True) -> tuple[str, str]:
    """(text, file name) from a path or (``text_ok``) from `.tl` text itself."""
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


def compile_timeline(
    text: str,
    file: str,
    ctx: Context,
    keep_history: bool = False,
    on_pass: Callable[[str, Plan], None] | None = None,
) -> Compiled:
    """Parse, resolve, select encoders, lower, run the passes and emit the runs."""
    from . import cache
    from .parse import parse
    from .resolve import resolve
    from .selection import select_encoders

    with cache.confined(ctx.output_root), _gc_paused():
        tree = parse(text, file)
        timeline = select_encoders(resolve(tree, ctx), ctx)
        return compile_resolved(timeline, ctx, keep_history, on_pass)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while compiling: the compiler makes a few hundred
    thousand small immutable nodes for 10,000 clips, and no cycles, so the collector
    would only walk them over and over (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_resolved(
    timeline: Timeline,
    ctx: Context,
    keep_history: bool = False,
    on_pass: Callable[[str, Plan], None] | None = None,
) -> Compiled:
    """Lower a resolved timeline (encoders selected), run the passes and emit the runs."""
    from .confine import check_outputs
    from .lower import lower
    from .passes import run_passes
    from .run import owner

    if ctx.output_root is not None:
        check_outputs(timeline, ctx.output_root)
    if ctx.workdir is None:
        out_dir = os.path.dirname(timeline.outputs[0].path)
        ctx.workdir = os.path.join(out_dir, f".tlc-work-{owner()}-{secrets.token_hex(3)}")
    naive = lower(timeline, ctx)
    history: list[tuple[str, Plan]] = []

    def record(name: str, plan: Plan) -> None:
        if keep_history:
            history.append((name, plan))
        if on_pass is not None:
            on_pass(name, plan)

    plan = run_passes(naive, ctx, record)
    steps = emit(plan, ctx.ffmpeg)
    return Compiled(
        plan=plan, steps=steps, ctx=ctx, naive=naive if keep_history else None, history=history
    )


def compile_file(path: str, **options: object) -> Plan:
    """Compile a `.tl` file (or `.tl` text) into its optimized :class:`~tlc.ir.Plan`."""
    return compile(path, **options).plan


def compile(path_or_text: str, **options: object) -> Compiled:  # noqa: A001
    text, file = _read(path_or_text)
    ctx = _context(**options)  # type: ignore[arg-type]
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
    **options: object,
) -> list[str]:
    """Compile and render; return the paths written. Options are the CLI's:
    ``size``, ``fps``, ``preset``, ``encoder``, ``disable_passes``, ``optimize``, ``ffmpeg``,
    ``output_root`` (every file written stays under this directory).

    Segmented export (see :mod:`tlc.segmented` and :func:`segment_options`):
    ``incremental=True`` (or ``cache=DIR``) keeps rendered segments and renders again
    only those that changed; ``jobs``, ``executor`` (``local``, ``pool``, ``dask``)
    and ``scheduler`` spread the segments over local processes or a Dask cluster.
    """
    wanted = {k: options.pop(k) for k in SEGMENT_OPTIONS if k in options}
    segments = segment_options(**wanted)  # type: ignore[arg-type]
    compiled = compile(path_or_text, output=output, **options)
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
    from .segcache import DEFAULT_LIMIT, default_dir, parse_size_limit
    from .segmented import SegmentOptions

    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more")
    wanted = (
        incremental or cache is not None or (jobs or 1) > 1 or executor is not None
        or scheduler is not None or segment_seconds is not None
    )
    if not wanted:
        return None
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
) -> list[str]:
    """Run a compiled export; return the paths written.

    If it fails while an encoder that ``encoder auto`` chose on the GPU is in it, the
    export runs once more with that output's software encoder, and ``notify`` (by
    default :func:`warnings.warn`) is told why. A GPU encoder can pass its check and
    still fail on a real export (out of sessions or memory, a driver reset).

    With ``segments``, the export is segmented (:mod:`tlc.segmented`) and
    ``on_report`` gets what it did; a timeline that cannot be segmented (sound only,
    video copied) is exported in one run, and ``notify`` says so.
    """
    from .errors import FfmpegError
    from .plugin import reason_from_stderr
    from .selection import software_fallback

    if segments is not None:
        from .segmented import export_segmented, one_run_notice

        notice = one_run_notice(compiled.plan)
        if notice is None:
            outputs, report = export_segmented(
                compiled.plan.timeline, compiled.ctx, segments,
                overwrite=overwrite, progress=progress,
            )
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
    from . import cache

    with cache.confined(compiled.ctx.output_root):
        again = compile_resolved(timeline, compiled.ctx)
    return run(again)


def _warn(message: str) -> None:
    import warnings

    warnings.warn(message, RuntimeWarning, stacklevel=3)
