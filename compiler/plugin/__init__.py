"""Write a tlc plugin: everything a plugin author imports comes from this package.

A plugin is a module whose functions are named after the hooks in
:mod:`tlc.plugin.hookspecs` and marked with :data:`hookimpl`. This one is complete and
works as it stands: it adds the encoder ``openh264`` (Cisco's H.264 encoder,
which ffmpeg calls ``libopenh264``). OpenH264 has no constant-quality mode, so
the plugin turns tlc's quality intent into a bit rate for the output's size and
frame rate::

    # tlc_openh264.py
    from __future__ import annotations

    from tlc.plugin import Encoder, Request, hookimpl

    OPENH264 = Encoder("openh264", "h264", "libopenh264", priority=5,
                       description="Cisco OpenH264, software")


    @hookimpl
    def tlc_encoders() -> list[Encoder]:
        return [OPENH264]


    @hookimpl
    def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
        if encoder != OPENH264:
            return None  # not mine: another plugin answers
        # 0.1 bit a pixel looks like x264's CRF 23; every 6 steps of CRF halve the bits
        bits_per_pixel = 0.1 * 2 ** ((23 - request.quality) / 6)
        rate = request.width * request.height * float(request.fps) * bits_per_pixel
        return ["-rc_mode", "quality", "-b:v", f"{round(rate / 1000)}k"]

Make it installable by naming it in the ``tlc`` entry-point group of its
package's ``pyproject.toml``::

    [project.entry-points.tlc]
    openh264 = "tlc_openh264"

After ``pip install .``, ``tlc plugins`` lists ``openh264`` (and whether the
ffmpeg in use really runs it), ``encoder openh264`` in an output block or
``--encoder openh264`` on the command line selects it, and ``encoder auto`` picks
it when no encoder of higher priority works. A plugin that needs a pixel format, a
hardware upload or a device implements ``tlc_encoder_needs`` too (see
``plugins/qsv.py``). ``examples/plugin-svtav1/`` is a whole package, and
``docs/writing-plugins.md`` walks through it.

Executor plugins (``tlc_executors``) run a segmented export's jobs: they subclass
:class:`Executor` and call :func:`run_job` (see ``plugins/executors.py``).

Inside tlc this package is the plugin layer: the public names above
(:mod:`~tlc.plugin.encoder`, :mod:`~tlc.plugin.trial`, the runtime's jobs), the hook
specifications (:mod:`~tlc.plugin.hookspecs`), the manager and its registry
(:mod:`~tlc.plugin.manager`), the cached checks (:mod:`~tlc.plugin.availability`),
the encoder selection (:mod:`~tlc.plugin.selection`) and the codecs lowering asks
for (:mod:`~tlc.plugin.codecs`). It imports :mod:`tlc.runtime` and below.
"""

from __future__ import annotations

from tlc.core.errors import Cancelled, EncoderError, FfmpegError, UsageError
from tlc.core.presets import PRESETS
from tlc.core.toolchain import Ffmpeg
from tlc.plugin.encoder import (
    AUDIO_FAMILIES,
    QUALITY,
    VIDEO_FAMILIES,
    Check,
    Encoder,
    Needs,
    Request,
    hookimpl,
    kbps,
)
from tlc.plugin.manager import Registry, make_manager, use
from tlc.plugin.trial import (
    TRIAL_TIMEOUT,
    listed_encoders,
    reason_from_stderr,
    trial_encode,
    trial_encode_argv,
)
from tlc.runtime.jobs import (
    Executor,
    ExecutorInfo,
    ExecutorOptions,
    Job,
    JobResult,
    OnDone,
    OnProgress,
    collect,
    longest_first,
    run_job,
)

__all__ = [
    "AUDIO_FAMILIES", "PRESETS", "QUALITY", "TRIAL_TIMEOUT", "VIDEO_FAMILIES",
    "Cancelled", "Check", "Encoder", "EncoderError", "Executor", "ExecutorInfo",
    "ExecutorOptions", "Ffmpeg", "FfmpegError", "Job", "JobResult", "Needs", "OnDone",
    "Registry", "Request", "UsageError", "collect", "hookimpl", "kbps", "listed_encoders",
    "longest_first", "make_manager", "reason_from_stderr", "run_job", "trial_encode",
    "trial_encode_argv", "use", "OnProgress",
]
