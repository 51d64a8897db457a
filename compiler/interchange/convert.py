"""``tlc convert IN OUT``: a timeline from one format to another, by extension.

`.tl` to what OpenTimelineIO writes (``.otio``, ``.otioz``, CMX 3600 ``.edl``, FCP 7
``.xml``, ``.fcpxml``): parsed and resolved against the media (the probe gives every
clip's length), then :func:`tlc.interchange.write.to_otio`. What OpenTimelineIO reads
to `.tl`: :func:`tlc.interchange.read.read_timeline`, then
:func:`tlc.syntax.unparse.unparse` (a readable file whose comments say where each item
came from). `.tl` to `.tl` lays a file out afresh; another format to another goes
through tlc's timeline. The result is written to a temp file beside OUT and renamed;
an OUT that exists is replaced only with ``overwrite``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from tlc.core.errors import TlcError, UsageError
from tlc.syntax import ast

__all__ = ["convert", "read_interchange", "WRITES", "LOSSY", "rebase", "edl_media_fixed"]

#: what tlc convert writes, by extension (besides .tl)
WRITES = (".otio", ".otioz", ".edl", ".xml", ".fcpxml")
#: what each lossy format cannot hold of a tlc timeline (said as a warning)
LOSSY = {
    ".edl": "captions, overlay and audio tracks, volumes, fades, subtitles and the outputs",
    ".xml": "captions, positions, volumes, fades, subtitles and the outputs",
    ".fcpxml": "captions, positions, volumes, fades, subtitles and the outputs",
}


def _ext(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def rebase(tree: ast.Timeline, src_dir: str, dst_dir: str) -> ast.Timeline:
    """``tree`` with its paths (media, fonts, subtitles; relative ones are to
    ``src_dir``) relative to ``dst_dir``, so that they name the same files: absolute
    where that would climb out of ``dst_dir``. Outputs stay as written: beside the new
    file."""
    src_dir, dst_dir = os.path.abspath(src_dir), os.path.abspath(dst_dir)

    def move(node: Any) -> Any:
        if isinstance(node, ast.Path):
            where = os.path.normpath(os.path.join(src_dir, node.value))
            try:
                moved = os.path.relpath(where, dst_dir)
            except ValueError:  # (another drive)
                moved = where
            if moved.split(os.sep)[0] == os.pardir:
                moved = where
            return dataclasses.replace(node, value=moved.replace(os.sep, "/"))
        if isinstance(node, tuple):
            return tuple(move(kid) for kid in node)
        if isinstance(node, ast.Output):
            return node
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            changes = {f.name: move(getattr(node, f.name)) for f in dataclasses.fields(node)
                       if isinstance(getattr(node, f.name), (tuple, ast.Path))
                       or dataclasses.is_dataclass(getattr(node, f.name))}
            return dataclasses.replace(node, **changes)
        return node

    result: ast.Timeline = move(tree)
    return result


def _note(node: object) -> str | None:
    """Where an item came from: its line in the file it was read from."""
    span = getattr(node, "span", None)
    if span is None or span.line <= 0 or not isinstance(node, ast.Track | ast.VideoItem
                                                         | ast.OverlayItem | ast.AudioClip):
        return None
    return f"{os.path.basename(span.file)}:{span.line}"


def _write_tl(tree: ast.Timeline, src: str, dst: str, tmp: str) -> None:
    from tlc.core.version import VERSION
    from tlc.syntax.unparse import unparse

    moved = rebase(tree, os.path.dirname(tree.file) if tree.file else ".",
                   os.path.dirname(dst) or ".")
    header = [f"{os.path.basename(dst)}: converted from {os.path.basename(src)} by "
              f"tlc convert {VERSION}.",
              "Paths are relative to this file's folder; a comment after an item is",
              f"where it is in {os.path.basename(src)}."]
    if _ext(src) == ".otioz":
        header.append("The media is the bundle's, unpacked in tlc's cache: copy it where "
                      "you keep media.")
    video = any(isinstance(t, ast.VideoTrack) and t.items for t in tree.tracks)
    name = os.path.splitext(os.path.basename(dst))[0] + (".mp4" if video else ".m4a")
    text = unparse(moved, notes=_note, header=header, output_path=name)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)


def _resolve(tree: ast.Timeline, ffmpeg: str | None, warn: Callable[[str], None]) -> Any:
    from tlc.core.context import Context
    from tlc.core.toolchain import find_ffmpeg
    from tlc.resolve import resolve

    ctx = Context(ffmpeg=find_ffmpeg(ffmpeg), no_output_ok=True)
    try:
        tl = resolve(tree, ctx)
    except TlcError as err:
        if err.source is None:
            err.source = tree.source
        raise
    for message in ctx.warnings:
        warn(message)
    return tl


def _write_otio(tree: ast.Timeline, dst: str, tmp: str, ffmpeg: str | None,
                warn: Callable[[str], None]) -> None:
    import opentimelineio as otio

    from tlc.interchange.write import to_otio

    tl = _resolve(tree, ffmpeg, warn)
    ext = _ext(dst)
    timeline = to_otio(tl, tree, name=os.path.splitext(os.path.basename(dst))[0], warn=warn)
    if ext in LOSSY:
        lost = LOSSY[ext]
        warn(f"{os.path.basename(dst)}: a {ext} file cannot hold tlc's {lost}; "
             "write .otio to keep everything")
    if ext in LOSSY:
        _drop_captions(timeline)
    if ext == ".edl":
        video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
        for extra in video[1:]:
            timeline.tracks.remove(extra)
        if len(video) > 1:
            warn(f"{os.path.basename(dst)}: an EDL has one video track: the "
                 f"{len(video) - 1} overlay track(s) are left out")
    try:
        otio.adapters.write_to_file(timeline, tmp)
    except Exception as err:  # (an adapter's own failure, of any class)
        raise UsageError(f"{dst}: OpenTimelineIO cannot write this timeline as {ext}: "
                         f"{type(err).__name__}: {err}") from None
    if ext == ".edl":
        with open(tmp, encoding="utf-8") as fh:
            text = fh.read()
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(edl_media_fixed(text))


_EVENT = re.compile(r"^(\d{3,})\s")


def edl_media_fixed(text: str) -> str:
    """An EDL as the CMX 3600 adapter writes it, with each dissolve's ``* FROM CLIP:``
    naming the clip the event cuts to (the ``* TO CLIP:``): the adapter reads an event's
    media from its ``FROM CLIP`` line, so it would give the incoming clip the outgoing
    clip's file."""
    lines = text.split("\n")
    blocks: list[list[int]] = []
    number = None
    for n, line in enumerate(lines):
        event = _EVENT.match(line)
        if event and event[1] != number:
            number = event[1]
            blocks.append([])
        if blocks:
            blocks[-1].append(n)
    for block in blocks:
        to = [lines[n] for n in block if lines[n].startswith("* TO CLIP:")]
        if to:
            for n in block:
                if lines[n].startswith("* FROM CLIP:"):
                    lines[n] = "* FROM CLIP:" + to[0].removeprefix("* TO CLIP:")
    return "\n".join(lines)


