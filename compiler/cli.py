"""The ``tlc`` command line (see shared/cli.md for the contract).

Only click is imported at start-up, so ``tlc --help`` answers at once; everything
else loads inside the command that needs it.
"""

from __future__ import annotations

import os
import signal
import sys


def _cancelled_at_start(signum: int, frame: object) -> None:
    os._exit(130)  # (nothing is written yet: a cancel while tlc starts just ends it)


# As the `tlc` command, a cancel while Python imports what tlc needs ends it with 130,
# not a traceback (Ctrl-C) or a death with nothing said (SIGTERM); main() takes over.
_AS_COMMAND = os.path.basename(sys.argv[0] if sys.argv else "") == "tlc"
if _AS_COMMAND:
    for _sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_sig, _cancelled_at_start)

import atexit  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from . import __version__  # noqa: E402

EXIT_USER, EXIT_FAIL, EXIT_CANCEL = 2, 1, 130


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # (SIGTERM ends tlc as Ctrl-C does: cleanly, status 130)


_stdout_gone = False


def _emit_json(obj: dict[str, Any]) -> None:
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
    from .errors import Cancelled, FfmpegError, TlcError

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
        _emit_json({"event": "error", "message": message, **(where or {})})
    click.echo(text, err=True)


def _run(fn: Any, json_events: bool = False) -> Any:
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


