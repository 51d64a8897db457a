"""segmented: an export cut into windows, rendered apart (cached, in parallel), joined.

Owns the windows (:mod:`~tlc.segmented.windows`), the segment store
(:mod:`~tlc.segmented.store`) and the export itself (:mod:`~tlc.segmented.export`).
Compiles each window through :mod:`tlc.pipeline` like any timeline, runs the
renders through an executor plugin, and joins them with a plan that goes through
the passes. Imports :mod:`tlc.pipeline` and below.
"""
