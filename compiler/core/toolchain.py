"""Which ffmpeg tlc runs, and what its version lets tlc write.

:func:`find_ffmpeg` looks, in order, at the ``--ffmpeg`` option, the
``TLC_FFMPEG`` environment variable, ``ffmpeg`` on ``PATH``, and the binary that
the ``imageio-ffmpeg`` package bundles. Its version comes from ``ffmpeg
-version``, run once per binary ever: the answer is cached on disk, keyed by the
binary's real path, size and mtime, so an export spawns no extra process. (Asking
imageio-ffmpeg for its binary runs that binary too, so its answer is cached as well.)

Every argv detail that depends on the ffmpeg version is decided by a method of
:class:`Ffmpeg`, so the rest of tlc never compares version numbers itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from typing import Any, Literal

from tlc.core import cache
from tlc.core.errors import UsageError

Origin = Literal["option", "env", "system", "bundled", "wasm"]

ENV_VAR = "TLC_FFMPEG"
VERSION_CACHE = "ffmpeg-versions-v2.json"  # (v2: the configuration line kept)
BUNDLED_CACHE = "ffmpeg-bundled-v1.json"
NEWEST = (99, 0, 0)  # a git master build ("N-112345-g..."): newer than any release
VERSION_TIMEOUT = 60.0

_ORIGIN_TEXT = {
    "option": "from --ffmpeg",
    "env": f"from {ENV_VAR}",
    "system": "from PATH",
    "bundled": "bundled with imageio-ffmpeg",
    "wasm": "ffmpeg.wasm under Node.js",
}


@dataclass(frozen=True)
class Ffmpeg:
    """An ffmpeg binary tlc can run, and its version."""

    path: str
    version: tuple[int, int, int]
    version_text: str
    origin: Origin
    engine: str = "native"  # what runs it: "native", or "wasm" (ffmpeg.wasm under Node.js)
    fontconfig: bool = True  # built with fontconfig: drawtext finds a font without fontfile=
    note: str = ""  # said after the origin (the wasm engine: which core)

    def filter_script_args(self, script_path: str) -> list[str]:
        """The options that read the ``-filter_complex`` graph from ``script_path``.

        ffmpeg 7.0 added ``-/OPTION FILE`` and deprecated ``-filter_complex_script``.
        """
        if self.version >= (7, 0, 0):
            return ["-/filter_complex", script_path]
        return ["-filter_complex_script", script_path]

    def display(self) -> str:
        """One line for ``tlc doctor``: path, version, and where it was found."""
        note = f", {self.note}" if self.note else ""
        return f"{self.path} (ffmpeg {self.version_text}, {_ORIGIN_TEXT[self.origin]}{note})"


_RELEASE = re.compile(r"n?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_GIT = re.compile(r"(?:N-\d+|git[-_]|\d{4}-\d{2}-\d{2}-git|[0-9a-f]{7,}$)", re.IGNORECASE)


def version_token(text: str) -> str:
    """The version word of ``ffmpeg -version`` output (or of a bare version string)."""
    m = re.search(r"\bversion\s+(\S+)", text)
    if m:
        return m.group(1)
    words = text.split()
    return words[0] if words else ""


def parse_version(text: str) -> tuple[int, int, int]:
    """The release ``(major, minor, patch)`` of an ffmpeg version string.

    ``text`` is the output of ``ffmpeg -version`` or just its version word::

        "ffmpeg version 6.1.1 Copyright ..."  -> (6, 1, 1)
        "n9.0.2-17-g2a571b6068-20260930"       -> (9, 0, 2)
        "7.1"                                  -> (7, 1, 0)
        "4.4.2-0ubuntu0.22.04.1"               -> (4, 4, 2)
        "N-112345-gabcdef"                     -> (99, 0, 0)  a git master build

    Raises ValueError if ``text`` has no version in it.
    """
    token = version_token(text.strip())
    if _GIT.match(token):
        return NEWEST
    m = _RELEASE.match(token)
    if m is None:
        raise ValueError(f"no ffmpeg version in {text[:80]!r}")
    major, minor, patch = (int(g) if g else 0 for g in m.groups())
    return (major, minor, patch)


ENGINES = ("native", "wasm")


def find_ffmpeg(explicit: str | None = None, engine: str = "native") -> Ffmpeg:
    """The ffmpeg to run: ``explicit`` (``--ffmpeg``), ``$TLC_FFMPEG``, PATH, or bundled;
    with ``engine="wasm"``, ffmpeg.wasm under Node.js (:mod:`tlc.core.wasm`).

    An ``explicit`` or ``TLC_FFMPEG`` value that is not a working ffmpeg is an
    error, never silently replaced by another ffmpeg. Raises :class:`UsageError`.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}", hint="engines: " + ", ".join(ENGINES))
    if engine == "wasm":
        if explicit:
            raise UsageError("--ffmpeg is for the native engine, not --engine wasm")
        from tlc.core.wasm import find_wasm

        launcher, note = find_wasm()
        found = _inspect(launcher, "wasm")
        return replace(found, engine="wasm", note=note)
    hint = f"point --ffmpeg or {ENV_VAR} at an ffmpeg binary, or unset both to use the bundled one"
    try:
        if explicit:
            return _inspect(_resolve(explicit, f"--ffmpeg {explicit}"), "option")
        env = os.environ.get(ENV_VAR)
        if env:
            return _inspect(_resolve(env, f"{ENV_VAR}={env}"), "env")
    except UsageError as err:
        err.hint = err.hint or hint
        raise

    problems: list[str] = []
    system = shutil.which("ffmpeg")
    if system:
        try:
            return _inspect(os.path.abspath(system), "system")
        except UsageError as err:
            problems.append(err.message)
    try:
        bundled = _bundled()
    except ImportError:
        problems.append("the imageio-ffmpeg package is not installed")
    except Exception as err:  # imageio-ffmpeg raises RuntimeError when it has no binary
        problems.append(f"imageio-ffmpeg has no ffmpeg: {err}")
    else:
        try:
            return _inspect(bundled, "bundled")
        except UsageError as err:
            problems.append(err.message)
    if not system:
        problems.insert(0, "no ffmpeg on PATH")
    raise UsageError(
        "cannot find a working ffmpeg (" + "; ".join(problems) + ")",
        hint=f"pass --ffmpeg PATH, set {ENV_VAR}=PATH, put ffmpeg on PATH, "
        "or `pip install imageio-ffmpeg` for a bundled one",
    )


