"""The ``tlc`` command line (see shared/cli.md for the contract).

One module per command group: :mod:`~tlc.cli.export`, :mod:`~tlc.cli.inspect`
(print, explain, check), :mod:`~tlc.cli.tools` (plugins, doctor, cache), and what
they share in :mod:`~tlc.cli.common`. Every command goes through :mod:`tlc.api`
(and ``tlc doctor``/``tlc plugins`` through :mod:`tlc.doctor`). Only click is
imported at start-up, so ``tlc --help`` answers at once; everything else loads
inside the command that needs it.
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

import threading  # noqa: E402

import click  # noqa: E402

from tlc.cli.common import EXIT_CANCEL, emit_json  # noqa: E402
from tlc.cli.convert import convert  # noqa: E402
from tlc.cli.export import export  # noqa: E402
from tlc.cli.inspect import check, explain, print_  # noqa: E402
from tlc.cli.tools import cache, doctor, plugins, stats  # noqa: E402
from tlc.core.version import VERSION  # noqa: E402


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # (SIGTERM ends tlc as Ctrl-C does: cleanly, status 130)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="tlc")
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
            emit_json({"event": "error", "message": e.format_message()})
        e.show()
        sys.exit(e.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _wants_json(args: list[str]) -> bool:
    return "--progress=json" in args or any(
        a == "--progress" and b == "json" for a, b in zip(args, args[1:], strict=False)
    )


for _command in (export, print_, explain, check, plugins, doctor, cache, stats, convert):
    cli.add_command(_command)
