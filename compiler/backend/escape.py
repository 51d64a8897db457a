"""Escaping for ffmpeg, in one place.

ffmpeg reads a filter graph in two levels: the graph parser splits filters at
unquoted ``[ ] , ;`` and unescapes once; each filter then splits its options at
``:`` and ``=`` and unescapes again. A value therefore goes through
:func:`option_value` (level 2) and the whole option string through
:func:`graph_args` (level 1). drawtext runs with ``expansion=none``, so ``%`` and
``{}`` need nothing more; the ``subtitles`` filter's file name is such a value too.
Concat list files have their own quoting (:func:`concat_path`), ffmetadata files
theirs (:func:`ffmetadata_value`).
"""

from __future__ import annotations

import os
import re

from tlc.core.errors import UsageError

_GRAPH_ESCAPES = str.maketrans({c: "\\" + c for c in "\\'[],;"})
# a value of only these characters needs no quotes (letters and digits of any script)
_PLAIN_VALUE = re.compile(r"(?:[^\W_]|[._\-+/*()@#<>!|&^~?$])+")


def option_value(value: str) -> str:
    """A filter option value, quoted so ``:``, ``=``, ``'`` and ``\\`` stand for themselves."""
    if _PLAIN_VALUE.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def graph_args(args: str) -> str:
    """A filter's whole option string, escaped for the filter graph parser."""
    text = args.translate(_GRAPH_ESCAPES)
    # leading and trailing whitespace would be trimmed by the parser
    if text[:1].isspace():
        text = "\\" + text
    if text[-1:].isspace():
        text = text[:-1] + "\\" + text[-1]
    return text


def filter_args(args: tuple[tuple[str, str], ...]) -> str:
    """``k=v:k=v`` for a filter, both levels escaped."""
    return graph_args(":".join(f"{k}={option_value(v)}" for k, v in args))


def concat_path(path: str) -> str:
    """A path for a concat demuxer list file (``file '...'``)."""
    if "\n" in path or "\r" in path:
        # the list is read line by line: no quoting can carry a line break
        raise UsageError(
            f"cannot join {path!r} by stream copy: its name has a line break, "
            "which a concat list cannot hold",
            hint="rename the file",
        )
    return "'" + path.replace("'", "'\\''") + "'"


# what the concat demuxer's safe mode accepts: relative, each part [A-Za-z0-9_-][...]*
_CONCAT_SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def concat_safe_name(path: str, base: str) -> str | None:
    """``path`` relative to the directory ``base`` if the concat demuxer's ``safe`` mode
    accepts it there (a plain relative name below ``base``, no ``..``), else None."""
    try:
        rel = os.path.relpath(path, base).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return None
    return rel if _CONCAT_SAFE.fullmatch(rel) else None


def file_url(path: str) -> str:
    """A local path as ffmpeg must read it: never a protocol, never an option."""
    return "file:" + path


_FFMETADATA_ESCAPES = str.maketrans({c: "\\" + c for c in "=;#\\\n"})


def ffmetadata_value(text: str) -> str:
    """A key or value for an ffmetadata file (chapter titles): ``= ; # \\`` and line
    breaks escaped with a backslash, as its reader unescapes them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_FFMETADATA_ESCAPES)
