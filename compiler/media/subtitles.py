"""What a subtitle file and a font file are: the format libavformat reads a subtitle
file as (srt, ass, vtt), and a font file's family name (for libass's ``FontName``)."""

from __future__ import annotations

import os
import struct

from tlc.core.errors import MediaError
from tlc.media.formats import open_input

#: what libavformat's demuxers call the subtitle files tlc takes
_FORMATS = {"srt": "subrip", "ass": "ass", "webvtt": "webvtt"}


def subtitle_format(apath: str) -> str:
    """The codec of the subtitle file ``apath`` (subrip, ass, webvtt); raises
    :class:`MediaError` if it is not one libavformat reads as such."""
    try:
        container = open_input(apath)
    except MediaError as e:
        if not os.path.isfile(apath):
            raise
        raise MediaError(
            f"not a subtitle file: ffmpeg cannot read {apath} as SubRip, ASS or WebVTT"
        ) from e
    try:
        streams = [s for s in container.streams if s.type == "subtitle"]
        if container.format.name not in _FORMATS or len(container.streams) != 1 or not streams:
            raise MediaError(
                f"not a subtitle file: ffmpeg reads {apath} as {container.format.name}, "
                "not as SubRip, ASS or WebVTT"
            )
        return _FORMATS[container.format.name]
    finally:
        container.close()


def font_family(apath: str) -> str | None:
    """The family name of the TrueType/OpenType font file ``apath`` (its first font for
    a collection), or None if it is not one."""
    try:
        with open(apath, "rb") as fh:
            data = fh.read(4 << 20)
    except OSError:
        return None
    try:
        offset = 0
        if data[:4] == b"ttcf":
            (offset,) = struct.unpack_from(">I", data, 12)
        if data[offset : offset + 4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            return None
        (count,) = struct.unpack_from(">H", data, offset + 4)
        for i in range(count):
            tag, _, table, _ = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
            if tag == b"name":
                return _family(data, table)
    except struct.error:
        return None
    return None


def _family(data: bytes, table: int) -> str | None:
    _, count, strings = struct.unpack_from(">HHH", data, table)
    found: dict[int, str] = {}
    for i in range(count):
        platform, _, lang, name_id, length, off = struct.unpack_from(
            ">HHHHHH", data, table + 6 + 12 * i
        )
        if name_id not in (1, 16):  # family, typographic family
            continue
        raw = data[table + strings + off : table + strings + off + length]
        if platform in (0, 3):
            text = raw.decode("utf-16-be", "replace")
        elif platform == 1 and lang == 0:
            text = raw.decode("mac_roman", "replace")
        else:
            continue
        found.setdefault(name_id, text)
    return found.get(1) or found.get(16)
