"""Overlays: images, captions and videos laid over the main track, each inside the
timeline, with fonts that are fonts.
"""

from __future__ import annotations

import os
from fractions import Fraction

from tlc.core.errors import MediaError
from tlc.core.timefmt import human
from tlc.ir import OverlayItem
from tlc.resolve.base import Resolver, next_frame, video_length
from tlc.syntax import ast


class OverlaysResolver(Resolver):
    """Overlay tracks: images, captions and picture-in-picture, in output time."""

    def overlays(self, total: Fraction, has_main: bool) -> tuple[tuple[OverlayItem, ...], ...]:
        tracks = []
        for track in self.tl.tracks:
            if not isinstance(track, ast.OverlayTrack):
                continue
            if not has_main:
                raise self.error("an overlay needs a video track to draw on", track.span)
            out = []
            for item in track.items:
                out.append(self.overlay(item, total))
            tracks.append(tuple(out))
        return tuple(tracks)

    def overlay(self, item: ast.OverlayItem, total: Fraction) -> OverlayItem:
        natural: Fraction | None = None
        src_in = Fraction(0)
        what = "an image" if isinstance(item, ast.ImageOverlay) else "a text"
        if isinstance(item, ast.VideoOverlay):
            info = self.info(item.path)
            if info.video is None or info.is_image:
                raise self.error(f"{item.path.value!r} has no video stream", item.path.span)
            src_in, natural = self.trim(item.trim, video_length(info), item.path.value)
            snapped = next_frame(info, src_in)
            src_in, natural = snapped, natural - (snapped - src_in)
        elif isinstance(item, ast.ImageOverlay):
            info = self.info(item.path)
            if not info.is_image and info.video is None:
                raise self.error(f"{item.path.value!r} is not an image", item.path.span)
            if not info.is_image:  # an animated GIF: it plays once from its start
                natural = video_length(info)
        if item.at is None:
            raise self.error(f"{what} overlay needs a range: at 2s..5s", item.span)
        r = item.at
        start, given_end = self.bounds(r)
        if given_end is not None:
            end = given_end
        elif natural is not None:
            end = start + natural
        elif r.kind == "from":
            end = total
        else:
            raise self.error(
                f"{what} has no natural length: give a range such as at "
                f"{human(start, 's')}..{human(start + 3, 's')}",
                r.span,
            )
        if end <= start:
            raise self.error(
                "range ends before it starts" if end < start else "range is empty", r.span
            )
        if start >= total:
            raise self.error(
                f"overlay outside the timeline: it starts at {human(start, 's')}, "
                f"the timeline is {human(total, 's')} long",
                r.span,
            )
        if natural is not None and end - start > natural + self._half_frame():
            self.ctx.warn(
                f"{self.tl.file}:{r.span.line}:{r.span.column}: the video lasts "
                f"{human(natural, 's')}, the overlay {human(end - start, 's')}: "
                f"nothing shows after "
                f"{human(start + natural, 's')}"
            )
        if end > total:
            self.ctx.warn(
                f"{self.tl.file}:{r.span.line}:{r.span.column}: overlay runs past the end of the "
                f"timeline ({human(total, 's')}); it is cut there"
            )
            end = total
        pos = item.pos
        if isinstance(item, ast.ImageOverlay):
            if item.opacity is not None and not 0 <= item.opacity <= 1:
                raise self.error("opacity is between 0 and 1", item.span)
            return OverlayItem(
                kind="image" if natural is None else "video",
                path=self.abspath(item.path),
                scale=item.scale,
                opacity=item.opacity,
                start=start,
                end=end,
                span=item.span,
                pos=pos,
            )
        if isinstance(item, ast.TextOverlay):
            font = None
            if item.font is not None:
                font = self.abspath(item.font)
                if not os.path.isfile(font):
                    raise MediaError(
                        f"font file not found: {item.font.value}",
                        item.font.span,
                        source=self.tl.source,
                    )
                if not _is_font(font):  # (drawtext would draw in its default font, silently)
                    raise MediaError(
                        f"not a font file: {item.font.value}",
                        item.font.span,
                        source=self.tl.source,
                        hint="give a TrueType or OpenType file (.ttf, .otf, .ttc)",
                    )
            return OverlayItem(
                kind="text",
                text=item.text,
                size=item.size,
                color=item.color,
                font=font,
                box=item.box,
                start=start,
                end=end,
                span=item.span,
                pos=pos,
            )
        return OverlayItem(
            kind="video",
            path=self.abspath(item.path),
            scale=item.scale,
            src_in=src_in,
            start=start,
            end=end,
            span=item.span,
            pos=pos,
        )



_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"typ1", b"ttcf", b"wOFF", b"wOF2",
               b"\x80\x01", b"%!PS-AdobeFont", b"%!FontType1")


def _is_font(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head.startswith(_FONT_MAGIC)
