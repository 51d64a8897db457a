"""tlc: a timeline compiler for ffmpeg.

``tlc.compile_file(path) -> Plan`` and ``tlc.export(path_or_text, output=None, **overrides)``
are the API for programs that embed tlc. Importing ``tlc`` is cheap: the compiler
loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["compile_file", "export", "TlcError", "__version__"]

if TYPE_CHECKING:
    from .api import compile_file, export
    from .errors import TlcError


def __getattr__(name: str) -> Any:
    if name in ("compile_file", "export", "compile"):
        from . import api

        return getattr(api, name)
    if name == "TlcError":
        from .errors import TlcError

        return TlcError
    raise AttributeError(name)
