"""A resolved tlc timeline as an OpenTimelineIO timeline: the inverse of :mod:`.read`.

Built from :class:`tlc.ir.Timeline` (exact times on the output's frame grid, probed
media) and the AST it came from (what the user wrote where the IR has filled in a
default: a caption's font, the outputs). The mapping:

- the main track is the lowest video track ``V1``: clips, gaps, stills (clips of an
  image), freeze frames (a clip with a ``FreezeFrame`` effect), ``speed F`` (a
  ``LinearTimeWarp`` of ``F``; the clip's range lasts its time on the track, as in
  every OTIO file);
- ``transition NAME D`` (D frames) is an OTIO transition with ``in_offset`` D // 2 and
  ``out_offset`` the rest: the clip before it ends ``out_offset`` earlier and the clip
  after it starts ``in_offset`` later (their handles are what the transition plays);
  ``dissolve`` (xfade's ``fade``) is an ``SMPTE_Dissolve``, any other a
  ``Custom_Transition`` whose ``metadata["tlc"]["name"]`` is the name;
- the main clips' own sound is the audio track ``A1`` under them, as an editor links
  it (the reader takes a video item's sound from the audio tracks);
- each overlay track is a higher video track (more than one where its items overlap),
  switched off, as no editor can place its items as tlc does: images and videos are
  clips, captions are clips of a ``GeneratorReference`` of kind ``tlc_text``;
  positions, scales, opacity, and a caption's text and style are in the clip's
  ``metadata["tlc"]``;
- each audio track is an audio track after ``A1`` (more than one where its items
  overlap), volume and fades in ``metadata["tlc"]``;
- chapters are markers on the timeline's stack; the outputs (as `.tl` text) and the
  subtitles are in the timeline's ``metadata["tlc"]``, which :mod:`.tlcmeta` reads
  back with the rest.

Every time is a :class:`RationalTime` at the output's frame rate where it falls on a
frame, else at the rate of its own denominator (exact either way). OpenTimelineIO is
imported only here and in the reader, never at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from tlc.ir import AudioItem, MainItem, OverlayItem, Timeline
from tlc.resolve.base import video_length
from tlc.syntax import ast
from tlc.syntax.unparse import unparse

if TYPE_CHECKING:
    import opentimelineio as otio

__all__ = ["to_otio", "TLC", "FORMAT_VERSION"]

#: the key of tlc's own metadata in every OTIO object it writes
TLC = "tlc"
#: the version of what tlc writes under that key
FORMAT_VERSION = 1
#: a caption's generator kind
TEXT_GENERATOR = "tlc_text"


def rational(seconds: Fraction, rate: Fraction) -> otio.opentime.RationalTime:
    """``seconds`` exactly: frames at ``rate`` where whole, else at its own denominator."""
    import opentimelineio as otio

    value = seconds * rate
    if value.denominator == 1:
        return otio.opentime.RationalTime(value.numerator, float(rate))
    return otio.opentime.RationalTime(seconds.numerator, seconds.denominator)


def number(x: Fraction) -> str:
    """An exact rational as text (``"2.5"`` reads back as it was, ``"1001/30000"`` too)."""
    if x.denominator == 1:
        return str(x.numerator)
    text = repr(float(x))
    return text if Fraction(text) == x else f"{x.numerator}/{x.denominator}"


def _url(path: str) -> str:
    from pathlib import Path

    return Path(path).absolute().as_uri()


class _Writer:
    def __init__(self, tl: Timeline, tree: ast.Timeline | None, warn: Callable[[str], None]):
        import opentimelineio as otio

        self.otio = otio
        self.warn = warn
        self.tl = tl
        self.fps = tl.fps
        written: dict[object, Any] = {}
        if tree is not None:
            for track in tree.tracks:
                for item in track.items:
                    written[item.span] = item
            for sub in tree.subtitles:
                written[sub.span] = sub
        self.written = written

    # ---- times and media
    def at(self, seconds: Fraction) -> otio.opentime.RationalTime:
        return rational(seconds, self.fps)

    def frames(self, n: int) -> otio.opentime.RationalTime:
        return self.otio.opentime.RationalTime(n, float(self.fps))

    def span(self, start: Fraction, duration: Fraction) -> otio.opentime.TimeRange:
        return self.otio.opentime.TimeRange(self.at(start), self.at(duration))

    def reference(self, path: str, used: otio.opentime.TimeRange
                  ) -> otio.schema.ExternalReference:
        """``path``'s reference: all of a video or sound; of an image, from 0 to the end
        of the clip's range."""
        info = self.tl.media.get(path)
        available = self.otio.opentime.TimeRange(
            self.frames(0), used.end_time_exclusive() - self.frames(0))
        if info is not None and not info.is_image:
            length = video_length(info) if info.video is not None else None
            length = length if length is not None else info.duration
            rate = info.video.fps if info.video is not None and info.video.fps else self.fps
            if length is not None:
                available = self.otio.opentime.TimeRange(
                    rational(Fraction(0), rate), rational(length, rate))
        return self.otio.schema.ExternalReference(target_url=_url(path),
                                                  available_range=available)

    def clip(self, path: str, source: otio.opentime.TimeRange, meta: dict[str, Any],
             ) -> otio.schema.Clip:
        return self.otio.schema.Clip(
            name=os.path.basename(path), media_reference=self.reference(path, source),
            source_range=source, metadata={TLC: meta},
        )

    # ---- the main track
    def main(self) -> tuple[otio.schema.Track, otio.schema.Track | None]:
        """The main track ``V1``, and its clips' own sound as an editor links it: an
        audio track ``A1`` of the same cuts (None where no clip has sound)."""
        otio = self.otio
        items = self.tl.main
        cuts = []  # (frames borrowed at the start, at the end) of each item
        for i, item in enumerate(items):
            after = items[i + 1].transition if i + 1 < len(items) else None
            cuts.append((item.transition.frames // 2 if item.transition else 0,
                         after.frames - after.frames // 2 if after else 0))
        track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video,
                                  metadata={TLC: {"role": "main"}})
        for i, (item, (cut_in, cut_out)) in enumerate(zip(items, cuts, strict=True)):
            into = item.transition.frames if item.transition else 0
            after = items[i + 1].transition if i + 1 < len(items) else None
            if after is not None and into + after.frames > item.frames:
                self.warn(f"{item.span}: this item's transitions ({into} and {after.frames} "
                          f"frames) overlap in its {item.frames}: OpenTimelineIO cannot hold "
                          "that, and what reads it (an editor, tlc) shortens them")
            if item.transition is not None:
                track.append(self.transition(item.transition.name, item.transition.xfade,
                                             cut_in, item.transition.frames))
            track.append(self.main_item(item, cut_in, item.frames - cut_in - cut_out))
        return track, self.sound(cuts)

    def transition(self, name: str, xfade: str, cut_in: int, frames: int
                   ) -> otio.schema.Transition:
        kinds = self.otio.schema.TransitionTypes
        return self.otio.schema.Transition(
            name=name,
            transition_type=kinds.SMPTE_Dissolve if xfade == "fade" else kinds.Custom,
            in_offset=self.frames(cut_in), out_offset=self.frames(frames - cut_in),
            metadata={TLC: {"name": name}},
        )

    def sounds(self, item: MainItem) -> bool:
        info = self.tl.media.get(item.path) if item.path else None
        return item.kind == "clip" and not item.mute and info is not None \
            and info.audio is not None

    def sound(self, cuts: list[tuple[int, int]]) -> otio.schema.Track | None:
        """Each sounding clip's sound under its picture; across a transition to a silent
        item, as long as the clip is (the handle the picture borrows)."""
        otio = self.otio
        items = self.tl.main
        sounding = [self.sounds(item) for item in items]
        if not any(sounding):
            return None
        track = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio,
                                  metadata={TLC: {"role": "main sound"}})
        lengths = [item.frames - a - b for item, (a, b) in zip(items, cuts, strict=True)]
        pos = at = 0  # where the track is; where the item starts (record frames)
        for i, item in enumerate(items):
            cut_in, cut_out = cuts[i]
            if sounding[i]:
                joined = item.transition is not None and sounding[i - 1]
                lead = 0 if joined else min(cut_in, at - pos)
                tail = 0 if i + 1 == len(items) or sounding[i + 1] \
                    else min(cut_out, lengths[i + 1])
                if at - lead > pos:
                    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                        self.frames(0), self.frames(at - lead - pos))))
                if joined and item.transition is not None:
                    track.append(self.transition(item.transition.name, item.transition.xfade,
                                                 cut_in, item.transition.frames))
                assert item.path is not None
                src = item.src_in + Fraction(cut_in - lead) / self.fps * item.speed
                clip = self.clip(item.path, otio.opentime.TimeRange(
                    self.at(src), self.frames(lead + lengths[i] + tail)),
                    {"kind": "sound", "volume_db": item.volume_db})
                if item.speed != 1:
                    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=float(item.speed)))
                track.append(clip)
                pos = at + lengths[i] + tail
            at += lengths[i]
        return track

    def main_item(self, item: MainItem, cut_in: int, frames: int) -> otio.schema.Item:
        otio = self.otio
        length = self.frames(frames)
        if item.kind == "gap" or item.path is None:
            return otio.schema.Gap(source_range=otio.opentime.TimeRange(self.frames(0), length))
        meta: dict[str, Any] = {"kind": item.kind}
        if item.kind == "clip":
            start = item.src_in + Fraction(cut_in) / self.fps * item.speed
            meta.update(mute=item.mute, volume_db=item.volume_db, speed=number(item.speed))
        elif item.kind == "still":  # (the same picture throughout: its frames borrowed by
            start = Fraction(cut_in) / self.fps  # a transition before it are there)
        else:
            start = item.src_in  # (a freeze frame: its one frame throughout)
        source = otio.opentime.TimeRange(self.at(start), length)
        clip = self.clip(item.path, source, meta)
        if item.kind == "freeze":
            clip.effects.append(otio.schema.FreezeFrame())
        elif item.kind == "clip" and item.speed != 1:
            clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=float(item.speed)))
        return clip

    # ---- overlays and audio: items at times, in as many lanes as their overlaps need
    def lanes(self, items: Sequence[Any], name: str, kind: str,
              place: Callable[[Any], tuple[Fraction, Fraction]],
              make: Callable[[Any], otio.schema.Item], number: int,
              ) -> list[otio.schema.Track]:
        """Items that may overlap as tracks that cannot: each item in the lowest lane
        where it fits above every earlier item it overlaps (a later item is drawn over
        an earlier one, as in a `.tl` overlay track). Each item's metadata says where it
        was: ``"place": [tlc's track number, its index there]``."""
        lanes: list[list[tuple[Fraction, Fraction, int, Any]]] = []
        for index, item in enumerate(items):
            start, end = place(item)
            above = max((n + 1 for n, lane in enumerate(lanes)
                         if any(s < end and start < e for s, e, _, _ in lane)), default=0)
            if above == len(lanes):
                lanes.append([])
            lanes[above].append((start, end, index, item))
        tracks = []
        for n, lane in enumerate(lanes, start=1):
            track = self.otio.schema.Track(name=name if len(lanes) == 1 else f"{name}.{n}",
                                           kind=kind)
            pos = Fraction(0)
            for start, end, index, item in sorted(lane, key=lambda entry: entry[0]):
                if start > pos:
                    track.append(self.otio.schema.Gap(
                        source_range=self.span(Fraction(0), start - pos)))
                made = make(item)
                made.metadata[TLC]["place"] = [number, index]
                track.append(made)
                pos = end
            tracks.append(track)
        return tracks

    def overlay(self, item: OverlayItem) -> otio.schema.Clip:
        written = self.written.get(item.span)
        meta: dict[str, Any] = {"kind": item.kind, "pos": _pos(item.pos),
                                "scale": list(item.scale) if item.scale else None}
        length = item.end - item.start
        if item.kind == "text":
            font = written.font.value if isinstance(written, ast.TextOverlay) and written.font \
                else None
            meta.update(text=item.text, size=item.size, color=item.color, box=item.box,
                        font=os.path.abspath(os.path.join(os.path.dirname(self.tl.file), font))
                        if font else None)
            return self.otio.schema.Clip(
                name=item.text or "text",
                media_reference=self.otio.schema.GeneratorReference(
                    generator_kind=TEXT_GENERATOR, parameters={"text": item.text or ""},
                    available_range=self.span(Fraction(0), length)),
                source_range=self.span(Fraction(0), length), metadata={TLC: meta},
            )
        assert item.path is not None
        meta["opacity"] = item.opacity
        return self.clip(item.path, self.span(item.src_in, length), meta)

    def audio(self, item: AudioItem) -> otio.schema.Clip:
        meta = {"kind": "audio", "volume_db": item.volume_db,
                "fade_in": number(item.fade_in) if item.fade_in is not None else None,
                "fade_out": number(item.fade_out) if item.fade_out is not None else None}
        return self.clip(item.path, self.span(item.src_in, item.duration), meta)

    # ---- the whole timeline
    def timeline(self, name: str, outputs: Iterable[ast.Output]) -> otio.schema.Timeline:
        otio = self.otio
        tl = self.tl
        video, audio = otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio
        main, sound = self.main() if tl.main else (None, None)
        overlays = []
        for n, items in enumerate(tl.overlays, start=2):
            overlays += self.lanes(items, f"V{n}", video, lambda o: (o.start, o.end),
                                   self.overlay, n - 1)
        for track in overlays:  # (an editor could not place them: there, but off)
            track.enabled = False
            track.metadata[TLC] = {"role": "overlay"}
        tracks: list[Any] = [t for t in (main, *overlays, sound) if t is not None]
        first = 2 if sound is not None else 1
        for n, items in enumerate(tl.audio, start=first):
            tracks += self.lanes(items, f"A{n}", audio,
                                 lambda a: (a.start, a.start + a.duration), self.audio,
                                 n - first + 1)
        result = otio.schema.Timeline(name=name, metadata={TLC: self.timeline_meta(outputs)})
        result.tracks.extend(tracks)
        for chapter in tl.chapters:
            result.tracks.markers.append(otio.schema.Marker(
                name=chapter.title, marked_range=self.span(chapter.start, Fraction(0)),
                metadata={TLC: {"kind": "chapter"}}))
        return result

    def timeline_meta(self, outputs: Iterable[ast.Output]) -> dict[str, Any]:
        written = tuple(outputs)
        subtitles = []
        for sub in self.tl.subtitles:
            tree = self.written.get(sub.span)
            mode = tree.mode if isinstance(tree, ast.Subtitles) else ("burn" if sub.burn
                                                                      else "soft")
            font = tree.font if isinstance(tree, ast.Subtitles) else None
            subtitles.append({"path": sub.path, "mode": mode, "lang": sub.lang,
                              "size": sub.size,
                              "font": os.path.abspath(os.path.join(
                                  os.path.dirname(self.tl.file), font.value)) if font else None})
        return {
            "version": FORMAT_VERSION,
            "fps": number(self.fps),
            "size": [self.tl.width, self.tl.height],
            "outputs": unparse(ast.Timeline(written, (), "", "")) if written else None,
            "subtitles": subtitles,
        }


def _pos(pos: tuple[int, int] | str | None) -> Any:
    return list(pos) if isinstance(pos, tuple) else pos


def to_otio(
    tl: Timeline,
    tree: ast.Timeline | None = None,
    *,
    name: str = "",
    warn: Callable[[str], None] = lambda message: None,
) -> otio.schema.Timeline:
    """The OpenTimelineIO timeline of a resolved timeline (``tree``: the AST it was
    resolved from, whose outputs, fonts and subtitles' modes are kept as written);
    ``warn`` is told what OpenTimelineIO cannot hold."""
    writer = _Writer(tl, tree, warn)
    return writer.timeline(name, tree.outputs if tree is not None else ())
