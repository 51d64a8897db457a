"""What each output container can hold: the codecs tlc encodes to, and the source
codecs a stream copy may put in it. A pair outside these is an error in the ``.tl``
(before ffmpeg starts), not ffmpeg's "only supported in MP4" mid-export."""

from __future__ import annotations

#: output extension -> (ffmpeg muxer, audio-only, default audio codec)
CONTAINERS: dict[str, tuple[str, bool, str]] = {
    # video (and sound)
    ".mp4": ("mp4", False, "aac"), ".m4v": ("mp4", False, "aac"),
    ".mov": ("mov", False, "aac"), ".mkv": ("matroska", False, "aac"),
    ".webm": ("webm", False, "opus"),
    # sound only
    ".m4a": ("ipod", True, "aac"), ".aac": ("adts", True, "aac"),
    ".mp3": ("mp3", True, "mp3"), ".opus": ("opus", True, "opus"),
    ".ogg": ("ogg", True, "opus"), ".wav": ("wav", True, "pcm"),
    ".flac": ("flac", True, "flac"),
}
#: audio-only container -> what its ``audio`` setting may be
AUDIO_ONLY_CODECS = {
    "ipod": {"aac", "copy"},
    "adts": {"aac", "copy"},
    "mp3": {"mp3", "copy"},
    "opus": {"opus", "copy"},
    "ogg": {"opus", "copy"},
    "wav": {"pcm", "copy"},
    "flac": {"flac", "copy"},
    "webm": {"opus", "copy", "none"},
}


#: container (ffmpeg's muxer) -> the video codecs tlc may encode to in it (None: any)
VIDEO_CODECS: dict[str, frozenset[str] | None] = {
    "mp4": frozenset({"h264", "hevc", "av1"}),
    "mov": frozenset({"h264", "hevc"}),
    "matroska": None,
    "webm": frozenset({"av1"}),
}

#: container -> the audio codecs tlc may encode to in it (None: any)
AUDIO_CODECS: dict[str, frozenset[str] | None] = {
    "mp4": frozenset({"aac", "opus", "mp3"}),
    "mov": frozenset({"aac", "mp3"}),
    "matroska": None,
    "webm": frozenset({"opus"}),
}

#: container -> the source codecs (ffmpeg's names) a stream copy may put in it
#: (a container not listed takes what its muxer takes: not checked here)
COPIED: dict[str, dict[str, frozenset[str]]] = {
    "webm": {"v": frozenset({"vp8", "vp9", "av1"}), "a": frozenset({"opus", "vorbis"})},
    "mov": {"v": frozenset({"h264", "hevc", "mpeg4", "prores", "mjpeg"}),
            "a": frozenset({"aac", "mp3", "alac", "pcm_s16le", "pcm_s24le"})},
    "ipod": {"a": frozenset({"aac", "alac"})},
    "adts": {"a": frozenset({"aac"})},
    "mp3": {"a": frozenset({"mp3"})},
    "opus": {"a": frozenset({"opus"})},
    "ogg": {"a": frozenset({"opus", "vorbis", "flac"})},
    "flac": {"a": frozenset({"flac"})},
}


def encodes(container: str, media: str, codec: str) -> bool:
    """True when ``container`` can hold ``codec`` (tlc's name: h264, aac, ...)."""
    allowed = (VIDEO_CODECS if media == "v" else AUDIO_CODECS).get(container)
    return allowed is None or codec in allowed


def copies(container: str, media: str, source_codec: str) -> bool:
    """True when a stream of ``source_codec`` (ffmpeg's name) may be copied into it."""
    if container == "wav" and media == "a":
        return source_codec.startswith("pcm_")
    allowed = COPIED.get(container, {}).get(media)
    return allowed is None or source_codec in allowed


#: a subtitle file's extension -> its format (ffmpeg's codec name)
SUBTITLE_FORMATS: dict[str, str] = {".srt": "subrip", ".vtt": "webvtt", ".ass": "ass"}

#: container -> the codec a soft subtitle stream is written in (None: the file's own
#: format, as Matroska holds subrip, ass and webvtt alike); a container not listed
#: holds no subtitles
SUBTITLE_CODECS: dict[str, str | None] = {
    "mp4": "mov_text",
    "mov": "mov_text",
    "matroska": None,
    "webm": "webvtt",
}

#: the containers chapters are written into (MP4, MOV, MKV, M4A)
CHAPTERS: frozenset[str] = frozenset({"mp4", "mov", "matroska", "ipod"})


def subtitle_codec(container: str, file_format: str) -> str | None:
    """The codec a soft subtitle file of ``file_format`` is written in ``container``, or
    None when that container cannot hold subtitles."""
    if container not in SUBTITLE_CODECS:
        return None
    return SUBTITLE_CODECS[container] or file_format
