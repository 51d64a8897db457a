"""OpenTimelineIO's tracks as :class:`~tlc.interchange.layers.Layer` values: every item
at its exact record time, transitions at their cuts, effects read (speed, freeze) or
warned about, disabled items and unknown generators left out, nested stacks flattened.

The objects come from ``opentimelineio`` (imported by the caller); nothing here
imports it, so their types are read by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from tlc.core.errors import Span, ValidationError
from tlc.interchange.layers import Cut, Layer, Piece, Source, flatten, where

#: NTSC rates as OpenTimelineIO writes them (23.976, 29.97, ...) -> exact
_NTSC = {round(n * 1000 / 1001, 3): Fraction(n * 1000, 1001) for n in (24, 30, 48, 60, 120)}

#: SMPTE wipe codes (an EDL's W001) -> xfade's: 1 is left to right, 2 top to bottom
WIPES = {1: "wiperight", 2: "wipedown"}

#: OpenTimelineIO's transition types (and FCP's names) -> .tl transition names
TRANSITIONS = {
    "SMPTE_Dissolve": "dissolve", "Cross Dissolve": "dissolve", "Dissolve": "dissolve",
    "SMPTE_Wipe": "wiperight", "Wipe": "wiperight", "Dip to Black": "fadeblack",
    "Dip to White": "fadewhite", "Fade": "fadeblack",
}


def rate(value: float) -> Fraction:
    """A frame rate as OpenTimelineIO gives it (a float) as an exact fraction."""
    exact = _NTSC.get(round(value, 3))
    if exact is not None:
        return exact
    return Fraction(value).limit_denominator(1001)


def seconds(rt: Any) -> Fraction:
    """A RationalTime as exact seconds."""
    return Fraction(rt.value).limit_denominator(1000) / rate(rt.rate)


@dataclass
class Media:
    """One clip's reference, for the reader to find: its names and where it starts."""

    url: str | None  # the reference's target_url
    names: tuple[str, ...]  # names to relink by (the reference's, the clip's, the reel's)
    available_start: Fraction | None  # the reference's available_range start, seconds
    clip_rate: Fraction


