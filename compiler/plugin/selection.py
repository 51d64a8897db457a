"""Select encoders: the stage between resolve and lower that fixes each output's encoders.

For every output this settles ``encoder`` (its video encoder) and
``audio_encoder``, by name, from what really works with the ffmpeg in use
(:mod:`tlc.plugin.availability`):

- ``encoder auto`` takes, for the stream's codec family, the first encoder that
  works: hardware before software, then by priority. When that is a hardware
  encoder, the best working software one is kept as ``fallback_encoder``, for
  :func:`software_fallback` if the GPU fails in the middle of the export.
- A named encoder (``encoder nvenc``, ``--encoder nvenc``, or the config file)
  applies to the stream of its kind (a video encoder to the video, an audio
  encoder to the audio; an output without that stream is left alone). If it does
  not encode that stream's family, or does not work here, that is an
  :class:`~tlc.core.errors.EncoderError` saying why and which encoders would work:
  nothing is silently put in its place.

Before::  OutputSpec(video="h264", encoder="auto", audio="aac", ...)
After::   OutputSpec(video="h264", encoder="x264", audio="aac", audio_encoder="aac", ...)
"""

from __future__ import annotations

from dataclasses import replace

from tlc.core.context import Context
from tlc.core.errors import EncoderError, Span
from tlc.core.toolchain import Ffmpeg
from tlc.ir import OutputSpec, Timeline
from tlc.plugin.availability import Status, statuses
from tlc.plugin.encoder import AUDIO_FAMILIES, VIDEO_FAMILIES
from tlc.plugin.manager import Registered, Registry, registry


def select_encoders(tl: Timeline, ctx: Context) -> Timeline:
    """``tl`` with every output's encoders chosen (see the module's docstring)."""
    chooser = _Chooser(registry(), ctx)
    return replace(tl, outputs=tuple(chooser.output(o) for o in tl.outputs))


def software_fallback(tl: Timeline) -> tuple[Timeline, list[tuple[str, str, str]]] | None:
    """``tl`` with each auto-chosen hardware encoder replaced by its software fallback,
    and what changed: (output path, hardware encoder, software encoder); None if nothing."""
    changed = [
        (o.path, o.encoder, o.fallback_encoder)
        for o in tl.outputs
        if o.fallback_encoder is not None
    ]
    if not changed:
        return None
    outputs = tuple(
        replace(o, encoder=o.fallback_encoder, fallback_encoder=None) if o.fallback_encoder else o
        for o in tl.outputs
    )
    return replace(tl, outputs=outputs), changed


class _Chooser:
    def __init__(self, reg: Registry, ctx: Context) -> None:
        self.reg = reg
        self.ctx = ctx
        self.ffmpeg: Ffmpeg | None = ctx.ffmpeg

    def output(self, out: OutputSpec) -> OutputSpec:
        name = out.encoder
        named = self.reg.known(name) if name != "auto" else []
        if name != "auto" and not named:
            raise self.unknown(out, name)
        kinds = {r.encoder.media for r in named}
        video, fallback, audio = "auto", None, "auto"
        if out.video in VIDEO_FAMILIES:
            if "v" in kinds:
                video = self.named(out, name, out.video).encoder.name
            else:
                chosen, fallback = self.auto(out, out.video)
                video = chosen.encoder.name
        if out.audio in AUDIO_FAMILIES:
            if "a" in kinds:
                audio = self.named(out, name, out.audio).encoder.name
            else:
                audio = self.auto(out, out.audio)[0].encoder.name
        return replace(out, encoder=video, audio_encoder=audio, fallback_encoder=fallback)

    # ---- the two ways to choose -----------------------------------------------------------
    def auto(self, out: OutputSpec, family: str) -> tuple[Registered, str | None]:
        """The first working encoder of ``family``, and the software one to fall back to."""
        found = self.status(self.reg.family(family))
        working = [s.entry for s in found if s.ok]
        if not working:
            raise EncoderError(
                f"no encoder for {family} works with this ffmpeg"
                + (f" ({self.ffmpeg.path})" if self.ffmpeg else ""),
                self.span(out, "auto"),
                hint=_reasons(found) or f"install a plugin that encodes {family}",
            )
        first = working[0]
        fallback = None
        if first.encoder.hardware:
            fallback = next((r.encoder.name for r in working if not r.encoder.hardware), None)
        return first, fallback

    def named(self, out: OutputSpec, name: str, family: str) -> Registered:
        """The encoder ``name`` for ``family``, which must exist and work here."""
        entry = self.reg.find(name, family)
        if entry is None:
            families = sorted({r.encoder.family for r in self.reg.known(name)})
            raise EncoderError(
                f"encoder {name!r} encodes {', '.join(families)}, not {family}",
                self.span(out, name),
                hint=self.alternatives(family),
            )
        (status,) = self.status([entry])
        if not status.ok:
            hint = self.alternatives(family)
            if entry.encoder.hardware:
                hint += (
                    "\n(checks are remembered: after installing a driver, tlc plugins --recheck)"
                )
            raise EncoderError(
                f"encoder {name!r} ({entry.encoder.ffmpeg_name}) does not work with this "
                f"ffmpeg: {status.reason}",
                self.span(out, name),
                hint=hint,
            )
        return entry

    def alternatives(self, family: str) -> str:
        found = self.status(self.reg.family(family))
        works = ", ".join(dict.fromkeys(s.entry.encoder.name for s in found if s.ok))
        if not works:
            return f"no encoder for {family} works here"
        return f"encoders that work for {family} here: {works}; or write 'encoder auto'"

    # ---- helpers ------------------------------------------------------------------------
    def status(self, entries: list[Registered]) -> list[Status]:
        if self.ffmpeg is None:  # nothing to check against: trust software only
            return [Status(r, not r.encoder.hardware, "no ffmpeg to check with") for r in entries]
        return statuses(self.reg, self.ffmpeg, entries)

    def span(self, out: OutputSpec, name: str) -> Span | None:
        """The output's place in the file, unless the name came from the command line."""
        given = (self.ctx.overrides.encoder, self.ctx.defaults.encoder)
        return None if name != "auto" and name in given else out.span

    def unknown(self, out: OutputSpec, name: str) -> EncoderError:
        names = self.reg.names()
        import difflib  # (only for a wrong name: a suggestion)

        close = difflib.get_close_matches(name, names, n=1)
        hint = (
            (f"did you mean {close[0]!r}? " if close else "")
            + "encoders: auto, "
            + ", ".join(names)
        )
        return EncoderError(f"unknown encoder {name!r}", self.span(out, name), hint=hint)


def _reasons(found: list[Status]) -> str:
    return "; ".join(f"{s.entry.encoder.name}: {s.reason}" for s in found if not s.ok)
