"""What every command shares: running a command with tlc's exit statuses, the options
of the compiling commands, JSON events, warnings.

Imports only click (and the presets) at start-up; the API loads inside a command.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import re
import sys
from typing import Any

import click

from tlc.core.presets import PRESET_CHOICES

EXIT_USER, EXIT_FAIL, EXIT_CANCEL = 2, 1, 130


_stdout_gone = False


def emit_json(obj: dict[str, Any]) -> None:
    """One JSON event a line on stdout; a reader that went away does not stop the export."""
    global _stdout_gone
    if _stdout_gone:
        return
    try:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        _stdout_gone = True
        _quiet_stdout()


def _quiet_stdout() -> None:
    """Standard output to /dev/null: its reader went away (``tlc print | head``), and the
    interpreter's last flush would fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Failure(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _guard(fn: Any, json_events: bool = False) -> Any:
    """Run ``fn`` mapping tlc's errors to messages and exit statuses."""
    from tlc.core.errors import Cancelled, FfmpegError, TlcError

    try:
        return fn()
    except TlcError as e:
        where = {}
        if e.span is not None and e.span.line > 0:
            where = {"file": e.span.file, "line": e.span.line, "column": e.span.column}
        _report(str(e), e.message, json_events, where)
        raise _Failure(EXIT_USER) from None
    except FfmpegError as e:
        _report(str(e), e.message + ("\n" + e.stderr_tail if e.stderr_tail else ""), json_events)
        raise _Failure(EXIT_FAIL) from None
    except (Cancelled, KeyboardInterrupt):
        _report("tlc: cancelled", "cancelled", json_events)
        raise _Failure(EXIT_CANCEL) from None
    except BrokenPipeError:  # the reader of what tlc prints has all it wanted
        _quiet_stdout()
        raise _Failure(EXIT_FAIL) from None
    except OSError as e:
        _report(f"error: {e}", str(e), json_events)
        raise _Failure(EXIT_FAIL) from None


def _report(
    text: str, message: str, json_events: bool, where: dict[str, Any] | None = None
) -> None:
    if json_events:
        emit_json({"event": "error", "message": message, **(where or {})})
    click.echo(text, err=True)


def run_command(fn: Any, json_events: bool = False) -> Any:
    # One command, then the process ends: no cyclic garbage collection, which would only
    # walk the compiled plan again and again (a fifth of `tlc print` for 10,000 clips).
    gc.disable()
    # Nor at exit: the interpreter's last collection would walk every object still alive
    # (caches holding plans of a few hundred thousand nodes), 0.17 s for 10,000 clips.
    # Frozen objects are left to the process's end; atexit runs only when it ends.
    atexit.unregister(gc.freeze)  # (once, however many commands a test runs)
    atexit.register(gc.freeze)
    try:
        return _guard(fn, json_events)
    except _Failure as f:
        sys.exit(f.code)


def _options(*options: Any) -> Any:
    """A decorator adding ``options`` (click options) in the order given."""

    def decorate(f: Any) -> Any:
        for opt in reversed(options):
            f = opt(f)
        return f

    return decorate


#: the options of every command that compiles a timeline
compile_opts = _options(
    click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
                 help="Replace the first output's path (a file without an output: render "
                 "to PATH)."),
    click.option("--size", metavar="WxH", help="Override every output's size."),
    click.option("--fps", metavar="N", help="Override every output's frame rate."),
    click.option("--preset", type=click.Choice(PRESET_CHOICES), help="Speed/quality trade."),
    click.option("--encoder", metavar="NAME", help="Encoder plugin to use (default auto)."),
    click.option("--disable-pass", "disable_passes", multiple=True, metavar="NAME",
                 help="Switch one optimization pass off (repeatable)."),
    click.option("--smart", type=click.Choice(("auto", "on", "off")), default="auto",
                 show_default=True,
                 help="Smart render: copy the GOPs no edit touches, re-encode the rest "
                 "(on: also say why where it cannot)."),
    click.option("-O", "opt_level", type=click.IntRange(0, 1), default=1, show_default=True,
                 help="-O0 runs no passes: the naive plan."),
    click.option("--ffmpeg", "ffmpeg", metavar="PATH",
                 help="The ffmpeg binary (also TLC_FFMPEG)."),
    click.option("--output-root", "output_root", metavar="DIR",
                 help="Write nothing outside DIR (outputs, temp and work files, cache)."),
    click.option("--relink", "relink", multiple=True, metavar="DIR",
                 help="Find an editor's timeline's missing media in DIR (or its "
                 "subfolders) by file name (repeatable)."),
    click.option("--engine", type=click.Choice(["native", "wasm"]), default="native",
                 show_default=True,
                 help="Run the plan with native ffmpeg or with ffmpeg.wasm under Node.js."),
)


