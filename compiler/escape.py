"""Escaping for ffmpeg, in one place.

ffmpeg reads a filter graph in two levels: the graph parser splits filters at
unquoted ``[ ] , ;`` and unescapes once; each filter then splits its options at
``:`` and ``=`` and unescapes again. A value therefore goes through
:func:`option_value` (level 2) and the whole option string through
:func:`graph_args` (level 1). drawtext runs with ``expansion=none``, so ``%`` and
``{}`` need nothing more. Concat list files have their own quoting
(:func:`concat_path`).
"""

from __future__ import annotations

_GRAPH_SPECIAL = set("\\'[],;")


def option_value(value: str) -> str:
    """A filter option value, quoted so ``:``, ``=``, ``'`` and ``\\`` stand for themselves."""
    if value and all(c.isalnum() or c in "._-+/*()@#<>!|&^~?$" for c in value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def graph_args(args: str) -> str:
    """A filter's whole option string, escaped for the filter graph parser."""
    out = []
    for c in args:
        if c in _GRAPH_SPECIAL:
            out.append("\\" + c)
        else:
            out.append(c)
    text = "".join(out)
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
        raise ValueError(f"a path with a line break cannot go in a concat list: {path!r}")
    return "'" + path.replace("'", "'\\''") + "'"


def file_url(path: str) -> str:
    """A local path as ffmpeg must read it: never a protocol, never an option."""
    return "file:" + path
