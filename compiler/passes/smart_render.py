"""smart_render: copy the GOPs no edit touches, re-encode only the spans an edit does.

Where the output's video is what a main-track clip's source already is (H.264 of
the same size, frame rate, pixel format, SAR, colours; written by x264, whose
headers :mod:`tlc.lower.smart` can match), the clip is cut at its source's
keyframes into copied GOP runs and re-encoded spans. A span covers the frames under
an overlay or a caption, and a trim that does not start (or end) on a keyframe,
from the keyframe at or before them to the keyframe after; spans less than a GOP
apart are one. Each span is a segment file encoded with the source's own x264
settings; the output's video is the concat demuxer over copied runs and segments,
``-c:v copy``. The audio is as the other passes made it (encoded once).

Before (keyframes every 2 s; a logo at 5..7 s)::

    -i a.mp4 -i logo.png ... overlay=enable='between(t,5,7)' ... -c:v libx264 out.mp4

After::

    run 1 (segment): -ss 4 -t 4 -i a.mp4 -i logo.png ... overlay ... smart-1-1.mp4
    run 2 (output):  list: a.mp4 outpoint 4 / smart-1-1.mp4 / a.mp4 inpoint 8
                     -c:v copy ... out.mp4
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from fractions import Fraction

from tlc.core.context import Context
from tlc.core.errors import MediaError
from tlc.ir import (
    ConcatEntry,
    ConcatSrc,
    Copy,
    Encode,
    MainItem,
    Node,
    OutputSpec,
    OverlayItem,
    Plan,
    Sink,
    Src,
    Timeline,
    frame_at,
    map_outputs,
)
from tlc.lower import chains as g
from tlc.lower.smart import Match, headers_match, source_match
from tlc.media.keyframes import gop_facts


@dataclass(frozen=True, slots=True)
class Run:
    """Frames ``lo`` to ``hi`` (exclusive) of a main item: copied, or re-encoded because
    of ``why``."""

    lo: int
    hi: int
    why: tuple[str, ...] = ()

    @property
    def copied(self) -> bool:
        return not self.why


def smart_render(plan: Plan, ctx: Context) -> Plan:
    if ctx.smart == "off":
        return plan
    tl = plan.timeline
    by_path = {o.path: o for o in tl.outputs}
    outs = [o for o in plan.outputs if o.role == "output" and isinstance(o.stream("v"), Encode)]
    if len(outs) != 1:
        return plan
    sink = outs[0]
    out = by_path.get(sink.path)
    if out is None:
        return plan
    why_not = _timeline_problem(tl)
    if why_not:  # (said with --smart on only: the copy passes say what they did there)
        return _not_used(plan, ctx, out, why_not) if ctx.smart == "on" else plan
    match = _reference(tl, out, ctx)
    if isinstance(match, str) or match is None:
        return _not_used(plan, ctx, out, match or "no main-track clip")
    all_runs = [item_runs(item, tl, match) for item in tl.main]
    copied = sum(r.hi - r.lo for runs in all_runs for r in runs if r.copied)
    total = sum(item.frames for item in tl.main)
    # (each span is an ffmpeg run of its own: not worth it; a window of a segmented
    # export is cut at the keyframes, and its spans must be encoded to match anyway)
    if copied * 2 < total and not ctx.smart_window:
        return _not_used(plan, ctx, out, f"only {copied} of its {total} frames could be copied")
    entries: list[ConcatEntry] = []
    notes: list[str] = []
    for i, (item, runs) in enumerate(zip(tl.main, all_runs, strict=True)):
        name = os.path.basename(item.path or item.kind)
        notes.append(f"smart render: item {i + 1} ({name}, line {item.span.line}):")
        notes += [f"  {_run_text(r, item, tl.fps)}" for r in runs]
        for k, r in enumerate(runs, 1):
            entries.append(_entry(plan, item, r, match, f"smart-{i + 1}-{k}"))
    copy = Copy(ConcatSrc(tuple(entries), "v", match.facts.stream_id), "v")
    sound = _sound_copy(tl, out)
    if sound is not None:
        notes.append("smart render: the sound is copied (one clip, its sound untouched)")

    def fn(node: Sink) -> Sink:
        if node is not sink:
            return node
        enc, aenc = node.stream("v"), node.stream("a")
        streams = [copy if s is enc else s for s in node.streams]
        if sound is not None and isinstance(aenc, Encode):
            streams = [sound if s is aenc else s for s in streams]
        return replace(node, streams=tuple(streams))

    return replace(map_outputs(plan, fn), notes=(*plan.notes, *notes))


def _not_used(plan: Plan, ctx: Context, out: OutputSpec, reason: str) -> Plan:
    """``plan`` as it is, with why smart render does not apply (a warning with --smart on)."""
    if ctx.smart == "on":
        ctx.warn(f"smart render is not used: {reason}")
    note = f"smart render: not used for {os.path.basename(out.path)}: {reason}"
    return replace(plan, notes=(*plan.notes, note))


def _sound_copy(tl: Timeline, out: OutputSpec) -> Copy | None:
    """The sound of a timeline that is one clip's, as it is in its file: copied (its
    packets from the one holding the clip's start, which the MP4 edit list hides, to
    its end), when the output wants just that (AAC, 48 kHz stereo; at its own bitrate)."""
    if len(tl.main) != 1 or any(tl.audio) or out.audio != "aac":
        return None
    item = tl.main[0]
    if item.kind != "clip" or item.path is None or item.mute or item.volume_db:
        return None
    if item.speed != 1 or out.container not in ("mp4", "mov"):
        return None
    info = tl.media[item.path]
    a = info.audio
    if a is None or a.codec != "aac" or a.sample_rate != 48000 or a.channels != 2:
        return None
    if any(info.lead_ins()):
        return None
    return Copy(Src(item.path, "a", seek=item.src_in or None, duration=item.duration), "a")


def _timeline_problem(tl: Timeline) -> str | None:
    if tl.burned is not None:
        return "burned subtitles touch every frame"
    for item in tl.main:
        if item.transition is not None:
            return f"a transition ({item.span.line}:{item.span.column}): not matched yet"
    return None


def timeline_match(tl: Timeline, out: OutputSpec, ctx: Context) -> Match | str:
    """The match smart render uses for ``out`` of ``tl``, or why it does not apply
    (before the share of frames it could copy is counted)."""
    if ctx.smart == "off" or smart_render.__name__ in ctx.disabled_passes:
        return "it is turned off"
    match = _timeline_problem(tl) or _reference(tl, out, ctx)
    return match or "no main-track clip"


def _reference(tl: Timeline, out: OutputSpec, ctx: Context) -> Match | str | None:
    """The match for the first main-track clip whose source can be matched (all of
    the track's other matching clips must share its headers), or why none can."""
    reason: str | None = None
    for item in tl.main:
        if item.kind != "clip" or item.path is None:
            continue
        m = _match(tl, item.path, out, ctx)
        if isinstance(m, Match):
            return m
        reason = reason or f"{os.path.basename(item.path)}: {m}"
    return reason


def _match(tl: Timeline, path: str, out: OutputSpec, ctx: Context) -> Match | str:
    try:
        facts = gop_facts(path)
    except MediaError as err:
        return f"its keyframes cannot be read ({err.message})"
    m = source_match(tl.media.get(path), facts, out)
    if isinstance(m, str):
        return m
    ffmpeg = ctx.ffmpeg.path if ctx.ffmpeg is not None else "ffmpeg"
    if not headers_match(m, path, ffmpeg, tl.fps):
        return f"{m.codec.encoder} with its settings writes other headers than it has"
    return m


def item_runs(item: MainItem, tl: Timeline, match: Match) -> list[Run]:
    """The item's frames as copied runs and re-encoded spans (see the module)."""
    whole = [Run(0, item.frames, (whole_reason(item, tl, match),))]
    if whole[0].why[0]:
        return whole
    fps = tl.fps
    facts = gop_facts(item.path or "")  # (its own file's keyframes: the same headers as
    s0 = item.src_in                    # the match's, but maybe not the same GOPs)
    inside = facts.pts[bisect_right(facts.pts, s0):bisect_left(facts.pts, s0 + item.duration)]
    cuts = sorted({frame_at(k - s0, fps) for k in inside} | {0, item.frames})
    touched: list[tuple[int, int, str]] = []
    if not _on_keyframe(s0, facts.pts):
        touched.append((0, 0, f"the clip starts at {float(s0):.3f}s, not on a keyframe"))
    end = s0 + item.duration
    info = tl.media[item.path or ""]
    length = info.video.duration if info.video and info.video.duration else info.duration
    at_end = bool(length) and abs(end - (length or 0)) * fps < Fraction(1, 2)
    if not _on_keyframe(end, facts.pts) and not at_end:
        touched.append((item.frames - 1, item.frames - 1,
                        f"the clip ends at {float(end):.3f}s, not on a keyframe"))
    first = frame_at(item.start, fps)
    for track in tl.overlays:
        for o in track:
            lo, hi = frame_at(o.start, fps) - first, frame_at(o.end, fps) - first - 1
            lo, hi = max(lo, 0), min(hi, item.frames - 1)
            if lo <= hi:
                touched.append((lo, hi, _overlay_text(o)))
    spans: list[Run] = []
    for lo, hi, why in sorted(touched):
        a = max(c for c in cuts if c <= lo)
        b = min(c for c in cuts if c > hi)
        spans.append(Run(a, b, (why,)))
    gop = max(b - a for a, b in zip(cuts, cuts[1:], strict=False))
    merged: list[Run] = []
    for s in sorted(spans, key=lambda r: r.lo):
        if merged and s.lo - merged[-1].hi < gop:
            prev = merged[-1]
            merged[-1] = Run(prev.lo, max(prev.hi, s.hi), prev.why + s.why)
        else:
            merged.append(s)
    runs: list[Run] = []
    at = 0
    for s in merged:
        if s.lo > at:
            runs.append(Run(at, s.lo))
        runs.append(s)
        at = s.hi
    if at < item.frames:
        runs.append(Run(at, item.frames))
    return runs


def whole_reason(item: MainItem, tl: Timeline, match: Match) -> str:
    """Why the whole item is re-encoded ("" when it may be copied in part)."""
    if item.kind != "clip" or item.path is None:
        return f"a {item.kind}"
    if item.speed != 1:
        return f"its speed is {item.speed}"
    try:
        facts = gop_facts(item.path)
    except MediaError as err:
        return f"its keyframes cannot be read ({err.message})"
    if facts.extradata != match.facts.extradata or facts.stream_id != match.facts.stream_id:
        return "its source's headers are not the first matched source's"
    return ""


def _on_keyframe(t: Fraction, points: tuple[Fraction, ...]) -> bool:
    """Whether a keyframe of ``points`` (sorted) is within a millisecond of ``t``."""
    near = Fraction(1, 1000)
    i = bisect_left(points, t - near)
    return i < len(points) and points[i] <= t + near


def _overlay_text(o: OverlayItem) -> str:
    what = f"caption {o.text!r}" if o.kind == "text" else os.path.basename(o.path or "")
    return f"{what} (line {o.span.line}) at {float(o.start):g}s..{float(o.end):g}s of the output"


def _run_text(r: Run, item: MainItem, fps: Fraction) -> str:
    t0, t1 = item.src_in + r.lo / fps, item.src_in + r.hi / fps
    head = f"source {float(t0):.3f}s..{float(t1):.3f}s ({r.hi - r.lo} frames)"
    return f"copy      {head}" if r.copied else f"re-encode {head}: {'; '.join(r.why)}"


def _entry(plan: Plan, item: MainItem, r: Run, match: Match, stem: str) -> ConcatEntry:
    tl = plan.timeline
    fps = tl.fps
    length = Fraction(r.hi - r.lo) / fps
    if r.copied:  # (only a clip's frames are copied: a gap or a still is encoded)
        assert item.path is not None
        info = tl.media[item.path]
        facts = gop_facts(item.path)
        a = item.src_in + Fraction(r.lo) / fps
        b = item.src_in + Fraction(r.hi) / fps
        k_in = _nearest(a, facts.pts)
        inpoint = None if r.lo == 0 and item.src_in == 0 else info.start_time + facts.pts[k_in]
        outpoint = None
        ends = [j for j, p in enumerate(facts.pts) if abs(p - b) <= Fraction(1, 1000)]
        if ends:  # packets are cut by decode time: the next keyframe's is before its pts
            outpoint = info.start_time + facts.dts[ends[0]] - Fraction(1, 2) / fps
        return ConcatEntry(item.path, inpoint, outpoint, duration=length)
    sub = replace(item, start=Fraction(0), src_in=item.src_in + Fraction(r.lo) / fps,
                  frames=r.hi - r.lo, duration=length, transition=None)
    offset = item.start + Fraction(r.lo) / fps
    window = replace(tl, main=(sub,), overlays=tuple(
        tuple(_shifted(o, offset, length) for o in track if _meets(o, offset, length))
        for track in tl.overlays), duration=length)
    out = next(o for o in tl.outputs if o.has_video)
    v: Node = g.item_video(sub, window, out.fit)
    for track in window.overlays:
        for o in track:
            v = g.overlay(v, o, window)
    path = os.path.join(plan.workdir, f"{stem}.mp4")
    seg = Sink(path, (Encode(g.fmt(v), match.codec, "v"),), "segment", "mp4",
               duration=length)
    return ConcatEntry(path, sink=seg, duration=length)


def _nearest(t: Fraction, points: tuple[Fraction, ...]) -> int:
    return min(range(len(points)), key=lambda j: abs(points[j] - t))


def _meets(o: OverlayItem, offset: Fraction, length: Fraction) -> bool:
    return o.end > offset and o.start < offset + length


def _shifted(o: OverlayItem, offset: Fraction, length: Fraction) -> OverlayItem:
    start, end = o.start - offset, o.end - offset
    src_in = o.src_in
    if start < 0 and o.kind == "video":
        src_in += -start
    return replace(o, start=max(start, Fraction(0)), end=min(end, length), src_in=src_in)


__all__ = ["smart_render", "item_runs", "Run", "timeline_match", "whole_reason"]
