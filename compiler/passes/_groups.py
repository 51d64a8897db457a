"""Copy next to transitions: shared by concat_copy and copy_trims.

A main track with transitions is one ``concat`` of its *runs* (see
:func:`tlc.lower.transitions.runs`): a *group* (items a transition joins, drawn by
``xfade``) or a single item. A group is always re-encoded; every single clip that
the output could take as it is (the conditions of a copy join: codec, size, rate,
pixel format, time base, profile, a trim on keyframes) is still copied, where the
output's codec lets a join mix files of two encoders (H.264: see
:data:`~tlc.lower.compat.MIXED_JOINS`). Each piece
that is re-encoded (a group, or a clip that does not match) is rendered by a run of
its own, encoded with the output's own codec and starting on a keyframe (a
``segment``, as chunk_inputs makes them, its track in the copied clips' time
scale), and the output joins the copied clips and those files with the concat
demuxer and ``-c:v copy``. The sound is not touched here: it stays one graph over
the whole track, encoded once (see audio_once), gapless.

Before (A, B ~dissolve~ C, D; every clip matches the output)::

    -i a.mp4 -i b.mp4 -i c.mp4 -i d.mp4
    [0:v]...[v1]; [1:v]...[v2]; [2:v]...[v3]; [v2][v3]xfade=...[v4]; [3:v]...[v5];
    [v1][v4][v5]concat=n=3 ... -c:v libx264 out.mp4

After::

    run 1: -i b.mp4 -i c.mp4 ... xfade=... -c:v libx264 ... group-2-3.mp4
    run 2: -f concat -i list.txt ('a.mp4', 'group-2-3.mp4', 'd.mp4') -c:v copy
           (the sound of all four, crossfaded, encoded once) out.mp4

A track where no clip can be copied is left as it is: one encode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from fractions import Fraction

from tlc.core.context import Context
from tlc.ir import (
    ConcatEntry,
    ConcatSrc,
    Copy,
    Encode,
    F,
    MainItem,
    Node,
    OutputSpec,
    Plan,
    Sink,
    Src,
)
from tlc.lower import chains as g
from tlc.lower.compat import (
    MIXED_JOINS,
    Piece,
    copy_entry,
    stream_problem,
    trim_problem,
    video_track,
)
from tlc.lower.programs import for_output
from tlc.lower.transitions import runs
from tlc.media.info import MediaInfo
from tlc.passes._joins import peel


@dataclass(frozen=True, slots=True)
class _Part:
    """One piece of the join: the items it holds, and how it gets there."""

    items: tuple[int, ...]  # indexes in the main track
    node: Node  # its pictures, as the concat reads them
    piece: Piece | None = None  # a clip the output can copy
    why: str = ""  # why it is re-encoded


def join_groups(plan: Plan, ctx: Context, allow_trims: bool) -> Plan:
    """Copy the clips of a track with transitions that need no filter (with
    ``allow_trims``: only joins where a copied clip is trimmed, as copy_trims does)."""
    tl = plan.timeline
    if not any(item.transition for item in tl.main):
        return plan
    by_path = {o.path: o for o in tl.outputs}
    notes: list[str] = []
    outputs = []
    for k, sink in enumerate(plan.outputs):
        out = by_path.get(sink.path)
        new = None if out is None else _join(plan, sink, out, allow_trims, k, notes)
        outputs.append(sink if new is None else new)
    if not notes:
        return plan
    if all(a is b for a, b in zip(outputs, plan.outputs, strict=True)):
        return replace(plan, notes=(*plan.notes, *notes))
    return replace(plan, outputs=tuple(outputs), notes=(*plan.notes, *notes))


def _join(
    plan: Plan, sink: Sink, out: OutputSpec, allow_trims: bool, k: int, notes: list[str]
) -> Sink | None:
    tl = for_output(plan.timeline, out)  # (its own program: its items on its frame grid)
    enc = sink.stream("v")
    if not isinstance(enc, Encode):
        return None
    concat = peel(enc.src)
    groups = runs(tl.main)
    if not (isinstance(concat, F) and concat.role == "concat" and len(concat.srcs) == len(groups)):
        return None
    parts = [_part(tuple(run), src, tl.main, tl.media, out)
             for run, src in zip(groups, concat.srcs, strict=True)]
    candidates = [p.piece for p in parts if p.piece is not None]
    trimmed = any(trim_problem(p, allow_trims=False) for p in candidates)
    if trimmed != allow_trims:
        return None  # (the other pass's join)
    first: Piece | None = None
    checked = []
    for part in parts:
        p = part.piece
        if p is not None:
            why = stream_problem(p, out, first) or trim_problem(p, allow_trims)
            if why:
                part = replace(part, piece=None, why=why)
            else:
                first = first or p
        checked.append(part)
    if first is None:
        return None  # nothing matches the output: one encode, as without transitions
    if out.video not in MIXED_JOINS:
        notes.append(f"{os.path.basename(sink.path)}: no clip copied next to the transitions: "
                     f"a {out.video} join of copied clips and files tlc encodes would not "
                     "decode (H.264 only)")
        return None
    assert first.info is not None and first.info.video is not None
    tb = first.info.video.time_base
    flags = ("-video_track_timescale", str(tb.denominator)) if tb.numerator == 1 else ()
    stem = os.path.join(plan.workdir, f"o{k + 1}-" if len(plan.outputs) > 1 else "")
    name = os.path.basename(sink.path)
    entries = []
    read: list[Piece] = []  # (what each entry reads, for its video's track id)
    for part in checked:
        items = [tl.main[i] for i in part.items]
        label = _label(part.items, items)
        if part.piece is not None:
            entries.append(copy_entry(part.piece))
            read.append(part.piece)
            notes.append(f"{name}: {label} copied")
            continue
        length = sum((i.duration for i in items), Fraction(0)) - sum(
            (i.transition.duration for i in items[1:] if i.transition), Fraction(0)
        )
        a, b = part.items[0] + 1, part.items[-1] + 1
        path = f"{stem}group-{a}-{b}.mp4" if a != b else f"{stem}{items[0].kind}-{a}.mp4"
        encode = Encode(g.fmt(part.node), replace(enc.codec, keyframes=()), "v")
        # (an MP4 whose track has the copied clips' time scale: their timestamps join as
        # they are; it starts on a keyframe, as force_keyframes makes every joined file)
        piece = Sink(path, (encode,), "segment", "mp4", flags, duration=length)
        entries.append(ConcatEntry(path, sink=piece))
        read.append(Piece(path, None, None, None, sink=piece))
        notes.append(f"{name}: {label} re-encoded ({os.path.basename(path)}): {part.why}")
    copy = Copy(ConcatSrc(tuple(entries), "v", video_track(read)), "v")
    return replace(sink, streams=tuple(copy if s is enc else s for s in sink.streams))


def _part(run: tuple[int, ...], node: Node, main: tuple[MainItem, ...],
          media: dict[str, MediaInfo], out: OutputSpec) -> _Part:
    """What ``run`` of the main track is: a group, a clip to check, or another item."""
    if len(run) > 1:
        names = list(dict.fromkeys(f"'{t.name}'" for i in run[1:] if (t := main[i].transition)))
        said = f"the transition {names[0]} joins" if len(names) == 1 else (
            f"the transitions {', '.join(names)} join")
        return _Part(run, node, why=f"{said} these items")
    item = main[run[0]]
    if item.kind != "clip":
        return _Part(run, node, why=f"a {item.kind} is drawn, not copied")
    if item.speed != 1:
        return _Part(run, node, why="its speed changes")
    leaf = peel(node)
    if isinstance(leaf, Src) and not leaf.loop and leaf.sink is None:
        return _Part(run, node, Piece(leaf.path, leaf.seek, leaf.duration, media.get(leaf.path)))
    while isinstance(leaf, F) and len(leaf.srcs) == 1:  # (the file under its filters)
        leaf = leaf.srcs[0]
    why = None
    if isinstance(leaf, Src):
        why = stream_problem(Piece(leaf.path, None, None, media.get(leaf.path)), out, None)
    return _Part(run, node, why=why or "its pictures need a filter (a fit or a frame rate)")


def _label(indexes: tuple[int, ...], items: list[MainItem]) -> str:
    files = ", ".join(dict.fromkeys(os.path.basename(i.path) for i in items if i.path))
    where = f" ({files})" if files else ""
    if len(indexes) == 1:
        return f"item {indexes[0] + 1}{where}"
    return f"items {indexes[0] + 1}-{indexes[-1] + 1}{where}"
