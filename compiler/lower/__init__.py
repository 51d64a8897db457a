"""lower: a resolved :class:`~tlc.ir.Timeline` to the naive :class:`~tlc.ir.Plan`.

Owns the naive lowering (:mod:`~tlc.lower.naive`), the filter chains each item
needs (:mod:`~tlc.lower.chains`, whose ``role`` names the passes recognise), each
output's own program (:mod:`~tlc.lower.programs`),
``video copy``/``audio copy`` (:mod:`~tlc.lower.copy_mode`) and the stream-copy
compatibility check that passes share (:mod:`~tlc.lower.compat`). Imports
:mod:`tlc.plugin` (for codecs) and below.
"""
