"""The compiler's pipeline, once: text -> AST -> Timeline -> naive Plan -> good Plan -> runs.

::

    parse (tlc.syntax) -> resolve (tlc.resolve) -> select encoders (tlc.plugin)
        -> lower (tlc.lower) -> passes (tlc.passes) -> emit (tlc.backend)

:func:`compile_timeline` runs all of it; :func:`compile_resolved` starts from a
resolved timeline (the segmented export compiles each window with it, and the
software fallback compiles again with it). The API (:mod:`tlc.api`) and the
segmented export (:mod:`tlc.segmented`) both come here; nothing below imports it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from tlc.backend.emit import Step, emit
from tlc.core.context import Context
from tlc.core.errors import ValidationError
from tlc.ir import Plan, Timeline


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


def compile_timeline(
    text: str,
    file: str,
    ctx: Context,
    keep_history: bool = False,
    on_pass: Callable[[str, Plan], None] | None = None,
) -> Compiled:
    """Parse, resolve, select encoders, lower, run the passes and emit the runs."""
    from tlc.core import cache
    from tlc.plugin.selection import select_encoders
    from tlc.resolve import resolve
    from tlc.syntax.parser import parse

    with cache.confined(ctx.output_root), gc_paused():
        tree = parse(text, file)
        timeline = select_encoders(resolve(tree, ctx), ctx)
        return compile_resolved(timeline, ctx, keep_history, on_pass)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
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
    from tlc.lower.naive import lower
    from tlc.passes import run_passes
    from tlc.runtime.files import owner

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


def check_outputs(timeline: Timeline, root: str) -> None:
    """Refuse a timeline whose outputs lie outside ``root``, pointing at the output."""
    from tlc.core.confine import inside

    for out in timeline.outputs:
        if not out.implicit and not inside(out.path, root):  # (an implicit one is never written)
            raise ValidationError(
                f"output {out.path} is outside --output-root {root}",
                out.span,
                hint="write the output under the output root (no '..', no symlink out of it)",
            )


def explain(compiled: Compiled) -> str:
    """``tlc explain``: the naive plan, what each pass changed, the final plan
    (``compiled`` must have been made with ``keep_history``)."""
    from tlc.backend.text import explain as explain_text
    from tlc.passes import PASS_NAMES

    assert compiled.naive is not None, "compile with keep_history=True"
    return explain_text(compiled.naive, compiled.history, PASS_NAMES)


__all__: Sequence[str] = ["Compiled", "compile_timeline", "compile_resolved", "explain"]
