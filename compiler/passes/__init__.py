"""The optimization passes, in order: each ``name(plan, ctx) -> plan``, pure.

The pipeline is a plain tuple (as sqlglot's optimizer keeps it), so ``--disable-pass``,
``-O0`` and ``tlc explain`` need no special cases.
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context
from ..ir import Plan
from .audio_once import audio_once
from .chunk_inputs import chunk_inputs
from .concat_audio import concat_audio
from .concat_copy import concat_copy
from .copy_trims import copy_trims
from .defer_format import defer_format
from .drop_persistence import drop_persistence
from .finalize import finalize
from .force_keyframes import force_keyframes
from .merge_overlays import merge_overlays

Pass = Callable[[Plan, Context], Plan]

PASSES: tuple[Pass, ...] = (
    drop_persistence,
    merge_overlays,
    concat_copy,
    copy_trims,
    defer_format,
    audio_once,
    concat_audio,
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
