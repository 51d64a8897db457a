"""Cut a resolved timeline into segments: windows of time rendered on their own.

A segmented export (``--incremental``, ``--jobs N``, ``--executor dask``) renders
each window's video by itself, video only, to a file that starts on a keyframe;
the files are joined by the concat demuxer with ``-c:v copy``. The sound is made
once for the whole timeline (AAC priming would click at every join of encoded
pieces) and muxed at the end. See :mod:`tlc.segmented.export` for the export itself.

Windows are cut only where a main-track item starts (a cut point, never where a
transition joins it to the item before), and consecutive
items are merged up to a target length. Each main item is rendered exactly as in
a one-run export (its own trim, fit and fps chain, its own frame count), so the
frames at a join are the same frames. Overlays that cross a cut are split: each
side draws its part, and a video overlay's second part starts later in its source.

:func:`video_window` and :func:`audio_only` return ordinary :class:`Timeline`
values, with one output each; the whole compiler (lower, passes, emit) handles
them as it handles any timeline.
"""

from __future__ import annotations

import os
from dataclasses import replace
from fractions import Fraction

from tlc.ir import OutputSpec, OverlayItem, Timeline

#: the shortest window worth a run of its own (ffmpeg's start-up, an encoder's
#: first GOP), and the longest one a re-export may have to render again
MIN_SECONDS = Fraction(2)
MAX_SECONDS = Fraction(10)

#: how much more of a video overlay a window reads past its end (seconds)
VIDEO_OVERLAY_SLACK = Fraction(1)

#: the muxer and extension of each output container's video segments and sound file
SEGMENT_CONTAINER = ("mp4", ".mp4")

SOUND_FILE = {
    "mp4": ("mp4", ".m4a"),
    "ipod": ("ipod", ".m4a"),
    "mov": ("mov", ".mov"),
    "matroska": ("matroska", ".mka"),
    "webm": ("webm", ".webm"),
}


def segmentable(out: OutputSpec) -> str | None:
    """Why ``out`` cannot be rendered in segments, or None (an output of another size
    or fit than the first: windows of its own program)."""
    if not out.has_video:
        return "it has no video (a sound-only export is one run already)"
    if out.video == "copy":
        return "its video is copied, not encoded"
    if out.audio == "copy":
        return "its sound is copied from the clips (one run copies it once, as it is)"
    if out.has_audio and out.container not in SOUND_FILE:
        return f"its container ({out.container}) cannot take the sound by copy"
    return None


def colour_mismatch(tl: Timeline) -> str | None:
    """Which sources (main track, video overlays) have pictures a one-run export
    converts to another colour matrix or range (ffmpeg's concat and overlay filters
    negotiate one and convert the others), or None when they all agree.

    Windows are rendered apart: each would keep its own clips' colours, and at the
    join a full-range or BT.709 clip would be shown with the first clip's. Untagged
    video counts as BT.601 limited range, as ffmpeg's scaler takes it; RGB pictures
    (PNG stills) have no matrix and never disagree.
    """
    seen: dict[str, str] = {}
    paths = [i.path for i in tl.main if i.path is not None]
    paths += [o.path for track in tl.overlays for o in track if o.kind == "video" and o.path]
    for path in paths:
        info = tl.media.get(path)
        if info is not None and info.video is not None and info.video.colours:
            seen.setdefault(info.video.colours, path)
    if len(seen) <= 1:
        return None
    (a, pa), (b, pb) = list(seen.items())[:2]
    return (
        f"its clips differ in colour ({os.path.basename(pa)}: {a} range; "
        f"{os.path.basename(pb)}: {b} range), which one run converts in one graph"
    )


def target_length(tl: Timeline, workers: int, requested: Fraction | None = None) -> Fraction:
    """How long a window should be: ``requested``, or enough windows for every worker
    to have about three (so an uneven one does not leave the others idle), between
    :data:`MIN_SECONDS` and :data:`MAX_SECONDS`."""
    if requested is not None:
        return requested
    share = tl.duration / (3 * max(1, workers))
    return min(MAX_SECONDS, max(MIN_SECONDS, share))


