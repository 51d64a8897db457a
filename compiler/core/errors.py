"""Errors, and the one formatter that prints them.

Every mistake in a `.tl` file is a :class:`TlcError` with a :class:`Span`; the CLI
prints it as ``FILE:LINE:COL: error: MESSAGE``, the source line and a caret, and
exits with status 2. ffmpeg failing is a :class:`FfmpegError` (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """Where something came from in a `.tl` file (1-based line and column)."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<tlc>", 0, 0)


class TlcError(Exception):
    """The user's mistake: a bad `.tl`, a bad option, missing media. Exit status 2."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        hint: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.source = source

    def __str__(self) -> str:
        return format_error(self)


class ParseError(TlcError):
    """The text is not valid `.tl` syntax."""


class ValidationError(TlcError):
    """The syntax is fine but the meaning is not (times, ranges, paths, settings)."""


class MediaError(TlcError):
    """A media file is missing, unreadable, or not media."""


class UsageError(TlcError):
    """A bad command-line option, or an output that exists without ``-y``."""


class EncoderError(TlcError):
    """An encoder was asked for that cannot work with the ffmpeg in use."""


class FfmpegError(Exception):
    """ffmpeg (or the system) failed. Exit status 1."""

    exit_code = 1

    def __init__(self, message: str, stderr_tail: str = "", returncode: int | None = None):
        super().__init__(message)
        self.message = message
        self.stderr_tail = stderr_tail
        self.returncode = returncode

    def __reduce__(self) -> tuple[object, ...]:  # (sent back from a Dask worker whole)
        return (type(self), (self.message, self.stderr_tail, self.returncode))

    def __str__(self) -> str:
        text = f"error: {self.message}"
        if self.stderr_tail:
            text += "\n" + self.stderr_tail.rstrip()
        return text


class Cancelled(Exception):
    """The user interrupted the export (Ctrl-C, SIGTERM). Exit status 130."""

    exit_code = 130


def _source_line(err: TlcError) -> str | None:
    span = err.span
    if span is None or span.line <= 0:
        return None
    text = err.source
    if text is None:
        try:
            with open(span.file, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            return None
    # the parser counts lines at "\n" only (splitlines() would also break at U+2028, \f...)
    lines = text.split("\n")
    if span.line > len(lines):
        return ""
    return lines[span.line - 1].rstrip("\r")


def format_error(err: TlcError) -> str:
    """``FILE:LINE:COL: error: MESSAGE``, the source line and a caret under the column."""
    span = err.span
    if span is None or span.line <= 0:
        head = f"error: {err.message}"
        if span is not None and span.file and span.file != NO_SPAN.file:
            head = f"{span.file}: error: {err.message}"
        return head + (f"\nhint: {err.hint}" if err.hint else "")
    out = [f"{span}: error: {err.message}"]
    line = _source_line(err)
    if line is not None:
        shown = line.replace("\t", " ")
        out.append(shown)
        col = max(span.column, 1)
        width = 1
        if span.end_line == span.line and span.end_column > span.column:
            width = span.end_column - span.column
        out.append(" " * (col - 1) + "^" + "~" * (width - 1))
    if err.hint:
        out.append(f"hint: {err.hint}")
    return "\n".join(out)
