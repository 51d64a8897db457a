"""An item's option as the builder collects it (``trim 2s..5s``, ``speed 2``, ``soft``):
its name, its value and where it was written. The builder methods of every rule
(:mod:`~tlc.syntax.builder`, :mod:`~tlc.syntax.edit_items`, :mod:`~tlc.syntax.metadata`)
return these, and the item that holds them checks each is given once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tlc.core.errors import Span


@dataclass(frozen=True, slots=True)
class Opt:
    name: str
    value: Any
    span: Span