def _bundled() -> str:
    """The binary imageio-ffmpeg bundles. Asking it runs that binary (``-version``) each
    time, so its answer is cached, keyed by the package's file (path, size, mtime: an
    upgrade changes them) and ``$IMAGEIO_FFMPEG_EXE``, while the binary is there."""
    import importlib.util

    spec = importlib.util.find_spec("imageio_ffmpeg")
    if spec is None or spec.origin is None:
        raise ImportError("no imageio_ffmpeg")
    try:
        st = os.stat(spec.origin)
        key: list[Any] = [spec.origin, st.st_size, st.st_mtime_ns,
                          os.environ.get("IMAGEIO_FFMPEG_EXE")]
    except OSError:
        key = []
    known = cache.read_json(BUNDLED_CACHE)
    if (
        key and isinstance(known, dict) and known.get("key") == key
        and isinstance(known.get("path"), str) and os.path.isfile(known["path"])
    ):
        return str(known["path"])
    import imageio_ffmpeg

    found = str(imageio_ffmpeg.get_ffmpeg_exe())
    if key:
        cache.write_json(BUNDLED_CACHE, {"key": key, "path": found})
    return found


def _resolve(value: str, named: str) -> str:
    """The absolute path of the ffmpeg that ``value`` names (a path, or a name on PATH)."""
    path = os.path.expanduser(value)
    if os.sep not in path and not (os.altsep and os.altsep in path):
        # a bare name is looked up on PATH, as a shell would ("./ffmpeg" for this directory)
        found = shutil.which(path)
        if found is None:
            raise UsageError(f"{named}: no such file, and no {value!r} on PATH")
        path = found
    if not os.path.exists(path):
        raise UsageError(f"{named}: no such file")
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise UsageError(f"{named}: not an executable file")
    return os.path.abspath(path)


def _inspect(path: str, origin: Origin) -> Ffmpeg:
    output = _version_output(path, origin)
    try:
        if not re.search(r"\bffmpeg version\b", output):
            raise ValueError(output)
        version = parse_version(output)
    except ValueError:
        first = output.strip().splitlines()[0] if output.strip() else "(nothing)"
        raise UsageError(
            f"{path} ({_ORIGIN_TEXT[origin]}) does not look like ffmpeg: "
            f"`-version` printed {first[:80]!r}"
        ) from None
    config = next((ln for ln in output.splitlines() if ln.startswith("configuration:")), None)
    # (no configuration line: an older cache entry or a build that hides it; assume so)
    fontconfig = config is None or "fontconfig" in config
    return Ffmpeg(path, version, version_token(output), origin, fontconfig=fontconfig)


def _version_output(path: str, origin: Origin) -> str:
    """The useful lines of ``ffmpeg -version``: from the cache, else by running it once."""
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError as err:
        raise UsageError(f"{path} ({_ORIGIN_TEXT[origin]}): {err.strerror}") from None
    stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}

    table = cache.read_json(VERSION_CACHE)
    if isinstance(table, dict):
        entry = table.get(real)
        if (
            isinstance(entry, dict)
            and entry.get("size") == stamp["size"]
            and entry.get("mtime_ns") == stamp["mtime_ns"]
            and isinstance(entry.get("output"), str)
        ):
            return str(entry["output"])

    output = _run_version(path, origin)

    def change(old: Any | None) -> dict[str, Any]:
        new = dict(old) if isinstance(old, dict) else {}
        new[real] = {**stamp, "output": output}
        return new

    cache.update_json(VERSION_CACHE, change)
    return output


def _run_version(path: str, origin: Origin) -> str:
    where = f"{path} ({_ORIGIN_TEXT[origin]})"
    try:
        proc = subprocess.run(
            [path, "-hide_banner", "-version"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=VERSION_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"{where}: `-version` did not finish in {VERSION_TIMEOUT:g} s") from None
    except OSError as err:
        raise UsageError(f"{where}: cannot run it: {err.strerror or err}") from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        raise UsageError(f"{where}: `-version` failed ({proc.returncode}): {tail[0][:200]}")
    # Keep the version line, the configuration (what the build has) and the libraries.
    return "\n".join(proc.stdout.splitlines()[:12])
