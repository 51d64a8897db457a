"""core: what every stage shares, and nothing that knows about timelines.

Owns the errors and their one formatter (:mod:`~tlc.core.errors`), the on-disk
cache (:mod:`~tlc.core.cache`), ``--output-root`` confinement
(:mod:`~tlc.core.confine`), which ffmpeg is used (:mod:`~tlc.core.toolchain`), the
per-compile :class:`~tlc.core.context.Context`, the text forms of exact times
(:mod:`~tlc.core.timefmt`) and the version. Imports nothing else of tlc.
"""
