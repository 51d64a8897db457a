"""The plugin manager, and the registry of encoders it collects.

:func:`make_manager` does what pytest does at start-up: add the hook specs
(:mod:`tlc.plugin.hookspecs`), register the built-in plugins (``tlc.plugins.*``), load
third-party plugins from the ``tlc`` entry-point group, then ``check_pending()``
so a misspelt hook name fails at once instead of being silently ignored.

:class:`Registry` answers the questions the rest of tlc asks: which encoders
exist (and which plugin, from which package, declared each), and, for one
encoder, its options, its needs and whether it works. :func:`registry` is the
process-wide one; tests build their own with :func:`make_manager` and install it
with :func:`use`.

``TLC_DISABLE_PLUGINS=name,name`` blocks plugins by name (built-in or not), as
pytest's ``-p no:name`` does: the way out of a broken third-party plugin.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, cast

import pluggy

from tlc.core.errors import EncoderError
from tlc.core.presets import PRESETS
from tlc.plugin import hookspecs
from tlc.plugin.encoder import AUDIO_FAMILIES, VIDEO_FAMILIES, Check, Encoder, Needs, Request

if TYPE_CHECKING:
    from tlc.core.toolchain import Ffmpeg
    from tlc.runtime.jobs import ExecutorInfo

ENTRY_POINT_GROUP = "tlc"
DISABLE_ENV = "TLC_DISABLE_PLUGINS"

#: plugin name -> module, registered in this order (the last registered is asked first)
BUILTINS: dict[str, str] = {
    "trial-encode": "tlc.plugins.trial_encode",
    "x264": "tlc.plugins.x264",
    "x265": "tlc.plugins.x265",
    "aom": "tlc.plugins.aom",
    "nvenc": "tlc.plugins.nvenc",
    "qsv": "tlc.plugins.qsv",
    "amf": "tlc.plugins.amf",
    "aac-m4a": "tlc.plugins.aac_m4a",
    "opus": "tlc.plugins.opus",
    "mp3": "tlc.plugins.mp3",
    "lossless": "tlc.plugins.lossless",
    "copy": "tlc.plugins.copy",
    "executors": "tlc.plugins.executors",
    "dask": "tlc.plugins.dask_executor",
}
FAMILIES = (*VIDEO_FAMILIES, *AUDIO_FAMILIES, "copy")


class PluginError(EncoderError):
    """A plugin cannot be loaded, or two plugins declare the same encoder. Exit status 2."""


def make_manager(
    builtins: Iterable[str] | None = None,
    entry_points: bool = True,
    blocked: Iterable[str] | None = None,
) -> Manager:
    """A manager with the specs, the built-ins (all, or those named), and the entry points.

    ``blocked`` defaults to the names in ``$TLC_DISABLE_PLUGINS``.
    """
    pm = Manager("tlc")
    pm.add_hookspecs(hookspecs)
    if blocked is None:
        blocked = [n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()]
    for name in blocked:
        pm.set_blocked(name)
    for name in BUILTINS if builtins is None else builtins:
        pm.register(importlib.import_module(BUILTINS[name]), name)
    if entry_points:
        try:
            pm.load_entry_points(ENTRY_POINT_GROUP)
        except Exception as err:  # a third party's import error, whatever it is
            raise PluginError(
                f"a plugin of the {ENTRY_POINT_GROUP!r} entry-point group failed to load: "
                f"{type(err).__name__}: {err}",
                hint=f"uninstall it, or block it with {DISABLE_ENV}=NAME",
            ) from err
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:
        raise PluginError(
            f"plugin {pm.get_name(err.plugin)!r} has a function no tlc hook is called: {err}",
            hint=f"the hooks are in tlc.plugin.hookspecs; block the plugin with {DISABLE_ENV}=NAME",
        ) from err
    return pm


class Manager(pluggy.PluginManager):
    """pluggy's manager, loading the entry points from :mod:`tlc.plugin.entrypoints` (its
    cache saves reading every installed package's metadata at each start) and knowing
    which package declared each plugin so loaded."""

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self.origins: dict[str, str] = {}  # plugin name -> "package version"

    def load_entry_points(self, group: str) -> int:
        """Register the plugins of entry-point ``group`` (as pluggy's
        ``load_setuptools_entrypoints``: the first of a name, unless it is blocked)."""
        from tlc.plugin.entrypoints import declared

        count = 0
        for ep in declared(group):
            if self.has_plugin(ep.name) or self.is_blocked(ep.name):
                continue
            self.register(ep.load(), name=ep.name)
            self.origins[ep.name] = ep.origin
            count += 1
        return count


@dataclass(frozen=True, slots=True)
class Registered:
    """An encoder, the plugin that declared it, and where that plugin came from."""

    encoder: Encoder
    plugin: str
    origin: str  # "built-in", or the package that installed the plugin: "name 1.0"


class Registry:
    """The encoders of one plugin manager, and the hooks about one of them."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm

    @cached_property
    def all(self) -> tuple[Registered, ...]:
        """Every declared encoder: by family, then in the order ``encoder auto`` tries them."""
        origins = self.pm.origins if isinstance(self.pm, Manager) else {}
        found: dict[tuple[str, str], Registered] = {}
        for impl in self.pm.hook.tlc_encoders.get_hookimpls():
            origin = origins.get(impl.plugin_name)
            if origin is None:
                builtin = BUILTINS.get(impl.plugin_name) == getattr(impl.plugin, "__name__", "")
                origin = "built-in" if builtin else f"plugin {impl.plugin_name}"
            declared = cast("list[Encoder]", impl.function() or [])
            for enc in declared:
                key = (enc.name, enc.family)
                if enc.family not in FAMILIES:
                    raise PluginError(
                        f"plugin {impl.plugin_name!r} declares encoder {enc.name!r} for an "
                        f"unknown codec family {enc.family!r}",
                        hint="families: " + ", ".join(FAMILIES),
                    )
                if key in found:
                    raise PluginError(
                        f"encoder {enc.name!r} ({enc.family}) is declared by both plugin "
                        f"{found[key].plugin!r} ({found[key].origin}) and plugin "
                        f"{impl.plugin_name!r} ({origin})",
                        hint=f"uninstall one, or block one with {DISABLE_ENV}=NAME",
                    )
                found[key] = Registered(enc, impl.plugin_name, origin)
        return tuple(sorted(found.values(), key=_order))

    def family(self, family: str) -> list[Registered]:
        """The encoders of ``family``, in the order ``encoder auto`` tries them."""
        return [r for r in self.all if r.encoder.family == family]

    def names(self) -> list[str]:
        return sorted({r.encoder.name for r in self.all})

    def find(self, name: str, family: str) -> Registered | None:
        """The encoder called ``name`` (or by ffmpeg's name for it) for ``family``."""
        for r in self.family(family):
            if name in (r.encoder.name, r.encoder.ffmpeg_name):
                return r
        return None

    def known(self, name: str) -> list[Registered]:
        """Every family's encoder called ``name`` (users may also write ffmpeg's name)."""
        return [r for r in self.all if name in (r.encoder.name, r.encoder.ffmpeg_name)]

    def executors(self) -> list[ExecutorInfo]:
        """Every declared executor, by name (one name, one plugin)."""
        found: dict[str, ExecutorInfo] = {}
        for impl in self.pm.hook.tlc_executors.get_hookimpls():
            for info in cast("list[ExecutorInfo]", impl.function() or []):
                if info.name in found:
                    raise PluginError(
                        f"executor {info.name!r} is declared twice (plugin {impl.plugin_name!r})",
                        hint=f"uninstall one, or block one with {DISABLE_ENV}=NAME",
                    )
                found[info.name] = info
        return sorted(found.values(), key=lambda i: i.name)

    # ---- the hooks about one encoder -----------------------------------------------------
    def args(self, encoder: Encoder, request: Request) -> list[str]:
        """The encoder's options for ``request`` (its plugin must answer)."""
        args = self.pm.hook.tlc_encoder_args(encoder=encoder, request=request)
        if args is None:
            raise PluginError(f"no plugin gives the options of encoder {encoder.name!r}")
        return [str(a) for a in args]

    def needs(self, encoder: Encoder, request: Request) -> Needs:
        needs = self.pm.hook.tlc_encoder_needs(encoder=encoder, request=request)
        return needs if needs is not None else Needs()

    def check(self, encoder: Encoder, ffmpeg: Ffmpeg) -> Check:
        """Ask the plugins whether ``encoder`` works with ``ffmpeg`` (uncached)."""
        request = trial_request(encoder)
        check = self.pm.hook.tlc_check_encoder(
            encoder=encoder,
            ffmpeg=ffmpeg,
            args=self.args(encoder, request),
            needs=self.needs(encoder, request),
        )
        if check is None:
            return Check(False, "no plugin can check this encoder")
        return check


def trial_request(encoder: Encoder) -> Request:
    """What a check encodes: the draft preset at the trial source's size and rate."""
    from fractions import Fraction

    if encoder.media == "a":
        return Request.for_preset(PRESETS[0])
    return Request.for_preset(PRESETS[0], 320, 240, Fraction(25))


def _order(r: Registered) -> tuple[int, bool, int, str]:
    e = r.encoder
    return (FAMILIES.index(e.family), not e.hardware, -e.priority, e.name)


_current: Registry | None = None


def registry() -> Registry:
    """The registry of this process: built-ins and installed plugins, loaded once."""
    global _current
    if _current is None:
        _current = Registry(make_manager())
    return _current


@contextlib.contextmanager
def use(reg: Registry) -> Iterator[Registry]:
    """Make ``reg`` the process's registry for a while (tests, embedding programs)."""
    global _current
    saved, _current = _current, reg
    try:
        yield reg
    finally:
        _current = saved
