"""Editorial timelines in and out: what OpenTimelineIO reads (``.otio``, ``.otioz``,
CMX 3600 ``.edl``, FCP 7 ``.xml``, ``.fcpxml``) as tlc's AST (:mod:`.read`).

OpenTimelineIO is imported only inside the functions that read such a file, so
``tlc --help`` and `.tl` exports never load it. May import the layers below
:mod:`tlc.pipeline` (it builds :mod:`tlc.syntax.ast` values, probes with
:mod:`tlc.media`).
"""
