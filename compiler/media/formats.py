"""Which inputs tlc opens, and how: the container policy.

Every input is opened with a whitelist of every demuxer libavformat has except
the refused ones (playlists and network-reaching formats posing as media), and
with the files-only protocol whitelist; :func:`open_input` says what is wrong with
a file that cannot be opened.
"""

from __future__ import annotations

import os
from functools import cache as memoize
from typing import TYPE_CHECKING

from tlc.core.errors import MediaError

if TYPE_CHECKING:
    from av.container import InputContainer


#: containers whose input seek (``-ss``) can land past the only keyframe before the
#: point asked for and decode nothing from there (MPEG-TS, MPEG-PS, raw streams)
UNSEEKABLE = frozenset({"mpegts", "mpeg", "h264", "hevc", "m4v", "mpegvideo"})


@memoize  # (asked for every clip: the same few names)
def unseekable(format_name: str) -> bool:
    """True for a container in :data:`UNSEEKABLE` (``format_name`` as probed:
    ``mov,mp4,m4a,...``)."""
    return bool(UNSEEKABLE & set(format_name.split(",")))


# Demuxers that open other files or URLs (playlists, lists, session
# descriptions), grab from devices, or run scripts. The whitelist built from
# this list is checked by libavformat before the demuxer reads anything.
REFUSED_FORMATS = frozenset(
    {
        "hls", "applehttp", "dash", "concat", "imf", "sdp", "rtp", "rtsp", "sap",
        "avisynth", "vapoursynth", "dvdvideo", "bluray", "lavfi",
        "alsa", "pulse", "oss", "jack", "sndio", "openal", "fbdev", "kmsgrab",
        "x11grab", "video4linux2", "v4l2", "libcdio", "libdc1394", "iec61883",
        "decklink", "android_camera", "dshow", "gdigrab", "vfwcap", "avfoundation",
        # text shown as video (ANSI art, .nfo): never what a timeline means
        "tty", "bin", "xbin", "adf", "idf",
    }
)  # fmt: skip


# Containers of one still image. ("image2" reads a single file here: tlc opens
# it with pattern_type=none, so a name like "img%03d.png" is not a sequence.)
IMAGE_FORMATS = frozenset({"image2", "image2pipe", "ico", "alias_pix", "brender_pix"})


# Formats that hold either one still image or an animation: one frame is an image.
MAYBE_ANIMATED = frozenset({"gif", "apng", "jpegxl_anim", "webp"})


@memoize
def _format_whitelist() -> str:
    """Every input format PyAV's libavformat has, except the refused ones."""
    import av

    names = []
    for name in sorted(av.formats_available):
        try:
            fmt = av.format.ContainerFormat(name, "r")
        except ValueError:
            continue  # an output-only format
        if not set(name.split(",")) & REFUSED_FORMATS and (fmt.name == "image2" or not fmt.no_file):
            names.append(name)
    return ",".join(names)


def open_input(apath: str) -> InputContainer:
    """Open ``apath`` for reading, safely; raises MediaError that says what is wrong."""
    import av

    if os.path.isdir(apath):
        raise MediaError(f"not a file (a directory): {apath}")
    options = {
        "protocol_whitelist": "file",
        "format_whitelist": _format_whitelist(),
        "pattern_type": "none",  # image2: this one file, never a numbered sequence
    }
    try:
        return av.open(apath, mode="r", container_options=options)
    except FileNotFoundError:
        raise MediaError(f"no such file: {apath}") from None
    except PermissionError:
        raise MediaError(f"cannot read {apath}: permission denied") from None
    except IsADirectoryError:
        raise MediaError(f"not a file (a directory): {apath}") from None
    except av.error.InvalidDataError:
        if _playlist_kind(apath) is not None:  # not even detected (a lying extension)
            raise MediaError(_refused_message(apath)) from None
        raise MediaError(
            f"not media: ffmpeg cannot read {apath} "
            "(corrupt, truncated, or not a video, audio or image file)"
        ) from None
    except av.error.ArgumentError:
        # libavformat found a format, and the whitelist refused it before it read anything
        raise MediaError(_refused_message(apath)) from None
    except av.error.FFmpegError as err:
        raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None
    except OSError as err:
        raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None


def _playlist_kind(apath: str) -> str | None:
    """What kind of list of other files or URLs ``apath`` is, by its first bytes."""
    try:
        with open(apath, "rb") as fh:
            head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return None
    kinds = [
        (b"#EXTM3U", "an HLS playlist"),
        (b"ffconcat", "an ffconcat list"),
        (b"v=0", "an SDP session description"),
    ]
    kind = next((k for magic, k in kinds if head.startswith(magic)), None)
    if kind is None and head.startswith(b"<") and b"<MPD" in head:
        kind = "a DASH manifest"
    return kind


def _refused_message(apath: str) -> str:
    kind = _playlist_kind(apath)
    if kind is not None:
        return (
            f"refusing {apath}: it is {kind}, which makes ffmpeg read other files or URLs; "
            "name the media files in the timeline instead"
        )
    return f"refusing {apath}: not a kind of file tlc reads (it could read other files or URLs)"


def check_format(container: InputContainer, apath: str) -> str:
    name = str(container.format.name)
    if set(name.split(",")) & REFUSED_FORMATS:
        raise MediaError(_refused_message(apath))
    return name
