"""The main track's items joined where transitions overlap them.

Items joined by transitions are a *run*: its pictures are the items' chains through
one ``xfade`` per transition, its sound the items' sound through one ``acrossfade``
(equal power: a quarter sine each way). Runs are then concatenated as items are.

Every piece is exact already (frames on the output grid, samples at 48 kHz), so a
transition only needs its offset on the grid: the run so far lasts ``n`` frames, a
transition of ``k`` frames starts at frame ``n - k`` and the run then lasts
``n + m - k`` frames for a next item of ``m``. Each xfade input is put on the time
base 1/fps, where xfade turns its offset and duration (microseconds) back into
exactly those frames.

Before (three items, a dissolve of 10 frames between the last two, 25 fps)::

    [c1][c2][c3]concat=n=3

After::

    [c2]format,settb[x2]; [c3]format,settb[x3];
    [x2][x3]xfade=transition=fade:duration=0.4:offset=3.6[r2];
    [c1][r2]concat=n=2
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from tlc.core.timefmt import sec
from tlc.ir import MainItem, Node
from tlc.lower import audio_chains as ga
from tlc.lower import chains as g


def runs(items: Sequence[MainItem]) -> list[list[int]]:
    """The indexes of ``items`` in runs: each item after a transition joins the run of
    the one before it."""
    out: list[list[int]] = []
    for i, item in enumerate(items):
        if item.transition is not None and out:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _on_grid(v: Node, fps: Fraction) -> Node:
    v = g.f("format", v, "v", "transition", pix_fmts=g.PIX_FMT)
    return g.f("settb", v, "v", "transition", expr=f"{fps.denominator}/{fps.numerator}")


def join_video(parts: list[Node], items: Sequence[MainItem], fps: Fraction) -> Node:
    """The pictures of ``items`` (``parts``, each exactly its frames), transitions drawn."""
    joined: list[Node] = []
    for run in runs(items):
        v = parts[run[0]]
        frames = items[run[0]].frames
        if len(run) > 1:
            v = _on_grid(v, fps)
        for i in run[1:]:
            tr = items[i].transition
            assert tr is not None
            v = g.f(
                "xfade", (v, _on_grid(parts[i], fps)), "v", "transition",
                transition=tr.xfade,
                duration=sec(Fraction(tr.frames) / fps),
                offset=sec(Fraction(frames - tr.frames) / fps),
            )
            frames += items[i].frames - tr.frames
        joined.append(v)
    if len(joined) == 1:
        return joined[0]
    return g.concat_items(joined, [items[run[0]] for run in runs(items)], fps)


def join_audio(parts: list[Node], items: Sequence[MainItem]) -> Node:
    """The sound of ``items`` (``parts``, each exactly its samples), crossfaded where a
    transition joins two, each run exactly as long as its pictures."""
    joined: list[Node] = []
    for run in runs(items):
        a = parts[run[0]]
        for i in run[1:]:
            tr = items[i].transition
            assert tr is not None
            a = g.f(
                "acrossfade", (a, parts[i]), "a", "transition",
                ns=ga.samples(tr.duration), o=1, c1="qsin", c2="qsin",
            )
        if len(run) > 1:
            length = sum((items[i].duration for i in run), Fraction(0)) - sum(
                (tr.duration for i in run[1:] if (tr := items[i].transition)), Fraction(0)
            )
            a = ga.exact_audio(a, length)
        joined.append(a)
    return joined[0] if len(joined) == 1 else g.concat(joined, "a")