def timeline_command(name: str | None = None) -> Any:
    """A command over a timeline FILE (``-`` for standard input), with the compile options."""

    def decorate(f: Any) -> Any:
        return click.command(name=name)(
            click.argument("file", type=click.Path(dir_okay=False))(compile_opts(f))
        )

    return decorate


#: the options of a segmented export (export and print)
segment_opts = _options(
    click.option("--incremental", is_flag=True,
                 help="Keep rendered segments in a cache; render again only what changed."),
    click.option("--cache", metavar="DIR",
                 help="The segment cache (implies --incremental; default: tlc's cache "
                 "directory)."),
    click.option("--cache-limit", "cache_limit", metavar="SIZE",
                 help="Trim the segment cache to SIZE (such as 5G), least recently used "
                 "first [default: 10G]."),
    click.option("--hash-content", is_flag=True,
                 help="Key cached segments by the media's bytes, not by size and mtime."),
    click.option("-j", "--jobs", type=click.IntRange(1), default=None,
                 help="Render N segments at once (the pool executor, or N local Dask "
                 "workers) [default: one per core]."),
    click.option("--executor", metavar="NAME",
                 help="What renders the segments: local, pool, dask (or a plugin's)."),
    click.option("--scheduler", metavar="ADDRESS",
                 help="A Dask scheduler, such as tcp://10.0.0.5:8786 (implies --executor "
                 "dask)."),
    click.option("--segment", "segment_seconds", metavar="SECONDS",
                 help="Target segment length [default: auto, 2 to 10 s]."),
)


def notifier(json_events: bool) -> Any:
    """Tell the user something during an export (a fallback to a software encoder)."""

    def notify(message: str) -> None:
        if json_events:
            emit_json({"event": "warning", "message": message})
        click.echo(f"warning: {message}", err=True)

    return notify


def compile_for(
    file: str,
    output: str | None,
    size: str | None,
    fps: str | None,
    preset: str | None,
    encoder: str | None,
    disable_passes: tuple[str, ...],
    opt_level: int,
    ffmpeg: str | None,
    smart: str = "auto",
    output_root: str | None = None,
    engine: str = "native",
    keep_history: bool = False,
    json_events: bool = False,
    no_output_ok: bool = False,
    relink: tuple[str, ...] = (),
) -> Any:
    """Compile FILE with the command's options (through the API) and say its warnings."""
    from tlc.api import compile_timeline, context, read_source

    ctx = context(
        output=output,
        size=size,
        fps=fps,
        preset=preset,
        encoder=encoder,
        disable_passes=disable_passes,
        optimize=opt_level > 0,
        smart=smart,
        ffmpeg=ffmpeg,
        output_root=output_root,
        no_output_ok=no_output_ok,
        relink=relink,
        engine=engine,
    )
    if file == "-":  # the timeline on standard input: its paths are relative to here
        text, name = sys.stdin.read(), "<stdin>"
    else:
        text, name = read_source(file, text_ok=False)
    compiled = compile_timeline(text, name, ctx, keep_history=keep_history)
    warn(compiled, json_events)
    return compiled


def warn(compiled: Any, json_events: bool = False) -> None:
    for w in compiled.warnings:
        if json_events:
            emit_json({"event": "warning", "message": w})
        click.echo(warning_line(w), err=True)


_LOCATED = re.compile(r"^(.+?:\d+:\d+): (.*)$", re.DOTALL)


def warning_line(message: str) -> str:
    """``FILE:LINE:COL: warning: ...`` for a warning about a place in the file (as errors
    are written), else ``warning: ...``."""
    m = _LOCATED.match(message)
    return f"{m[1]}: warning: {m[2]}" if m else f"warning: {message}"


def say_warning(message: str) -> None:
    """A warning as the export would say it (``--dry-run`` and ``tlc print``)."""
    click.echo(warning_line(message), err=True)
