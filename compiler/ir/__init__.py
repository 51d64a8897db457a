"""The IR: the resolved timeline, and the plan as a graph of streams.

Two layers, both frozen values:

- :class:`Timeline` is what the `.tl` *means*: outputs with every setting
  resolved, the main track with exact start times and frame counts, overlays and
  audio items in output time. :mod:`tlc.resolve` builds it from the AST and the
  probed media.
- :class:`Plan` is *how* to make it: a graph whose leaves read media
  (:class:`Src`, :class:`ConcatSrc`, :class:`Lavfi`), whose inner nodes are
  filters (:class:`F`), and whose roots are files (:class:`Sink`), each a set of
  encoded (:class:`Encode`) or copied (:class:`Copy`) streams. A :class:`Src` may
  read an intermediate :class:`Sink`: that is one ffmpeg run feeding another.
  :mod:`tlc.lower.naive` builds the naive plan; the passes rewrite it; :mod:`tlc.backend.emit`
  turns each run into an argv.

Nodes are compared by identity in passes (graphs can be large); :class:`Src` is
compared by value so the same file read twice becomes one ffmpeg input.

This package imports only :mod:`tlc.media` (for :class:`~tlc.media.info.MediaInfo`)
and :mod:`tlc.core`. Its modules are :mod:`~tlc.ir.timeline`, :mod:`~tlc.ir.plan`
and :mod:`~tlc.ir.walk`; every public name is re-exported here.
"""

from tlc.ir.plan import *  # noqa: F403  (each module's __all__)
from tlc.ir.timeline import *  # noqa: F403
from tlc.ir.walk import *  # noqa: F403
