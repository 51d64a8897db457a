"""The font of each caption: one that has every character of its text.

A caption without ``font`` keeps drawtext's default font (no ``fontfile``, the
argv unchanged) when that font has all its characters; otherwise it gets the
installed font fontconfig prefers that has them all, or, where none has, the one
that has most, and a warning names the characters that will show as boxes. A
caption with ``font`` keeps it, with the same warning for what that font lacks.
All captions are looked up in one inventory of the installed fonts
(:func:`tlc.media.fonts.inventory`, cached on disk).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from tlc.core.context import Context
from tlc.core.errors import MediaError
from tlc.ir import OverlayItem
from tlc.syntax import ast

if TYPE_CHECKING:
    from tlc.media.fonts import Choice, Inventory


def pick_fonts(
    tracks: tuple[tuple[OverlayItem, ...], ...], tl: ast.Timeline, ctx: Context
) -> tuple[tuple[OverlayItem, ...], ...]:
    """``tracks`` with a font chosen for each caption that needs one, and warnings."""
    captions = [o for tr in tracks for o in tr if o.kind == "text" and o.text]
    if not captions:
        return tracks  # (the font inventory is loaded only for captions)
    from tlc.media.fonts import drawn, inventory

    inv = inventory()
    need_file = ctx.ffmpeg is not None and not ctx.ffmpeg.fontconfig
    if need_file and inv is None and any(o.font is None for o in captions):
        o = next(o for o in captions if o.font is None)
        raise MediaError(
            "this ffmpeg has no fontconfig (as ffmpeg.wasm), so every caption needs a font "
            "file, and tlc cannot find one: fontconfig's fc-match is not installed",
            o.span, source=tl.source, hint='give the caption a font: font "/path/to/font.ttf"',
        )
    if inv is None:
        for o in captions:
            if o.font is None and any(drawn(c) and ord(c) > 0x7E for c in o.text or ""):
                ctx.warn(f"{_where(tl, o)}: cannot tell which installed font has the "
                         "characters of this text: fontconfig's fc-match is not installed")
        return tracks
    out = []
    for tr in tracks:
        out.append(tuple(_pick(o, inv, tl, ctx) if o.kind == "text" and o.text else o
                         for o in tr))
    return tuple(out)


def _where(tl: ast.Timeline, o: OverlayItem) -> str:
    return f"{tl.file}:{o.span.line}:{o.span.column}"


def _pick(o: OverlayItem, inv: Inventory, tl: ast.Timeline, ctx: Context) -> OverlayItem:
    from tlc.media.fonts import codepoints, drawn, font_file

    text = o.text or ""
    if o.font is not None:
        given = inv.font_of(o.font) or font_file(o.font)
        if given is None:  # a file fontconfig cannot read: tlc cannot tell its characters
            return o
        if given.colour:
            raise MediaError(
                f"{given.family} is a colour bitmap font, which drawtext cannot draw "
                "(it fails: \"Could not set font size\")",
                o.span,
                source=tl.source,
                hint="leave out font (tlc picks one), or give a font with outlines",
            )
        lacks = tuple(sorted({c for c in text if drawn(c) and not given.has(ord(c))}))
        if lacks:
            ctx.warn(f"{_where(tl, o)}: the font {given.family} has no "
                     f"{codepoints(lacks)}: drawtext draws {_them(lacks)} as boxes")
        return o
    choice = inv.choose(text)
    if choice.missing:
        ctx.warn(f"{_where(tl, o)}: {_missing(choice, inv)}")
    file = choice.file
    if file is None and ctx.ffmpeg is not None and not ctx.ffmpeg.fontconfig:
        # (an ffmpeg without fontconfig has no default font: name fontconfig's own)
        file = inv.default.file if inv.default is not None else None
    if file is None:
        return o
    return dataclasses.replace(o, font=file)


def _them(chars: tuple[str, ...]) -> str:
    return "it" if len(chars) == 1 else "them"


def _missing(choice: Choice, inv: Inventory) -> str:
    from tlc.media.fonts import codepoints

    colour = choice.colour_only
    elsewhere = tuple(c for c in choice.missing
                      if c not in colour and any(f.has(ord(c)) for f in inv.fonts))
    nowhere = tuple(c for c in choice.missing if c not in colour and c not in elsewhere)
    parts = []
    if nowhere:
        parts.append(f"no installed font has {codepoints(nowhere)}")
    if colour:
        family = next(f.family for f in inv.colour if f.has(ord(colour[0])))
        parts.append(f"{codepoints(colour)} {'is' if len(colour) == 1 else 'are'} only in "
                     f"a colour emoji font ({family}), which drawtext cannot draw")
    if elsewhere:
        parts.append(f"no one installed font has every character of this caption: "
                     f"{codepoints(elsewhere)} {'is' if len(elsewhere) == 1 else 'are'} in "
                     "another font (split the caption)")
    boxes = "they show as boxes" if len(choice.missing) > 1 else "it shows as a box"
    return "; ".join(parts) + f": the text is drawn in {choice.family}, where {boxes}"
