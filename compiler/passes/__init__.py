"""The optimization passes, in order: each ``name(plan, ctx) -> plan``, pure.

The pipeline is a plain tuple (as sqlglot's optimizer keeps it), so ``--disable-pass``,
``-O0`` and ``tlc explain`` need no special cases.
"""

from __future__ import annotations

from collections.abc import Callable

from tlc.core.context import Context
from tlc.ir import Plan
from tlc.passes.audio_once import audio_once
from tlc.passes.chunk_inputs import chunk_inputs
from tlc.passes.concat_audio import concat_audio
from tlc.passes.concat_copy import concat_copy
from tlc.passes.copy_trims import copy_trims
from tlc.passes.defer_format import defer_format
from tlc.passes.drop_persistence import drop_persistence
from tlc.passes.finalize import finalize
from tlc.passes.force_keyframes import force_keyframes
from tlc.passes.merge_overlays import merge_overlays
from tlc.passes.smart_render import smart_render

Pass = Callable[[Plan, Context], Plan]

PASSES: tuple[Pass, ...] = (
    drop_persistence,
    merge_overlays,
    concat_copy,
    copy_trims,
    defer_format,
    audio_once,
    concat_audio,
    smart_render,
    force_keyframes,
    finalize,
    chunk_inputs,
)

PASS_NAMES: tuple[str, ...] = tuple(p.__name__ for p in PASSES)


def run_passes(
    plan: Plan, ctx: Context, on_pass: Callable[[str, Plan], None] | None = None
) -> Plan:
    """Run every enabled pass in order; ``on_pass(name, plan)`` sees the plan after each."""
    if not ctx.optimize:
        return plan
    for p in PASSES:
        if p.__name__ in ctx.disabled_passes:
            continue
        plan = p(plan, ctx)
        if on_pass is not None:
            on_pass(p.__name__, plan)
    return plan
