"""media: what a file is: streams, sizes, rates, durations, keyframes, containers.

Owns the media model without I/O (:mod:`~tlc.media.info`), in-process probing with
PyAV and its cache, keyframe lists, and what each container can hold
(:mod:`~tlc.media.containers`), and the installed fonts (:mod:`~tlc.media.fonts`).
Imports only :mod:`tlc.core`; PyAV loads only when a file is really opened.
"""
