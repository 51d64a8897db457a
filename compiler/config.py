"""The user's defaults: ``config.toml`` in the platform's config directory.

::

    # ~/.config/tlc/config.toml (Linux; `tlc doctor` prints the path here)
    size = "1280x720"
    fps = 30
    preset = "draft"
    encoder = "x264"
    log = true           # the export log (`tlc stats`); false: log nothing
    log_paths = false    # true: the log names the timeline and output files too

Every key is optional. An output block that sets a value wins over this file,
and the command line wins over both (config < ``.tl`` < flags). ``TLC_CONFIG``
names another file (or a missing one, for none). A file that is there but wrong
is an error: a typo must not quietly export at the wrong size.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tlc.core.context import Defaults
from tlc.core.errors import UsageError
from tlc.core.presets import PRESET_CHOICES, unknown_preset
from tlc.syntax.values import parse_fps, parse_size

ENV_VAR = "TLC_CONFIG"
KEYS = ("size", "fps", "preset", "encoder", "log", "log_paths")
#: the settings of the export log (booleans), read by :func:`log_settings`
LOG_KEYS = ("log", "log_paths")


def config_path() -> Path:
    """Where the config file is read from (it need not exist)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("tlc", appauthor=False)) / "config.toml"


def load_defaults(path: Path | None = None) -> Defaults:
    """tlc's defaults, with those of the config file (if there is one) put over them."""
    path = path or config_path()
    data = _read(path)
    return Defaults() if data is None else _defaults(data, path)


def log_settings(path: Path | None = None) -> dict[str, bool]:
    """``{"log": ..., "log_paths": ...}``: whether exports are logged, and with paths."""
    path = path or config_path()
    data = _read(path) or {}
    settings = {"log": True, "log_paths": False}
    for key in LOG_KEYS:
        if key in data:
            if not isinstance(data[key], bool):
                raise UsageError(f"{path}: {key} must be true or false")
            settings[key] = data[key]
    return settings


def _read(path: Path) -> dict[str, Any] | None:
    try:
        fh = open(path, "rb")  # noqa: SIM115  (closed below; tomllib only for a file there)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise UsageError(f"cannot read the config file {path}: {err}") from None
    import tomllib

    with fh:
        try:
            return tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise UsageError(f"cannot read the config file {path}: {err}") from None


def _defaults(data: dict[str, Any], path: Path) -> Defaults:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KEYS:
            import difflib  # (only for a wrong name: a suggestion)

            close = difflib.get_close_matches(key, KEYS, n=1)
            raise UsageError(
                f"{path}: unknown setting {key!r}",
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "settings: "
                + ", ".join(KEYS),
            )
        if key in LOG_KEYS:
            if not isinstance(value, bool):
                raise UsageError(f"{path}: {key} must be true or false")
            continue
        if key == "fps" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise UsageError(f"{path}: {key} must be a string, such as {_EXAMPLES[key]}")
        try:
            values[key] = _PARSE[key](value)
        except UsageError as err:
            raise UsageError(f"{path}: {err.message}", hint=err.hint) from None
    return Defaults(**values)


def _preset(value: str) -> str:
    if value not in PRESET_CHOICES:
        raise UsageError(unknown_preset(value))
    return value


def _same(value: str) -> str:
    return value  # checked against the plugins when an output uses it


_PARSE = {"size": parse_size, "fps": parse_fps, "preset": _preset, "encoder": _same}
_EXAMPLES = {"size": '"1280x720"', "fps": "30", "preset": '"draft"', "encoder": '"x264"'}
