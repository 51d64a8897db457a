"""What every stage after parsing may need: options, the ffmpeg in use, warnings.

A :class:`Context` is built once per compile by :mod:`tlc.api` and handed down;
stages read it and append to ``warnings``, nothing else is shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .toolchain import Ffmpeg


@dataclass(frozen=True, slots=True)
class Overrides:
    """Output settings given on the command line (or to :func:`tlc.export`)."""

    output: str | None = None
    size: tuple[int, int] | None = None
    fps: Fraction | None = None
    preset: str | None = None
    encoder: str | None = None


@dataclass(slots=True)
class Context:
    overrides: Overrides = field(default_factory=Overrides)
    disabled_passes: frozenset[str] = frozenset()
    optimize: bool = True
    ffmpeg: Ffmpeg | None = None
    workdir: str | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
