"""Each output's own program: the timeline as it is drawn for one video output.

The timeline's frame grid, size and overlay pixels are those of its first video
output. Another output of another size, frame rate or fit is not scaled from that
picture: its program is drawn from the sources at its own size, fps and fit. This
module gives the timeline *as that output sees it* (:func:`for_output`); lowering
draws it like any timeline, in the same run as the others (the sources are read
once and split).

- size and fit: every item is fitted straight to the output;
- fps: each cut is put on the output's frame nearest the first output's cut
  (:func:`regrid`); where an item or a transition would have no frame at that rate,
  the program stays on the first output's grid and is retimed (an ``fps`` filter);
- overlays: positions and sizes are written in the first output's pixels; its frame
  is mapped onto the output as the output's fit maps a picture (:func:`mapping`),
  so an overlay stays on the part of the picture it was placed on.

Before (1920x1080 then 640x360)::

    [clips]...concat,overlay=x=30:y=30,split[big][s]; [s]scale=640:360[small]

After::

    [0:v]split[a1][a2]; [a1]scale=1920:1080...concat,overlay=x=30:y=30[big];
    [a2]scale=640:360...concat,overlay=x=10:y=10[small]
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from tlc.ir import MainItem, OutputSpec, OverlayItem, Timeline, frame_at

#: what makes two outputs' programs the same picture
ProgramKey = tuple[int, int, Fraction, str]


def program_key(tl: Timeline) -> ProgramKey:
    """The picture ``tl`` (the timeline, or one output's :func:`for_output`) draws."""
    first = grid_output(tl)
    return (tl.width, tl.height, tl.fps, first.fit)


def grid_output(tl: Timeline) -> OutputSpec:
    """The output whose frame grid, size and pixels the timeline is written in."""
    return next((o for o in tl.outputs if o.has_video), tl.outputs[0])


def for_output(tl: Timeline, out: OutputSpec) -> Timeline:
    """``tl`` as drawn for ``out``: at its size and fit, on its frame grid where it can
    be, overlays in its pixels, ``out`` the first output. ``tl`` itself when ``out``
    draws the same picture as the first video output, or no picture it draws (no video,
    ``video copy``)."""
    first = grid_output(tl)
    if out is first or not out.has_video or out.video == "copy" or not tl.main:
        return tl
    if (out.width, out.height, out.fps, out.fit) == (tl.width, tl.height, tl.fps, first.fit):
        return tl
    main = tl.main if out.fps == tl.fps else regrid(tl.main, out.fps)
    fps = out.fps if main is not None else tl.fps
    scale_x, scale_y, dx, dy = mapping((tl.width, tl.height), out)
    overlays = tl.overlays
    if (scale_x, scale_y, dx, dy) != (1, 1, 0, 0):
        overlays = tuple(
            tuple(_map_overlay(item, tl, scale_x, scale_y, dx, dy) for item in track)
            for track in tl.overlays
        )
    return replace(
        tl,
        outputs=(out, *(o for o in tl.outputs if o is not out)),
        main=main if main is not None else tl.main,
        overlays=overlays,
        fps=fps,
        width=out.width,
        height=out.height,
    )


def mapping(
    reference: tuple[int, int], out: OutputSpec
) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """How a point of the ``reference`` frame lands in ``out``: ``(sx, sy, dx, dy)``,
    ``x' = dx + x * sx``. The reference frame is fitted as the output fits a picture:
    ``contain`` scales it to fit inside and centres it, ``cover`` to fill and centres it
    (what falls outside is cut), ``stretch`` scales each way on its own."""
    w0, h0 = reference
    sx, sy = Fraction(out.width, w0), Fraction(out.height, h0)
    if out.fit == "stretch":
        return sx, sy, Fraction(0), Fraction(0)
    s = max(sx, sy) if out.fit == "cover" else min(sx, sy)
    return s, s, (out.width - w0 * s) / 2, (out.height - h0 * s) / 2


def _map_overlay(
    item: OverlayItem, tl: Timeline, sx: Fraction, sy: Fraction, dx: Fraction, dy: Fraction
) -> OverlayItem:
    pos = item.pos
    if isinstance(pos, tuple) or (pos is None and item.kind != "text"):
        x, y = pos if isinstance(pos, tuple) else (0, 0)
        pos = (round(dx + x * sx), round(dy + y * sy))
    if item.kind == "text":  # (a caption cannot stretch: its size follows the height)
        return replace(item, pos=pos, size=max(1, round((item.size or 48) * sy)))
    assert item.path is not None
    scale = item.scale
    if scale is None:  # its own size, in the first output's pixels
        info = tl.media[item.path].video
        assert info is not None
        scale = (info.width, info.height)
    return replace(item, pos=pos, scale=(max(1, round(scale[0] * sx)),
                                         max(1, round(scale[1] * sy))))


def regrid(main: tuple[MainItem, ...], new_fps: Fraction) -> tuple[MainItem, ...] | None:
    """The main track's items on the frame grid of ``new_fps``: each cut on the frame
    nearest it; None where an item or a transition would get no frame at that rate."""
    out = []
    prev_end = 0
    for item in main:
        first = frame_at(item.start, new_fps)
        end = frame_at(item.start + item.duration, new_fps)
        if end - first < 1:
            return None
        transition = item.transition
        if transition is not None:
            overlap = prev_end - first
            if overlap < 1:
                return None
            transition = replace(transition, frames=overlap,
                                 duration=Fraction(overlap) / new_fps)
        prev_end = end
        out.append(replace(item, start=Fraction(first) / new_fps, frames=end - first,
                           duration=Fraction(end - first) / new_fps, transition=transition))
    return tuple(out)
