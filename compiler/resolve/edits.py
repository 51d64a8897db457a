"""Version 2's edit items of the main track: transitions between items, freeze
frames, and what a clip's speed does to its length.
"""

from __future__ import annotations

from fractions import Fraction

from tlc.core.timefmt import human
from tlc.core.xfade import tl_names, xfade_names
from tlc.ir import MainItem, Transition
from tlc.media.info import MediaInfo
from tlc.resolve.base import Resolver, video_length
from tlc.syntax import ast
from tlc.syntax.diagnostics import did_you_mean


class EditsResolver(Resolver):
    """Transitions and freeze frames on the main track's frame grid."""

    _transition_names: dict[str, str] | None = None

    def transition_names(self) -> dict[str, str]:
        """The names a `.tl` file may write -> xfade's (asked of the ffmpeg once)."""
        if self._transition_names is None:
            self._transition_names = tl_names(xfade_names(self.ctx.ffmpeg))
        return self._transition_names

    def place_transition(
        self, items: tuple[ast.VideoItem, ...], index: int
    ) -> ast.Transition:
        """The transition at ``items[index]``, checked to stand between two items."""
        item = items[index]
        assert isinstance(item, ast.Transition)
        if index == 0:
            raise self.error(
                "a transition cannot be first in the track: it joins two items", item.span,
                hint="put it between two clips",
            )
        if index == len(items) - 1:
            raise self.error(
                "a transition cannot be last in the track: it joins two items", item.span,
                hint="put it between two clips, or end the track on a fade: transition "
                "fadeblack 1s then gap 1s",
            )
        if isinstance(items[index - 1], ast.Transition):
            raise self.error(
                "two transitions in a row: a transition joins two items", item.span,
                hint="remove one, or put an item between them",
            )
        names = self.transition_names()
        if item.name not in names:
            shown = ", ".join(sorted(names)[:12])
            hint = did_you_mean(item.name, names) or (
                f"this ffmpeg's transitions include: {shown}, ..." if names
                else "this ffmpeg has no xfade filter (ffmpeg 4.3 or newer has it)"
            )
            raise self.error(f"unknown transition '{item.name}'", item.name_span, hint=hint)
        return item

    def transition(self, item: ast.Transition, before: MainItem, frames_after: int) -> Transition:
        """The transition ``item`` from ``before`` into an item of ``frames_after``
        frames: whole frames (rounded as cuts are), no longer than either."""
        seconds = self.seconds(item.duration)
        frames = self.frame_at(seconds)
        if frames <= 0:
            raise self.error(
                f"this transition lasts less than one frame at {float(self.fps):g} fps",
                item.duration.span,
            )
        for frames_of, which in ((before.frames, "before"), (frames_after, "after")):
            if frames > frames_of:
                raise self.error(
                    f"the transition ({human(seconds, 's')}) is longer than the item "
                    f"{which} it ({human(Fraction(frames_of) / self.fps, 's')})",
                    item.span,
                    hint="shorten the transition, or lengthen the item",
                )
        return Transition(
            item.name, self.transition_names()[item.name], frames,
            Fraction(frames) / self.fps, item.span,
        )

    def freeze_source(self, item: ast.Freeze) -> Fraction:
        """The source time of a freeze frame, checked to be in its video."""
        info = self.info(item.path)
        if info.is_image or info.video is None:
            raise self.error(
                f"{item.path.value!r} is not a video: write  "
                f'image "{item.path.value}" for 3s',
                item.path.span,
            )
        at = self.seconds(item.at)
        length = video_length(info)
        if length is not None and at >= length:
            raise self.error(
                f"freeze at {human(at, 's')}: past the end of the video "
                f"({human(length, 's')} long)",
                item.at.span,
            )
        return frame_on_screen(info, at)


def frame_on_screen(info: MediaInfo, t: Fraction) -> Fraction:
    """The time of ``info``'s frame on screen at ``t`` (its last frame at or before it),
    when its frames are evenly spaced (else ``t``): a seek to it gives that frame, where a
    seek between two frames gives the next (and, in the last frame, none)."""
    v = info.video
    if v is None or not v.fps or not v.steady:
        return t
    origin = v.start - info.start_time if v.start is not None else Fraction(0)
    if t <= origin:
        return t
    return origin + ((t - origin) * v.fps // 1) / v.fps
