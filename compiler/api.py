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

from .context import Context, Overrides
from .emit import Step, emit
from .errors import UsageError
from .ir import Plan, Timeline
from .run import ProgressFn, execute


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


def _read(path_or_text: str) -> tuple[str, str]:
    """(text, file name) from a path or from `.tl` text itself."""
    if "\n" not in path_or_text and (path_or_text.endswith(".tl") or os.path.exists(path_or_text)):
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

    if ctx.output_root is not None:
        check_outputs(timeline, ctx.output_root)
    if ctx.workdir is None:
        out_dir = os.path.dirname(timeline.outputs[0].path)
        ctx.workdir = os.path.join(out_dir, f".tlc-work-{os.getpid()}-{secrets.token_hex(3)}")
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
    """
    compiled = compile(path_or_text, output=output, **options)
    return render(compiled, overwrite=overwrite, progress=progress)


def render(
    compiled: Compiled,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    notify: Callable[[str], None] | None = None,
) -> list[str]:
    """Run a compiled export; return the paths written.

    If it fails while an encoder that ``encoder auto`` chose on the GPU is in it, the
    export runs once more with that output's software encoder, and ``notify`` (by
    default :func:`warnings.warn`) is told why. A GPU encoder can pass its check and
    still fail on a real export (out of sessions or memory, a driver reset).
    """
    from .errors import FfmpegError
    from .plugin import reason_from_stderr
    from .selection import software_fallback

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
