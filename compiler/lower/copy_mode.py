"""``video copy`` and ``audio copy``: the user asks for stream copy, so it must hold.

Every clip must be stream-compatible and the track may need no filter; otherwise it
is an error that says which clip differs and how. (Without ``copy``, tlc still
copies on its own wherever it can: see the concat_copy and copy_trims passes.)
"""

from __future__ import annotations

import os
from fractions import Fraction

from tlc.core.context import Context
from tlc.core.errors import Span, ValidationError
from tlc.ir import ConcatEntry, ConcatSrc, Copy, MainItem, OutputSpec, Timeline, source_entry
from tlc.lower.compat import Piece, copy_entry, stream_problem, trim_problem, video_track
from tlc.media.containers import copies
from tlc.media.reading import sound_priming

# samples of encoder delay ("priming") each AAC file starts with, when its encoder
# did not say otherwise: ffmpeg's and most encoders' 1024
AAC_PRIMING = 1024
# codec -> (samples of priming a file starts with, samples per packet). A copy join
# keeps every packet whole: each file's priming, and the padding that fills its last
# packet, play at the join (the container said to skip them; a copied stream cannot).
PRIMING = {"aac": (AAC_PRIMING, 1024), "mp3": (1105, 1152)}


def _fail(tl: Timeline, message: str, span: Span, hint: str | None = None) -> ValidationError:
    src = None
    try:
        with open(tl.file, encoding="utf-8") as fh:
            src = fh.read()
    except OSError:
        pass
    return ValidationError(message, span, hint=hint, source=src)


def video_copy(tl: Timeline, out: OutputSpec) -> Copy:
    for track in tl.overlays:
        for overlay in track:
            raise _fail(
                tl,
                "video copy: an overlay needs the video re-encoded",
                overlay.span,
                hint="remove 'video copy' (tlc still copies where it can)",
            )
    pieces: list[Piece] = []
    first: Piece | None = None
    for item in tl.main:
        if item.kind != "clip" or item.path is None:
            raise _fail(
                tl,
                f"video copy: a {item.kind} has no video to copy",
                item.span,
                hint="remove 'video copy' (tlc still copies where it can)",
            )
        edit = _edit(item)
        if edit:
            raise _fail(tl, f"video copy: {edit} needs the video re-encoded", item.span,
                        hint="remove 'video copy' (tlc still copies where it can)")
        piece = Piece(item.path, item.src_in or None, item.duration, tl.media[item.path])
        why = stream_problem(piece, out, first) or trim_problem(piece, allow_trims=True)
        v = tl.media[item.path].video
        if not why and v is not None and not copies(out.container, "v", v.codec):
            ext = os.path.splitext(out.path)[1]
            why = f"its video is {v.codec}, which a {ext} file cannot hold"
        if why:
            raise _fail(
                tl,
                f"video copy: this clip differs: {why}",
                item.span,
                hint="remove 'video copy' and tlc re-encodes only what it must",
            )
        first = first or piece
        pieces.append(piece)
    entries = tuple(copy_entry(p) for p in pieces)
    return Copy(ConcatSrc(entries, "v", video_track(pieces)), "v")