def windows(
    tl: Timeline, target: Fraction, fps: Fraction | None = None
) -> list[tuple[Fraction, Fraction]]:
    """The windows ``[start, end)`` covering the timeline: consecutive main items merged
    as long as the window stays within ``target``, or is shorter than half of it (an
    item longer than the target is a window of its own); a last window shorter than
    half the target joins the one before it.

    With ``fps`` (an output whose frame rate is not the main track's), a window starts
    only where a frame of that output starts too: the output's frames between two cuts
    are then exactly those a one-run export converts there.
    """
    if not tl.main:
        return [(Fraction(0), tl.duration)]
    out: list[tuple[Fraction, Fraction]] = []
    start = end = Fraction(0)
    for item in tl.main:
        item_end = item.start + item.duration
        on_grid = fps is None or (end * fps).denominator == 1
        # (never inside a transition: the items it joins are drawn in one window)
        joined = item.transition is not None
        if item_end - start > target and end - start >= target / 2 and on_grid and not joined:
            out.append((start, end))  # this item would take the window past the target
            start = end
        end = item_end
    if end > start:
        if out and end - start < target / 2:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    if out and out[-1][1] < tl.duration:
        out[-1] = (out[-1][0], tl.duration)
    return out


def video_window(
    tl: Timeline, out: OutputSpec, start: Fraction, end: Fraction, path: str
) -> Timeline:
    """The video of ``out`` from ``start`` to ``end`` as a timeline of its own, written
    to ``path``: no sound, the main items of the window, the overlays cut to it."""
    main = tuple(
        replace(item, start=item.start - start)
        for item in tl.main
        if start <= item.start < end
    )
    overlays = tuple(
        tuple(o for o in (_cut_overlay(item, start, end) for item in track) if o is not None)
        for track in tl.overlays
    )
    container, _ = SEGMENT_CONTAINER
    spec = replace(
        out, path=path, audio="none", audio_bitrate=None, container=container,
        fallback_encoder=None,
    )
    return replace(
        tl, outputs=(spec,), main=main, overlays=overlays, audio=(), duration=end - start,
        concat_timebase=len(main) == 1 and len(tl.main) > 1,
    )


def _cut_overlay(item: OverlayItem, start: Fraction, end: Fraction) -> OverlayItem | None:
    """The part of ``item`` inside ``[start, end)``, in the window's time; None if none.

    A text or image overlay is drawn from the frame at its start to the one before its
    end (see :func:`tlc.lower.chains.enable`); one that ends exactly at a cut makes an empty
    part in the next window, which draws nothing. A video overlay ends with its source.
    """
    if item.kind == "video":
        if item.end <= start or item.start >= end:
            return None
    elif item.end < start or item.start >= end:
        return None
    new_start = max(item.start, start)
    new_end = min(item.end, end)
    if item.kind == "video":
        # read on a little past the window's end: the overlay must not reach its end of
        # file before the window's last frame (at 60 fps, a 30 fps picture's last frame
        # is shown twice); the window ends with its main track anyway
        new_end = min(item.end, end + VIDEO_OVERLAY_SLACK)
    cut = replace(item, start=new_start - start, end=new_end - start)
    if item.kind == "video" and new_start > item.start:
        at = item.src_in + (new_start - item.start)  # the source time at the window's start
        lead = min(VIDEO_OVERLAY_SLACK, at)  # read from a little before it
        cut = replace(cut, src_in=at - lead, lead=lead)
    return cut


def audio_only(tl: Timeline, out: OutputSpec, path: str) -> Timeline:
    """The sound of ``out`` for the whole timeline, as a timeline of its own written to
    ``path`` in a container the output can copy it from."""
    container, _ = SOUND_FILE[out.container]
    spec = replace(out, path=path, video="none", container=container, fallback_encoder=None)
    return replace(tl, outputs=(spec,), overlays=())


def sound_extension(out: OutputSpec) -> str:
    return SOUND_FILE[out.container][1]
