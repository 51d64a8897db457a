"""The main track and the audio tracks: exact start times and frame counts, trims
checked against their sources.
"""

from __future__ import annotations

from fractions import Fraction

from tlc.ir import AudioItem, MainItem, MainKind
from tlc.resolve.base import video_length
from tlc.resolve.edits import EditsResolver
from tlc.syntax import ast

_ONE = Fraction(1)


class TracksResolver(EditsResolver):
    """The main track (clips, gaps, stills on the frame grid) and the audio tracks."""

    def main(self) -> tuple[MainItem, ...]:
        items: list[MainItem] = []
        t = Fraction(0)
        frame_pos = 0
        tracks = [tr for tr in self.tl.tracks if isinstance(tr, ast.VideoTrack)]
        if len(tracks) > 1:
            raise self.error(
                "only one video track is allowed: it is the main program", tracks[1].span
            )
        overlap = 0  # frames of the transitions so far: the track is that much shorter
        # (10,000 clips of a dozen files: each file's length, and each item length in
        # frames as seconds, worked out once)
        lengths: dict[int, Fraction | None] = {}
        seconds_of: dict[int, Fraction] = {}
        fps = self.fps
        for track in tracks:
            pending: ast.Transition | None = None
            for index, item in enumerate(track.items):
                speed = _ONE
                if isinstance(item, ast.Transition):
                    pending = self.place_transition(track.items, index)
                    continue
                if isinstance(item, ast.Clip):
                    info = self.info(item.path)
                    if info.is_image:
                        raise self.error(
                            f"{item.path.value!r} is an image: write  "
                            f'image "{item.path.value}" for 3s',
                            item.path.span,
                        )
                    if info.video is None:
                        raise self.error(
                            f"{item.path.value!r} has no video stream: put it in an audio track",
                            item.path.span,
                        )
                    if id(info) not in lengths:
                        lengths[id(info)] = video_length(info)
                    length = lengths[id(info)]
                    src_in, dur = self.trim(item.trim, length, item.path.value)
                    played = dur  # of the source
                    if item.speed is not None:
                        speed, dur = item.speed, dur / item.speed
                    kind: MainKind = "clip"
                    path: str | None = self.abspath(item.path)
                    mute, vol, trimmed = item.mute, item.volume_db, item.trim is not None
                elif isinstance(item, ast.Gap):
                    dur, src_in, kind, path = self.seconds(item.duration), Fraction(0), "gap", None
                    mute, vol, trimmed = True, None, False
                elif isinstance(item, ast.Freeze):
                    src_in, kind = self.freeze_source(item), "freeze"
                    dur, path = self.seconds(item.duration), self.abspath(item.path)
                    mute, vol, trimmed = True, None, False
                else:
                    info = self.info(item.path)
                    if not info.is_image and info.video is None:
                        raise self.error(f"{item.path.value!r} is not an image", item.path.span)
                    if not info.is_image:
                        raise self.error(
                            f"{item.path.value!r} is a video, not a still image: write  "
                            f'clip "{item.path.value}"',
                            item.path.span,
                        )
                    dur, src_in, kind = self.seconds(item.duration), Fraction(0), "still"
                    path = self.abspath(item.path)
                    mute, vol, trimmed = True, None, False
                if self.frame_at(dur) <= 0:
                    raise self.error(
                        f"this item lasts less than one frame at {float(self.fps):g} fps", item.span
                    )
                # Its end is the frame nearest the sum of the lengths written so far: items
                # of 2.5 frames each get 3, 2, 3, 2 and never drift (at least one frame each).
                t += dur
                end = self.frame_at(t)
                if kind == "clip" and length is not None and src_in + played >= length:
                    # a clip that runs to its source's end is never made longer than it:
                    # past it are a repeated picture and silence (a hole at the cut)
                    end = min(end, self.frame_at(t, down=True))
                n = max(1, end - frame_pos)
                joined = None
                if pending is not None:
                    joined = self.transition(pending, items[-1], n)
                    overlap += joined.frames
                    pending = None
                if n not in seconds_of:
                    seconds_of[n] = Fraction(n * fps.denominator, fps.numerator)
                items.append(
                    MainItem(
                        kind=kind,
                        path=path,
                        start=Fraction((frame_pos - overlap) * fps.denominator, fps.numerator),
                        frames=n,
                        duration=seconds_of[n],
                        src_in=src_in,
                        mute=mute,
                        volume_db=vol,
                        span=item.span,
                        trimmed=trimmed,
                        speed=speed,
                        transition=joined,
                    )
                )
                frame_pos += n
        return tuple(items)


    def audio(self) -> tuple[tuple[AudioItem, ...], ...]:
        tracks = []
        for track in self.tl.tracks:
            if not isinstance(track, ast.AudioTrack):
                continue
            out = []
            t = Fraction(0)
            for item in track.items:
                info = self.info(item.path)
                if info.audio is None:
                    raise self.error(f"{item.path.value!r} has no audio stream", item.path.span)
                length = info.audio.duration or info.duration
                src_in, dur = self.trim(item.trim, length, item.path.value)
                start = self.seconds(item.at) if item.at is not None else t
                if start < 0:
                    raise self.error("an audio item cannot start before 0s", item.span)
                fi = self.seconds(item.fade_in) if item.fade_in else None
                fo = self.seconds(item.fade_out) if item.fade_out else None
                out.append(
                    AudioItem(
                        path=self.abspath(item.path),
                        start=start,
                        src_in=src_in,
                        duration=dur,
                        volume_db=item.volume_db,
                        fade_in=fi,
                        fade_out=fo,
                        span=item.span,
                    )
                )
                t = start + dur
            tracks.append(tuple(out))
        return tuple(tracks)
