"""What every stage after parsing may need: options, the ffmpeg in use, warnings.

A :class:`Context` is built once per compile by :func:`tlc.api.context` and handed
down; stages read it and append to ``warnings``. It is the only state a compile
changes. What else lives longer than one call is a cache of answers that do not
depend on who asks: the plugin registry (:func:`tlc.plugin.manager.registry`, one
per process), the cache's confinement to ``--output-root``
(:func:`tlc.core.cache.confined`, a ContextVar), the last walks of a plan
(:mod:`tlc.ir.walk`) and the probes (:mod:`tlc.media.probe`, on disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tlc.core.toolchain import Ffmpeg


@dataclass(frozen=True, slots=True)
class Overrides:
    """Output settings given on the command line (or to :func:`tlc.export`)."""

    output: str | None = None
    size: tuple[int, int] | None = None
    fps: Fraction | None = None
    preset: str | None = None
    encoder: str | None = None


@dataclass(frozen=True, slots=True)
class Defaults:
    """What an output block that leaves a setting out gets: tlc's defaults, or the
    user's from the config file (:mod:`tlc.config`). The ``.tl`` overrides these, and
    the command line overrides both."""

    size: tuple[int, int] = (1920, 1080)
    fps: Fraction = Fraction(60)
    preset: str = "production"
    encoder: str = "auto"


@dataclass(slots=True)
class Context:
    overrides: Overrides = field(default_factory=Overrides)
    defaults: Defaults = field(default_factory=Defaults)
    disabled_passes: frozenset[str] = frozenset()
    optimize: bool = True
    ffmpeg: Ffmpeg | None = None
    workdir: str | None = None
    output_root: str | None = None  # real path: every write stays under it
    no_output_ok: bool = False  # a file without an output checks on an implicit one (tlc check)
    relink: tuple[str, ...] = ()  # folders where an editor's timeline's missing media is found
    warnings: list[str] = field(default_factory=list)
    smart: str = "auto"  # smart render: auto | on (say why where it cannot) | off
    # a window of a segmented export cut at its source's keyframes: smart render
    # however few of its frames are copied (tlc.segmented.gops)
    smart_window: bool = False

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
