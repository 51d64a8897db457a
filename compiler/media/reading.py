"""Reading a file with PyAV: its streams, rates, durations, colours, rotation, and
whether its frame rate is steady. :func:`probe_file` is what :mod:`tlc.media.probe`
calls for a file its cache does not know.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from tlc.core.errors import MediaError

if TYPE_CHECKING:
    from av.audio.stream import AudioStream
    from av.container import InputContainer
    from av.stream import Stream
    from av.video.stream import VideoStream
from tlc.media.formats import IMAGE_FORMATS, MAYBE_ANIMATED, check_format, open_input
from tlc.media.info import AudioInfo, MediaInfo, VideoInfo


def first_video(container: InputContainer) -> tuple[int, VideoStream] | None:
    import av

    for i, s in enumerate(container.streams.video):
        if not s.disposition & av.stream.Disposition.attached_pic:  # cover art is not video
            return i, s
    return None


def sound_priming(apath: str, index: int = 0) -> Fraction:
    """Seconds of sound the file ``apath`` says to skip before its audio stream
    ``index`` starts (an AAC encoder's priming, which an MP4 edit list skips): its first
    packet is that much before the stream's start. 0 when none. Raises MediaError."""
    import av

    with open_input(apath) as container:
        streams = container.streams.audio
        if index >= len(streams) or not streams[index].time_base:
            return Fraction(0)
        stream = streams[index]
        try:
            packet = next((p for p in container.demux(stream) if p.pts is not None), None)
        except av.error.FFmpegError as err:
            raise MediaError(f"cannot read {apath}: {err.strerror or err}") from None
        if packet is None or packet.pts is None:
            return Fraction(0)
        first = packet.pts * Fraction(stream.time_base)
        return max(Fraction(0), (_start(stream) or Fraction(0)) - first)


def _seconds(value: int | None, time_base: Fraction | None) -> Fraction | None:
    if value is None or time_base is None or value <= 0:
        return None
    return value * Fraction(time_base)


#: ffmpeg's default layout for a channel count: what a file that does not say its
#: channels' positions ("2 channels": a WAV without a channel mask) is played as
_DEFAULT_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "4.0", 5: "5.0", 6: "5.1",
                    7: "6.1", 8: "7.1"}


def _layout_name(name: str, channels: int) -> str:
    """The layout ``name``, or for channels of no stated position, the default one for
    their count (the encoders refuse "2 channels", and it would not join "stereo")."""
    if name.endswith(" channels") or not name:
        return _DEFAULT_LAYOUTS.get(channels, name)
    return name


def _skipped(codec: str, cc: Any, rate: int) -> Fraction:
    """Seconds the decoder drops at the start that the stream's duration counts: an Opus
    stream's pre-skip (6.5 ms, usually), which ffmpeg gives as the codec's delay."""
    delay = int(getattr(cc, "delay", 0) or 0)
    if codec != "opus" or delay <= 0 or rate <= 0:
        return Fraction(0)
    return Fraction(delay, 48000)  # (Opus counts its pre-skip at 48 kHz, whatever the rate)


def _start(stream: Any) -> Fraction | None:
    if stream.start_time is None or not stream.time_base:
        return None
    return stream.start_time * Fraction(stream.time_base)


def _rate(*rates: Fraction | None) -> Fraction:
    for r in rates:
        if r:
            return Fraction(r)
    return Fraction(0)


def _colours(cc: Any) -> str:
    """:attr:`VideoInfo.colours` of a stream's codec context."""
    fmt = str(cc.pix_fmt or "")
    if not fmt.startswith(("yuv", "nv", "p0", "p2", "gray")):
        return ""
    matrix = {1: "BT.709", 9: "BT.2020", 10: "BT.2020"}.get(int(cc.colorspace), "BT.601")
    full = int(cc.color_range) == 2 or fmt.startswith("yuvj")
    return f"{matrix}, {'full' if full else 'limited'}"


def _rotation(container: InputContainer, vs: Any) -> int:
    """The display rotation of ``vs`` in degrees (0, 90, 180, 270): ffmpeg turns the
    pictures so when it decodes (``-autorotate``, on by default). It is side data of
    the decoded frame here: the first frame is decoded, and nothing more."""
    try:
        for frame in container.decode(vs):
            return int(round(float(getattr(frame, "rotation", 0) or 0))) % 360
    except Exception:  # noqa: BLE001 - a file that does not decode: the render will say
        return 0
    return 0


#: packets :func:`_steady` reads (demuxed, not decoded: a few ms)
STEADY_PACKETS = 300


def _steady(container: InputContainer, vs: Any, fps: Fraction) -> bool:
    """True when the next :data:`STEADY_PACKETS` video packets are spaced one frame
    apart at ``fps``, each within a quarter frame (millisecond timestamps at 29.97 fps
    are). A mix of rates, or frames missing, is not: such video must go through the
    fps filter even when its nominal rate is the output's."""
    tb = Fraction(vs.time_base) if vs.time_base else None
    if tb is None:
        return True
    stamps: list[int] = []
    try:
        for packet in container.demux(vs):
            if packet.pts is not None:
                stamps.append(packet.pts)
            if len(stamps) >= STEADY_PACKETS:
                break
        container.seek(0)  # (back to the start, for the next reader)
    except Exception:  # noqa: BLE001 - a file that does not demux: the render will say
        return True
    stamps.sort()
    frame, slack = 1 / fps, 1 / (4 * fps)
    return all(abs((b - a) * tb - frame) <= slack for a, b in zip(stamps, stamps[1:], strict=False))


