"""Which files are editorial timelines that OpenTimelineIO reads (by extension), and
reading one into OpenTimelineIO's objects with its errors made tlc's.

``opentimelineio`` is imported only in :func:`load`: knowing a file is one costs nothing.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from typing import Any

from tlc.core.errors import ParseError, Span, UsageError

#: the extensions read through OpenTimelineIO (its adapters: built in, CMX 3600, FCP 7
#: XML, FCP X XML)
EXTENSIONS = (".otio", ".otioz", ".edl", ".xml", ".fcpxml")


def is_interchange(path: str) -> bool:
    """Whether ``path`` names a timeline that OpenTimelineIO reads (not a `.tl`)."""
    return os.path.splitext(path)[1].lower() in EXTENSIONS


_LINE = re.compile(r"line (\d+)(?:, column (\d+))?")
_CLIP = re.compile(r"for clip (.+)$")


#: the rates an EDL is tried at when it does not read at 24 fps (OpenTimelineIO's
#: default): its timecodes count more frames, or its durations do not add up
EDL_RATES = (Fraction(25), Fraction(30), Fraction(50), Fraction(60))
#: ... and when its timecodes are drop frame (``;``)
NTSC_RATES = (Fraction(30000, 1001), Fraction(60000, 1001))


def load(path: str, extract_to: str | None = None) -> tuple[Any, Fraction | None]:
    """The :class:`opentimelineio.schema.Timeline` in ``path``, and the frame rate it was
    read at where tlc chose it (an EDL, which does not say, whose timecodes count more
    than 24 frames a second: the first of :data:`EDL_RATES` that reads). A file that is
    not one (bad JSON, an unknown schema version, an adapter's parse error) is a
    :class:`~tlc.core.errors.ParseError` at the line the adapter names, if any.
    ``extract_to``: the folder an ``.otioz`` bundle's media is unpacked in."""
    if not os.path.exists(path):
        raise UsageError(f"no such file: {path}")
    import opentimelineio as otio

    chosen: Fraction | None = None
    try:
        if extract_to is not None:
            found = otio.adapters.read_from_file(path, extract_to_directory=extract_to)
        else:
            found = otio.adapters.read_from_file(path)
    except Exception as err:  # noqa: BLE001  (an adapter raises anything: one clear line)
        found = None
        why = ""
        if path.lower().endswith(".edl") and _wrong_rate(err):
            first = None if "Frame rate mismatch" in str(err) else err
            rates = NTSC_RATES if "drop frame" in str(err) else EDL_RATES
            for fps in rates:
                try:
                    found = otio.adapters.read_from_file(path, rate=float(fps))
                except Exception as again:  # noqa: BLE001
                    if first is None and "Frame rate mismatch" not in str(again):
                        first, why = again, f" (read at {float(fps):.5g} fps)"
                    continue
                chosen = fps
                break
            err = first or err
        if found is None:
            raise _parse_error(path, err, why) from None
    if isinstance(found, otio.schema.SerializableCollection):
        timelines = list(found.find_children(descended_from_type=otio.schema.Timeline))
        found = timelines[0] if timelines else found
    if not isinstance(found, otio.schema.Timeline):
        raise ParseError(
            f"this file holds no timeline (it holds {type(found).__name__})", Span(path, 0, 0)
        )
    return found, chosen


def _wrong_rate(err: Exception) -> bool:
    """Whether an EDL adapter's error may be a frame rate other than 24 fps."""
    text = str(err)
    return any(m in text for m in ("Frame rate mismatch", "duration don't match", "drop frame"))


def _parse_error(path: str, err: Exception, why: str = "") -> ParseError:
    message = " ".join(str(err).split()) or type(err).__name__
    message = message.removeprefix("JSON parse error while reading: ")
    line, column = 0, 0
    m = _LINE.search(message)
    if m:
        line, column = int(m[1]), int(m[2] or 1)
    else:
        line = _line_quoted(path, message)
        clip = _CLIP.search(message)
        if not line and clip:
            line = _line_quoted(path, clip[1], whole=False)
        column = 1 if line else 0
    kind = type(err).__name__
    what = "not a timeline OpenTimelineIO reads"
    if kind not in ("ValueError", "OTIOError", "Exception"):
        what += f" ({kind})"
    return ParseError(f"{what}{why}: {message}", Span(path, line, column))


def _line_quoted(path: str, message: str, whole: bool = True) -> int:
    """The line of ``path`` that ``message`` quotes (an EDL adapter's errors do), or 0;
    not ``whole``: the first line that holds ``message``."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read(1 << 22).split("\n")
    except OSError:
        return 0
    for n, text in enumerate(lines, 1):
        text = " ".join(text.split())
        if whole and len(text) >= 8 and text in message or not whole and message in text:
            return n
    return 0


def bundle_folder(path: str) -> str | None:
    """Where the media of the ``.otioz`` bundle ``path`` is unpacked: a folder of tlc's
    cache named after the bundle's path, size and time (unpacked once; an empty one to
    unpack into), or None (not a bundle, or no cache: its media is then relinked)."""
    if not path.lower().endswith(".otioz"):
        return None
    import hashlib

    from tlc.core.cache import cache_dir

    root = cache_dir()
    try:
        st = os.stat(path)
    except OSError:
        return None
    if root is None:
        return None
    key = f"{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}".encode()
    folder = root / "otioz" / hashlib.sha256(key).hexdigest()[:20]
    if (folder / "content.otio").exists():
        return str(folder)  # (unpacked before: read it from there)
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.mkdir(parents=True)
    except OSError:
        return None
    return str(folder)
