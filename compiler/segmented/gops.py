"""Windows on the source's keyframes: a segmented export of a timeline smart render
applies to.

Where the ``smart_render`` pass copies a clip's GOPs in a one-run export, a segmented
export copies them too: each main item is cut at the starts of its smart runs and at
the source's keyframes inside its copied runs (never inside a re-encoded span), and
the windows are made of those pieces. A window whose pieces are all copied is a
stream copy of the source's GOPs; a window with a span is smart-rendered with the
source's own encoder settings (``Context.smart_window``: however few frames it
copies). Every window's parameter sets are then the source's, so the join by stream
copy is one valid stream, and a cached window is keyed like any other (an unchanged
copied window is not copied again by ``--incremental``).

Before (one clip, keyframes every 1.33 s, a caption at 8..9 s; ``--segment 2``)::

    window 1: 0..11.6 s    the whole clip (windows were cut only where an item starts)

After::

    window 1: 0..0.93 s    re-encoded (the trim starts off a keyframe)
    window 2: 0.93..3.6 s  copied
    ...
    window 6: 7.6..8.93 s  smart-rendered (the caption)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from tlc.core.context import Context
from tlc.core.errors import MediaError
from tlc.ir import MainItem, OutputSpec, Timeline, frame_at
from tlc.lower.compat import MIXED_JOINS
from tlc.media.keyframes import gop_facts
from tlc.passes.concat_copy import concat_copy
from tlc.passes.copy_trims import copy_trims
from tlc.passes.smart_render import Run, item_runs, smart_render, timeline_match, whole_reason

#: the passes that copy video from the sources instead of encoding it
COPY_PASSES = frozenset({concat_copy.__name__, copy_trims.__name__, smart_render.__name__})

#: what a smart window's cache key has besides its codec (its bytes are not the codec's)
SMART_KEY = "smart-window-v1"


@dataclass(frozen=True, slots=True)
class SmartView:
    """The timeline with its main items cut at keyframes, and which pieces are copied
    (by their start on the timeline)."""

    timeline: Timeline
    copied: frozenset[Fraction]

    def all_copied(self, window: Timeline, start: Fraction) -> bool:
        """Whether every piece of ``window`` (which starts at ``start``) is copied."""
        return all(start + item.start in self.copied for item in window.main)


def smart_view(tl: Timeline, out: OutputSpec, ctx: Context) -> SmartView | None:
    """``tl`` cut at its source's keyframes, where smart render copies at least half of
    its frames and every main item is a clip it may copy in part; else None (windows
    are cut as for any timeline)."""
    if len(tl.outputs) != 1:
        return None  # (the pass matches a plan of one output)
    match = timeline_match(tl, out, ctx)
    if isinstance(match, str) or any(whole_reason(i, tl, match) for i in tl.main):
        return None
    all_runs = [item_runs(item, tl, match) for item in tl.main]
    copied = sum(r.hi - r.lo for runs in all_runs for r in runs if r.copied)
    if copied * 2 < sum(item.frames for item in tl.main):
        return None  # (one run does not use it either)
    main: list[MainItem] = []
    kept: set[Fraction] = set()
    for item, runs in zip(tl.main, all_runs, strict=True):
        for lo, hi, is_copy in _pieces(item, runs, tl.fps):
            piece = _piece(item, lo, hi, tl.fps)
            main.append(piece)
            if is_copy:
                kept.add(piece.start)
    return SmartView(replace(tl, main=tuple(main)), frozenset(kept))


def _pieces(item: MainItem, runs: list[Run], fps: Fraction) -> list[tuple[int, int, bool]]:
    """The item's frames cut at each run's start and at the keyframes inside copied runs."""
    try:
        points = gop_facts(item.path or "").pts
    except MediaError:
        points = ()
    s0 = item.src_in
    keys = sorted({frame_at(k - s0, fps) for k in points if s0 < k < s0 + item.duration})
    out = []
    for r in runs:
        cuts = [r.lo, *(k for k in keys if r.copied and r.lo < k < r.hi), r.hi]
        out += [(a, b, r.copied) for a, b in zip(cuts, cuts[1:], strict=False)]
    return out


def _piece(item: MainItem, lo: int, hi: int, fps: Fraction) -> MainItem:
    if lo == 0 and hi == item.frames:
        return item
    return replace(item, start=item.start + Fraction(lo) / fps,
                   src_in=item.src_in + Fraction(lo) / fps, frames=hi - lo,
                   duration=Fraction(hi - lo) / fps, trimmed=True)


def window_context(ctx: Context, out: OutputSpec, smart: bool, workdir: str) -> Context:
    """The context a window is compiled in: a smart window copies and encodes with
    smart render alone (its joins are exact); another copies video from its clips only
    where a join may mix files of two encoders' settings (MIXED_JOINS)."""
    if smart:
        off = frozenset({concat_copy.__name__, copy_trims.__name__})
        return replace(ctx, workdir=workdir, warnings=[], smart_window=True,
                       disabled_passes=ctx.disabled_passes | off)
    mixed = out.video in MIXED_JOINS
    return replace(ctx, workdir=workdir, warnings=[],
                   disabled_passes=ctx.disabled_passes | (frozenset() if mixed else COPY_PASSES))
