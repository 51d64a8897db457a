"""Any timeline OpenTimelineIO reads, as tlc's AST (:func:`read_timeline`), compiled
then like any `.tl`.

What maps to what (docs/otio.md says it for users): the video tracks, flattened (the
highest clip shows), are the main ``video`` track, muted (an editor's video items carry
no sound), but for clips with transparency on higher tracks: overlays
(:mod:`.overlays`); each audio track is an audio track of items at their record times; a
transition with in offset I and out offset O between A and B is ``transition NAME
(I+O)`` with A played O longer at its end and B I earlier at its start, so the track
keeps its length (clamped, with a warning, where the media lacks those frames);
``LinearTimeWarp`` is ``speed``, ``FreezeFrame`` ``freeze``; markers are chapters.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from tlc.core.errors import MediaError, Span, UsageError
from tlc.interchange.formats import bundle_folder, load
from tlc.interchange.layers import Source, where
from tlc.interchange.media import Relinker, basename, start_timecode, timecode_seconds, url_path
from tlc.interchange.overlays import overlay_items, stack, warn_flat
from tlc.interchange.place import Placed, audio_items, main_items, record_tc
from tlc.interchange.tlcmeta import tlc_overlay_track, written_by_tlc
from tlc.interchange.walk import Walk, rate, seconds
from tlc.lower.chains import has_alpha
from tlc.media.info import MediaInfo
from tlc.syntax import ast


def read_timeline(
    path: Path,
    *,
    relink: Sequence[Path] = (),
    warn: Callable[[str], None] | None = None,
) -> ast.Timeline:
    """The timeline in ``path`` (``.otio``, ``.otioz``, ``.edl``, FCP ``.xml``,
    ``.fcpxml``: whatever OpenTimelineIO reads) as a :class:`tlc.syntax.ast.Timeline`
    without an output, at the timeline's own frame rate (``fps``). Media that is not
    where the timeline says is looked for by name in the ``relink`` folders; clips whose
    media is still missing are one :class:`~tlc.core.errors.MediaError` listing them all.
    ``warn`` is told what is not rendered (default: :func:`warnings.warn`)."""
    file = str(path)
    say = warn or _warn
    for folder in relink:
        if not os.path.isdir(folder):
            raise UsageError(f"--relink {folder}: no such folder")
    bundle = bundle_folder(file)
    if bundle is not None and os.path.exists(os.path.join(bundle, "content.otio")):
        otio_tl, read_rate = load(os.path.join(bundle, "content.otio"))
    else:
        otio_tl, read_rate = load(file, extract_to=bundle)
    text = _text(file)
    walk = Walk(_Locator(file, text).locate, say)
    if written_by_tlc(otio_tl):  # (its overlay tracks come back from tlc's metadata)
        walk.skip = tlc_overlay_track
    video, audio, total, origin = walk.timeline(otio_tl.tracks)
    fps = read_rate or _rate_of(otio_tl)
    gst = otio_tl.global_start_time
    if gst is not None:
        origin += seconds(gst)
    # (video tracks with no clip are ignored: a timeline of sound alone has no picture)
    has_video = any(lay.pieces for lay in video)
    heard = [p.source for lay in audio for p in lay.pieces if p.source is not None]
    folders = [str(r) for r in relink]
    base = bundle or os.path.dirname(os.path.abspath(file))
    paths: dict[int, str] = {}
    infos: dict[int, MediaInfo] = {}

    def alpha(src: Source) -> bool:
        info = infos.get(src.ref)
        return info is not None and info.video is not None and has_alpha(info.video.pix_fmt)

    stacked = None
    while True:  # (lifting a clip with transparency shows what is below it: find that too)
        if has_video:
            stacked = stack(video, total, alpha)
        used = [p.source for p in (stacked.main.pieces if stacked else ()) if p.source]
        used += [p.source for o in (stacked.overlays if stacked else ()) for p in o if p.source]
        new = [s for s in used + heard if s.ref >= 0 and s.ref not in paths]
        if not new:
            break
        found = _find_media(walk, new, file, folders, origin, fps, base)
        infos.update(_probe(found, new, walk))
        paths.update(found)
        if not any(alpha(s) for s in new):
            break
    placed = Placed(
        paths=paths, infos=infos, starts=_starts(walk, paths, infos), fps=fps, warn=say,
        origin=origin, file=file,
    )
    tracks: list[ast.Track] = []
    where = Span(file, 0, 0)
    if stacked is not None:
        warn_flat(stacked.flat, placed)
        tracks.append(ast.VideoTrack(tuple(main_items(stacked.main, placed)), where))
        tracks.extend(ast.OverlayTrack(tuple(overlay_items(o, placed)), where)
                      for o in stacked.overlays)
    for lay in audio:
        tracks.extend(ast.AudioTrack(tuple(items), where) for items in audio_items(lay, placed))
    return ast.Timeline(
        outputs=(), tracks=tuple(tracks), file=file, source=text,
        chapters=_chapters(walk.markers, total, where), fps=fps,
    )


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _text(file: str) -> str:
    """The file's text, for spans (none for a zipped ``.otioz``)."""
    if file.lower().endswith(".otioz"):
        return ""
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _rate_of(tl: Any) -> Fraction:
    """The timeline's frame rate: its start time's, else its first track's."""
    if tl.global_start_time is not None:
        return rate(tl.global_start_time.rate)
    for tr in tl.tracks:
        for item in tr:
            if type(item).__name__ != "Transition":
                with contextlib.suppress(Exception):  # (the walk said what is wrong)
                    return rate(item.trimmed_range().duration.rate)
    return Fraction(24)


