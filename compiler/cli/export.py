"""``tlc export``: compile and render, with progress as a bar, JSON events or nothing."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any

import click

from tlc.cli.common import (
    compile_for,
    emit_json,
    notifier,
    run_command,
    say_warning,
    segment_opts,
    timeline_command,
    warning_line,
)


@timeline_command()
@click.option("-y", "--overwrite", is_flag=True, help="Overwrite existing outputs.")
@click.option("--dry-run", is_flag=True, help="Print the ffmpeg runs; render nothing.")
@click.option(
    "--progress",
    "progress_mode",
    type=click.Choice(["auto", "bar", "json", "none"]),
    default="auto",
    show_default=True,
)
@click.option("--no-log", "no_log", is_flag=True,
              help="Keep this export out of the export log (tlc stats).")
@segment_opts
def export(
    file: str, overwrite: bool, dry_run: bool, progress_mode: str, no_log: bool = False,
    **opts: Any,
) -> None:
    """Compile FILE and render its outputs."""
    json_events = progress_mode == "json"
    started = time.monotonic()
    reports: list[Any] = []
    from tlc.api import SEGMENT_OPTIONS

    seg_opts = {k: opts.pop(k) for k in SEGMENT_OPTIONS}

    def work() -> list[str]:
        from tlc.exportlog.record import recording

        # (a dry run renders nothing: it is no export to log)
        with recording(enabled=not (no_log or dry_run), warn=notifier(json_events)) as rec:
            if file != "-":
                from tlc.api import read_source
                from tlc.core.errors import UsageError

                with contextlib.suppress(UsageError):  # (compile_for says what is wrong)
                    rec.source(*read_source(file, text_ok=False))
            return render_export()

    def render_export() -> list[str]:
        from tlc.api import check_outputs, render, runs, segment_options, shell_script
        from tlc.core.errors import UsageError

        segments = segment_options(**seg_opts)
        compiled = compile_for(file, json_events=json_events, **opts)
        if dry_run:  # (the script refuses an existing output itself; here it is told)
            steps = runs(compiled, segments, notify=say_warning)
            try:
                check_outputs(steps, overwrite)
            except UsageError as e:
                click.echo(warning_line(f"{e.message}; the export would stop there"), err=True)
            click.echo(shell_script(steps, file, compiled.ctx.workdir), nl=False)
            return []
        mode = progress_mode
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "none"
        notify = notifier(json_events)
        kw: dict[str, Any] = {"segments": segments, "on_report": reports.append}
        if mode == "json":
            return render(
                compiled, overwrite=overwrite, progress=_json_progress, notify=notify, **kw
            )
        if mode == "bar":
            return _with_bar(compiled, overwrite, **kw)
        return render(compiled, overwrite=overwrite, notify=notify, **kw)

    outputs = run_command(work, json_events)
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
        emit_json(done)
    elif outputs and sys.stderr.isatty():
        for r in reports:
            click.echo(r.summary(), err=True)
        for o in outputs:
            click.echo(f"wrote {o}", err=True)


def _json_progress(p: Any) -> None:
    emit_json(
        {
            "event": "progress",
            "step": p.step,
            "steps": p.steps,
            "fraction": round(p.fraction, 4),
            "out_time": round(p.out_time, 3),
            "speed": p.speed,
            "eta": None if p.eta is None else round(p.eta, 2),
            "overall": round(p.overall, 4),  # of the whole export: never goes back, ends at 1
            **({} if p.window is None else {"window": p.window}),  # (a segmented export's)
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

    from tlc.api import render

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
            compiled, overwrite=overwrite, progress=update, notify=notifier(False), **kw
        )
        bar.update(task, completed=1.0)
        return out