@dataclass
class Walk:
    """The state of one walk: the media met, what to warn about, where names are."""

    locate: Callable[[str, bool], Span]  # (where a name is; True: search on after it)
    warn: Callable[[str], None]
    media: list[Media] = field(default_factory=list)
    markers: list[tuple[Fraction, str]] = field(default_factory=list)
    origin: Fraction = Fraction(0)  # the record time of the track being walked's 0
    moves: list[tuple[int, int, Fraction]] = field(default_factory=list)
    # (a track to leave out: the overlay tracks tlc wrote, which tlc's metadata restores)
    skip: Callable[[Any], bool] | None = None

    # ---- items ------------------------------------------------------------------------
    def clip(self, clip: Any, start: Fraction, duration: Fraction, track: str) -> Source | None:
        """The source of a clip placed at ``start``, or None (a generator it cannot draw:
        what is below shows)."""
        span = self.locate(clip.name, True)
        what = f"clip {clip.name!r} on track {track}"
        speed = Fraction(1)
        for fx in clip.effects:
            kind = type(fx).__name__
            if kind == "FreezeFrame":
                speed = Fraction(0)
            elif kind == "LinearTimeWarp":
                scalar = Fraction(fx.time_scalar).limit_denominator(1000)
                if scalar < 0:
                    self.warn(f"{where(span)}: {what}: reverse playback ({float(scalar):g}) is not "
                              "rendered; it plays forwards")
                else:
                    speed = scalar
            else:
                name = fx.effect_name or fx.name or kind
                self.warn(f"{where(span)}: {what}: effect {name!r} is not rendered")
        sr = self.range_of(clip, track)
        src = seconds(sr.start_time)
        for m in clip.markers:
            marked = seconds(m.marked_range.start_time)
            at = start + (marked - src) / (speed or 1)
            if not start <= at < start + duration:  # an EDL's LOC: in record timecode
                at = marked - self.origin
            if start <= at < start + duration:
                self.markers.append((at, m.name))
        ref = clip.media_reference
        kind = type(ref).__name__
        if kind == "GeneratorReference":
            gen = (ref.generator_kind or "").lower().replace(" ", "")
            if gen in ("solidcolor", "solidcolour", "black", "color", "colour"):
                colour = str((ref.parameters or {}).get("color", "black")).lower()
                if colour not in ("black", "#000000", "0,0,0"):
                    self.warn(f"{where(span)}: {what}: a {colour} solid is drawn black")
                return Source(clip.name, track, start, src, speed, -1, span, black=True)
            if gen != "slug":
                self.warn(f"{where(span)}: {what}: generator {ref.generator_kind!r} is not "
                          "drawn; what is below shows")
            return None
        names = []
        url = getattr(ref, "target_url", None) if kind == "ExternalReference" else None
        if ref is not None and ref.name:  # (offline media is a MissingReference so named)
            names.append(ref.name)
        names.append(clip.name)
        reel = (clip.metadata.get("cmx_3600") or {}).get("reel") if clip.metadata else None
        if reel:
            names.append(str(reel))
        avail = ref.available_range if ref is not None else None
        self.media.append(Media(
            url=url or None,
            names=tuple(names),
            available_start=seconds(avail.start_time) if avail is not None else None,
            clip_rate=rate(sr.start_time.rate),
        ))
        return Source(clip.name, track, start, src, speed, len(self.media) - 1, span)

    def range_of(self, item: Any, track: str) -> Any:
        """An item's trimmed range; an item that has none is an error naming it."""
        try:
            return item.trimmed_range()
        except Exception as err:  # noqa: BLE001  (OpenTimelineIO's own exceptions)
            kind = type(item).__name__.lower()
            raise ValidationError(
                f"{kind} {item.name!r} on track {track}: it has no range ({err})",
                self.locate(item.name, False),
                hint="give it a source range, or its media reference an available range",
            ) from None

    # ---- tracks -----------------------------------------------------------------------
    def track(self, track: Any, label: str, video: bool) -> tuple[Layer, Fraction]:
        """A track as a layer from its own time 0, and its length (OpenTimelineIO's:
        a leading transition's in offset and a trailing one's out offset count). Any
        other item (a stack's child that is not a track) is a track of itself alone."""
        items = list(track) if type(track).__name__ == "Track" else [track]
        t = Fraction(0)
        pieces: list[Piece] = []
        cuts: list[Cut] = []
        for i, item in enumerate(items):
            kind = type(item).__name__
            if kind == "Transition":
                before, after = seconds(item.in_offset), seconds(item.out_offset)
                if i == 0:
                    t = before
                name = TRANSITIONS.get(item.transition_type) or TRANSITIONS.get(item.name)
                code = str((item.metadata.get("cmx_3600") or {}).get("transition", ""))
                if code[:1] == "W" and code[1:].isdigit():
                    name = WIPES.get(int(code[1:]), "wiperight")
                span = self.locate(item.name, True)
                if not span.line and i + 1 < len(items):
                    span = self.locate(items[i + 1].name, False)
                if name is None:
                    label_ = item.name or item.transition_type or "(unnamed)"
                    self.warn(f"{where(span)}: transition {label_!r} on "
                              f"track {label} is drawn as a dissolve")
                    name = "dissolve"
                cuts.append(Cut(t, before, after, name, item.name, span))
                if i == len(items) - 1:
                    t += after
                continue
            duration = seconds(self.range_of(item, label).duration)
            if not getattr(item, "enabled", True) or kind == "Gap" or duration <= 0:
                t += duration
                continue
            if kind == "Clip":
                src = self.clip(item, t, duration, label)
                pieces.append(Piece(t, duration, src))
            elif kind in ("Stack", "Track"):
                pieces.extend(self.nested(item, t, duration, label, video, cuts))
            t += duration
        return Layer(tuple(pieces), tuple(cuts)), t

    def nested(
        self, comp: Any, start: Fraction, duration: Fraction, label: str, video: bool,
        cuts: list[Cut],
    ) -> list[Piece]:
        """A nested stack or track, flattened and placed at ``start``."""
        span = self.locate(comp.name, True)
        for fx in comp.effects:
            self.warn(f"{where(span)}: nested {type(comp).__name__.lower()} {comp.name!r} on track "
                      f"{label}: effect {fx.effect_name or fx.name!r} is not rendered")
        tracks = [comp] if type(comp).__name__ == "Track" else list(comp)
        layers, _ = self.tracks(tracks, label, video)
        if not layers:
            self.warn(f"{where(span)}: nested {type(comp).__name__.lower()} {comp.name!r} on track "
                      f"{label} is empty: it shows as a gap")
            return []
        sr = self.range_of(comp, label)
        a = seconds(sr.start_time)
        if video:
            layer = flatten(layers, a + duration).window(a, a + duration, start - a)
            cuts.extend(layer.cuts)
            return list(layer.pieces)
        return [p for lay in layers for p in lay.window(a, a + duration, start - a).pieces]

    def tracks(
        self, tracks: list[Any], label: str, video: bool
    ) -> tuple[list[Layer], Fraction]:
        """The enabled tracks of one kind (lowest first) of a nested stack as layers, and
        the longest one's length."""
        placed = self.placed(tracks, label, video)
        base = min((o for _, _, o in placed), default=Fraction(0))
        return align(placed, base)

    def placed(
        self, tracks: list[Any], label: str, video: bool
    ) -> list[tuple[Layer, Fraction, Fraction]]:
        """(layer, length, record offset) of each enabled track of one kind: the offset is
        the record time of the track's start the EDL adapter writes as a negative start."""
        found: list[tuple[Layer, Fraction, Fraction]] = []
        for tr in tracks:
            is_track = type(tr).__name__ == "Track"
            if not tr.enabled or is_track and (tr.kind == "Video") != video or (
                self.skip is not None and self.skip(tr)
            ):
                continue
            name = label or f"{'V' if video else 'A'}{len(found) + 1}"
            sr = tr.source_range if is_track else None
            offset = Fraction(0)
            a = seconds(sr.start_time) if sr is not None else Fraction(0)
            if a < 0:  # the EDL adapter's: the record timecode of the track's start
                offset, a = -a, Fraction(0)
            if not label:
                self.origin, marked = offset, len(self.markers)
            layer, length = self.track(tr, name, video)
            if sr is not None:
                length = seconds(sr.duration)
                layer = layer.window(a, a + length, -a)
            if not label:  # (its markers move with it, once the timeline's start is known)
                self.moves.append((marked, len(self.markers), offset))
            found.append((layer, length, offset))
        return found

    def timeline(self, stack: Any) -> tuple[list[Layer], list[Layer], Fraction, Fraction]:
        """(video layers, audio layers, length, record time of 0) of a timeline's tracks."""
        tracks = list(stack)
        video = self.placed(tracks, "", True)
        audio = self.placed(tracks, "", False)
        base = min((o for _, _, o in video + audio), default=Fraction(0))
        v, vlen = align(video, base)
        a, alen = align(audio, base)
        for first, end, offset in self.moves:
            for i in range(first, end):
                at, name = self.markers[i]
                self.markers[i] = (at + offset - base, name)
        for m in stack.markers:
            self.markers.append((seconds(m.marked_range.start_time), m.name))
        return v, a, max(vlen, alen), base


def align(
    placed: list[tuple[Layer, Fraction, Fraction]], base: Fraction
) -> tuple[list[Layer], Fraction]:
    """Layers moved by their offsets past ``base``; and the longest one's end."""
    layers = [lay.window(Fraction(0), n, o - base) for lay, n, o in placed]
    total = max((n + o - base for _, n, o in placed), default=Fraction(0))
    return layers, total
