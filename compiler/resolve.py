"""AST -> resolved :class:`~tlc.ir.Timeline`: what the file means.

Every setting gets its default, every time becomes exact seconds on the output's
frame grid, every path becomes absolute (relative to the `.tl` file), every media
file is probed (in one batch). Every mistake here is a
:class:`~tlc.errors.ValidationError` or :class:`~tlc.errors.MediaError` that points
at the place in the file it came from.
"""

from __future__ import annotations

import dataclasses
import os
from fractions import Fraction

from . import ast
from .containers import encodes
from .context import Context
from .errors import MediaError, Span, TlcError, UsageError, ValidationError
from .ir import (
    AudioItem,
    MainItem,
    MainKind,
    OutputSpec,
    OverlayItem,
    Timeline,
    frame_at,
)
from .probe import MediaInfo, probe_many

# extension -> (ffmpeg muxer, audio-only, default audio codec)
CONTAINERS: dict[str, tuple[str, bool, str]] = {
    ".mp4": ("mp4", False, "aac"),
    ".m4v": ("mp4", False, "aac"),
    ".mov": ("mov", False, "aac"),
    ".mkv": ("matroska", False, "aac"),
    ".webm": ("webm", False, "opus"),
    ".m4a": ("ipod", True, "aac"),
    ".aac": ("adts", True, "aac"),
    ".mp3": ("mp3", True, "mp3"),
    ".opus": ("opus", True, "opus"),
    ".ogg": ("ogg", True, "opus"),
    ".wav": ("wav", True, "pcm"),
    ".flac": ("flac", True, "flac"),
}
AUDIO_CODECS_FOR = {
    "ipod": {"aac", "copy"},
    "adts": {"aac", "copy"},
    "mp3": {"mp3", "copy"},
    "opus": {"opus", "copy"},
    "ogg": {"opus", "copy"},
    "wav": {"pcm", "copy"},
    "flac": {"flac", "copy"},
    "webm": {"opus", "copy", "none"},
}


def _err(
    message: str, span: Span, hint: str | None = None, source: str | None = None
) -> ValidationError:
    return ValidationError(message, span, hint=hint, source=source)


