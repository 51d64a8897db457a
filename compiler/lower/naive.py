"""Timeline -> the naive :class:`~tlc.ir.Plan`, on purpose.

The naive plan is what a straightforward script does: every main-track item is
rendered to its own intermediate file (fitted, fps-converted and pix_fmt-converted
on its own, with its audio encoded), the items are joined by a re-encode, every
overlay is one more full re-encode of the whole program, the audio tracks are
mixed into one more file, and a last run muxes the output. It is correct, and
slow; the passes in :mod:`tlc.passes` turn it into the good plan. ``-O0`` runs it
as it is.
"""

from __future__ import annotations

import os
from fractions import Fraction

from tlc.core.context import Context
from tlc.ir import Codec, Copy, Encode, F, Node, OutputSpec, Plan, Sink, Src, Timeline
from tlc.lower import audio_chains as ga
from tlc.lower import chains as g
from tlc.lower import subtitles as subs
from tlc.lower import transitions as tr
from tlc.lower.copy_mode import audio_copy, video_copy
from tlc.plugin.codecs import audio_codec, intermediate_codecs, video_codec


class _Lowerer:
    def __init__(self, tl: Timeline, workdir: str, ctx: Context) -> None:
        self.tl = tl
        self.ctx = ctx
        self.workdir = workdir
        self.out0 = next((o for o in tl.outputs if o.has_video), tl.outputs[0])
        fast = ctx.ffmpeg is not None and ctx.ffmpeg.engine == "wasm"
        self.vcodec, self.acodec = intermediate_codecs(self.out0, fast)
        self.counter = 0

    def tmp(self, stem: str, ext: str = ".mp4") -> str:
        self.counter += 1
        return os.path.join(self.workdir, f"{self.counter:03d}-{stem}{ext}")

    def intermediate(
        self, stem: str, role: str, v: Node | None, a: Node | None, duration: Fraction
    ) -> Sink:
        streams: list[Encode] = []
        if v is not None:
            streams.append(Encode(g.fmt(v), self.vcodec, "v"))
        if a is not None:
            streams.append(Encode(a, self.acodec, "a"))
        return Sink(
            self.tmp(stem, ".mp4" if v is not None else ".m4a"),
            tuple(streams),
            role,
            "mp4" if v is not None else "ipod",
            duration=duration,
        )

    # ---- the main program -------------------------------------------------------------
    def main_program(self) -> tuple[Node | None, Node]:
        """Video and audio of the main track, each item through its own intermediate file."""
        tl = self.tl
        vs: list[Node] = []
        as_: list[Node] = []
        video = any(o.has_video for o in tl.outputs)  # (a sound-only export: no pictures)
        for i, item in enumerate(tl.main):
            v = g.item_video(item, tl, self.out0.fit) if video else None
            a = ga.item_audio(item, tl)
            sink = self.intermediate(f"{item.kind}{i + 1}", "clip", v, a, item.duration)
            if video:
                vs.append(
                    F(
                        "trim",
                        (("end_frame", str(item.frames)),),
                        (Src(sink.path, "v", sink=sink),),
                        "v",
                        "retrim",
                        noop=True,
                    )
                )
            as_.append(ga.exact_audio(Src(sink.path, "a", sink=sink), item.duration, retrim=True))
        if len(as_) == 1:
            if video and tl.concat_timebase:
                vs[0] = F("settb", (("expr", "AVTB"),), (vs[0],), "v", "pts")
            return (vs[0] if video else None), as_[0]
        if any(item.transition for item in tl.main):
            v = tr.join_video(vs, tl.main, tl.fps) if video else None
            a = tr.join_audio(as_, tl.main)
        else:
            v = g.concat_items(vs, tl.main, tl.fps) if video else None
            a = g.concat(as_, "a")
        sink = self.intermediate("joined", "concat", v, a, tl.duration)
        return (Src(sink.path, "v", sink=sink) if video else None), Src(sink.path, "a", sink=sink)

    def overlays(self, v: Node | None, a: Node) -> tuple[Node | None, Node]:
        """One full re-encode of the program per overlay item."""
        tl = self.tl
        if v is None:
            return v, a
        for t, track in enumerate(tl.overlays):
            for k, item in enumerate(track):
                drawn = g.overlay(v, item, tl)
                sink = self.intermediate(
                    f"overlay{t + 1}-{k + 1}", "overlay", drawn, a, tl.duration
                )
                v, a = Src(sink.path, "v", sink=sink), Src(sink.path, "a", sink=sink)
        return v, a

    def mix(self, a: Node | None) -> Node:
        tl = self.tl
        base = a if a is not None else ga.silence(tl.duration)
        items = [it for track in tl.audio for it in track]
        if not items:
            return base
        parts = [ga.audio_item(it, channels=ga.channels(tl, it.path)) for it in items]
        mixed = ga.mix(base, parts, tl.duration)
        sink = self.intermediate("mix", "mix", None, mixed, tl.duration)
        return Src(sink.path, "a", sink=sink)

    def lower(self) -> Plan:
        tl = self.tl
        v: Node | None = None
        a: Node | None = None
        if tl.main:
            v, a = self.main_program()
            v, a = self.overlays(v, a)
            burned = tl.burned
            if burned is not None and v is not None:
                v = subs.burn(v, burned)
        a = self.mix(a)
        outputs = []
        for out in tl.outputs:
            outputs.append(self.output(out, v, a))
        return Plan(outputs=tuple(outputs), timeline=tl, workdir=self.workdir)

    def output(self, out: OutputSpec, v: Node | None, a: Node) -> Sink:
        tl = self.tl
        streams: list[Encode | Copy] = []
        if out.video == "copy":
            streams.append(video_copy(tl, out))
        elif out.has_video and v is not None:
            if (out.width, out.height) != (tl.width, tl.height):
                v = g.fit(v, (tl.width, tl.height), Fraction(1), out, role="conform")
            if out.fps != tl.fps:
                v = F("fps", (("fps", g.q(out.fps)),), (v,), "v", "conform")
            streams.append(Encode(g.fmt(v), _output_video_codec(out), "v"))
        if out.audio == "copy":
            streams.append(audio_copy(tl, out, self.ctx))
        elif out.has_audio:
            streams.append(Encode(a, audio_codec(out), "a"))
        soft = subs.soft_streams(tl, out)
        streams += soft
        return Sink(
            out.path, tuple(streams), "output", out.container, subs.end_flags(tl, soft),
            duration=tl.duration, chapters=subs.chapters(tl, out),
        )


def _output_video_codec(out: OutputSpec) -> Codec:
    return video_codec(out)


def lower(tl: Timeline, ctx: Context) -> Plan:
    """The naive plan for ``tl``; intermediate files go under ``ctx.workdir``."""
    workdir = ctx.workdir or os.path.join(os.path.dirname(tl.outputs[0].path), ".tlc-work")
    return _Lowerer(tl, workdir, ctx).lower()