def audio_copy(tl: Timeline, out: OutputSpec, ctx: Context) -> Copy:
    entries: list[ConcatEntry] = []
    spans: list[tuple[bool, int]] = []  # (whole file, samples) of each entry
    ref: tuple[str, int, int] | None = None
    # (path, source start, duration, where, what changes the sound)
    pieces: list[tuple[str | None, Fraction, Fraction, Span, bool]] = []
    if tl.main:
        if any(tl.audio):
            first = next(a for track in tl.audio for a in track)
            raise _fail(
                tl, "audio copy: mixing an audio track needs the audio re-encoded", first.span
            )
        pieces = [
            (
                it.path,
                it.src_in,
                it.duration,
                it.span,
                bool(it.mute or it.volume_db or it.kind != "clip" or _edit(it)),
            )
            for it in tl.main
        ]
    else:
        if len(tl.audio) != 1:
            raise _fail(
                tl,
                "audio copy: only one audio track can be joined by copy",
                tl.audio[1][0].span if len(tl.audio) > 1 and tl.audio[1] else Span(tl.file, 0, 0),
            )
        t = Fraction(0)
        for item in tl.audio[0]:
            if item.start != t:
                raise _fail(
                    tl,
                    "audio copy: items must follow each other with no gap or overlap",
                    item.span,
                )
            changed = bool(item.volume_db or item.fade_in or item.fade_out)
            pieces.append((item.path, item.src_in, item.duration, item.span, changed))
            t += item.duration
    for path, src_in, duration, span, changed in pieces:
        if changed or path is None:
            raise _fail(
                tl,
                "audio copy: this item changes the sound (mute, volume, fade, gap, still, "
                "freeze, speed or transition)",
                span,
                hint="use 'audio aac' to re-encode once, gaplessly",
            )
        info = tl.media[path]
        a = info.audio
        if a is None:
            raise _fail(tl, "audio copy: this clip has no audio stream", span)
        if "\n" in path or "\r" in path:
            raise _fail(
                tl,
                "audio copy: a file name with a line break cannot go in a concat list",
                span,
                hint="rename the file, or remove 'audio copy'",
            )
        if not copies(out.container, "a", a.codec):
            raise _fail(
                tl,
                f"audio copy: this clip's audio is {a.codec}, which a "
                f"{os.path.splitext(out.path)[1]} file cannot hold",
                span,
                hint="remove 'audio copy', and the sound is encoded for the file",
            )
        key = (a.codec, a.sample_rate, a.channels)
        if ref is None:
            ref = key
        elif key != ref:
            raise _fail(
                tl,
                f"audio copy: this clip's audio is {a.codec} {a.sample_rate} Hz "
                f"{a.channels} ch, the first clip's is {ref[0]} {ref[1]} Hz {ref[2]} ch",
                span,
            )
        length = a.duration or info.duration
        whole = not src_in and length is not None and abs(duration - length) < Fraction(1, 100)
        end = None if whole else src_in + duration
        entries.append(source_entry(path, info, src_in or None, end))
        spans.append((whole, round(duration * a.sample_rate)))
    offset = _priming_offset(tl, pieces[0][0] or "", pieces[0][1]) if pieces else Fraction(0)
    if ref is not None and ref[0] in PRIMING and len(entries) > 1:
        joins = len(entries) - 1
        extra = _join_extra(spans, *PRIMING[ref[0]], first_skipped=bool(offset))
        ms = extra * 1000 / ref[1]
        drift = (
            f", and the sound ends up to {ms:.0f} ms behind the pictures" if out.has_video else ""
        )
        ctx.warn(
            f"audio copy: {joins} join(s) carry encoder priming and padding, about "
            f"{ms:.0f} ms of extra sound in all (a short gap or click at each join{drift}); "
            f"'audio {ref[0]}' re-encodes once and joins gaplessly"
        )
    return Copy(ConcatSrc(tuple(entries), "a", offset=offset), "a")


def _priming_offset(tl: Timeline, path: str, src_in: Fraction) -> Fraction:
    """The sound list's ``offset``. The demuxer starts the first file at its earliest
    packet: the encoder priming, where the file says to skip it (an MP4 edit list).
    It would play, and the sound start that much after the pictures; moved back before
    0, the output's edit list skips it, as the file's did. (A trimmed file: as it was.)"""
    a = tl.media[path].audio
    if src_in or a is None:
        return Fraction(0)
    return -sound_priming(path, a.index)


def _edit(item: MainItem) -> str | None:
    """What of version 2's edits ``item`` has that a copy cannot keep, or None."""
    if item.transition is not None:
        return f"the transition '{item.transition.name}' into this clip"
    if item.speed != 1:
        return "a clip's speed"
    return None


def _join_extra(
    spans: list[tuple[bool, int]], priming: int, frame: int, first_skipped: bool = False
) -> int:
    """About how many samples a copy join adds: the first file's priming (unless the
    output skips it: ``first_skipped``), and at each
    join the padding of the last packet before it and the priming after it (a cut
    file: half a packet each). The last file's padding is cut by its packet duration."""

    def tail(whole: bool, n: int) -> int:
        return -(n + priming) % frame if whole else frame // 2

    def head(whole: bool, n: int) -> int:
        return priming if whole else frame // 2

    joins = zip(spans, spans[1:], strict=False)
    return (0 if first_skipped else head(*spans[0])) + sum(tail(*a) + head(*b) for a, b in joins)