class _Locator:
    """Where a name first appears in the file, searching on from the last one found
    (items are walked in the order they are written)."""

    def __init__(self, file: str, text: str) -> None:
        self.file, self.text, self.pos = file, text, 0

    def locate(self, name: str, advance: bool = True) -> Span:
        if not name or not self.text:
            return Span(self.file, 0, 0)
        at = self.text.find(name, self.pos)
        if at < 0:
            at = self.text.find(name)
        if at < 0:
            return Span(self.file, 0, 0)
        if advance:
            self.pos = at + len(name)
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return Span(self.file, line, column, line, column + len(name))


def _find_media(
    walk: Walk, used: list[Source], file: str, folders: list[str], origin: Fraction,
    fps: Fraction, base: str,
) -> dict[int, str]:
    """The path of each used reference: as the timeline says (relative to ``base``), else
    relinked by name; every clip whose media is still missing in one error."""
    paths: dict[int, str] = {}
    missing: list[str] = []
    found_by: dict[tuple[str, ...], str | None] = {}
    relinker = Relinker(folders)
    seen: set[int] = set()
    for src in used:
        if src.ref < 0 or src.ref in seen:  # (a clip an upper track cuts in two: once)
            continue
        seen.add(src.ref)
        media = walk.media[src.ref]
        said = url_path(media.url, base) if media.url else None
        if said is not None and os.path.isfile(said):
            paths[src.ref] = os.path.abspath(said)
            continue
        names = ([basename(said)] if said else []) + list(media.names)
        key = tuple(names)
        if key not in found_by:  # (500 events of five reels look five times)
            found_by[key] = relinker.find(names)
        found = found_by[key]
        if found is not None:
            paths[src.ref] = found
            continue
        looked = said or f"a file named {' or '.join(repr(n) for n in dict.fromkeys(names))}"
        if folders and said:
            looked += f" (and {basename(said)!r} in " + ", ".join(folders) + ")"
        elif folders:
            looked += " in " + ", ".join(folders)
        missing.append(
            f"  clip {src.name!r} on track {src.track} at {record_tc(origin + src.record, fps)}"
            f" ({where(src.span)}): looked for {looked}"
        )
    if missing:
        n = len(missing)
        raise MediaError(
            f"media not found for {n} clip{'s' if n > 1 else ''}:\n" + "\n".join(missing),
            Span(file, 0, 0),
            hint="pass --relink DIR (repeatable): the folder where the media is, found "
            "there by file name",
        )
    return paths


def _probe(paths: dict[int, str], used: list[Source], walk: Walk) -> dict[int, MediaInfo]:
    from tlc.media.probe import probe_each

    probed = probe_each(sorted(set(paths.values())))
    out: dict[int, MediaInfo] = {}
    for ref, p in paths.items():
        info = probed[p]
        if isinstance(info, MediaInfo):
            out[ref] = info
            continue
        clip = next(s for s in used if s.ref == ref)
        raise MediaError(f"clip {clip.name!r} on track {clip.track}: {info.message}", clip.span)
    return out


def _starts(walk: Walk, paths: dict[int, str], infos: dict[int, MediaInfo]) -> dict[int, Fraction]:
    """The source time of each media file's first frame: its reference's available
    range's start, else its ``timecode`` tag, else 0."""
    starts: dict[int, Fraction] = {}
    tcs: dict[str, str | None] = {}  # (each file's tag, read once)
    for ref, p in paths.items():
        media = walk.media[ref]
        if media.available_start is not None:
            starts[ref] = media.available_start
            continue
        if p not in tcs:
            tcs[p] = start_timecode(p)
        tc = tcs[p]
        info = infos[ref]
        media_rate = info.video.fps if info.video is not None and info.video.fps else None
        at = timecode_seconds(tc, media_rate or media.clip_rate) if tc else None
        starts[ref] = at if at is not None else Fraction(0)
    return starts


def _chapters(
    markers: list[tuple[Fraction, str]], total: Fraction, where: Span
) -> tuple[ast.Chapter, ...]:
    out: dict[Fraction, ast.Chapter] = {}
    for at, name in sorted(markers, key=lambda m: m[0]):
        if 0 <= at < total and at not in out:
            title = name.strip() or f"Marker {len(out) + 1}"
            out[at] = ast.Chapter(title, ast.Time(at, None, where), where)
    return tuple(out.values())


__all__ = ["read_timeline"]