def _compile_opts(f: Any) -> Any:
    options = [
        click.option(
            "-o",
            "--output",
            "output",
            type=click.Path(dir_okay=False),
            help="Replace the first output's path.",
        ),
        click.option("--size", metavar="WxH", help="Override every output's size."),
        click.option("--fps", metavar="N", help="Override every output's frame rate."),
        click.option(
            "--preset",
            type=click.Choice(["draft", "preview", "production", "auto"]),
            help="Speed/quality trade.",
        ),
        click.option("--encoder", metavar="NAME", help="Encoder plugin to use (default auto)."),
        click.option(
            "--disable-pass",
            "disable_passes",
            multiple=True,
            metavar="NAME",
            help="Switch one optimization pass off (repeatable).",
        ),
        click.option(
            "-O",
            "opt_level",
            type=click.IntRange(0, 1),
            default=1,
            show_default=True,
            help="-O0 runs no passes: the naive plan.",
        ),
        click.option(
            "--ffmpeg",
            "ffmpeg",
            metavar="PATH",
            help="The ffmpeg binary (also TLC_FFMPEG).",
        ),
        click.option(
            "--output-root",
            "output_root",
            metavar="DIR",
            help="Write nothing outside DIR (outputs, temp and work files, cache).",
        ),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def _segment_opts(f: Any) -> Any:
    options = [
        click.option(
            "--incremental", is_flag=True,
            help="Keep rendered segments in a cache; render again only what changed.",
        ),
        click.option(
            "--cache", metavar="DIR",
            help="The segment cache (implies --incremental; default: tlc's cache directory).",
        ),
        click.option(
            "--cache-limit", "cache_limit", metavar="SIZE",
            help="Trim the segment cache to SIZE (such as 5G), least recently used first "
            "[default: 10G].",
        ),
        click.option(
            "--hash-content", is_flag=True,
            help="Key cached segments by the media's bytes, not by size and mtime.",
        ),
        click.option(
            "-j", "--jobs", type=click.IntRange(1), default=None,
            help="Render N segments at once (the pool executor, or N local Dask workers) "
            "[default: one per core].",
        ),
        click.option(
            "--executor", metavar="NAME",
            help="What renders the segments: local, pool, dask (or a plugin's).",
        ),
        click.option(
            "--scheduler", metavar="ADDRESS",
            help="A Dask scheduler, such as tcp://10.0.0.5:8786 (implies --executor dask).",
        ),
        click.option(
            "--segment", "segment_seconds", metavar="SECONDS",
            help="Target segment length [default: auto, 2 to 10 s].",
        ),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def _compile(
    file: str,
    output: str | None,
    size: str | None,
    fps: str | None,
    preset: str | None,
    encoder: str | None,
    disable_passes: tuple[str, ...],
    opt_level: int,
    ffmpeg: str | None,
    output_root: str | None = None,
    keep_history: bool = False,
) -> Any:
    from .api import _context, _read, compile_timeline

    ctx = _context(
        output=output,
        size=size,
        fps=fps,
        preset=preset,
        encoder=encoder,
        disable_passes=disable_passes,
        optimize=opt_level > 0,
        ffmpeg=ffmpeg,
        output_root=output_root,
    )
    if file == "-":  # the timeline on standard input: its paths are relative to here
        text, name = sys.stdin.read(), "<stdin>"
    else:
        text, name = _read(file, text_ok=False)
    return compile_timeline(text, name, ctx, keep_history=keep_history)


def _warn(compiled: Any, json_events: bool = False) -> None:
    for w in compiled.warnings:
        if json_events:
            _emit_json({"event": "warning", "message": w})
        click.echo(_warning_line(w), err=True)


_LOCATED = re.compile(r"^(.+?:\d+:\d+): (.*)$", re.DOTALL)


def _warning_line(message: str) -> str:
    """``FILE:LINE:COL: warning: ...`` for a warning about a place in the file (as errors
    are written), else ``warning: ...``."""
    m = _LOCATED.match(message)
    return f"{m[1]}: warning: {m[2]}" if m else f"warning: {message}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tlc")
def cli() -> None:
    """tlc: compile .tl timelines into the fewest, cheapest ffmpeg runs."""


def main() -> None:
    """The ``tlc`` command. A cancel (Ctrl-C, SIGTERM) at any moment, parsing the
    options or compiling as well as rendering, ends it with status 130 and no
    traceback (click's own would be "Aborted!", status 1)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _terminated)
    try:
        code = cli.main(prog_name="tlc", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("tlc: cancelled", err=True)
        sys.exit(EXIT_CANCEL)
    except click.ClickException as e:
        if _wants_json(sys.argv[1:]):  # (a bad option value, before the command ran)
            _emit_json({"event": "error", "message": e.format_message()})
        e.show()
        sys.exit(e.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _wants_json(args: list[str]) -> bool:
    return "--progress=json" in args or any(
        a == "--progress" and b == "json" for a, b in zip(args, args[1:], strict=False)
    )


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_compile_opts
@click.option("-y", "--overwrite", is_flag=True, help="Overwrite existing outputs.")
@click.option("--dry-run", is_flag=True, help="Print the ffmpeg runs; render nothing.")
@click.option(
    "--progress",
    "progress_mode",
    type=click.Choice(["auto", "bar", "json", "none"]),
    default="auto",
    show_default=True,
)
@_segment_opts
def export(
    file: str, overwrite: bool, dry_run: bool, progress_mode: str, **opts: Any
) -> None:
    """Compile FILE and render its outputs."""
    json_events = progress_mode == "json"
    started = time.monotonic()
    reports: list[Any] = []
    from .api import SEGMENT_OPTIONS

    seg_opts = {k: opts.pop(k) for k in SEGMENT_OPTIONS}

    def work() -> list[str]:
        from .api import render, segment_options
        from .errors import UsageError
        from .render import steps_sh
        from .run import check_outputs

        segments = segment_options(**seg_opts)
        compiled = _compile(file, **opts)
        _warn(compiled, json_events)
        if dry_run:  # (the script refuses an existing output itself; here it is told)
            steps = _steps(compiled, segments)
            try:
                check_outputs(steps, overwrite)
            except UsageError as e:
                click.echo(_warning_line(f"{e.message}; the export would stop there"), err=True)
            click.echo(steps_sh(steps, file, compiled.ctx.workdir), nl=False)
            return []
        mode = progress_mode
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "none"
        notify = _notifier(json_events)
        kw: dict[str, Any] = {"segments": segments, "on_report": reports.append}
        if mode == "json":
            return render(
                compiled, overwrite=overwrite, progress=_json_progress, notify=notify, **kw
            )
        if mode == "bar":
            return _with_bar(compiled, overwrite, **kw)
        return render(compiled, overwrite=overwrite, notify=notify, **kw)

    outputs = _run(work, json_events)
    if json_events and not dry_run:
        done: dict[str, Any] = {
            "event": "done", "outputs": outputs, "seconds": round(time.monotonic() - started, 3)
        }
        if reports:
            r = reports[0]
            done["segments"] = {
                "segments": r.segments, "rendered": r.rendered, "cached": r.cached,
                "executor": r.executor, "join_seconds": round(r.join_seconds, 3),
                "renders": [[label, round(sec, 3)] for label, sec in r.render_seconds],
            }
        _emit_json(done)
    elif outputs and sys.stderr.isatty():
        for r in reports:
            click.echo(r.summary(), err=True)
        for o in outputs:
            click.echo(f"wrote {o}", err=True)


def _steps(compiled: Any, segments: Any) -> list[Any]:
    """The runs an export would execute (``--dry-run``, ``tlc print``): the compiled
    ones, or with ``segments`` the renders the cache lacks, then the join."""
    from .segmented import one_run_notice, plan_segments

    if segments is None:
        return list(compiled.steps)
    notice = one_run_notice(compiled.plan)
    if notice is not None:  # (as the export says it)
        click.echo(_warning_line(notice), err=True)
        return list(compiled.steps)
    planned = plan_segments(compiled.plan.timeline, compiled.ctx, segments, segments.jobs)
    return planned.steps()


def _notifier(json_events: bool) -> Any:
    """Tell the user something during an export (a fallback to a software encoder)."""

    def notify(message: str) -> None:
        if json_events:
            _emit_json({"event": "warning", "message": message})
        click.echo(f"warning: {message}", err=True)

    return notify


def _json_progress(p: Any) -> None:
    _emit_json(
        {
            "event": "progress",
            "step": p.step,
            "steps": p.steps,
            "fraction": round(p.fraction, 4),
            "out_time": round(p.out_time, 3),
            "speed": p.speed,
            "eta": None if p.eta is None else round(p.eta, 2),
        }
    )


def _with_bar(compiled: Any, overwrite: bool, **kw: Any) -> list[str]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from .api import render

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        transient=False,
        console=Console(stderr=True),  # (stdout stays the command's own: a script may read it)
    ) as bar:
        task = bar.add_task(
            f"export ({len(compiled.steps)} run{'s' if len(compiled.steps) != 1 else ''})",
            total=1.0,
        )

        def update(p: Any) -> None:
            bar.update(
                task,
                completed=p.overall,
                description=f"run {p.step}/{p.steps}" + (f" {p.speed:.1f}x" if p.speed else ""),
            )

        out = render(
            compiled, overwrite=overwrite, progress=update, notify=_notifier(False), **kw
        )
        bar.update(task, completed=1.0)
        return out


@cli.command(name="print")
@click.argument("file", type=click.Path(dir_okay=False))
@_compile_opts
@click.option("--format", "fmt", type=click.Choice(["sh", "json"]), default="sh", show_default=True)
@_segment_opts
def print_(file: str, fmt: str, **opts: Any) -> None:
    """Print the ffmpeg run(s) the export would execute."""
    from .api import SEGMENT_OPTIONS

    seg_opts = {k: opts.pop(k) for k in SEGMENT_OPTIONS}

    def work() -> None:
        from .api import segment_options
        from .render import steps_json, steps_sh

        segments = segment_options(**seg_opts)
        compiled = _compile(file, **opts)
        _warn(compiled)
        steps = _steps(compiled, segments)
        if fmt == "json":
            click.echo(steps_json(steps))
        else:
            click.echo(steps_sh(steps, file, compiled.ctx.workdir), nl=False)

    _run(work)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_compile_opts
def explain(file: str, **opts: Any) -> None:
    """Show the plan after each pass, and which pass changed what."""

    def work() -> None:
        from .render import explain as render_explain

        compiled = _compile(file, keep_history=True, **opts)
        _warn(compiled)
        click.echo(render_explain(compiled.naive, compiled.history, opts["disable_passes"]))

    _run(work)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_compile_opts
def check(file: str, **opts: Any) -> None:
    """Parse, validate and probe the media; render nothing."""

    def work() -> None:
        compiled = _compile(file, **opts)
        _warn(compiled)
        tl = compiled.plan.timeline
        click.echo(
            f"{'<stdin>' if file == '-' else file}: ok, {float(tl.duration):.3f}s, "
            f"{len(tl.main)} main item(s), "
            f"{sum(len(t) for t in tl.overlays)} overlay(s), "
            f"{sum(len(t) for t in tl.audio)} audio item(s), {len(tl.media)} media file(s)"
        )
        for o in tl.outputs:
            video = (
                f"{o.video} {o.width}x{o.height}@{float(o.fps):g}" if o.has_video else "no video"
            )
            click.echo(f"  -> {o.path}: {video}, audio {o.audio}, preset {o.preset}")
        click.echo(f"  {len(compiled.steps)} ffmpeg run(s)")

    _run(work)


_RECHECK = click.option(
    "--recheck", is_flag=True, help="Check every encoder again (after installing a driver)."
)


@cli.command()
@click.option("--ffmpeg", "ffmpeg", metavar="PATH", help="The ffmpeg binary (also TLC_FFMPEG).")
@_RECHECK
@click.option("--markdown", is_flag=True, help="The encoders and presets as docs/encoders.md.")
def plugins(ffmpeg: str | None, recheck: bool, markdown: bool) -> None:
    """List the encoders: name, codec family, hardware or software, available or why not."""

    def work() -> None:
        from . import doctor
        from .plugin_manager import registry
        from .toolchain import find_ffmpeg

        if markdown:
            click.echo(doctor.markdown(registry()), nl=False)
            return
        found = doctor.encoder_statuses(registry(), find_ffmpeg(ffmpeg), recheck)
        click.echo(doctor.plugins_table(found))
        executors = registry().executors()
        width = max(len(i.name) for i in executors)
        click.echo("\nexecutors of segmented exports (--executor NAME):")
        for info in executors:
            click.echo(f"  {info.name.ljust(width)}  {info.description}")

    _run(work)


@cli.command()
@click.option("--ffmpeg", "ffmpeg", metavar="PATH", help="The ffmpeg binary (also TLC_FFMPEG).")
@_RECHECK
def doctor(ffmpeg: str | None, recheck: bool) -> None:
    """Which ffmpeg is used, which encoders really work, the probe backend."""

    def work() -> None:
        from .doctor import report
        from .plugin_manager import registry
        from .toolchain import find_ffmpeg

        click.echo(report(registry(), find_ffmpeg(ffmpeg), recheck))

    _run(work)


@cli.group()
def cache() -> None:
    """The segment cache of incremental exports (--incremental, --cache DIR)."""


_CACHE_DIR = click.option(
    "--cache", "cache_dir", metavar="DIR",
    help="The cache directory (default: tlc's, $TLC_CACHE_DIR or the platform's).",
)


def _segment_cache(cache_dir: str | None) -> Any:
    from .errors import UsageError
    from .segcache import SegmentCache, default_dir

    where = cache_dir or default_dir()
    if where is None:
        raise UsageError("there is no cache directory")
    return SegmentCache(os.path.abspath(os.path.expanduser(where)))


@cache.command(name="ls")
@_CACHE_DIR
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def cache_ls(cache_dir: str | None, as_json: bool) -> None:
    """List the cached segments, the most recently used first."""

    def work() -> None:
        store = _segment_cache(cache_dir)
        entries = store.entries()
        if as_json:
            for e in entries:
                _emit_json({"key": e.key, "path": e.path, "bytes": e.size, "used": e.used,
                            "label": e.label, "seconds": e.seconds, "source": e.source})
            return
        total = sum(e.size for e in entries)
        click.echo(f"{store.root}: {len(entries)} segment(s), {total / 1e6:.1f} MB")
        for e in entries:
            used = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.used))
            seconds = f"{e.seconds:.2f}s" if e.seconds else "-"
            click.echo(f"{e.key[:12]}  {e.size / 1e6:8.1f} MB  {seconds:>8}  {used}  {e.label}")

    _run(work)


@cache.command(name="clear")
@_CACHE_DIR
def cache_clear(cache_dir: str | None) -> None:
    """Remove every cached segment."""

    def work() -> None:
        store = _segment_cache(cache_dir)
        count, size = store.clear()
        click.echo(f"removed {count} segment(s), {size / 1e6:.1f} MB, from {store.root}")

    _run(work)


if __name__ == "__main__":  # pragma: no cover
    main()
