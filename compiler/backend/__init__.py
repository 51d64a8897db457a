"""backend: a :class:`~tlc.ir.Plan` to ffmpeg runs, and the text forms of runs.

Owns argv building (:mod:`~tlc.backend.emit`), ffmpeg's escaping
(:mod:`~tlc.backend.escape`) and ``tlc print``'s shell and JSON forms
(:mod:`~tlc.backend.text`). Imports :mod:`tlc.ir`, :mod:`tlc.media` and
:mod:`tlc.core`, never the stages that make plans. A second engine (ffmpeg.wasm)
reads the same :class:`~tlc.backend.emit.Step` values.
"""
