"""The resolver's shared state and helpers: spans and errors, paths, times on the
output's frame grid, the probed media, trims checked against their source.
"""

from __future__ import annotations

import os
from fractions import Fraction

from tlc.core.context import Context
from tlc.core.errors import MediaError, Span, ValidationError
from tlc.core.timefmt import human
from tlc.ir import frame_at
from tlc.media.info import MediaInfo
from tlc.media.probe import probe_many
from tlc.syntax import ast


def _err(
    message: str, span: Span, hint: str | None = None, source: str | None = None
) -> ValidationError:
    return ValidationError(message, span, hint=hint, source=source)




class Resolver:
    """The state of one resolve: the file, the options, the probed media, the frame grid.

    Each stage of resolving is a subclass in a module of its own (outputs, tracks,
    overlays); all share these helpers."""

    def __init__(self, tl: ast.Timeline, ctx: Context) -> None:
        self.tl = tl
        self.ctx = ctx
        self.base = (
            os.path.dirname(os.path.abspath(tl.file))
            if tl.file not in ("<string>", "<stdin>")
            else os.getcwd()
        )
        self.media: dict[str, MediaInfo] = {}
        self._abspaths: dict[str, str] = {}
        self._half: tuple[Fraction, Fraction] | None = None  # (fps, half a frame at it)
        self.fps = ctx.defaults.fps

    # ---- helpers -----------------------------------------------------------------------
    def error(self, message: str, span: Span, hint: str | None = None) -> ValidationError:
        return _err(message, span, hint, self.tl.source)

    def abspath(self, p: ast.Path) -> str:
        found = self._abspaths.get(p.value)  # 10,000 clips name a few files
        if found is None:
            found = os.path.normpath(os.path.join(self.base, os.path.expanduser(p.value)))
            self._abspaths[p.value] = found
        return found

    def seconds(self, t: ast.Time) -> Fraction:
        if t.frames is not None:
            return Fraction(t.frames) / self.fps
        assert t.seconds is not None
        return t.seconds

    def info(self, p: ast.Path) -> MediaInfo:
        return self.media[self.abspath(p)]

    def _half_frame(self) -> Fraction:
        if self._half is None or self._half[0] != self.fps:
            self._half = (self.fps, Fraction(1, 2) / self.fps)
        return self._half[1]

    def frame_at(self, seconds: Fraction, down: bool = False) -> int:
        """The frame of the timeline's grid at ``seconds`` (see :func:`tlc.ir.frame_at`)."""
        return frame_at(seconds, self.fps, down)

    # ---- media -------------------------------------------------------------------------
    def probe_all(self) -> None:
        paths: dict[str, ast.Path] = {}
        for track in self.tl.tracks:
            for item in track.items:
                for p in paths_of(item):
                    paths.setdefault(self.abspath(p), p)
        missing = [(a, p) for a, p in paths.items() if not os.path.exists(a)]
        if missing:
            absent, where = missing[0]
            raise MediaError(
                f"media file not found: {where.value}",
                where.span,
                source=self.tl.source,
                hint=f"looked for {absent}",
            )
        try:
            self.media = probe_many(list(paths))
        except MediaError as e:
            bad = getattr(e, "path", None)
            culprit: ast.Path | None = paths.get(bad) if bad else None
            if culprit is None:
                culprit = next((c for a, c in paths.items() if a in e.message), None)
            raise MediaError(
                e.message, culprit.span if culprit else None, source=self.tl.source
            ) from None

    # ---- outputs ----------------------------------------------------------------------

    def first_video_info(self) -> MediaInfo | None:
        for track in self.tl.tracks:
            if isinstance(track, ast.VideoTrack):
                for item in track.items:
                    if isinstance(item, ast.Clip):
                        info = self.info(item.path)
                        if info.video is not None:
                            return info
        return None


    def bounds(self, r: ast.Range) -> tuple[Fraction, Fraction | None]:
        """(start, end) of a range in seconds; the end is None where the range leaves it
        to the item (``A..``, a point)."""
        start = self.seconds(r.start) if r.start is not None else Fraction(0)
        if r.kind in ("span", "to"):
            assert r.end is not None
            return start, self.seconds(r.end)
        if r.kind == "dur":
            assert r.duration is not None
            return start, start + self.seconds(r.duration)
        return start, None

    def trim(
        self, r: ast.Range | None, length: Fraction | None, what: str
    ) -> tuple[Fraction, Fraction]:
        """(start, duration) of a trim within a source of ``length`` seconds."""
        if r is None:
            if length is None:
                raise self.error(f"cannot tell how long {what} is", Span(self.tl.file, 0, 0))
            return Fraction(0), length
        if r.kind == "point":
            raise self.error("trim needs a range: A..B, A+D, A.. or ..B", r.span)
        start, given_end = self.bounds(r)
        if given_end is not None:
            end = given_end
        else:
            if length is None:
                raise self.error(f"cannot tell where {what} ends: give the end", r.span)
            if start >= length:  # (A.. past the end: not a range that ends before it starts)
                raise self.error(
                    f"trim starts past the end of the source ({human(length, 's')} long)", r.span
                )
            end = length
        if end <= start:
            raise self.error(
                "range ends before it starts" if end < start else "range is empty", r.span
            )
        if length is not None:
            tolerance = self._half_frame()
            if start >= length:
                raise self.error(
                    f"trim starts past the end of the source ({human(length, 's')} long)", r.span
                )
            if end > length + tolerance:
                raise self.error(
                    f"trim past the end of the source: it ends at {human(end, 's')}, "
                    f"the source is {human(length, 's')} long",
                    r.span,
                )
            end = min(end, length)
        return start, end - start

    # ---- tracks ------------------------------------------------------------------------


def paths_of(item: object) -> list[ast.Path]:
    if isinstance(
        item, (ast.Clip, ast.Still, ast.Freeze, ast.ImageOverlay, ast.VideoOverlay, ast.AudioClip)
    ):
        return [item.path]
    return []




def next_frame(info: MediaInfo, t: Fraction) -> Fraction:
    """The time of ``info``'s first frame at or after ``t``, when its frames are evenly
    spaced (else ``t``). A picture in picture trimmed between frames starts on that
    frame, exactly: read from it, in one run or from any window's seek, every output
    frame shows the same source frame."""
    v = info.video
    if not t or v is None or not v.fps or not v.steady:
        return t
    origin = v.start - info.start_time if v.start is not None else Fraction(0)
    k = -((origin - t) * v.fps // 1)  # ceil((t - origin) * fps)
    return max(origin + k / v.fps, t)




def video_length(info: MediaInfo) -> Fraction | None:
    if info.video is not None and info.video.duration:
        # (pictures that begin late, after black: see MediaInfo.lead_ins)
        return info.lead_ins()[0] + info.video.duration
    return info.duration


#: the first bytes of the font files FreeType reads: TrueType, OpenType, collections,
#: WOFF, WOFF2, Type 1 (PFB, PFA)
