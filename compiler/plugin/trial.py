"""The standard check that an encoder really works (the ``trial-encode`` plugin's),
for plugins that want it too; and the encoders an ffmpeg lists."""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from typing import TYPE_CHECKING

from tlc.plugin.encoder import Check, Encoder, Needs

if TYPE_CHECKING:
    from tlc.core.toolchain import Ffmpeg

TRIAL_TIMEOUT = 15.0
TRIAL_VIDEO = ("-f", "lavfi", "-i", "color=c=black:s=320x240:r=25:d=0.04", "-frames:v", "1")
TRIAL_AUDIO = ("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "0.05")


def trial_encode_argv(
    ffmpeg_path: str, encoder: Encoder, args: list[str], needs: Needs
) -> list[str]:
    """The argv of the standard check: one frame (or 50 ms) of a synthetic source,
    through the encoder with its own options and needs, to the null muxer."""
    source = TRIAL_VIDEO if encoder.media == "v" else TRIAL_AUDIO
    chain = [f"format={needs.pix_fmt or 'yuv420p'}"] if encoder.media == "v" else []
    if needs.filters:
        chain.append(needs.filters)
    filters = ["-vf", ",".join(chain)] if chain else []
    return [
        ffmpeg_path,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        *needs.global_args,
        *source,
        *filters,
        f"-c:{encoder.media}",
        encoder.ffmpeg_name,
        *args,
        "-f",
        "null",
        "-",
    ]


def trial_encode(
    ffmpeg: Ffmpeg, encoder: Encoder, args: list[str], needs: Needs, timeout: float = TRIAL_TIMEOUT
) -> Check:
    """Run the standard check (:func:`trial_encode_argv`) and say why it failed."""
    argv = trial_encode_argv(ffmpeg.path, encoder, args, needs)
    proc = _quiet_run(argv, timeout)
    if isinstance(proc, subprocess.TimeoutExpired):
        return Check(False, f"the test encode did not finish in {timeout:g} s")
    if isinstance(proc, OSError):
        return Check(False, f"cannot run {ffmpeg.path}: {proc.strerror or proc}")
    if proc.returncode == 0:
        return Check(True)
    return Check(False, reason_from_stderr(proc.stderr, proc.returncode))


def _quiet_run(
    argv: list[str], timeout: float
) -> subprocess.CompletedProcess[str] | subprocess.TimeoutExpired | OSError:
    """Run ``argv`` with no stdin, capturing text output; the failure to run, returned."""
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError) as err:
        return err


_listing_lock = threading.Lock()


def listed_encoders(ffmpeg: Ffmpeg) -> frozenset[str]:
    """The encoder names ``ffmpeg -encoders`` lists (asked once per process and binary).

    Raises RuntimeError, with ffmpeg's reason, if it cannot list them.
    """
    with _listing_lock:  # checks run in threads: list once, not once per thread
        names, problem = _listing(ffmpeg)
    if problem:
        raise RuntimeError(problem)
    return names


@functools.lru_cache(maxsize=8)
def _listing(ffmpeg: Ffmpeg) -> tuple[frozenset[str], str]:
    proc = _quiet_run([ffmpeg.path, "-hide_banner", "-encoders"], TRIAL_TIMEOUT)
    if isinstance(proc, subprocess.TimeoutExpired):
        return frozenset(), f"`-encoders` did not finish in {TRIAL_TIMEOUT:g} s"
    if isinstance(proc, OSError):
        return frozenset(), f"cannot run it: {proc.strerror or proc}"
    if proc.returncode != 0:
        return frozenset(), "`-encoders` failed: " + reason_from_stderr(
            proc.stderr, proc.returncode
        )
    # " V....D libx264              libx264 H.264 / AVC ..." after a legend and a "------" line
    body = proc.stdout.split(" ------", 1)[-1]
    names = frozenset(m.group(1) for m in re.finditer(r"^ [VAS][A-Z.]{5} (\S+)", body, re.M))
    return names, ""


# what ffmpeg prints after the real reason, whatever the reason was
_CONSEQUENCES = re.compile(
    r"Error while opening encoder|Could not open encoder|Task finished with error|"
    r"Terminating thread|Nothing was written|Error sending frames|Conversion failed|"
    r"Error initializing output stream|Error reinitializing filters|Exiting with exit code|"
    r"^Svt\[",
)
_PREFIX = re.compile(r"^(\[[^\]]* @ [^\]]*\]\s*)+")


def reason_from_stderr(stderr: str, returncode: int) -> str:
    """The line of ffmpeg's stderr that says why, without its ``[enc @ 0x..]`` prefix.

    ffmpeg prints the cause first ("Cannot load libcuda.so.1") and then a cascade of
    consequences ("Error while opening encoder", "Nothing was written"...).
    """
    lines = [_PREFIX.sub("", ln).strip() for ln in stderr.splitlines()]
    lines = [ln for ln in lines if ln]
    causes = [ln for ln in lines if not _CONSEQUENCES.search(ln)]
    if causes:
        return causes[0]
    if lines:
        return lines[-1]
    return f"ffmpeg exited with status {returncode}"
