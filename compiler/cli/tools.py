"""``tlc plugins``, ``tlc doctor``, ``tlc cache``: the machine, the plugins, the cache."""

from __future__ import annotations

import time

import click

from tlc.cli.common import emit_json, run_command

_RECHECK = click.option(
    "--recheck", is_flag=True, help="Check every encoder again (after installing a driver)."
)


@click.command()
@click.option("--ffmpeg", "ffmpeg", metavar="PATH", help="The ffmpeg binary (also TLC_FFMPEG).")
@_RECHECK
@click.option("--markdown", is_flag=True, help="The encoders and presets as docs/encoders.md.")
def plugins(ffmpeg: str | None, recheck: bool, markdown: bool) -> None:
    """List the encoders: name, codec family, hardware or software, available or why not."""

    def work() -> None:
        from tlc import doctor

        if markdown:
            click.echo(doctor.markdown_page(), nl=False)
        else:
            click.echo(doctor.plugins_listing(ffmpeg, recheck))

    run_command(work)


@click.command()
@click.option("--ffmpeg", "ffmpeg", metavar="PATH", help="The ffmpeg binary (also TLC_FFMPEG).")
@_RECHECK
def doctor(ffmpeg: str | None, recheck: bool) -> None:
    """Which ffmpeg is used, which encoders really work, the probe backend."""

    def work() -> None:
        from tlc.doctor import doctor_report

        click.echo(doctor_report(ffmpeg, recheck))

    run_command(work)


@click.group()
def cache() -> None:
    """The segment cache of incremental exports (--incremental, --cache DIR)."""


_CACHE_DIR = click.option(
    "--cache", "cache_dir", metavar="DIR",
    help="The cache directory (default: tlc's, $TLC_CACHE_DIR or the platform's).",
)


@cache.command(name="ls")
@_CACHE_DIR
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def cache_ls(cache_dir: str | None, as_json: bool) -> None:
    """List the cached segments, the most recently used first."""

    def work() -> None:
        from tlc.api import segment_cache

        store = segment_cache(cache_dir)
        entries = store.entries()
        if as_json:
            for e in entries:
                emit_json({"key": e.key, "path": e.path, "bytes": e.size, "used": e.used,
                            "label": e.label, "seconds": e.seconds, "source": e.source})
            return
        total = sum(e.size for e in entries)
        click.echo(f"{store.root}: {len(entries)} segment(s), {total / 1e6:.1f} MB")
        for e in entries:
            used = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.used))
            seconds = f"{e.seconds:.2f}s" if e.seconds else "-"
            click.echo(f"{e.key[:12]}  {e.size / 1e6:8.1f} MB  {seconds:>8}  {used}  {e.label}")

    run_command(work)


@cache.command(name="clear")
@_CACHE_DIR
def cache_clear(cache_dir: str | None) -> None:
    """Remove every cached segment."""

    def work() -> None:
        from tlc.api import segment_cache

        store = segment_cache(cache_dir)
        count, size = store.clear()
        click.echo(f"removed {count} segment(s), {size / 1e6:.1f} MB, from {store.root}")

    run_command(work)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--since", metavar="DATE", help="Only exports since DATE (2026-12-01).")
def stats(fmt: str, since: str | None) -> None:
    """The export log: exports, success rate, encode times by encoder and preset."""

    def work() -> None:
        from tlc.exportlog.record import log_path
        from tlc.exportlog.stats import parse_since, read_lines, summarize, text_report

        path = log_path()
        summary = summarize(read_lines(path), parse_since(since) if since else None)
        if fmt == "json":
            emit_json({"log": str(path), **summary})
        else:
            click.echo(text_report(summary, path))

    run_command(work)
