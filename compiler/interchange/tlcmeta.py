"""What only tlc's own metadata says in an OpenTimelineIO file tlc wrote
(:mod:`.write`), put back into the AST the reader (:mod:`.read`) made of it.

The reader reads any editor's timeline as an editor would: video items without sound
(their sound is on the audio tracks), switched-off tracks left out, transitions by their
OTIO type. A file tlc wrote says more under ``metadata["tlc"]``, and :func:`restore`
takes it back: the outputs and subtitles (the timeline's), a still image where the
reader saw a clip, each transition's own name, a main clip's sound on the clip itself
(not on the ``A1`` track under it), volumes and fades, and the overlay tracks (written
switched off, as no editor could place them as tlc does) with their captions. A file
without tlc's metadata comes back as the reader made it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from tlc.core.errors import Span
from tlc.interchange.media import basename, relinked, url_path
from tlc.interchange.walk import seconds
from tlc.interchange.write import FORMAT_VERSION, TLC
from tlc.syntax import ast

__all__ = ["restore", "tlc_overlay_track", "written_by_tlc"]


def written_by_tlc(timeline: Any) -> bool:
    """Whether ``timeline`` (OpenTimelineIO's) is one tlc wrote, in a version it reads."""
    meta = (timeline.metadata or {}).get(TLC)
    return meta is not None and meta.get("version") == FORMAT_VERSION


def tlc_overlay_track(track: Any) -> bool:
    """Whether ``track`` is an overlay track tlc wrote (:func:`restore` brings it back;
    the reader leaves it out, even where an editor switched it on)."""
    return _meta(track).get("role") == "overlay"


def _meta(obj: Any) -> dict[str, Any]:
    return dict((obj.metadata or {}).get(TLC) or {})


def _time(x: Fraction | str | None, span: Span) -> ast.Time | None:
    return None if x is None else ast.Time(Fraction(x), None, span)


class _Restorer:
    def __init__(self, timeline: Any, tree: ast.Timeline, relink: Sequence[str],
                 base: str | None) -> None:
        self.otio_tl = timeline
        self.tree = tree
        self.relink = relink
        self.base = base or os.path.dirname(os.path.abspath(tree.file))
        self.where = Span(tree.file, 0, 0)

    def path(self, clip: Any) -> ast.Path:
        url = getattr(clip.media_reference, "target_url", "") or ""
        found = url_path(url, self.base)
        if not os.path.isfile(found):
            found = relinked([basename(found), clip.name], self.relink) or found
        return ast.Path(os.path.abspath(found), self.where)

    def tracks(self, kind: str) -> list[Any]:
        return [t for t in self.otio_tl.tracks if t.kind == kind]

    # ---- the main track
    def main(self, video: ast.VideoTrack) -> ast.VideoTrack | None:
        """``video`` with each item as tlc wrote it; None where the reader's items do not
        match the main track's one for one (then it stays as read)."""
        v1 = next((t for t in self.tracks("Video") if _meta(t).get("role") == "main"), None)
        if v1 is None:
            return None
        clips = [c for c in v1 if type(c).__name__ == "Clip"]
        joins = [t for t in v1 if type(t).__name__ == "Transition"]
        items = [i for i in video.items if isinstance(i, ast.Clip | ast.Freeze | ast.Still)]
        cuts = [i for i in video.items if isinstance(i, ast.Transition)]
        if len(clips) != len(items) or len(joins) != len(cuts):
            return None
        new: dict[int, ast.VideoItem] = {}
        for clip, item in zip(clips, items, strict=True):
            new[id(item)] = self.main_item(_meta(clip), item)
        for join, cut in zip(joins, cuts, strict=True):
            name = _meta(join).get("name")
            new[id(cut)] = dataclasses.replace(cut, name=name) if name else cut
        return dataclasses.replace(video, items=tuple(new.get(id(i), i) for i in video.items))

    def main_item(self, meta: dict[str, Any], item: ast.VideoItem) -> ast.VideoItem:
        if not isinstance(item, ast.Clip) or item.trim is None or item.trim.duration is None:
            return item
        played = item.trim.duration.seconds or Fraction(0)
        length = played / (item.speed or 1)  # (on the timeline)
        if meta.get("kind") == "still":
            return ast.Still(item.path, ast.Time(length, None, item.span), item.span)
        if meta.get("kind") != "clip":
            return item
        speed = Fraction(meta.get("speed") or 1)
        trim = dataclasses.replace(item.trim, duration=ast.Time(length * speed, None,
                                                                 item.trim.span))
        return dataclasses.replace(item, trim=trim, mute=bool(meta.get("mute")),
                                   volume_db=meta.get("volume_db"),
                                   speed=None if speed == 1 else speed)

    def black(self) -> ast.VideoTrack | None:
        """The main track of gaps alone (the reader sees no picture in it), as written."""
        v1 = next((t for t in self.tracks("Video") if _meta(t).get("role") == "main"), None)
        items = list(v1) if v1 is not None else []
        if not items or any(type(i).__name__ not in ("Gap", "Transition") for i in items):
            return None
        w, out = self.where, []
        for n, item in enumerate(items):
            if type(item).__name__ == "Transition":
                both = seconds(item.in_offset) + seconds(item.out_offset)
                out.append(ast.Transition(_meta(item).get("name") or "dissolve", w,
                                          ast.Time(both, None, w), w))
                continue
            length = seconds(item.source_range.duration)
            for near, way in ((items[n - 1] if n else None, "in_offset"),
                              (items[n + 1] if n + 1 < len(items) else None, "out_offset")):
                if near is not None and type(near).__name__ == "Transition":
                    length += seconds(getattr(near, way))
            out.append(ast.Gap(ast.Time(length, None, w), w))
        return ast.VideoTrack(tuple(out), w)

    # ---- audio
    def audio_clips(self) -> list[tuple[str, Fraction, Fraction, dict[str, Any]]]:
        """Every audio clip tlc wrote: (path, record start, end, its metadata)."""
        found = []
        for track in self.tracks("Audio"):
            for item in track:
                if type(item).__name__ != "Clip" or not _meta(item):
                    continue
                record = item.range_in_parent()
                start = seconds(record.start_time)
                found.append((self.path(item).value, start,
                              start + seconds(record.duration), _meta(item)))
        return found

    def audio_item(self, item: ast.AudioClip, clips: list[Any]
                   ) -> tuple[dict[str, Any], ast.AudioClip]:
        """The item as tlc wrote it, and its metadata (none: as read)."""
        at = item.at.seconds if item.at is not None and item.at.seconds is not None else None
        played = item.trim.duration if item.trim is not None else None
        if at is None or played is None or played.seconds is None:
            return {}, item
        end = at + played.seconds
        fits = [(s - at + end - e, n) for n, (path, s, e, _) in enumerate(clips)
                if path == item.path.value and at <= s and e <= end]
        if not fits:
            return {}, item
        meta = clips.pop(min(fits)[1])[3]  # (each clip once: two alike, each its own)
        return meta, dataclasses.replace(
            item, volume_db=meta.get("volume_db"),
            fade_in=_time(meta.get("fade_in"), item.span) or item.fade_in,
            fade_out=_time(meta.get("fade_out"), item.span) or item.fade_out,
        )

    def audio(self, main_sound: bool) -> list[ast.AudioTrack]:
        """The audio tracks as written (a main clip's sound, on the clip again, left out
        where the main track came back as written); items tlc did not write as read."""
        clips = self.audio_clips()
        placed: list[tuple[tuple[int, int], ast.AudioClip]] = []
        tracks = []
        for track in self.tree.tracks:
            if not isinstance(track, ast.AudioTrack):
                continue
            kept = []
            for item in track.items:
                meta, again = self.audio_item(item, clips)
                if meta.get("kind") == "sound" and main_sound:
                    continue
                if meta.get("place") is not None:
                    placed.append(((int(meta["place"][0]), int(meta["place"][1])), again))
                else:
                    kept.append(again)
            if kept:
                tracks.append(dataclasses.replace(track, items=tuple(kept)))
        return [ast.AudioTrack(tuple(items), self.where) for items in _regroup(placed)] + tracks

    # ---- overlays
    def overlays(self) -> list[ast.OverlayTrack]:
        """The overlay tracks as written: each item back in its track, in its order."""
        placed = []
        for track in self.tracks("Video"):
            if _meta(track).get("role") != "overlay":
                continue
            for clip in track:
                item = self.overlay(clip) if type(clip).__name__ == "Clip" else None
                if item is not None:
                    placed.append((_place(clip), item))
        return [ast.OverlayTrack(tuple(items), self.where) for items in _regroup(placed)]

    def overlay(self, clip: Any) -> ast.OverlayItem | None:
        meta, w = _meta(clip), self.where
        record = clip.range_in_parent()
        start = seconds(record.start_time)
        end = start + seconds(record.duration)
        at = ast.Range("span", ast.Time(start, None, w), ast.Time(end, None, w), None, w)
        pos = meta.get("pos")
        pos = pos if pos is None or isinstance(pos, str) else tuple(int(v) for v in pos)
        scale = tuple(meta["scale"]) if meta.get("scale") else None
        kind = meta.get("kind")
        if kind == "text":
            font = ast.Path(meta["font"], w) if meta.get("font") else None
            return ast.TextOverlay(meta.get("text") or "", at, pos, meta.get("size"),
                                   meta.get("color"), font, bool(meta.get("box")), w)
        if kind == "image":
            return ast.ImageOverlay(self.path(clip), at, pos, scale, meta.get("opacity"), w)
        if kind == "video":
            src = clip.source_range.start_time
            trim = ast.Range("dur", ast.Time(seconds(src), None, w), None,
                             ast.Time(end - start, None, w), w)
            return ast.VideoOverlay(self.path(clip), at, trim, pos, scale, w)
        return None

    # ---- the whole timeline
    def outputs(self) -> tuple[ast.Output, ...]:
        text = _meta(self.otio_tl).get("outputs")
        if not text:
            return self.tree.outputs
        from tlc.syntax.parser import parse

        return parse(text, f"{self.tree.file} (tlc's outputs)").outputs

    def subtitles(self) -> tuple[ast.Subtitles, ...]:
        w = self.where
        return tuple(
            ast.Subtitles(ast.Path(s["path"], w), s.get("mode"), s.get("lang"), s.get("size"),
                          ast.Path(s["font"], w) if s.get("font") else None, w)
            for s in _meta(self.otio_tl).get("subtitles") or ()
        ) or self.tree.subtitles

    def timeline(self) -> ast.Timeline:
        tree = self.tree
        tracks: list[ast.Track] = []
        main_sound = False
        for track in tree.tracks:
            if isinstance(track, ast.VideoTrack):
                restored = self.main(track)
                main_sound = restored is not None
                tracks.append(restored or track)
        black = None if tracks else self.black()
        tracks += [black] if black is not None else []
        tracks += self.overlays()
        # (above them, what the reader drew as overlays: clips with transparency an
        # editor put on tracks of its own)
        tracks += [t for t in tree.tracks if isinstance(t, ast.OverlayTrack)]
        tracks += self.audio(main_sound)
        return dataclasses.replace(tree, outputs=self.outputs(), tracks=tuple(tracks),
                                   subtitles=self.subtitles())


def _place(obj: Any) -> tuple[int, int]:
    place = _meta(obj).get("place")
    return (int(place[0]), int(place[1])) if place is not None else (1 << 30, 0)


def _regroup(placed: list[tuple[tuple[int, int], Any]]) -> list[list[Any]]:
    """Items by the track they were in (then by their index there)."""
    tracks: dict[int, list[tuple[int, Any]]] = {}
    for (track, index), item in placed:
        tracks.setdefault(track, []).append((index, item))
    return [[item for _, item in sorted(tracks[n], key=lambda e: e[0])] for n in sorted(tracks)]


def restore(timeline: Any, tree: ast.Timeline, relink: Sequence[str] = (),
            base: str | None = None) -> ast.Timeline:
    """``tree`` (what :func:`tlc.interchange.read.read_timeline` made of ``timeline``)
    with what tlc's metadata in ``timeline`` says; ``tree`` itself where there is none.
    ``base``: the folder relative URLs are in (default: the timeline file's)."""
    if not written_by_tlc(timeline):
        return tree
    return _Restorer(timeline, tree, relink, base).timeline()
