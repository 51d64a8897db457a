"""Small builders of plan nodes: the filter chains an item needs.

Lowering composes these; passes recognise their ``role`` names. Every chain makes
its stream exact: video on the output frame grid with an exact frame count, audio
at 48 kHz stereo with an exact sample count, so joins never drift.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import TYPE_CHECKING

from tlc.core.timefmt import q, sec
from tlc.ir import (
    F,
    Lavfi,
    MainItem,
    Media,
    Node,
    OutputSpec,
    OverlayItem,
    Src,
    Timeline,
    frame_at,
)
from tlc.media.formats import unseekable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tlc.media.info import MediaInfo


PIX_FMT = "yuv420p"


def f(
    name: str,
    src: Node | tuple[Node, ...],
    media: Media,
    role: str,
    noop: bool = False,
    **args: object,
) -> F:
    srcs = src if isinstance(src, tuple) else (src,)
    # (a list, not a generator: this runs for every filter of every item)
    return F(name, tuple([(k, str(v)) for k, v in args.items()]), srcs, media, role, noop)


def fmt(v: Node, pix_fmt: str = PIX_FMT) -> Node:
    return F("format", _FORMAT if pix_fmt == PIX_FMT else option_pairs(pix_fmts=pix_fmt), (v,), "v",
             "format")


def fit(
    v: Node,
    src_size: tuple[int, int] | None,
    sar: Fraction | None,
    out: OutputSpec,
    role: str = "fit",
) -> Node:
    """Fit ``v`` to the output size with the output's fit mode, in one scale.

    ``sar``: the source's pixel aspect ratio (None: not to be trusted as written, so
    the fit is never skipped). Pixels that are not square are made so first: a 240x240
    picture of 4:3 pixels is fitted as the 320x240 picture it shows."""
    w, h = out.width, out.height
    noop = src_size == (w, h) and sar == 1
    if sar and sar != 1:
        v = F("scale", _TO_SQUARE, (v,), "v", role)
    for name, args in _fit_filters(w, h, out.fit):
        v = F(name, args, (v,), "v", role, noop)
    return v


def has_alpha(pix_fmt: str) -> bool:
    """True for a pixel format with an alpha channel (rgba, ya8, yuva420p, gbrap, ...)."""
    return pix_fmt.startswith(("rgba", "bgra", "argb", "abgr", "ya", "yuva", "gbrap"))


def video_sar(info: MediaInfo) -> Fraction | None:
    """The pixel aspect ratio :func:`fit` takes for ``info``'s video. A GIF's is not to be
    trusted: ffmpeg reads 1:1 pixels as 64:64, which the concat filter tells from 1:1."""
    assert info.video is not None
    return None if info.video.codec == "gif" else info.video.sar


@functools.lru_cache(maxsize=64)  # one output size, every item: the same filters
def _fit_filters(w: int, h: int, mode: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The filters of :func:`fit`, by name and arguments."""
    if mode == "stretch":
        filters = [("scale", option_pairs(w=w, h=h))]
    elif mode == "cover":
        filters = [
            ("scale", option_pairs(w=w, h=h, force_original_aspect_ratio="increase")),
            ("crop", option_pairs(w=w, h=h)),
        ]
    else:
        filters = [
            (
                "scale",
                option_pairs(
                    w=w, h=h, force_original_aspect_ratio="decrease", force_divisible_by=2
                ),
            ),
            ("pad", option_pairs(w=w, h=h, x="(ow-iw)/2", y="(oh-ih)/2", color="black")),
        ]
    return (*filters, ("setsar", option_pairs(r=1)))


def option_pairs(**args: object) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in args.items())


# stored pixels to square ones, at the width they show (even, for yuv420p)
_TO_SQUARE = option_pairs(w="trunc(iw*sar/2)*2", h="ih")


# the arguments of the filters every item has (made once, not for each item)
PTS_RESET = option_pairs(expr="PTS-STARTPTS")


_HOLD_LAST = option_pairs(stop_mode="clone", stop=2)


_FORMAT = option_pairs(pix_fmts=PIX_FMT)


@functools.lru_cache(maxsize=64)
def _fps_args(num: int, den: int) -> tuple[tuple[str, str], ...]:
    return option_pairs(fps=q(Fraction(num, den)))


def reads(
    src_in: Fraction, duration: Fraction, info: MediaInfo | None, preroll: Fraction = Fraction(0)
) -> tuple[Fraction | None, Fraction, Fraction | None]:
    """How to read ``duration`` of a file from ``src_in``: (``-ss``, ``-t``, and a start
    to trim in the graph, from the seek point).

    Most files are read from their seek point. A container in :data:`UNSEEKABLE` is
    read from its start and trimmed in the graph: ffmpeg's seek there may find no
    keyframe behind the point and give no picture at all. With ``preroll``, the seek
    is that much earlier and the graph cuts the rest by timestamps."""
    if src_in and info is not None and unseekable(info.format_name):
        return None, src_in + duration, src_in
    if src_in and preroll:
        seek = max(src_in - preroll, Fraction(0))
        return seek or None, duration + src_in - seek, src_in - seek
    return src_in or None, duration, None


