"""Outputs: each ``output`` with every setting resolved, checked against what its
container can hold and what the command line overrides.
"""

from __future__ import annotations

import os
from dataclasses import replace
from fractions import Fraction

from tlc.core.errors import Span, TlcError, UsageError
from tlc.core.timefmt import human
from tlc.ir import OutputSpec
from tlc.media.containers import AUDIO_ONLY_CODECS, CONTAINERS, encodes
from tlc.media.info import MediaInfo
from tlc.resolve.base import Resolver
from tlc.syntax import ast


class OutputsResolver(Resolver):
    """``output`` blocks: every setting resolved (defaults, ``source``, the command line)."""

    def outputs(self) -> tuple[OutputSpec, ...]:
        """The file's outputs; for a file without one (an edit alone), the output ``-o``
        names, else an implicit one with the defaults (the frame grid to check the edit
        on, marked ``implicit``: :func:`tlc.resolve.resolve` refuses it unless asked)."""
        written = self.tl.outputs or (self.implicit_output(),)
        implicit = not self.tl.outputs and not self.ctx.overrides.output
        first_video = self.first_video_info()
        specs = []
        seen: dict[str, Span] = {}
        inputs = set(self.media)
        for i, out in enumerate(written):
            spec = self.output(out, first_video, override_path=(i == 0))
            if implicit:
                specs.append(replace(spec, implicit=True))
                break
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

    def implicit_output(self) -> ast.Output:
        """``output "OUT"`` with no settings, where OUT is ``-o``'s path, or for checking
        the edit, FILE's name with ``.mp4`` (``.m4a`` for a timeline with no video track).
        It has no place in the file (line 0)."""
        where = Span(self.tl.file, 0, 0)
        path = self.ctx.overrides.output
        if not path:
            has_video = any(isinstance(t, ast.VideoTrack) and t.items for t in self.tl.tracks)
            stem = os.path.splitext(os.path.basename(self.tl.file))[0]
            if self.tl.file in ("<string>", "<stdin>"):
                stem = "out"
            path = os.path.join(self.base, stem + (".mp4" if has_video else ".m4a"))
        return ast.Output(path=ast.Path(path, where), options=(), span=where)

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
            raise bad(f"fps {human(fps)} is out of range", "fps", bool(ov.fps))

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
            allowed = AUDIO_ONLY_CODECS[container]
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
