"""The fonts installed on this machine, and which characters each one has.

drawtext (without ``fontfile``) draws in fontconfig's match for ``Sans``; a
character that font lacks comes out as a box. :func:`inventory` asks fontconfig
once for every installed font in its order of preference for ``Sans`` (the
first is drawtext's default) with each font's character set, in one
``fc-match -a`` process, and keeps the answer in tlc's cache keyed by the state
of fontconfig's configuration, caches and font folders: a compile of a
thousand captions spawns no process at all once the cache is warm, and one
when a font was installed or removed.

Colour emoji fonts (CBDT/sbix bitmaps, ``color=True`` in fontconfig) are kept
apart: FreeType cannot scale them, and drawtext fails to start on one ("Could
not set font size"), so they are never a font to draw in, only a way to say why
a character cannot be drawn.

Imports only :mod:`tlc.core`. Without fontconfig (no ``fc-match``) there is no
inventory (None) and nothing is chosen.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tlc.core import cache

CACHE_NAME = "fonts-v1.json"
FILES_CACHE_NAME = "font-files-v1.json"  # fonts given by path, read with fc-query
FC_TIMEOUT = 60.0
# fontconfig's own folders, besides $XDG_CACHE_HOME and $XDG_DATA_HOME ones
_CONFIG_PATHS = ("/etc/fonts", "/usr/local/etc/fonts", "/opt/homebrew/etc/fonts")
_CACHE_DIRS = ("/var/cache/fontconfig", "/usr/local/var/cache/fontconfig")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts",
              "/System/Library/Fonts")


@dataclass(frozen=True, slots=True)
class Font:
    """One installed font file (its first face, the one drawtext opens)."""

    file: str
    family: str
    colour: bool
    # the characters it has: sorted, disjoint, inclusive (first, last) code point ranges
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def has(self, cp: int) -> bool:
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]


@dataclass(frozen=True, slots=True)
class Choice:
    """The font for one caption: ``file`` None means drawtext's default."""

    file: str | None
    family: str
    missing: tuple[str, ...] = ()  # characters the chosen font lacks
    colour_only: tuple[str, ...] = ()  # of those, the ones only a colour font has


@dataclass(frozen=True)
class Inventory:
    """The installed fonts, in fontconfig's order of preference for ``Sans``."""

    fonts: tuple[Font, ...]  # fonts drawtext can draw in; the first is its default
    colour: tuple[Font, ...]  # colour bitmap fonts, which drawtext cannot draw in
    _memo: dict[frozenset[str], Choice] = field(default_factory=dict, compare=False)
    _paths: dict[str, Font] = field(default_factory=dict, compare=False)

    @property
    def default(self) -> Font | None:
        return self.fonts[0] if self.fonts else None

    def font_of(self, path: str) -> Font | None:
        """The installed font at ``path`` (any spelling of it), if fontconfig knows it."""
        if not self._paths:
            for f in (*self.fonts, *self.colour):
                self._paths.setdefault(f.file, f)
                self._paths.setdefault(os.path.realpath(f.file), f)
        return self._paths.get(path) or self._paths.get(os.path.realpath(path))

    def choose(self, text: str) -> Choice:
        """The font to draw ``text`` in: the default if it has every character (then
        ``file`` is None: drawtext's own choice, unchanged), else the most preferred
        font that has them all, else the one that has most (and what it lacks)."""
        chars = frozenset(c for c in text if drawn(c))
        found = self._memo.get(chars)
        if found is None:
            found = self._choose(chars)
            self._memo[chars] = found
        return found

    def _choose(self, chars: frozenset[str]) -> Choice:
        if not self.fonts:
            return Choice(None, "", tuple(sorted(chars)), ())
        cps = sorted(ord(c) for c in chars)
        best = next((f for f in self.fonts if all(f.has(cp) for cp in cps)), None)
        if best is None:  # no font has them all: the (most preferred) one with most
            count = [sum(1 for cp in cps if f.has(cp)) for f in self.fonts]
            best = self.fonts[count.index(max(count))]
        best_missing = [cp for cp in cps if not best.has(cp)]
        missing = tuple(chr(cp) for cp in best_missing)
        colour = tuple(c for c in missing if any(f.has(ord(c)) for f in self.colour))
        file = None if best is self.fonts[0] else best.file
        return Choice(file, best.family, missing, colour)


def drawn(c: str) -> bool:
    """Whether drawtext needs a glyph for ``c``: not for spaces, line breaks, controls,
    joiners and variation selectors."""
    import unicodedata

    if unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cc", "Cf"):
        return False
    cp = ord(c)
    return not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF)


def codepoints(chars: tuple[str, ...] | list[str]) -> str:
    """``'你' (U+4F60), '🎉' (U+1F389)``: characters as a reader can find them."""
    return ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars)


# ---- asking fontconfig, once per state of its folders ---------------------------------

