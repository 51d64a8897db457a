"""Helpers of the encoder-plugin tests (tests/test_plugins*.py): a fake ffmpeg, a registry.

There is no GPU on the machines these tests run on, so a hardware encoder can
never really work here. :func:`fake_ffmpeg` writes a FAKE ffmpeg: a small shell
script in front of the real one that pretends, as told by environment variables,
that some encoders pass tlc's one-frame check or fail in a real export. Everything
else (``-version``, ``-encoders``, the real encodes of software encoders) it hands
to the real ffmpeg, so exports through it still write real files.

- ``FAKE_FFMPEG_WORKS``: ffmpeg encoder names whose check passes (``h264_nvenc``);
- ``FAKE_FFMPEG_FAILS``: names that fail as soon as a real export uses them, as a
  GPU does when it runs out of sessions mid-export;
- ``FAKE_FFMPEG_UNLISTED``: names ``-encoders`` leaves out;
- ``FAKE_FFMPEG_LOG``: a file that gets one line per call (the arguments).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from media import ffmpeg_exe

from tlc.plugin.manager import Registry, make_manager

SCRIPT = """#!/bin/sh
# FAKE ffmpeg for tlc's tests: see tests/plugfix.py
real={real}
[ -n "$FAKE_FFMPEG_LOG" ] && echo "$*" >> "$FAKE_FFMPEG_LOG"
encoders=""; prev=""; trial=""; export=""; listing=""
for a in "$@"; do
  case "$prev" in -c:v|-c:a) encoders="$encoders $a";; esac
  case "$a" in
    null) trial=1;;
    -progress) export=1;;
    -encoders) listing=1;;
  esac
  prev="$a"
done
if [ -n "$listing" ] && [ -n "$FAKE_FFMPEG_UNLISTED" ]; then
  "$real" "$@" | grep -v -w -E "$(echo $FAKE_FFMPEG_UNLISTED | tr ' ' '|')"
  exit 0
fi
for e in $encoders; do
  if [ -n "$trial" ]; then
    case " $FAKE_FFMPEG_WORKS " in *" $e "*) exit 0;; esac
  fi
  if [ -n "$export" ]; then
    case " $FAKE_FFMPEG_FAILS " in *" $e "*)
      echo "[$e @ 0x5600] fake: the GPU went away in the middle of the export" >&2
      echo "Conversion failed!" >&2
      exit 1;;
    esac
  fi
done
exec "$real" "$@"
"""


def fake_ffmpeg(where: Path) -> Path:
    """Write the fake ffmpeg (see the module's docstring) as ``where/ffmpeg``."""
    where.mkdir(parents=True, exist_ok=True)
    path = where / "ffmpeg"
    path.write_text(SCRIPT.format(real=shlex.quote(ffmpeg_exe())))
    path.chmod(0o755)
    return path


def fresh_registry(*builtins: str) -> Registry:
    """A registry of only the built-in plugins named (all if none), without entry points
    and without the test session's TLC_DISABLE_PLUGINS."""
    pm = make_manager(builtins=builtins or None, entry_points=False, blocked=())
    return Registry(pm)
