"""Subtitles and chapters: ``subtitles`` files checked (extension, existence, what
libavformat reads them as) and fitted to the outputs, ``chapter`` marks placed on the
timeline (sorted by time, each lasting to the next or the end).
"""

from __future__ import annotations

import os
from fractions import Fraction

from tlc.core.errors import MediaError
from tlc.core.timefmt import human
from tlc.ir import ChapterMark, OutputSpec, SubtitleFile
from tlc.media.containers import CHAPTERS, SUBTITLE_FORMATS, subtitle_codec
from tlc.media.subtitles import font_family, subtitle_format
from tlc.resolve.base import Resolver
from tlc.syntax import ast


class MetadataResolver(Resolver):
    """``subtitles`` and ``chapter`` lines."""

    def subtitle_files(
        self, outputs: tuple[OutputSpec, ...], has_main: bool
    ) -> tuple[SubtitleFile, ...]:
        files = []
        burned: ast.Subtitles | None = None
        for sub in self.tl.subtitles:
            burn = sub.mode != "soft"
            if burn and burned is not None:
                raise self.error(
                    "only one subtitles file can be burned into the picture",
                    sub.span,
                    hint=f"the first is at line {burned.span.line}; "
                    "add soft to this one to make it a track players can switch",
                )
            if burn:
                burned = sub
                self._check_burn(sub, outputs, has_main)
            else:
                self._check_soft(sub, outputs)
            apath = self.abspath(sub.path)
            fmt = self._subtitle_format(sub, apath)
            font = name = None
            if sub.font is not None:
                font, name = self._font(sub.font)
            files.append(
                SubtitleFile(
                    apath, fmt, burn, sub.span, lang=sub.lang, size=sub.size, font=font,
                    font_name=name,
                )
            )
        return tuple(files)

    def _subtitle_format(self, sub: ast.Subtitles, apath: str) -> str:
        ext = os.path.splitext(apath)[1].lower()
        if ext not in SUBTITLE_FORMATS:
            raise self.error(
                f"unknown subtitle file type {ext or '(no extension)'!r}: {sub.path.value}",
                sub.path.span,
                hint="give a SubRip (.srt), WebVTT (.vtt) or ASS (.ass) file",
            )
        if not os.path.isfile(apath):
            raise MediaError(
                f"subtitle file not found: {sub.path.value}",
                sub.path.span,
                source=self.tl.source,
                hint=f"looked for {apath}",
            )
        try:
            return subtitle_format(apath)
        except MediaError as e:
            raise MediaError(
                e.message, sub.path.span, source=self.tl.source,
                hint="give a SubRip (.srt), WebVTT (.vtt) or ASS (.ass) file",
            ) from None

    def _check_burn(
        self, sub: ast.Subtitles, outputs: tuple[OutputSpec, ...], has_main: bool
    ) -> None:
        if not has_main:
            raise self.error(
                "burned subtitles need a picture: the timeline has no video track",
                sub.span,
                hint="add a video { } track, or write soft subtitles",
            )
        for out in outputs:
            if out.video == "copy":
                raise self.error(
                    f"cannot burn subtitles into output {os.path.basename(out.path)!r}: "
                    "its video is copied, not encoded",
                    sub.span,
                    hint="remove 'video copy', or write soft to add a subtitle track",
                )

    def _check_soft(self, sub: ast.Subtitles, outputs: tuple[OutputSpec, ...]) -> None:
        for opt, what in ((sub.size, "size"), (sub.font, "font")):
            if opt is not None:
                self.ctx.warn(
                    f"{self.tl.file}:{sub.span.line}:{sub.span.column}: '{what}' applies to "
                    "burned subtitles; a soft track is drawn by the player"
                )
        for out in outputs:
            if subtitle_codec(out.container, "subrip") is None:
                raise self.error(
                    f"output {os.path.basename(out.path)!r} cannot hold a subtitle track "
                    f"({out.container} files have none)",
                    sub.span,
                    hint="write .mp4, .mov, .mkv or .webm, or burn the subtitles into the "
                    "picture",
                )

    def _font(self, font: ast.Path) -> tuple[str, str]:
        apath = self.abspath(font)
        if not os.path.isfile(apath):
            raise MediaError(
                f"font file not found: {font.value}", font.span, source=self.tl.source
            )
        name = font_family(apath)
        if name is None:
            raise MediaError(
                f"not a font file: {font.value}",
                font.span,
                source=self.tl.source,
                hint="give a TrueType or OpenType file (.ttf, .otf, .ttc)",
            )
        return apath, name

    def chapter_marks(
        self, total: Fraction, outputs: tuple[OutputSpec, ...]
    ) -> tuple[ChapterMark, ...]:
        marks: dict[Fraction, ast.Chapter] = {}
        for ch in self.tl.chapters:
            start = self.seconds(ch.at)
            if start >= total:
                raise self.error(
                    f"chapter at {human(start, 's')} is outside the timeline, "
                    f"which is {human(total, 's')} long",
                    ch.at.span,
                    hint="a chapter starts before the timeline ends",
                )
            if start in marks:
                first = marks[start].span
                raise self.error(
                    f"two chapters start at {human(start, 's')}",
                    ch.at.span,
                    hint=f"the other is at line {first.line}",
                )
            marks[start] = ch
        if marks:
            for out in outputs:
                if out.container not in CHAPTERS:
                    self.ctx.warn(
                        f"output {os.path.basename(out.path)}: {out.container} files hold no "
                        "chapters; they are written into .mp4, .mov, .mkv and .m4a outputs"
                    )
        starts = sorted(marks)
        ends = [*starts[1:], total][: len(starts)]
        return tuple(
            ChapterMark(marks[s].title, s, e, marks[s].span)
            for s, e in zip(starts, ends, strict=True)
        )