def _drop_captions(timeline: Any) -> None:
    """Captions out of ``timeline`` (the FCP adapters know no tlc generator), and the
    tracks they leave empty or with gaps only."""
    import opentimelineio as otio

    from tlc.interchange.write import TEXT_GENERATOR

    for track in list(timeline.tracks):
        for n, item in reversed(list(enumerate(track))):
            ref = getattr(item, "media_reference", None)
            if isinstance(ref, otio.schema.GeneratorReference) \
                    and ref.generator_kind == TEXT_GENERATOR:
                track[n] = otio.schema.Gap(source_range=item.source_range)
        if all(isinstance(item, otio.schema.Gap) for item in track):
            timeline.tracks.remove(track)


#: what the reader warns of in a file tlc wrote that :func:`.tlcmeta.restore` puts right
_RESTORED = ("is drawn as a dissolve", "plays at normal speed")


def read_interchange(src: str, relink: Sequence[str] = (),
                     warn: Callable[[str], None] = lambda message: None) -> ast.Timeline:
    """A timeline OpenTimelineIO reads as tlc's AST: :func:`.read.read_timeline`, and
    for a file tlc wrote, what its metadata says (:func:`.tlcmeta.restore`)."""
    from pathlib import Path

    from tlc.interchange.formats import bundle_folder, load
    from tlc.interchange.read import read_timeline
    from tlc.interchange.tlcmeta import restore, written_by_tlc

    said: list[str] = []
    tree = read_timeline(Path(src), relink=[Path(d) for d in relink], warn=said.append)
    base = bundle_folder(src)  # (an .otioz: the reader unpacked it there)
    if base is not None and os.path.exists(os.path.join(base, "content.otio")):
        timeline, _ = load(os.path.join(base, "content.otio"))
    else:
        timeline, _ = load(src)
        base = os.path.dirname(os.path.abspath(src))
    if written_by_tlc(timeline):  # (what the reader warns of, tlc's metadata says)
        said = [w for w in said if not any(known in w for known in _RESTORED)]
        tree = restore(timeline, tree, relink, base)
    for message in said:
        warn(message)
    return tree


def _read(src: str, relink: Sequence[str], warn: Callable[[str], None]) -> ast.Timeline:
    if _ext(src) == ".tl":
        from tlc.syntax.parser import parse

        try:
            with open(src, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise UsageError(f"no such file: {src}") from None
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"cannot read {src}: {e}") from None
        return parse(text, src)
    return read_interchange(src, relink, warn)


def convert(
    src: str,
    dst: str,
    *,
    overwrite: bool = False,
    relink: Sequence[str] = (),
    ffmpeg: str | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> None:
    """Translate the timeline ``src`` into ``dst``, each format by its extension."""
    from tlc.runtime.files import publish

    ext = _ext(dst)
    if ext != ".tl" and ext not in WRITES:
        raise UsageError(f"cannot write {dst!r}: tlc convert writes .tl, "
                         + ", ".join(WRITES))
    if os.path.abspath(src) == os.path.abspath(dst):
        raise UsageError(f"{dst} is the file being converted: name another")
    if os.path.exists(dst) and not overwrite:
        raise UsageError(f"{dst} exists: use -y to overwrite it")
    tree = _read(src, relink, warn)
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    folder = tempfile.mkdtemp(prefix=".tlc-convert-", dir=os.path.dirname(dst) or ".")
    try:
        tmp = os.path.join(folder, "timeline" + ext)
        if ext == ".tl":
            _write_tl(tree, src, dst, tmp)
        else:
            _write_otio(tree, dst, tmp, ffmpeg, warn)
        publish(tmp, dst, overwrite)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
