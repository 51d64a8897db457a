"""The hooks a tlc plugin may implement (pluggy; project name ``tlc``).

Each function here is a specification: its name, arguments and docstring are the
contract, its body is empty. A plugin implements any of them with a function of
the same name marked :data:`tlc.plugin.hookimpl` (see :mod:`tlc.plugin` for a
complete plugin). A plugin may take only the arguments it needs.

"Pick one" hooks are ``firstresult``: plugins are asked in turn (the most recently
registered first) and the first answer that is not None wins; returning None
means "not mine". "Collect all" hooks return lists, and tlc joins them.

The built-in plugins (``tlc.plugins``) implement these same hooks; a third-party
plugin is found through the ``tlc`` entry-point group.
"""

# mypy: disable-error-code="empty-body"
# (a spec has a docstring and no body: the plugins have the bodies)
from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from tlc.core.toolchain import Ffmpeg
    from tlc.plugin.encoder import Check, Encoder, Needs, Request
    from tlc.runtime.jobs import ExecutorInfo

hookspec = pluggy.HookspecMarker("tlc")


@hookspec
def tlc_encoders() -> list[Encoder]:
    """Declare the encoders this plugin provides (collect all).

    Each :class:`~tlc.plugin.Encoder` names the encoder (what users write after
    ``encoder``), its codec family (h264, hevc, av1, aac, opus, mp3, pcm, flac),
    ffmpeg's name for it, whether it is hardware, and its priority. One
    (name, family) may be declared by one plugin only.
    """


@hookspec(firstresult=True)
def tlc_encoder_args(encoder: Encoder, request: Request) -> list[str] | None:
    """The ffmpeg options for ``encoder`` (after ``-c:v NAME``), or None if not mine.

    ``request`` has the preset (draft, preview or production), the quality intent
    on x264's CRF scale, and the output's size and frame rate (audio: its bit rate).
    Translate the intent into the encoder's own terms, so that every encoder aims
    at the same look: crf for x264/x265, cq for NVENC, global_quality for QSV, qp for
    AMF, or a bit rate computed from size and rate for an encoder that has none.
    Leave out ``-pix_fmt`` and device options: they are :func:`tlc_encoder_needs`.
    """


@hookspec(firstresult=True)
def tlc_encoder_needs(encoder: Encoder, request: Request) -> Needs | None:
    """What ``encoder`` needs around it (pixel format, upload filters, device options).

    Return a :class:`~tlc.plugin.Needs`, or None if not mine; an encoder whose
    plugin does not implement this needs nothing beyond tlc's ``yuv420p`` frames.
    A hardware encoder that reads frames from the device (QSV, VAAPI) says here how
    to get them there: ``filters="hwupload=..."`` and ``global_args=("-init_hw_device",
    ...)``.
    """


@hookspec(firstresult=True)
def tlc_check_encoder(
    encoder: Encoder, ffmpeg: Ffmpeg, args: list[str], needs: Needs
) -> Check | None:
    """Whether ``encoder`` really works with ``ffmpeg``, or None if not mine.

    tlc asks only about an encoder that ``ffmpeg -encoders`` lists, with the
    ``args`` and ``needs`` of its draft preset, and caches the answer on disk per
    ffmpeg binary and version. The built-in answer (the ``trial-encode`` plugin,
    which runs last) encodes one frame of a synthetic source to the null muxer with
    :func:`tlc.plugin.trial_encode` and reports ffmpeg's reason when it fails.
    Implement this only to check something else too (a licence, a driver version);
    return a :class:`~tlc.plugin.Check` whose ``reason`` a user can act on.
    """


@hookspec
def tlc_executors() -> list[ExecutorInfo]:
    """Declare the executors this plugin provides (collect all).

    An executor runs the segment renders of a segmented export (``--executor
    NAME``): each :class:`~tlc.runtime.jobs.ExecutorInfo` has the name users write, a
    line about it, and ``make(options)``, which returns a
    :class:`~tlc.runtime.jobs.Executor` for the command line's ``--jobs`` and
    ``--scheduler``. Built in: ``local``, ``pool`` and ``dask``.
    """