_MEMO: dict[str, Inventory | None] = {}


def forget() -> None:
    """Drop the in-process copy (the on-disk cache stays): the next :func:`inventory`
    reads the cache file, or asks fontconfig."""
    _MEMO.clear()


def state_key(fc: str) -> str:
    """What fontconfig's answer depends on: its binary, environment, configuration,
    caches and font folders (their modification times, two levels deep)."""
    home = Path.home()
    xdg_cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    xdg_data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share")
    dirs = [*_CONFIG_PATHS, *_CACHE_DIRS, str(xdg_cache / "fontconfig"), str(home / ".fonts"),
            str(home / ".fontconfig"), str(xdg_data / "fonts"), *_FONT_DIRS,
            str(home / "Library/Fonts")]
    parts = [fc, *(os.environ.get(v, "") for v in
                   ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT"))]
    for d in dirs:
        parts.extend(_stamps(d, depth=2))
    parts.extend(_stamps(fc, depth=0))
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _stamps(path: str, depth: int) -> list[str]:
    try:
        st = os.stat(path)
    except OSError:
        return []
    out = [f"{path}:{st.st_mtime_ns}:{st.st_size}"]
    if depth > 0 and os.path.isdir(path):
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return out
        for name in names:
            sub = os.path.join(path, name)
            if os.path.isdir(sub):
                out.extend(_stamps(sub, depth - 1))
    return out


def inventory() -> Inventory | None:
    """The installed fonts (see the module's docstring), or None without fontconfig."""
    fc = shutil.which("fc-match")
    if fc is None:
        return None
    key = state_key(fc)
    if key in _MEMO:
        return _MEMO[key]
    data = cache.read_json(CACHE_NAME)
    rows = data.get("fonts") if isinstance(data, dict) and data.get("key") == key else None
    if not isinstance(rows, list):
        rows = _ask(fc)
        if rows is not None:
            cache.write_json(CACHE_NAME, {"key": key, "fonts": rows})
    inv = None if rows is None else _build(rows)
    _MEMO.clear()
    _MEMO[key] = inv
    return inv


def font_file(path: str) -> Font | None:
    """The font in ``path`` (its first face), asked of ``fc-query`` once per version of
    the file (cached); None where fontconfig cannot read it or is not installed."""
    fc = shutil.which("fc-query")
    try:
        st = os.stat(path)
    except OSError:
        return None
    if fc is None:
        return None
    real = os.path.realpath(path)
    key = f"{real}:{st.st_size}:{st.st_mtime_ns}"
    known = cache.read_json(FILES_CACHE_NAME)
    row = known.get(key) if isinstance(known, dict) else None
    if not isinstance(row, list):
        rows = _run([fc, "--index", "0", "--format", _FORMAT, real])
        if not rows:
            return None
        row = rows[0]

        def add(data: object) -> object:
            entries = dict(data) if isinstance(data, dict) else {}
            stale = [k for k in entries if k.rsplit(":", 2)[0] == real]
            for k in stale:
                del entries[k]
            entries[key] = row
            return entries

        cache.update_json(FILES_CACHE_NAME, add)
    built = _build([row])
    if built is None:
        return None
    return (*built.fonts, *built.colour)[0]


_FORMAT = "%{file}\\t%{index}\\t%{color}\\t%{family[0]}\\t%{charset}\\n"


def _ask(fc: str) -> list[list[object]] | None:
    """Every font fontconfig has, best match for ``Sans`` first: [file, family, colour,
    flat range list] for each file's first face."""
    return _run([fc, "-a", "--format", _FORMAT, "Sans"])


def _run(argv: list[str]) -> list[list[object]] | None:
    try:
        p = subprocess.run(argv, capture_output=True, timeout=FC_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if p.returncode != 0:
        return None
    rows: list[list[object]] = []
    seen: set[str] = set()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        cols = line.split("\t")
        if len(cols) != 5 or cols[1] != "0" or cols[0] in seen:
            continue  # drawtext opens a file's first face, never a named instance
        seen.add(cols[0])
        flat: list[int] = []
        for part in cols[4].split():
            lo, _, hi = part.partition("-")
            try:
                flat += [int(lo, 16), int(hi or lo, 16)]
            except ValueError:
                continue
        rows.append([cols[0], cols[3], cols[2].strip().lower() == "true", flat])
    return rows


def _build(rows: list[list[object]]) -> Inventory | None:
    fonts: list[Font] = []
    colour: list[Font] = []
    try:
        for file, family, is_colour, flat in rows:
            assert isinstance(flat, list)
            font = Font(str(file), str(family), bool(is_colour),
                        tuple(int(x) for x in flat[0::2]), tuple(int(x) for x in flat[1::2]))
            (colour if font.colour else fonts).append(font)
    except (ValueError, TypeError, AssertionError):
        return None
    return Inventory(tuple(fonts), tuple(colour))
