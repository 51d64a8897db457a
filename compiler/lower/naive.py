"""Timeline -> the naive :class:`~tlc.ir.Plan`, on purpose.

The naive plan is what a straightforward script does: every main-track item is
rendered to its own intermediate file (fitted, fps-converted and pix_fmt-converted
on its own, with its audio encoded), the items are joined by a re-encode, every
overlay is one more full re-encode of the whole program, the audio tracks are
mixed into one more file, and a last run muxes the output. An output of another
size, frame rate or fit has a program of its own (:mod:`~tlc.lower.programs`), its
pictures drawn from the sources as the first one's are. It is correct, and
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
from tlc.lower import programs
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
        self.vcodec, self.acodec = intermediate_codecs(self.out0)
        self.counter = 0
        self.prefix = ""  # of another output's program's files: out2-, out3-, ...

    def tmp(self, stem: str, ext: str = ".mp4") -> str:
        self.counter += 1
        return os.path.join(self.workdir, f"{self.counter:03d}-{self.prefix}{stem}{ext}")

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
    def main_program(self, tl: Timeline, sound: bool = True) -> tuple[Node | None, Node | None]:
        """Video and audio of the main track, each item through its own intermediate file
        (its video only, without ``sound``: another output's program)."""
        vs: list[Node] = []
        as_: list[Node] = []
        v: Node | None
        a: Node | None
        video = any(o.has_video for o in tl.outputs)  # (a sound-only export: no pictures)
        fit = programs.grid_output(tl).fit
        for i, item in enumerate(tl.main):
            v = g.item_video(item, tl, fit) if video else None
            a = ga.item_audio(item, tl) if sound else None
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
            if sound:
                as_.append(ga.exact_audio(Src(sink.path, "a", sink=sink), item.duration,
                                          retrim=True))
        if len(tl.main) == 1:
            if video and tl.concat_timebase:
                vs[0] = F("settb", (("expr", "AVTB"),), (vs[0],), "v", "pts")
            return (vs[0] if video else None), (as_[0] if sound else None)
        if any(item.transition for item in tl.main):
            v = tr.join_video(vs, tl.main, tl.fps) if video else None
            a = tr.join_audio(as_, tl.main) if sound else None
        else:
            v = g.concat_items(vs, tl.main, tl.fps) if video else None
            a = g.concat(as_, "a") if sound else None
        sink = self.intermediate("joined", "concat", v, a, tl.duration)
        return ((Src(sink.path, "v", sink=sink) if video else None),
                (Src(sink.path, "a", sink=sink) if sound else None))

    def overlays(self, tl: Timeline, v: Node | None, a: Node | None) -> tuple[Node | None,
                                                                               Node | None]:
        """One full re-encode of the program per overlay item."""
        if v is None:
            return v, a
        for t, track in enumerate(tl.overlays):
            for k, item in enumerate(track):
                drawn = g.overlay(v, item, tl)
                sink = self.intermediate(
                    f"overlay{t + 1}-{k + 1}", "overlay", drawn, a, tl.duration
                )
                v = Src(sink.path, "v", sink=sink)
                a = Src(sink.path, "a", sink=sink) if a is not None else None
        return v, a

    def picture(self, tl: Timeline) -> Node | None:
        """Another output's program (:func:`~tlc.lower.programs.for_output`): its
        pictures alone, drawn from the sources."""
        self.prefix = f"out{self.tl.outputs.index(tl.outputs[0]) + 1}-"
        v, _ = self.main_program(tl, sound=False)
        v, _ = self.overlays(tl, v, None)
        burned = tl.burned
        if burned is not None and v is not None:
            v = subs.burn(v, burned)
        return v

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
            v, a = self.main_program(tl)
            v, a = self.overlays(tl, v, a)
            burned = tl.burned
            if burned is not None and v is not None:
                v = subs.burn(v, burned)
        a = self.mix(a)
        # each video output of another size, fps or fit: its own program, from the sources
        pictures: dict[programs.ProgramKey, Node | None] = {programs.program_key(tl): v}
        outputs = []
        for out in tl.outputs:
            view = programs.for_output(tl, out)
            if view is not tl:
                key = programs.program_key(view)
                if key not in pictures:
                    pictures[key] = self.picture(view)
            outputs.append(self.output(out, view, pictures[programs.program_key(view)], a))
        return Plan(outputs=tuple(outputs), timeline=tl, workdir=self.workdir)

    def output(self, out: OutputSpec, view: Timeline, v: Node | None, a: Node) -> Sink:
        """``out``'s file: ``v``, the picture of ``view`` (its program), and the sound."""
        tl = self.tl
        streams: list[Encode | Copy] = []
        if out.video == "copy":
            streams.append(video_copy(tl, out))
        elif out.has_video and v is not None:
            # (drawn at its size; on its frame grid unless an item has no frame there)
            if out.fps != view.fps:
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