class _Resolver:
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
                for p in _paths_of(item):
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
    def outputs(self) -> tuple[OutputSpec, ...]:
        if not self.tl.outputs:
            raise ValidationError(
                'no output: add a line such as  output "out.mp4"',
                Span(self.tl.file, 1, 1),
                source=self.tl.source,
            )
        first_video = self.first_video_info()
        specs = []
        seen: dict[str, Span] = {}
        inputs = set(self.media)
        for i, out in enumerate(self.tl.outputs):
            spec = self.output(out, first_video, override_path=(i == 0))
            if spec.path in seen:
                raise self.error(
                    f"two outputs write the same path {out.path.value!r}",
                    out.path.span,
                    hint=f"the other one is at line {seen[spec.path].line}",
                )
            if spec.path in inputs:
                if i == 0 and self.ctx.overrides.output:
                    raise UsageError(f"-o: {spec.path} is also an input of the timeline")
                raise self.error(
                    f"output {out.path.value!r} is also an input of the timeline", out.path.span
                )
            seen[spec.path] = out.path.span
            specs.append(spec)
        return tuple(specs)

    def first_video_info(self) -> MediaInfo | None:
        for track in self.tl.tracks:
            if isinstance(track, ast.VideoTrack):
                for item in track.items:
                    if isinstance(item, ast.Clip):
                        info = self.info(item.path)
                        if info.video is not None:
                            return info
        return None

    def output(self, out: ast.Output, first: MediaInfo | None, override_path: bool) -> OutputSpec:
        ov = self.ctx.overrides
        opts: dict[str, ast.Option] = {}
        for o in out.options:
            if o.name in opts:
                raise self.error(f"'{o.name}' is set twice for this output", o.span)
            opts[o.name] = o
        path_from_cli = bool(override_path and ov.output)
        path = os.path.abspath(ov.output) if override_path and ov.output else self.abspath(out.path)

        def bad(message: str, option: str, cli: bool, hint: str | None = None) -> TlcError:
            """The error of a setting: the command line's (``cli``), or the file's."""
            if cli:
                flag = "-o" if option == "output" else f"--{option}"
                return UsageError(f"{flag}: {message}", hint=hint)
            return self.error(message, opts[option].span if option in opts else out.path.span,
                              hint)

        ext = os.path.splitext(path)[1].lower()
        if ext not in CONTAINERS:
            raise bad(
                f"unknown output type {ext or '(no extension)'!r}",
                "output",
                path_from_cli,
                hint="use one of " + ", ".join(sorted(CONTAINERS)),
            )
        container, audio_only, default_audio = CONTAINERS[ext]

        def val(name: str, default: object) -> object:
            return opts[name].value if name in opts else default

        copying = val("video", "h264") == "copy"
        # nothing can change a copied video: its size and rate are the sources'
        size = val("size", "source" if copying else self.ctx.defaults.size)
        if ov.size:
            size = ov.size
        if size == "source":
            if first is None or first.video is None:
                raise bad("'size source' needs a video clip in the main track", "size",
                          bool(ov.size))
            size = (first.video.width, first.video.height)
            if not copying:  # the picture as it shows (square pixels), even for yuv420p
                sar = first.video.sar if first.video.sar > 0 else Fraction(1)
                size = (max(2, int(size[0] * sar) // 2 * 2), max(2, size[1] // 2 * 2))
        fps = val("fps", "source" if copying else self.ctx.defaults.fps)
        if ov.fps:
            fps = ov.fps
        if fps == "source":
            if first is None or first.video is None or not first.video.fps:
                raise bad("'fps source' needs a video clip in the main track", "fps",
                          bool(ov.fps))
            fps = first.video.fps
        assert isinstance(size, tuple) and isinstance(fps, Fraction)
        w, h = int(size[0]), int(size[1])
        if w <= 0 or h <= 0 or w > 16384 or h > 16384:
            raise bad(f"size {w}x{h} is out of range", "size", bool(ov.size))
        if w % 2 or h % 2:
            raise bad(f"size {w}x{h}: width and height must be even for yuv420p", "size",
                      bool(ov.size) and ov.size != "source")
        if fps <= 0 or fps > 1000:
            raise bad(f"fps {float(fps):g} is out of range", "fps", bool(ov.fps))

        video = str(val("video", "h264"))
        audio_val = val("audio", (default_audio, None))
        assert isinstance(audio_val, tuple)
        audio, bitrate = str(audio_val[0]), audio_val[1]
        if audio_only:
            if "video" in opts and video != "none":
                raise self.error(
                    f"{ext} holds no video: remove 'video {video}' or use .mp4", opts["video"].span
                )
            video = "none"
            allowed = AUDIO_CODECS_FOR[container]
            if "audio" not in opts:
                audio = default_audio
            elif audio not in allowed and audio != "none":
                raise self.error(
                    f"{ext} cannot hold {audio} audio",
                    opts["audio"].span,
                    hint="use one of " + ", ".join(sorted(allowed)),
                )
            if audio == "none":
                raise self.error(
                    f"{ext} output with 'audio none' would be empty", opts["audio"].span
                )
        elif container == "webm" and video not in ("av1", "none", "copy"):
            raise bad("a .webm output needs 'video av1'", "video" if "video" in opts else "output",
                      path_from_cli and "video" not in opts)
        else:
            for media, codec, name in (("v", video, "video"), ("a", audio, "audio")):
                if codec not in ("none", "copy") and not encodes(container, media, codec):
                    raise bad(f"a {ext} file cannot hold {codec} {name}",
                              name if name in opts else "output",
                              path_from_cli and name not in opts,
                              hint="use .mkv, which holds any of them")
        if video == "hevc" and min(w, h) < 16:
            raise bad(f"size {w}x{h}: HEVC needs 16 pixels or more each way", "size",
                      bool(ov.size), hint="use a larger size, or 'video h264'")
        if video == "none" and audio == "none":
            raise self.error(
                "this output has neither video nor audio ('video none' and 'audio none')",
                out.path.span,
            )
        if isinstance(bitrate, int) and bitrate < 8000:
            raise self.error(
                f"an audio bitrate of {bitrate} bits per second is far too low",
                opts["audio"].span,
                hint=f"write {bitrate}k for {bitrate} kilobits per second",
            )
        if audio == "aac" and bitrate is None:
            bitrate = 192000
        preset = str(val("preset", self.ctx.defaults.preset))
        if ov.preset:
            preset = ov.preset
        if preset == "auto":
            lines = min(w, h)  # (a portrait 1080x1920 is a 1080-line picture, turned)
            preset = "production" if lines <= 1080 else ("preview" if lines <= 1440 else "draft")
            self.ctx.warn(f"preset auto: chose '{preset}' for {w}x{h}")
        encoder = str(val("encoder", self.ctx.defaults.encoder))
        if ov.encoder:
            encoder = ov.encoder
        return OutputSpec(
            path=path,
            span=out.path.span,
            width=w,
            height=h,
            fps=fps,
            video=video,
            audio=audio,
            audio_bitrate=int(bitrate) if isinstance(bitrate, int) else None,
            preset=preset,
            encoder=encoder,
            fit=str(val("fit", "contain")),
            keyframes_at_cuts=val("keyframes", "auto") == "at-cuts",
            container=container,
        )

    # ---- ranges ------------------------------------------------------------------------
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
        start = self.seconds(r.start) if r.start is not None else Fraction(0)
        if r.kind == "span":
            assert r.end is not None
            end = self.seconds(r.end)
        elif r.kind == "dur":
            assert r.duration is not None
            end = start + self.seconds(r.duration)
        elif r.kind == "to":
            assert r.end is not None
            end = self.seconds(r.end)
        else:
            if length is None:
                raise self.error(f"cannot tell where {what} ends: give the end", r.span)
            if start >= length:  # (A.. past the end: not a range that ends before it starts)
                raise self.error(
                    f"trim starts past the end of the source ({_fmt(length)} long)", r.span
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
                    f"trim starts past the end of the source ({_fmt(length)} long)", r.span
                )
            if end > length + tolerance:
                raise self.error(
                    f"trim past the end of the source: it ends at {_fmt(end)}, "
                    f"the source is {_fmt(length)} long",
                    r.span,
                )
            end = min(end, length)
        return start, end - start

    # ---- tracks ------------------------------------------------------------------------
    def main(self) -> tuple[MainItem, ...]:
        items: list[MainItem] = []
        t = Fraction(0)
        frame_pos = 0
        tracks = [tr for tr in self.tl.tracks if isinstance(tr, ast.VideoTrack)]
        if len(tracks) > 1:
            raise self.error(
                "only one video track is allowed: it is the main program", tracks[1].span
            )
        for track in tracks:
            for item in track.items:
                if isinstance(item, ast.Clip):
                    info = self.info(item.path)
                    if info.is_image:
                        raise self.error(
                            f"{item.path.value!r} is an image: write  "
                            f'image "{item.path.value}" for 3s',
                            item.path.span,
                        )
                    if info.video is None:
                        raise self.error(
                            f"{item.path.value!r} has no video stream: put it in an audio track",
                            item.path.span,
                        )
                    length = _video_length(info)
                    src_in, dur = self.trim(item.trim, length, item.path.value)
                    kind: MainKind = "clip"
                    path: str | None = self.abspath(item.path)
                    mute, vol, trimmed = item.mute, item.volume_db, item.trim is not None
                elif isinstance(item, ast.Gap):
                    dur, src_in, kind, path = self.seconds(item.duration), Fraction(0), "gap", None
                    mute, vol, trimmed = True, None, False
                else:
                    info = self.info(item.path)
                    if not info.is_image and info.video is None:
                        raise self.error(f"{item.path.value!r} is not an image", item.path.span)
                    if not info.is_image:
                        raise self.error(
                            f"{item.path.value!r} is a video, not a still image: write  "
                            f'clip "{item.path.value}"',
                            item.path.span,
                        )
                    dur, src_in, kind = self.seconds(item.duration), Fraction(0), "still"
                    path = self.abspath(item.path)
                    mute, vol, trimmed = True, None, False
                if self.frame_at(dur) <= 0:
                    raise self.error(
                        f"this item lasts less than one frame at {float(self.fps):g} fps", item.span
                    )
                # Its end is the frame nearest the sum of the lengths written so far: items
                # of 2.5 frames each get 3, 2, 3, 2 and never drift (at least one frame each).
                t += dur
                end = self.frame_at(t)
                if kind == "clip" and length is not None and src_in + dur >= length:
                    # a clip that runs to its source's end is never made longer than it:
                    # past it are a repeated picture and silence (a hole at the cut)
                    end = min(end, self.frame_at(t, down=True))
                n = max(1, end - frame_pos)
                items.append(
                    MainItem(
                        kind=kind,
                        path=path,
                        start=Fraction(frame_pos) / self.fps,
                        frames=n,
                        duration=Fraction(n) / self.fps,
                        src_in=src_in,
                        mute=mute,
                        volume_db=vol,
                        span=item.span,
                        trimmed=trimmed,
                    )
                )
                frame_pos += n
        return tuple(items)

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
            src_in, natural = self.trim(item.trim, _video_length(info), item.path.value)
            snapped = _next_frame(info, src_in)
            src_in, natural = snapped, natural - (snapped - src_in)
        elif isinstance(item, ast.ImageOverlay):
            info = self.info(item.path)
            if not info.is_image and info.video is None:
                raise self.error(f"{item.path.value!r} is not an image", item.path.span)
            if not info.is_image:  # an animated GIF: it plays once from its start
                natural = _video_length(info)
        if item.at is None:
            raise self.error(f"{what} overlay needs a range: at 2s..5s", item.span)
        r = item.at
        start = self.seconds(r.start) if r.start is not None else Fraction(0)
        if r.kind == "span":
            assert r.end is not None
            end = self.seconds(r.end)
        elif r.kind == "dur":
            assert r.duration is not None
            end = start + self.seconds(r.duration)
        elif r.kind == "to":
            assert r.end is not None
            end = self.seconds(r.end)
        elif natural is not None:
            end = start + natural
        elif r.kind == "from":
            end = total
        else:
            raise self.error(
                f"{what} has no natural length: give a range such as at "
                f"{_fmt(start)}..{_fmt(start + 3)}",
                r.span,
            )
        if end <= start:
            raise self.error(
                "range ends before it starts" if end < start else "range is empty", r.span
            )
        if start >= total:
            raise self.error(
                f"overlay outside the timeline: it starts at {_fmt(start)}, "
                f"the timeline is {_fmt(total)} long",
                r.span,
            )
        if natural is not None and end - start > natural + self._half_frame():
            self.ctx.warn(
                f"{self.tl.file}:{r.span.line}:{r.span.column}: the video lasts "
                f"{_fmt(natural)}, the overlay {_fmt(end - start)}: nothing shows after "
                f"{_fmt(start + natural)}"
            )
        if end > total:
            self.ctx.warn(
                f"{self.tl.file}:{r.span.line}:{r.span.column}: overlay runs past the end of the "
                f"timeline ({_fmt(total)}); it is cut there"
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

    def audio(self) -> tuple[tuple[AudioItem, ...], ...]:
        tracks = []
        for track in self.tl.tracks:
            if not isinstance(track, ast.AudioTrack):
                continue
            out = []
            t = Fraction(0)
            for item in track.items:
                info = self.info(item.path)
                if info.audio is None:
                    raise self.error(f"{item.path.value!r} has no audio stream", item.path.span)
                length = info.audio.duration or info.duration
                src_in, dur = self.trim(item.trim, length, item.path.value)
                start = self.seconds(item.at) if item.at is not None else t
                if start < 0:
                    raise self.error("an audio item cannot start before 0s", item.span)
                fi = self.seconds(item.fade_in) if item.fade_in else None
                fo = self.seconds(item.fade_out) if item.fade_out else None
                out.append(
                    AudioItem(
                        path=self.abspath(item.path),
                        start=start,
                        src_in=src_in,
                        duration=dur,
                        volume_db=item.volume_db,
                        fade_in=fi,
                        fade_out=fo,
                        span=item.span,
                    )
                )
                t = start + dur
            tracks.append(tuple(out))
        return tuple(tracks)


def _warn_renditions(outputs: tuple[OutputSpec, ...], first: OutputSpec, ctx: Context) -> None:
    """The program is drawn at the first video output's size; the others are scaled
    from it. Say so where that loses something: a larger output, another shape."""
    for o in outputs:
        if o is first or not o.has_video or o.video == "copy":
            continue
        where = f"{o.span.file}:{o.span.line}:{o.span.column}: "
        size, base = f"{o.width}x{o.height}", f"{first.width}x{first.height}"
        if o.width > first.width or o.height > first.height:
            ctx.warn(f"{where}this output ({size}) is scaled up from the first one's "
                     f"picture ({base}): put the largest output first")
        elif o.width * first.height != o.height * first.width:
            ctx.warn(f"{where}this output ({size}) has another shape than the first one "
                     f"({base}): the first one's picture is fitted into it")


def _paths_of(item: object) -> list[ast.Path]:
    if isinstance(item, (ast.Clip, ast.Still, ast.ImageOverlay, ast.VideoOverlay, ast.AudioClip)):
        return [item.path]
    return []


def _next_frame(info: MediaInfo, t: Fraction) -> Fraction:
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


def _video_length(info: MediaInfo) -> Fraction | None:
    if info.video is not None and info.video.duration:
        # (pictures that begin late, after black: see MediaInfo.lead_ins)
        return info.lead_ins()[0] + info.video.duration
    return info.duration


#: the first bytes of the font files FreeType reads: TrueType, OpenType, collections,
#: WOFF, WOFF2, Type 1 (PFB, PFA)
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"typ1", b"ttcf", b"wOFF", b"wOF2",
               b"\x80\x01", b"%!PS-AdobeFont", b"%!FontType1")


def _is_font(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head.startswith(_FONT_MAGIC)


def _fmt(t: Fraction) -> str:
    return f"{float(t):.3f}".rstrip("0").rstrip(".") + "s"


def resolve(tl: ast.Timeline, ctx: Context) -> Timeline:
    """Check the meaning of a parsed file and resolve it into a :class:`Timeline`."""
    r = _Resolver(tl, ctx)
    r.probe_all()
    # the frame grid is the first video output's fps; settle it before any time is read
    outputs = r.outputs()
    grid = next((o for o in outputs if o.has_video), outputs[0])
    r.fps = grid.fps
    _warn_renditions(outputs, grid, ctx)
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
    overlays = r.overlays(total, bool(main))
    for o in outputs:
        if o.has_video and not main:
            raise ValidationError(
                f"output {os.path.basename(o.path)!r} has video but the timeline "
                "has no video track",
                o.span,
                hint="add a video { } track, or write an audio file such as .m4a",
                source=tl.source,
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
    )
