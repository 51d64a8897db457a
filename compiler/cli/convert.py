"""``tlc convert IN OUT``: a timeline between `.tl` and what OpenTimelineIO reads and
writes, by extension (see :mod:`tlc.interchange.convert`)."""

from __future__ import annotations

import click

from tlc.cli.common import run_command, say_warning


@click.command()
@click.argument("src", metavar="IN", type=click.Path(dir_okay=False))
@click.argument("dst", metavar="OUT", type=click.Path(dir_okay=False))
@click.option("-y", "--overwrite", is_flag=True, help="Replace OUT if it exists.")
@click.option("--relink", multiple=True, metavar="DIR",
              help="Find media whose path does not exist in DIR, by file name (repeatable).")
@click.option("--ffmpeg", "ffmpeg", metavar="PATH", help="The ffmpeg binary (also TLC_FFMPEG).")
def convert(src: str, dst: str, overwrite: bool, relink: tuple[str, ...],
            ffmpeg: str | None) -> None:
    """Translate a timeline: edit.tl to edit.otio/.otioz/.edl/.xml/.fcpxml, or any
    timeline OpenTimelineIO reads to edit.tl."""

    def work() -> None:
        from tlc.interchange.convert import convert as run

        run(src, dst, overwrite=overwrite, relink=relink, ffmpeg=ffmpeg, warn=say_warning)
        click.echo(f"{src} -> {dst}")

    run_command(work)