def cut_from_start(
    node: Node, skip: Fraction, info: MediaInfo, media: Media
) -> tuple[Node, Fraction]:
    """``node``, a stream read from its file's start, cut at ``skip`` seconds of the file
    (see :func:`reads`); and the time of that point in the result.

    Its first frame is put at 0 first: what ffmpeg takes as the file's start depends on
    the streams a run maps (an MPEG-TS's sound starts 23 ms before its pictures, and a
    run of its pictures alone, as a segment's, starts there), and a cut by the times as
    they come picked another frame in each. Then the cut is at ``skip`` less where the
    stream begins in the file."""
    stream = info.video if media == "v" else info.audio
    begins = Fraction(0)
    if stream is not None and stream.start is not None:
        begins = max(stream.start - info.start_time, Fraction(0))
    at = max(skip - begins, Fraction(0))
    node = F("setpts" if media == "v" else "asetpts", PTS_RESET, (node,), media, "pts")
    return F("trim" if media == "v" else "atrim", (("start", sec(at)),), (node,), media,
             "seek"), at


#: how much earlier than its trim an audio item is read (see :func:`audio_item`)
AUDIO_PREROLL = Fraction(1, 10)


def item_video(item: MainItem, tl: Timeline, fit_mode: str) -> Node:
    """One main-track item as exactly ``item.frames`` frames at the output size and fps."""
    out = next(o for o in tl.outputs if o.has_video)
    if item.kind == "gap":
        return Lavfi(
            "color",
            (
                ("c", "black"),
                ("s", f"{tl.width}x{tl.height}"),
                ("r", q(tl.fps)),
                ("d", sec(item.duration)),
            ),
            "v",
        )
    assert item.path is not None
    info = tl.media[item.path]
    assert info.video is not None
    size = (info.video.width, info.video.height)
    if item.kind == "still":
        v: Node = Src(item.path, "v", duration=item.duration, loop=True, rate=tl.fps)
        if has_alpha(info.video.pix_fmt):  # see-through parts show black, as over a gap
            v = f("premultiply", v, "v", "alpha", inplace=1)
        v = fit(v, size, video_sar(info), out)
        return f("trim", v, "v", "trim", end_frame=item.frames)
    fps = tl.fps
    if item.kind == "freeze":
        return freeze_video(item, info, fit(_first_frame(item, info), size, video_sar(info), out),
                            fps)
    seek, length, skip = reads(item.src_in, item.source_length, info)
    v = Src(item.path, "v", seek=seek, duration=length)
    if skip:
        v, _ = cut_from_start(v, skip, info, "v")
    if item.speed != 1:  # its frames come that much sooner; the fps filter picks the grid's
        sp = item.speed
        v = f("setpts", v, "v", "speed", expr=f"(PTS-STARTPTS)*{sp.denominator}/{sp.numerator}")
    else:
        v = F("setpts", PTS_RESET, (v,), "v", "pts")
    v = fit(v, size, video_sar(info), out)
    v = F("fps", _fps_args(fps.numerator, fps.denominator), (v,), "v", "fps",
          info.video.fps == fps and info.video.steady and item.speed == 1)
    late = info.lead_ins()[0] - item.src_in
    if item.speed != 1:
        late /= item.speed
    if late > 0:  # pictures that begin after the sound: black until they do
        v = f("tpad", v, "v", "pad", start=round(late * fps), start_mode="add", color="black")
    # a source whose video ends a little early is held on its last frame, never short
    v = F("tpad", _HOLD_LAST, (v,), "v", "trim")
    return F("trim", (("end_frame", str(item.frames)),), (v,), "v", "trim")


def _first_frame(item: MainItem, info: MediaInfo) -> Node:
    """The one frame of a freeze: the first at or after its source time."""
    assert item.path is not None
    seek, length, skip = reads(item.src_in, Fraction(1), info)  # (a second holds a frame)
    v: Node = Src(item.path, "v", seek=seek, duration=length)
    if skip:
        v, _ = cut_from_start(v, skip, info, "v")
    v = f("trim", v, "v", "freeze", end_frame=1)
    return F("setpts", PTS_RESET, (v,), "v", "pts")


def freeze_video(item: MainItem, info: MediaInfo, frame: Node, fps: Fraction) -> Node:
    """``frame`` (one frame, fitted) held for exactly ``item.frames`` frames at ``fps``."""
    v = f("loop", frame, "v", "freeze", loop=item.frames - 1, size=1, start=0)
    v = f("setpts", v, "v", "freeze", expr=f"N*{fps.denominator}/{fps.numerator}/TB")
    v = F("fps", _fps_args(fps.numerator, fps.denominator), (v,), "v", "fps")
    return F("trim", (("end_frame", str(item.frames)),), (v,), "v", "trim")


