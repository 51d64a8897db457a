"""syntax: `.tl` text in, :class:`tlc.syntax.ast.Timeline` out; the front end.

Owns the AST (:mod:`~tlc.syntax.ast`), the Lark parser and its error messages
(:mod:`~tlc.syntax.parser`, :mod:`~tlc.syntax.diagnostics`), the builder that turns
Lark's tree into AST nodes (:mod:`~tlc.syntax.builder`), the tree-less fast path
(:mod:`~tlc.syntax.fast`) and the values of the language (:mod:`~tlc.syntax.values`).
Knows nothing of media or ffmpeg; imports only :mod:`tlc.core`. A new front end
(OpenTimelineIO, EDL) is a sibling of this package that builds the same AST.
"""
