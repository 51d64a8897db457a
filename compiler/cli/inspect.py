"""``tlc print``, ``tlc explain``, ``tlc check``: what an export would do, rendering nothing."""

from __future__ import annotations

from typing import Any

import click

from tlc.cli.common import (
    compile_for,
    run_command,
    say_warning,
    segment_opts,
    timeline_command,
)


@timeline_command("print")
@click.option("--format", "fmt", type=click.Choice(["sh", "json", "js"]), default="sh",
              show_default=True,
              help="sh: a shell script; json: the runs; js: an ES module that runs them "
              "with ffmpeg.wasm in a browser (the plan made for ffmpeg.wasm).")
@segment_opts
def print_(file: str, fmt: str, **opts: Any) -> None:
    """Print the ffmpeg run(s) the export would execute."""
    from tlc.api import SEGMENT_OPTIONS

    seg_opts = {k: opts.pop(k) for k in SEGMENT_OPTIONS}

    def work() -> None:
        from tlc.api import runs, runs_json, segment_options, shell_script

        segments = segment_options(**seg_opts)
        if fmt == "js":
            from tlc.core.errors import UsageError

            if segments is not None:
                raise UsageError("--format js prints one export's runs, not a segmented one")
            opts["engine"] = "wasm"  # (the browser runs ffmpeg.wasm: the plan is for it)
        compiled = compile_for(file, **opts)
        steps = runs(compiled, segments, notify=say_warning)
        if fmt == "js":
            from tlc.api import runs_js

            click.echo(runs_js(steps, file, compiled.ctx.workdir), nl=False)
        elif fmt == "json":
            click.echo(runs_json(steps))
        else:
            click.echo(shell_script(steps, file, compiled.ctx.workdir), nl=False)

    run_command(work)


@timeline_command()
def explain(file: str, **opts: Any) -> None:
    """Show the plan after each pass, and which pass changed what."""

    def work() -> None:
        from tlc.api import explain as explain_plan

        compiled = compile_for(file, keep_history=True, **opts)
        click.echo(explain_plan(compiled))

    run_command(work)


@timeline_command()
def check(file: str, **opts: Any) -> None:
    """Parse, validate and probe the media; render nothing."""

    def work() -> None:
        compiled = compile_for(file, no_output_ok=True, **opts)
        tl = compiled.plan.timeline
        implicit = tl.outputs[0].implicit
        click.echo(
            f"{'<stdin>' if file == '-' else file}: ok, {float(tl.duration):.3f}s, "
            f"{len(tl.main)} main item(s), "
            f"{sum(len(t) for t in tl.overlays)} overlay(s), "
            f"{sum(len(t) for t in tl.audio)} audio item(s), {len(tl.media)} media file(s)"
            + (" (no output: export with -o OUT)" if implicit else "")
        )
        for o in tl.outputs:
            video = (
                f"{o.video} {o.width}x{o.height}@{float(o.fps):g}" if o.has_video else "no video"
            )
            where = "checked with the default output" if implicit else o.path
            click.echo(f"  -> {where}: {video}, audio {o.audio}, preset {o.preset}")
        if not implicit:
            click.echo(f"  {len(compiled.steps)} ffmpeg run(s)")

    run_command(work)
