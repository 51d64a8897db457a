"""tlc: a timeline compiler for ffmpeg.

``tlc.compile_file(path) -> Plan`` and ``tlc.export(path_or_text, output=None, **overrides)``
are the API for programs that embed tlc; ``tlc.hookimpl`` marks a plugin's hooks (see
:mod:`tlc.plugin`). Importing ``tlc`` is cheap: the compiler loads on first use.

The package is the compiler's pipeline, one subpackage per stage, bottom to top
(``docs/architecture.md``): ``core``, ``syntax`` and ``media``, ``ir``, ``backend``,
``runtime``, ``plugin``, ``resolve``, ``lower``, ``passes``, ``pipeline``,
``segmented``; then ``config``, ``api``, ``doctor`` and ``cli`` on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tlc.core.version import VERSION as __version__

__all__ = ["compile_file", "export", "compile", "hookimpl", "TlcError", "__version__"]

if TYPE_CHECKING:
    from tlc.api import compile, compile_file, export
    from tlc.core.errors import TlcError
    from tlc.plugin import hookimpl


def __getattr__(name: str) -> Any:
    if name in ("compile_file", "export", "compile"):
        from tlc import api

        return getattr(api, name)
    if name == "TlcError":
        from tlc.core.errors import TlcError

        return TlcError
    if name == "hookimpl":
        from tlc.plugin import hookimpl

        return hookimpl
    raise AttributeError(name)