def _turned(video: VideoInfo, rotation: int) -> VideoInfo:
    """``video`` as ffmpeg decodes it: a quarter turn swaps its size."""
    if rotation == 0:
        return video
    if rotation in (90, 270):
        return replace(
            video, width=video.height, height=video.width, sar=1 / video.sar if video.sar else
            video.sar, rotation=rotation,
        )
    return replace(video, rotation=rotation)


def probe_file(apath: str, size: int, mtime_ns: int) -> MediaInfo:
    if size == 0:
        raise MediaError(f"not media: {apath} is empty (0 bytes)")
    with open_input(apath) as container:
        fmt = check_format(container, apath)
        picked_v = first_video(container)
        picked_a: tuple[int, AudioStream] | None = next(
            iter(enumerate(container.streams.audio)), None
        )
        if picked_v is None and picked_a is None:
            raise MediaError(f"not media: no video or audio stream in {apath}")

        is_image = False
        if picked_v is not None and picked_a is None:
            base = set(fmt.split(","))
            if base & IMAGE_FORMATS or any(n.endswith("_pipe") for n in base):
                is_image = True
            elif base & MAYBE_ANIMATED:
                is_image = _frame_count(container, picked_v[1], limit=2) == 1

        video = None
        if picked_v is not None:
            vi, vs = picked_v
            cc = vs.codec_context
            tb = Fraction(vs.time_base) if vs.time_base else Fraction(0)
            sar = vs.sample_aspect_ratio or cc.sample_aspect_ratio
            video = VideoInfo(
                codec=_codec_name(vs),
                width=int(cc.width),
                height=int(cc.height),
                sar=Fraction(sar) if sar else Fraction(1),
                pix_fmt=str(cc.pix_fmt or ""),
                fps=(
                    Fraction(0)
                    if is_image
                    else _rate(vs.average_rate, vs.guessed_rate, vs.base_rate)
                ),
                time_base=tb,
                profile=_profile(vs),
                duration=None if is_image else _seconds(vs.duration, vs.time_base),
                frames=None if is_image or not vs.frames else int(vs.frames),
                index=vi,
                colours=_colours(cc),
                start=_start(vs),
            )
            if video.width <= 0 or video.height <= 0:
                raise MediaError(f"not media: the video in {apath} has no size")
            if not is_image:
                if video.fps and not _steady(container, vs, video.fps):
                    video = replace(video, steady=False)
                video = _turned(video, _rotation(container, vs))

        audio = None
        if picked_a is not None:
            ai, stream = picked_a
            acc = stream.codec_context
            layout = acc.layout
            channels = int(layout.nb_channels if layout is not None else acc.channels)
            rate = int(acc.sample_rate or 0)
            duration = _seconds(stream.duration, stream.time_base)
            skipped = _skipped(_codec_name(stream), acc, rate)
            audio = AudioInfo(
                codec=_codec_name(stream),
                sample_rate=rate,
                channels=channels,
                layout=_layout_name(layout.name if layout is not None else "", channels),
                time_base=Fraction(stream.time_base) if stream.time_base else Fraction(0),
                profile=_profile(stream),
                duration=duration - skipped if duration else duration,
                index=ai,
                start=_start(stream),
            )

        duration = None
        if not is_image:
            duration = _seconds(container.duration, Fraction(1, 1_000_000))
            if duration and video is None and audio is not None and picked_a is not None:
                duration -= _skipped(audio.codec, picked_a[1].codec_context, audio.sample_rate)
            if duration is None:
                known = [d for d in (video and video.duration, audio and audio.duration) if d]
                duration = max(known) if known else None
        start = container.start_time
        return MediaInfo(
            path=apath,
            size=size,
            mtime_ns=mtime_ns,
            format_name=fmt,
            duration=duration,
            start_time=Fraction(start, 1_000_000) if start else Fraction(0),
            video=video,
            audio=audio,
            is_image=is_image,
        )


def _codec_name(stream: Stream) -> str:
    # The codec's own name ("av1"), not the decoder's ("libdav1d"), as ffprobe shows it.
    codec = stream.codec_context.codec
    return str(getattr(codec, "canonical_name", None) or codec.name)


def _profile(stream: Stream) -> str | None:
    try:
        profile = stream.codec_context.profile
    except (AttributeError, ValueError):
        return None
    return str(profile) if profile else None


def _frame_count(container: InputContainer, stream: Stream, limit: int) -> int:
    import av

    count = 0
    try:
        for packet in container.demux(stream):
            if packet.size:
                count += 1
                if count >= limit:
                    break
    except av.error.FFmpegError:
        pass  # damaged after the first frames: what was read still counts
    return count
