"""AST -> resolved :class:`~tlc.ir.Timeline`: what the file means.

Every setting gets its default, every time becomes exact seconds on the output's
frame grid, every path becomes absolute (relative to the `.tl` file), every media
file is probed (in one batch). Every mistake here is a
:class:`~tlc.core.errors.ValidationError` or :class:`~tlc.core.errors.MediaError` that points
at the place in the file it came from.

The stages are rooms of their own, on one shared state (:mod:`~tlc.resolve.base`):
:mod:`~tlc.resolve.outputs`, :mod:`~tlc.resolve.tracks` (the main track and audio;
its transitions and freeze frames in :mod:`~tlc.resolve.edits`),
:mod:`~tlc.resolve.overlays`, :mod:`~tlc.resolve.metadata` (subtitles, chapters), and
each caption's font (:mod:`~tlc.resolve.fonts`).
Imports :mod:`tlc.ir`, :mod:`tlc.media`, :mod:`tlc.syntax` and :mod:`tlc.core`.
"""

from __future__ import annotations

import dataclasses
import os
from fractions import Fraction

from tlc.core.context import Context
from tlc.core.errors import Span, UsageError, ValidationError
from tlc.ir import Timeline
from tlc.resolve.fonts import pick_fonts
from tlc.resolve.metadata import MetadataResolver
from tlc.resolve.outputs import OutputsResolver
from tlc.resolve.overlays import OverlaysResolver
from tlc.resolve.tracks import TracksResolver
from tlc.syntax import ast


class _Resolver(OutputsResolver, TracksResolver, OverlaysResolver, MetadataResolver):
    """Every stage of resolving, on one shared state (:class:`~tlc.resolve.base.Resolver`)."""


def resolve(tl: ast.Timeline, ctx: Context) -> Timeline:
    """Check the meaning of a parsed file and resolve it into a :class:`Timeline`."""
    r = _Resolver(tl, ctx)
    r.probe_all()
    # the frame grid is the first video output's fps; settle it before any time is read
    outputs = r.outputs()
    grid = next((o for o in outputs if o.has_video), outputs[0])
    r.fps = grid.fps
    main = r.main()
    audio = r.audio()
    if main:
        total = main[-1].start + main[-1].duration
    else:
        total = max((a.start + a.duration for tr in audio for a in tr), default=Fraction(0))
    if total <= 0:
        raise ValidationError(
            "the timeline is empty: add a video or audio track",
            Span(tl.file, 1, 1),
            source=tl.source,
        )
    cut_audio = []
    for tr in audio:
        kept = []
        for a in tr:
            if a.start >= total:
                ctx.warn(
                    f"{tl.file}:{a.span.line}:{a.span.column}: audio item starts after the "
                    "timeline ends; "
                    "it is not heard"
                )
                continue
            kept.append(dataclasses.replace(a, duration=min(a.duration, total - a.start)))
        cut_audio.append(tuple(kept))
    overlays = pick_fonts(r.overlays(total, bool(main)), tl, ctx)
    for o in outputs:
        if o.has_video and not main:
            hint = "add a video { } track, or write an audio file such as .m4a"
            if not tl.outputs:  # (-o's, on a file without an output)
                raise UsageError(f"-o: {os.path.basename(o.path)!r} has video but the "
                                 "timeline has no video track", hint=hint)
            raise ValidationError(
                f"output {os.path.basename(o.path)!r} has video but the timeline "
                "has no video track",
                o.span,
                hint=hint,
                source=tl.source,
            )
    subtitles = r.subtitle_files(outputs, bool(main))
    chapters = r.chapter_marks(total, outputs)
    if outputs[0].implicit and not ctx.no_output_ok:  # (after every error in the file)
        raise ValidationError(
            'no output: add a line such as  output "out.mp4"  to the file, or pass -o OUT',
            Span(tl.file, 1, 1),
            source=tl.source,
            hint="tlc check checks an edit without an output; in Python, "
            "tlc.export(FILE, output=\"out.mp4\")",
        )
    return Timeline(
        outputs=outputs,
        main=main,
        overlays=overlays,
        audio=tuple(cut_audio),
        duration=total,
        fps=grid.fps,
        width=grid.width,
        height=grid.height,
        media=r.media,
        file=tl.file,
        subtitles=subtitles,
        chapters=chapters,
    )