def concat(parts: list[Node], media: Media) -> Node:
    if media == "v":
        return f("concat", tuple(parts), "v", "concat", n=len(parts), v=1, a=0)
    return f("concat", tuple(parts), "a", "concat", n=len(parts), v=0, a=1)


def concat_items(parts: list[Node], items: Sequence[MainItem], fps: Fraction) -> Node:
    """The video of main-track ``items`` (``parts``, each on the frame grid) joined.

    The concat filter times a piece by its frames' spacing, so a one-frame item would
    last no time at all (and its frame be dropped as a duplicate); as every item has its
    exact frame count, frame n of the join is put at n / fps when there is one."""
    v = concat(parts, "v")
    if any(item.frames == 1 for item in items):
        v = f("setpts", v, "v", "pts", expr=f"N*{fps.denominator}/{fps.numerator}/TB")
    return v


def _xy(pos: tuple[int, int] | str | None, text: bool = False) -> tuple[str, str]:
    if pos == "center" or (pos is None and text):
        return ("(w-text_w)/2", "(h-text_h)/2") if text else ("(W-w)/2", "(H-h)/2")
    if pos is None:
        return "0", "0"
    assert isinstance(pos, tuple)
    return str(pos[0]), str(pos[1])


def enable(item: OverlayItem, fps: Fraction) -> str:
    """The frames an overlay shows on: from the frame its start falls on to the one
    before the frame its end falls on, each the nearest frame (a half rounds up, as a
    main-track cut does): ``at 1s..2s`` at 25 fps is frames 25 to 49, ``at 0.5s+10f``
    frames 13 to 22. The bounds lie half a frame before those frames, between frames,
    so that no float rounding of ``t`` can add or drop one."""
    first, end = frame_at(item.start, fps), frame_at(item.end, fps)
    lo = max((first - Fraction(1, 2)) / fps, Fraction(0))
    return f"between(t,{sec(lo)},{sec((end - Fraction(1, 2)) / fps)})"


def overlay(base: Node, item: OverlayItem, tl: Timeline) -> Node:
    """``base`` with one overlay item drawn on it during the item's range."""
    if item.kind == "text":
        x, y = _xy(item.pos, text=True)
        args: dict[str, object] = {
            "expansion": "none",
            "text": item.text or "",
            "fontsize": item.size or 48,
            "fontcolor": item.color or "white",
            "x": x,
            "y": y,
            "enable": enable(item, tl.fps),
        }
        if item.font:
            args["fontfile"] = item.font
        if item.box:
            args.update(box=1, boxcolor="black@0.5", boxborderw=max(4, (item.size or 48) // 4))
        return F("drawtext", tuple((k, str(v)) for k, v in args.items()), (base,), "v", "text")
    assert item.path is not None
    if item.kind == "image":
        top: Node = Src(item.path, "v")
        if item.scale:
            top = f("scale", top, "v", "scale", w=item.scale[0], h=item.scale[1])
        top = _opacity(top, item.opacity)
        x, y = _xy(item.pos)
        return f("overlay", (base, top), "v", "overlay", x=x, y=y, enable=enable(item, tl.fps))
    lead = item.lead or Fraction(0)
    seek, length, skip = reads(item.src_in, item.end - item.start + lead, tl.media[item.path])
    top = Src(item.path, "v", seek=seek, duration=length)
    cut = Fraction(0)
    if skip:
        top, cut = cut_from_start(top, skip, tl.media[item.path], "v")
    # (-ss gives frames their time from the seek point: a later part's frames keep it,
    # less the lead, where PTS-STARTPTS would move its first frame to the start; read
    # from the file's start, they keep their time from its first frame)
    pts = "PTS-STARTPTS" if item.lead is None else f"PTS-{sec(lead + cut)}/TB"
    top = f("setpts", top, "v", "pts", expr=f"{pts}+{sec(item.start)}/TB")
    if item.scale:
        top = f("scale", top, "v", "scale", w=item.scale[0], h=item.scale[1])
    top = _opacity(top, item.opacity)  # (an animated GIF given as an image may have one)
    x, y = _xy(item.pos)
    return f(
        "overlay", (base, top), "v", "overlay", x=x, y=y, enable=enable(item, tl.fps),
        eof_action="pass",
    )


def _opacity(top: Node, opacity: float | None) -> Node:
    if opacity is None or opacity >= 1:
        return top
    top = f("format", top, "v", "opacity", pix_fmts="rgba")
    return f("colorchannelmixer", top, "v", "opacity", aa=f"{opacity:g}")
